import { describe, expect, it } from 'vitest';
import { advise } from '../../src/domain/advise';
import { recognizerFor } from '../../src/domain/intent';
import { OfficeHours, weeklyHoursText } from '../../src/domain/officeHours';
import type { Instruction } from '../../src/instruction/schema';
import { brondby, fjordby } from '../helpers/instructions';

/**
 * The rules run on the data: the same decision path, hours and vocabulary for
 * Brøndby and for Fjordby (test/fixtures/fjordby.json), an imagined second
 * municipality with other hours and closures, Phoniro door locks instead of Bekey,
 * a fourth system (the medicine robot, called directly: it does not run over the
 * municipal network) and its own KMD menu number. Nothing in src/ names Fjordby.
 */

const phone = (instruction: Instruction, id: string) => instruction.contacts.find((c) => c.id === id)?.phone ?? null;

/** Sunday 6 December 2026, 19:40: both Nexusteams are closed. */
const SUNDAY_EVENING = new Date('2026-12-06T19:40:00+01:00');
/** Wednesday 2 December 2026, 10:00: both are open. */
const WEDNESDAY_MORNING = new Date('2026-12-02T10:00:00+01:00');

describe.each([
  ['Brøndby', brondby],
  ['Fjordby', fjordby],
] as const)('the decision path, for every system of %s', (_name, instruction) => {
  const hours = new OfficeHours(instruction);
  const systems = instruction.systems;

  it.each(systems.map((s) => [s.id, s] as const))('%s, out of hours, colleagues too: whom the data says to call, when to check the Internet, and the 2-hour rule only where it applies', (_id, system) => {
    const unknown = advise(instruction, hours, { system: system.id, scope: 'general' }, SUNDAY_EVENING);
    const up = advise(instruction, hours, { system: system.id, scope: 'general', internet: 'up' }, SUNDAY_EVENING);
    const vendor = system.outOfHours?.contact ?? 'it';
    expect(unknown.checkInternetFirst).toBe(system.checkInternetFirst);
    expect(unknown.contact?.id ?? null).toBe(system.checkInternetFirst ? null : vendor);
    expect(up.contact?.id).toBe(vendor);
    expect(up.contact?.phone).toBe(phone(instruction, vendor));
    expect(up.steps.join('\n')).toContain((phone(instruction, vendor) ?? '').replace(/(\d{4})(\d{4})/, '$1 $2'));
    const rule = system.twoHourRule;
    expect(up.escalateAt?.toISOString() ?? null).toBe(rule ? new Date(SUNDAY_EVENING.getTime() + rule.afterMinutes * 60_000).toISOString() : null);
    expect(up.owner).toBe(rule ? 'caller' : null);
    expect(up.worthKnowing).toEqual(system.worthKnowing);
    if (system.outOfHours) {
      const down = advise(instruction, hours, { system: system.id, scope: 'general', internet: 'down' }, SUNDAY_EVENING);
      const internal = advise(instruction, hours, { system: system.id, scope: 'general', internet: 'up', vendorSaysInternal: true }, SUNDAY_EVENING);
      expect([down.contact?.id, internal.contact?.id]).toEqual(['it', 'it']);
    }
  });

  it.each(systems.map((s) => [s.id] as const))('%s: in the Nexusteam\'s hours the Nexusteam; a problem of one person the superuser', (id) => {
    const general = advise(instruction, hours, { system: id, scope: 'general', internet: 'up' }, WEDNESDAY_MORNING);
    expect(general.contact).toMatchObject({ id: 'nexusteam', phone: phone(instruction, 'nexusteam') });
    const individual = advise(instruction, hours, { system: id, scope: 'individual' }, SUNDAY_EVENING);
    expect(individual.contact?.id).toBe('superuser');
    expect(individual.alternatives.map((c) => c.id)).toEqual(['nexusteam']);
    expect(individual.escalateAt).toBeNull();
  });

  it('every system is recognised by its names, and "jeg har ringet til …" by its vendor', () => {
    const { recognize } = recognizerFor(systems);
    for (const s of systems) {
      for (const name of s.words.names) expect(recognize(`${name} virker ikke`), name).toEqual({ kind: 'outage', system: s.id });
      const shortName = instruction.contacts.find((c) => c.id === s.outOfHours?.contact)?.shortName.da;
      if (s.outOfHours && s.outOfHours.words.length > 0) expect(recognize(`jeg har ringet til ${shortName}`)).toEqual({ kind: 'called', contact: s.outOfHours.contact });
    }
  });

  it('the contacts card says the Nexusteam\'s hours as the hours data has them', () => {
    const text = weeklyHoursText(instruction.officeHours.weekly, 'da');
    const open = Object.entries(instruction.officeHours.weekly).filter(([, intervals]) => intervals.length > 0);
    expect(text).toMatch(/^[A-ZÆØÅ]/);
    expect(text.endsWith('(helligdage undtaget).')).toBe(true);
    for (const [, intervals] of open) for (const i of intervals) expect(text).toContain(`${Number(i.from.slice(0, 2))}`);
  });
});

