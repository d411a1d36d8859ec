import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, who, type HttpWorld } from '../helpers/httpWorld';
import { FJORDBY_FILE } from '../helpers/instructions';

/**
 * The app as a second municipality would run it: the same build, started with
 * INSTRUCTION_FILE pointing at its instruction (test/fixtures/fjordby.json), over
 * real HTTP. Nothing in the code knows Fjordby, its fourth system or its vendors.
 */
let world: HttpWorld;

beforeAll(async () => {
  world = await startWorld({ at: '2026-12-06T19:40:00+01:00', env: { INSTRUCTION_FILE: FJORDBY_FILE } }); // a Sunday evening
});
afterAll(async () => {
  await world?.dispose();
});

describe('Fjordby over HTTP, with INSTRUCTION_FILE and no code change', () => {
  it('walks from "medicinrobotten virker ikke" to Evondos\'s number, and knows its contacts and hours', async () => {
    const staff = who(1);
    const scope = await world.say(staff, 'medicinrobotten virker ikke');
    expect(scope.text).toContain('Er medicinrobotten også nede hos dine kolleger?');
    const advice = await world.say(staff, scope.press('også hos kolleger'));
    expect(advice.text).toContain('Ring til Evondos-support');
    expect(advice.text).toContain('7027 1111');
    const contacts = await world.say(staff, 'kontakter');
    expect(contacts.text).toContain('Phoniro-support');
    expect(contacts.text).toContain('Mandag–torsdag 7.30–16, fredag 7.30–14, lørdag 9–12 (helligdage undtaget).');
    expect(contacts.text).not.toMatch(/Bekey|Brøndby/);
  });
});
