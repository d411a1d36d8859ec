import { describe, expect, it } from 'vitest';
import { allText, Conversation, person, testServices, type Posted, type TestWorld } from '../helpers/bot';
import { cardText } from '../helpers/cards';
import { fjordby } from '../helpers/instructions';

/**
 * The bot with Fjordby's instruction (test/fixtures/fjordby.json) and no code of
 * its own: the triage, the known-outage answer, whoever calls owns the case and
 * the 2-hour rule, as staff meet them in the chat. Only Teams is replaced.
 */

/** Sunday 6 December 2026, 19:40: Fjordby's Nexusteam is closed. */
const SUNDAY_EVENING = '2026-12-06T19:40:00+01:00';
const MIN = 60_000;

const world = (at = SUNDAY_EVENING) => testServices(at, { instruction: fjordby });
const staff = (w: TestWorld, n: number) => new Conversation(w, 'da-DK', person(n));
const personal = (n: number) => `a:1personal-${person(n).id}`;
const textOf = (p: Posted) => [p.activity.text ?? '', ...(p.activity.attachments ?? []).map((a) => cardText(a.content))].join('\n');

async function tick(w: TestWorld, iso: string): Promise<void> {
  w.clock.set(iso);
  while ((await w.scheduler.tick()) > 0) {
    /* everything due now */
  }
}

/** A member of staff says the system is down for colleagues too (a report). */
async function report(w: TestWorld, n: number, text: string) {
  const c = staff(w, n);
  const first = await c.send(text);
  return first.some((r) => r.buttons.some((b) => b.title.includes('også hos kolleger'))) ? c.press(first, 'også hos kolleger') : first;
}

describe('Fjordby in the chat', () => {
  it('the welcome card offers its four systems, and "hjælp" names them', async () => {
    const c = staff(world(), 1);
    const replies = await c.send('hej');
    const titles = replies.flatMap((r) => r.buttons.map((b) => b.title));
    expect(titles).toEqual(expect.arrayContaining(['Nexus er nede', 'Phoniro er nede', 'Medicinrobotten er nede', 'Internettet er nede']));
    expect(titles).not.toContain('Bekey er nede');
    expect(allText(replies)).toContain('Nexus, Phoniro, medicinrobotten eller internettet');
  });

  it('"medicinrobotten virker ikke" on a Sunday evening leads to Evondos at once, with its buttons', async () => {
    const c = staff(world(), 1);
    const scope = await c.send('medicinrobotten virker ikke');
    expect(allText(scope)).toContain('Er medicinrobotten også nede hos dine kolleger?');
    const advice = await c.press(scope, 'også hos kolleger');
    const text = allText(advice);
    expect(text).toContain('Ring til Evondos-support');
    expect(text).toContain('7027 1111');
    expect(text).toContain('doseringsæsken');
    expect(text).not.toContain('Virker internettet?');
    expect(text).not.toMatch(/driftvagt/i);
    const titles = advice.flatMap((r) => r.buttons.map((b) => b.title));
    expect(titles).toEqual(expect.arrayContaining(['Jeg har ringet til Evondos', 'Evondos siger: fejlen er intern i Fjordby']));
  });

  it('the door locks: the Internet is checked first, then Phoniro, not Bekey', async () => {
    const c = staff(world(), 1);
    const internet = await c.press(await c.send('dørlåsen virker ikke'), 'også hos kolleger');
    expect(allText(internet)).toContain('Virker internettet?');
    const advice = await c.press(internet, 'hjemmesiden kom frem');
    expect(allText(advice)).toContain('Ring til Phoniro-support');
    expect(allText(advice)).toContain('7020 1919');
    expect(allText(advice)).not.toMatch(/Bekey/);
  });

  it('a known outage of the robot: the next to ask is told how many reported it and that nobody has called Evondos yet', async () => {
    const w = world();
    for (const n of [1, 2, 3]) await report(w, n, 'medicinrobotten er nede');
    const known = await staff(w, 4).send('robotten virker ikke');
    expect(allText(known)).toContain('Ingen har ringet til Evondos-support endnu.');
    expect(allText(known)).toContain('4 kolleger');
    expect(allText(known)).not.toMatch(/driftvagt/i);
  });

  it('"Jeg har ringet til Evondos": the caller owns the robot\'s outage, with no driftvagt to call', async () => {
    const w = world();
    const c = staff(w, 1);
    const advice = await c.press(await c.send('medicinrobotten er nede'), 'også hos kolleger');
    const owned = await c.press(advice, 'Jeg har ringet til Evondos');
    expect(allText(owned)).toContain('Du har meldt nedbruddet til Evondos-support og følger sagen, til medicinrobotten virker igen.');
    expect(allText(owned)).not.toMatch(/driftvagt/i);
    expect((await w.outages.known('medicinrobot'))?.owner).toMatchObject({ kind: 'person', contact: 'evondos' });
  });

  it('the 2-hour rule is Nexus\'s: the KMD caller is reminded two hours after the start; the robot\'s owner never', async () => {
    const w = world();
    const nexus = staff(w, 1);
    const internet = await nexus.press(await nexus.send('Nexus er nede'), 'også hos kolleger');
    const kmd = await nexus.press(internet, 'hjemmesiden kom frem');
    expect(allText(kmd)).toContain('Tast 907# (Fjordbys kommunenummer)');
    const owned = await nexus.press(kmd, 'Jeg har ringet til KMD');
    expect(allText(owned)).toContain('Virker Nexus stadig ikke i dag kl. 21.40, så ring til Regionens driftvagt: 7841 0000.');
    const robot = staff(w, 2);
    await robot.press(await robot.press(await robot.send('medicinrobotten er nede'), 'også hos kolleger'), 'Jeg har ringet til Evondos');

    const driftvagt = (n: number) => w.sender.posted.filter((p) => p.conversationId === personal(n) && /driftvagt/i.test(textOf(p)));
    await tick(w, new Date(Date.parse(SUNDAY_EVENING) + 119 * MIN).toISOString());
    expect(driftvagt(1)).toHaveLength(0);
    await tick(w, new Date(Date.parse(SUNDAY_EVENING) + 120 * MIN).toISOString());
    expect(driftvagt(1)).toHaveLength(1);
    expect(textOf(driftvagt(1)[0]!)).toContain('7841 0000');
    await tick(w, new Date(Date.parse(SUNDAY_EVENING) + 6 * 60 * MIN).toISOString());
    expect(driftvagt(2)).toHaveLength(0);
  });
});