describe('Fjordby, a second municipality with its own data and no code of its own', () => {
  const hours = new OfficeHours(fjordby);
  const ask = (system: string, at: Date, more: { internet?: 'up' | 'down'; vendorSaysInternal?: boolean } = {}) =>
    advise(fjordby, hours, { system, scope: 'general', ...more }, at);

  it.each([
    ['Friday 13:30 is open (Fjordby closes at 14; Brøndby at 13)', '2026-12-04T13:30:00+01:00', true],
    ['Friday 14:00 is closed', '2026-12-04T14:00:00+01:00', false],
    ['Saturday 10:00 is open (Saturday mornings)', '2026-12-05T10:00:00+01:00', true],
    ['Monday 07:45 is open (from 7.30)', '2026-12-07T07:45:00+01:00', true],
    ['Thursday 10 December from 12:00 is closed (the ad-hoc course in its data)', '2026-12-10T12:30:00+01:00', false],
    ['28 August is closed all day (the town festival)', '2026-08-28T10:00:00+02:00', false],
    ['31 December 11:00 is open', '2026-12-31T11:00:00+01:00', true],
    ['31 December 12:00 is closed (from 12)', '2026-12-31T12:00:00+01:00', false],
    ['2. juledag, a Saturday, is closed (a public holiday)', '2026-12-26T10:00:00+01:00', false],
  ])('%s', (_name, at, open) => {
    expect(hours.status(new Date(at)).open).toBe(open);
  });

  it('names its own closures in the hours listing', () => {
    const days = hours.days('2026-08-24', 7, 'da');
    expect(days.find((d) => d.date === '2026-08-28')?.closed).toEqual({ kind: 'special', reason: 'Fjordby byfest' });
    expect(days.find((d) => d.date === '2026-08-29')).toMatchObject({ open: [{ from: '09:00', to: '12:00' }], closed: null });
  });

  it('says its hours on the contacts card', () => {
    expect(weeklyHoursText(fjordby.officeHours.weekly, 'da')).toBe('Mandag–torsdag 7.30–16, fredag 7.30–14, lørdag 9–12 (helligdage undtaget).');
    expect(weeklyHoursText(fjordby.officeHours.weekly, 'en')).toBe('Monday–Thursday 7:30–16, Friday 7:30–14, Saturday 9–12 (except public holidays).');
  });

  it('out of hours, Nexus: check the Internet, then KMD with Fjordby\'s municipality number 907, and the driftvagt two hours after the start', () => {
    expect(ask('nexus', SUNDAY_EVENING).branch).toBe('check-internet');
    const a = ask('nexus', SUNDAY_EVENING, { internet: 'up' });
    expect(a.contact).toMatchObject({ id: 'kmd', phone: '44605040' });
    expect(a.steps).toContain('Tast 907# (Fjordbys kommunenummer)');
    expect(a.steps.join('\n')).not.toMatch(/153|Brøndby/);
    expect(a.escalateAt?.toISOString()).toBe('2026-12-06T20:40:00.000Z');
    expect(a.steps).toContain('Virker Nexus stadig ikke kl. 21.40, ringer du til Regionens driftvagt: 7841 0000');
  });

  it('out of hours, the door locks: Phoniro (not Bekey) after the Internet check, no 2-hour rule; "internal" sends to Fjordby IT', () => {
    expect(ask('phoniro', SUNDAY_EVENING).branch).toBe('check-internet');
    const a = ask('phoniro', SUNDAY_EVENING, { internet: 'up' });
    expect(a).toMatchObject({ branch: 'phoniro', contact: { id: 'phoniro', name: 'Phoniro-support', phone: '70201919' }, escalateAt: null, owner: null });
    expect(a.steps[0]).toBe('Ring til Phoniro-support: 7020 1919');
    expect(a.steps.join('\n')).not.toMatch(/Bekey|4330 0505/);
    expect(a.steps).toContain('Siger Phoniro, at fejlen er intern i Fjordby, så ring til IT: 8611 9999');
    expect(ask('phoniro', SUNDAY_EVENING, { internet: 'up', vendorSaysInternal: true }).contact).toMatchObject({ id: 'it', name: 'Fjordby IT' });
  });

  it('out of hours, the medicine robot: Evondos at once (no Internet check), what to do meanwhile, no 2-hour rule', () => {
    const a = ask('medicinrobot', SUNDAY_EVENING);
    expect(a).toMatchObject({ branch: 'evondos', checkInternetFirst: false, contact: { id: 'evondos', phone: '70271111' }, escalateAt: null });
    expect(a.steps[0]).toBe('Ring til Evondos-support: 7027 1111');
    expect(a.steps).toContain('Giv imens borgeren medicinen fra doseringsæsken ved robotten.');
    expect(a.steps).toContain('Når du har ringet til Evondos, har du sagen: du følger den, til medicinrobotten virker igen.');
    expect(a.worthKnowing).toEqual(['robot-manual', 'medicine-safety']);
  });

  it('reads its staff\'s words: the robot, the locks, and "Bekey" is not one of its systems', () => {
    const { recognize, parseSystem } = recognizerFor(fjordby.systems);
    expect(recognize('medicinrobotten virker ikke')).toEqual({ kind: 'outage', system: 'medicinrobot' });
    expect(recognize('robotten hos fru Hansen er gået i stå, den virker ikke')).toEqual({ kind: 'outage', system: 'medicinrobot' });
    expect(parseSystem('medicinrobotn')).toBe('medicinrobot');
    expect(recognize('dørlåsen virker ikke')).toEqual({ kind: 'outage', system: 'phoniro' });
    expect(recognize('phonero er nede')).toEqual({ kind: 'outage', system: 'phoniro' });
    expect(parseSystem('bekey')).toBeNull();
    expect(recognize('jeg har ringet til Evondos')).toEqual({ kind: 'called', contact: 'evondos' });
    expect(recognize('jeg har ringet')).toEqual({ kind: 'called', contact: 'kmd' });
  });
});
