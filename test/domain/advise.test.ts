import { describe, expect, it } from 'vitest';
import { advise } from '../../src/domain/advise';
import { OfficeHours } from '../../src/domain/officeHours';
import { DOMAIN_TEXTS, fillPlaceholders, fillText, listPlaceholders, PlaceholderError, type PlaceholderContext } from '../../src/domain/text';
import type { AdviceRequest } from '../../src/domain/types';
import { brondby } from '../helpers/instructions';
import { withEscalationAfter } from '../../src/domain/systems';

const instruction = brondby;
const hours = new OfficeHours(instruction);
const SYSTEMS = instruction.systems.map((s) => s.id);

/** Thursday 3 December 2026, 10:00 CET: the Nexusteam is open (08–18). */
const IN_HOURS = new Date('2026-12-03T10:00:00+01:00');
/** Saturday 5 December 2026, 10:00 CET: closed; opens Monday 7 December 08:00 CET. */
const SATURDAY = new Date('2026-12-05T10:00:00+01:00');
const MONDAY_0800 = '2026-12-07T07:00:00.000Z';

const ask = (req: AdviceRequest, at: Date, lang: 'da' | 'en' = 'da') => advise(instruction, hours, req, at, { lang });

/** Every 8-digit number in the steps must be written grouped ("4460 5040"). */
function expectNoUngroupedPhone(steps: readonly string[]): void {
  for (const s of steps) expect(s).not.toMatch(/\d{8}/);
}

describe('advice by branch of the decision path', () => {
  it('general Nexus outage in office hours → call the Nexusteam 4328 2020; the Nexusteam owns the 2-hour rule', () => {
    const a = ask({ system: 'nexus', scope: 'general', internet: 'up' }, IN_HOURS);
    expect(a.branch).toBe('nexusteam');
    expect(a.contact).toEqual({ id: 'nexusteam', name: 'Nexusteamet', phone: '43282020', email: 'nexusteam@brondby.dk' });
    expect(a.alternatives).toEqual([]);
    expect(a.nexusteamOpen).toBe(true);
    expect(a.nexusteamClosesAt?.toISOString()).toBe('2026-12-03T17:00:00.000Z');
    expect(a.nexusteamNextOpen).toBeNull();
    expect(a.checkInternetFirst).toBe(false);
    expect(a.owner).toBe('nexusteam');
    expect(a.escalateAt?.toISOString()).toBe('2026-12-03T11:00:00.000Z');
    expect(a.steps[0]).toBe('Ring til Nexusteamet: 4328 2020');
    expect(a.steps).toContain('Eller skriv til nexusteam@brondby.dk');
    expectNoUngroupedPhone(a.steps);
  });

  it('general Bekey or Internet outage in office hours → the Nexusteam, but no 2-hour rule', () => {
    for (const system of ['bekey', 'internet'] as const) {
      const a = ask({ system, scope: 'general' }, IN_HOURS);
      expect(a.contact?.phone).toBe('43282020');
      expect(a.owner).toBeNull();
      expect(a.escalateAt).toBeNull();
    }
  });

  it('in office hours "the vendor says it is internal" still goes to the Nexusteam', () => {
    const a = ask({ system: 'nexus', scope: 'general', internet: 'up', vendorSaysInternal: true }, IN_HOURS);
    expect(a.branch).toBe('nexusteam');
    expect(a.contact?.id).toBe('nexusteam');
  });

  it('out of hours, Internet unknown → check the Internet first; nobody to call yet', () => {
    for (const system of ['nexus', 'bekey'] as const) {
      const a = ask({ system, scope: 'general' }, SATURDAY);
      expect(a.branch).toBe('check-internet');
      expect(a.checkInternetFirst).toBe(true);
      expect(a.contact).toBeNull();
      expect(a.internet).toBeNull();
      expect(a.nexusteamOpen).toBe(false);
      expect(a.nexusteamNextOpen?.toISOString()).toBe(MONDAY_0800);
      expect(a.steps.join(' ')).toContain('dr.dk');
      // The computer and the phone are two ways to check, either one, not two steps in a row.
      expect(a.sections.map((x) => x.kind)).toEqual(['steps', 'either']);
      const either = a.sections[1]?.lines ?? [];
      expect(either).toHaveLength(2);
      expect(either[0]).toMatch(/^Enten på en computer: .*Chrome eller Edge.*dr\.dk/);
      expect(either[1]).toMatch(/^Eller på en telefon: .*mobildata/);
    }
    const nexus = ask({ system: 'nexus', scope: 'general' }, SATURDAY);
    expect(nexus.owner).toBe('caller');
    expect(nexus.escalateAt?.toISOString()).toBe('2026-12-05T11:00:00.000Z');
    const bekey = ask({ system: 'bekey', scope: 'general' }, SATURDAY);
    expect(bekey.owner).toBeNull();
    expect(bekey.escalateAt).toBeNull();
  });

  it('out of hours, Internet works, Nexus down → KMD 4460 5040 with 1 → 153# → 1; the caller owns the case', () => {
    const a = ask({ system: 'nexus', scope: 'general', internet: 'up' }, SATURDAY);
    expect(a.branch).toBe('kmd');
    expect(a.contact).toEqual({ id: 'kmd', name: 'KMD-support', phone: '44605040', email: null });
    expect(a.owner).toBe('caller');
    expect(a.escalateAt?.toISOString()).toBe('2026-12-05T11:00:00.000Z');
    expect(a.steps.slice(0, 4)).toEqual(['Ring til KMD-support: 4460 5040', 'Tast 1 (social og omsorg)', 'Tast 153# (kommunenummer; eller bare #)', 'Tast 1 (Nexus)']);
    expect(a.steps.join('\n')).not.toContain('155');
    expect(a.steps).toContain('Når du har ringet til KMD, har du sagen: du følger den, til Nexus virker igen.');
    // 09:00Z + 2 h = 11:00Z = 12.00 in Copenhagen, the same day: no date needed.
    expect(a.steps).toContain('Virker Nexus stadig ikke kl. 12.00, ringer du til Regionens driftvagt: 3864 8888');
    expect(a.steps).toContain('Siger KMD, at fejlen er intern i Brøndby, så ring til IT: 2365 0248');
    expectNoUngroupedPhone(a.steps);
  });

  it('the KMD call comes in two parts: while you call (the menu, what to say, your vagtnummer) and after the call', () => {
    const a = ask({ system: 'nexus', scope: 'general', internet: 'up' }, SATURDAY);
    expect(a.sections.map((x) => x.kind)).toEqual(['call', 'whileCalling', 'afterCall']);
    const [call, whileCalling, afterCall] = a.sections.map((x) => x.lines);
    expect(call).toEqual(['Ring til KMD-support: 4460 5040']);
    expect(whileCalling?.slice(0, 3)).toEqual(['Tast 1 (social og omsorg)', 'Tast 153# (kommunenummer; eller bare #)', 'Tast 1 (Nexus)']);
    expect(whileCalling?.join('\n')).toMatch(/vagthavende/);
    // The vagtnummer is the caller's own number, for KMD to call back on.
    expect(whileCalling?.join('\n')).toMatch(/vagtnummer: det telefonnummer, KMD kan ringe tilbage til dig på/);
    expect(afterCall?.join('\n')).toMatch(/Bilag 1/);
    expect(afterCall?.join('\n')).toMatch(/har du sagen/);
    expect(afterCall?.join('\n')).toMatch(/driftvagt: 3864 8888/);
    expect(a.steps).toEqual(a.sections.flatMap((x) => x.lines));
  });

  it('out of hours, Internet works, Bekey down → Bekey support 4330 0505, and IT if Bekey says it is internal', () => {
    const a = ask({ system: 'bekey', scope: 'general', internet: 'up' }, SATURDAY);
    expect(a.branch).toBe('bekey');
    expect(a.contact).toEqual({ id: 'bekey', name: 'Bekey-support', phone: '43300505', email: null });
    expect(a.owner).toBeNull();
    expect(a.escalateAt).toBeNull();
    // Whoever calls Bekey owns the case; the 2-hour rule (the driftvagt) is for Nexus only.
    expect(a.steps).toEqual([
      'Ring til Bekey-support: 4330 0505',
      'Når du har ringet til Bekey, har du sagen: du følger den, til Bekey virker igen.',
      'Siger Bekey, at fejlen er intern i Brøndby, så ring til IT: 2365 0248',
    ]);
    expect(a.steps.join(' ')).not.toMatch(/KMD|driftvagt/);
  });

  it.each(['nexus', 'bekey'] as const)('out of hours, Internet down, %s → IT 2365 0248', (system) => {
    const a = ask({ system, scope: 'general', internet: 'down' }, SATURDAY);
    expect(a.branch).toBe('it');
    expect(a.contact).toEqual({ id: 'it', name: 'Brøndby IT', phone: '23650248', email: null });
    expect(a.steps[0]).toBe('Ring til IT: 2365 0248');
    expect(a.owner).toBe(system === 'nexus' ? 'caller' : null);
    expect(a.escalateAt?.toISOString() ?? null).toBe(system === 'nexus' ? '2026-12-05T11:00:00.000Z' : null);
    // Whoever calls IT owns the case; nothing on this card is about KMD.
    const name = system === 'nexus' ? 'Nexus' : 'Bekey';
    expect(a.steps).toContain(`Når du har ringet til IT, har du sagen: du følger den, til ${name} virker igen.`);
    expect(a.steps.join(' ')).not.toContain('KMD');
    // For Nexus the 2-hour rule holds whatever the cause: the IT caller tells the driftvagt too.
    expect(a.steps.includes('Virker Nexus stadig ikke kl. 12.00, ringer du til Regionens driftvagt: 3864 8888')).toBe(system === 'nexus');
    expectNoUngroupedPhone(a.steps);
  });

  it('out of hours, the Internet itself is down → IT, whatever was said about the Internet', () => {
    for (const internet of [undefined, 'up', 'down'] as const) {
      const a = ask({ system: 'internet', scope: 'general', internet }, SATURDAY);
      expect(a.branch).toBe('it');
      expect(a.internet).toBe('down');
      expect(a.checkInternetFirst).toBe(false);
      expect(a.contact?.phone).toBe('23650248');
      expect(a.owner).toBeNull();
      expect(a.escalateAt).toBeNull();
      expect(a.steps).toEqual(['Ring til IT: 2365 0248', 'Når du har ringet til IT, har du sagen: du følger den, til internettet virker igen.']);
    }
  });

  it('out of hours, KMD says the fault is internal to Brøndby → IT (vendor-internal); the caller keeps the 2-hour rule', () => {
    const a = ask({ system: 'nexus', scope: 'general', internet: 'up', vendorSaysInternal: true }, SATURDAY);
    expect(a.branch).toBe('vendor-internal');
    expect(a.contact?.id).toBe('it');
    expect(a.contact?.phone).toBe('23650248');
    expect(a.steps[0]).toBe('Ring til IT: 2365 0248');
    expect(a.owner).toBe('caller');
    expect(a.steps.some((s) => s.includes('3864 8888'))).toBe(true);
    expect(a.steps).toContain('Når du har ringet til IT, har du sagen: du følger den, til Nexus virker igen.');
    expect(a.steps.join(' ')).not.toContain('KMD');
    const bekey = ask({ system: 'bekey', scope: 'general', internet: 'up', vendorSaysInternal: true }, SATURDAY);
    expect(bekey.branch).toBe('vendor-internal');
    expect(bekey.contact?.phone).toBe('23650248');
    expect(bekey.owner).toBeNull();
  });

  it('an individual problem → your superuser (no number), the Nexusteam as the alternative, no owner', () => {
    for (const system of SYSTEMS) {
      const a = ask({ system, scope: 'individual', internet: 'up' }, IN_HOURS);
      expect(a.branch).toBe('individual');
      expect(a.contact).toEqual({ id: 'superuser', name: 'Din superbruger', phone: null, email: null });
      expect(a.alternatives).toEqual([{ id: 'nexusteam', name: 'Nexusteamet', phone: '43282020', email: 'nexusteam@brondby.dk' }]);
      expect(a.owner).toBeNull();
      expect(a.escalateAt).toBeNull();
      expect(a.steps).toEqual(['Kontakt din superbruger eller Nexusteamet ved først kommende lejlighed.', 'Nexusteamet: 4328 2020 / nexusteam@brondby.dk']);
      // They already answered "just me": no "ask a colleague" step.
      expect(a.steps.join(' ')).not.toContain('kollega');
    }
  });

  it('an individual problem out of hours says when the Nexusteam opens next', () => {
    const a = ask({ system: 'nexus', scope: 'individual' }, SATURDAY);
    expect(a.nexusteamNextOpen?.toISOString()).toBe(MONDAY_0800);
    expect(a.steps[a.steps.length - 1]).toBe('Nexusteamet har lukket nu og åbner igen mandag 7. december kl. 8.00.');
    const early = ask({ system: 'bekey', scope: 'individual' }, new Date('2026-12-04T06:15:00+01:00'));
    expect(early.steps[early.steps.length - 1]).toBe('Nexusteamet har lukket nu og åbner igen i dag kl. 8.00.');
    const christmas = ask({ system: 'nexus', scope: 'individual' }, new Date('2026-12-23T16:00:00+01:00'));
    expect(christmas.steps[christmas.steps.length - 1]).toBe('Nexusteamet har lukket nu og åbner igen mandag 28. december kl. 8.00.');
    const en = ask({ system: 'nexus', scope: 'individual' }, SATURDAY, 'en');
    expect(en.steps[en.steps.length - 1]).toBe('The Nexus team is closed now and opens again on Monday 7 December at 08:00.');
  });
});

describe('the 2-hour rule: escalateAt = start + 2 h of elapsed time', () => {
  it('autumn change: an outage from 01:30 CEST on 25 Oct 2026 escalates 2 h later, at 02:30 CET on the clock', () => {
    const start = new Date('2026-10-25T01:30:00+02:00'); // 2026-10-24T23:30Z
    const a = ask({ system: 'nexus', scope: 'general', internet: 'up', start }, start);
    expect(a.escalateAt?.toISOString()).toBe('2026-10-25T01:30:00.000Z');
    expect(a.steps).toContain('Virker Nexus stadig ikke kl. 2.30, ringer du til Regionens driftvagt: 3864 8888');
  });

  it('spring change: an outage from 01:30 CET on 29 Mar 2026 escalates at 04:30 CEST on the clock', () => {
    const start = new Date('2026-03-29T01:30:00+01:00'); // 00:30Z
    const a = ask({ system: 'nexus', scope: 'general', internet: 'up', start }, start);
    expect(a.escalateAt?.toISOString()).toBe('2026-03-29T02:30:00.000Z');
    expect(a.steps).toContain('Virker Nexus stadig ikke kl. 4.30, ringer du til Regionens driftvagt: 3864 8888');
  });

  it('counts from the outage start, not from the question, and names the day when it is another day', () => {
    const start = new Date('2026-12-04T22:30:00+01:00'); // Friday evening
    const at = new Date('2026-12-04T23:15:00+01:00');
    const a = ask({ system: 'nexus', scope: 'general', internet: 'up', start }, at);
    expect(a.escalateAt?.toISOString()).toBe('2026-12-04T23:30:00.000Z');
    expect(a.steps).toContain('Virker Nexus stadig ikke kl. 0.30 lørdag 5. december, ringer du til Regionens driftvagt: 3864 8888');
    const en = ask({ system: 'nexus', scope: 'general', internet: 'up', start }, at, 'en');
    expect(en.steps).toContain("If Nexus still does not work at 00:30 on Saturday 5 December, call the Region's duty service: 3864 8888");
  });

  it('one deadline: an outage that started 40 minutes ago is to be escalated 80 minutes from now, on every branch that shows it', () => {
    const at = new Date('2026-12-05T19:40:00+01:00'); // Saturday evening
    const start = new Date(at.getTime() - 40 * 60_000); // 19.00
    for (const req of [
      { system: 'nexus', scope: 'general', internet: 'up', start },
      { system: 'nexus', scope: 'general', internet: 'down', start },
      { system: 'nexus', scope: 'general', internet: 'up', vendorSaysInternal: true, start },
    ] as const) {
      const a = ask(req, at);
      expect(a.escalateAt?.getTime()).toBe(at.getTime() + 80 * 60_000);
      // 21.00, not 21.40 (which would be two hours from the question).
      expect(a.steps).toContain('Virker Nexus stadig ikke kl. 21.00, ringer du til Regionens driftvagt: 3864 8888');
      expect(a.steps.join(' ')).not.toContain('21.40');
    }
  });

  it('a shorter configured delay moves the escalation', () => {
    const a = advise(withEscalationAfter(instruction, 30), hours, { system: 'nexus', scope: 'general', internet: 'up' }, SATURDAY);
    expect(a.escalateAt?.toISOString()).toBe('2026-12-05T09:30:00.000Z');
    expect(a.steps).toContain('Virker Nexus stadig ikke kl. 10.30, ringer du til Regionens driftvagt: 3864 8888');
  });
});

describe('worth knowing', () => {
  it.each([
    ['nexus', ['nexus-mobile-offline', 'fmk-online', 'medicine-safety', 'homecare-usb']],
    ['bekey', ['bekey-8h']],
    ['internet', ['bekey-8h', 'nexus-mobile-offline', 'medicine-safety', 'homecare-usb']],
  ] as const)('%s outages show %j, for general and individual problems alike', (system, ids) => {
    expect(ask({ system, scope: 'general', internet: 'up' }, SATURDAY).worthKnowing).toEqual(ids);
    expect(ask({ system, scope: 'individual' }, IN_HOURS).worthKnowing).toEqual(ids);
  });
});

describe('English', () => {
  it('gives the steps and names in English when asked', () => {
    const a = ask({ system: 'nexus', scope: 'general', internet: 'up' }, SATURDAY, 'en');
    expect(a.contact).toEqual({ id: 'kmd', name: 'KMD support', phone: '44605040', email: null });
    expect(a.steps[0]).toBe('Call KMD support: 4460 5040');
    expect(a.steps).toContain('Key in 153# (municipality number; or just #)');
    expect(a.steps).toContain("If Nexus still does not work at 12:00, call the Region's duty service: 3864 8888");
    expect(a.steps).toContain('Once you have called KMD, you own the case: you follow it until Nexus works again.');
    expect(a.steps.join(' ')).not.toMatch(/Ring|Tast|kl\./);
    const it = ask({ system: 'internet', scope: 'general' }, SATURDAY, 'en');
    expect(it.steps).toContain('Once you have called IT, you own the case: you follow it until the Internet works again.');
    const open = ask({ system: 'bekey', scope: 'general' }, IN_HOURS, 'en');
    expect(open.steps[0]).toBe('Call the Nexus team: 4328 2020');
  });

  it('defaults to Danish', () => {
    const a = advise(instruction, hours, { system: 'bekey', scope: 'general', internet: 'up' }, SATURDAY);
    expect(a.steps[0]).toBe('Ring til Bekey-support: 4330 0505');
  });
});

describe('the instruction\'s step templates', () => {
  const full = (lang: 'da' | 'en'): PlaceholderContext => ({
    instruction,
    lang,
    system: 'nexus',
    contact: 'kmd',
    at: SATURDAY,
    escalateAt: new Date('2026-12-05T11:00:00Z'),
    start: new Date('2026-12-05T09:00:00Z'),
    nextOpen: new Date(MONDAY_0800),
    days: ['2026-12-05', '2026-12-06', '2026-12-07'],
  });
  const templates = [
    ...Object.entries(instruction.steps).flatMap(([group, texts]) => texts.map((t, i) => [`steps.${group}[${i}]`, t] as const)),
    ['homecare.usbReminder', instruction.homecare.usbReminder] as const,
    ...Object.entries(DOMAIN_TEXTS).map(([k, t]) => [`DOMAIN_TEXTS.${k}`, t] as const),
  ];

  it.each(templates)('%s fills in Danish and English with no placeholder left', (_name, text) => {
    for (const lang of ['da', 'en'] as const) {
      const filled = fillText(text, full(lang));
      expect(filled).not.toMatch(/[{}]/);
      expect(filled).not.toMatch(/\d{8}/);
    }
    // Both languages use the same placeholders.
    expect(listPlaceholders(text.en).sort()).toEqual(listPlaceholders(text.da).sort());
  });

  it('fills each kind of placeholder as staff should read it', () => {
    const ctx = full('da');
    expect(fillPlaceholders('{phone:kmd}|{email:driftvagt}|{system}', ctx)).toBe('4460 5040|driftsvagt@regionh.dk|Nexus');
    expect(fillPlaceholders('ringet til {contact}', { ...ctx, contact: 'it' })).toBe('ringet til IT');
    expect(fillPlaceholders('ringet til {contact}', { ...ctx, contact: 'bekey', lang: 'en' })).toBe('ringet til Bekey');
    expect(fillPlaceholders('{system}', { ...ctx, system: 'internet' })).toBe('internettet');
    expect(fillPlaceholders('{system}', { ...ctx, system: 'internet', lang: 'en' })).toBe('the Internet');
    expect(fillPlaceholders('kl. {escalateAt}; siden kl. {start}', ctx)).toBe('kl. 12.00; siden kl. 10.00');
    expect(fillPlaceholders('{nextOpen}', ctx)).toBe('mandag 7. december kl. 8.00');
    expect(fillText(instruction.homecare.usbReminder, ctx)).toBe(
      'Husk at gemme kørelisterne på USB-stik for: lørdag 5. december, søndag 6. december og mandag 7. december.',
    );
  });

  it.each([
    ['{foo}', /unknown placeholder/],
    ['{phone:nobody}', /contact id/],
    ['{phone}', /contact id/],
    ['{phone:superuser}', /no phone/],
    ['{system:nexus}', /no argument/],
    ['Ring {phone:kmd', /unbalanced/],
    ['{ phone:kmd }', /unknown placeholder/],
  ])('the template "%s" is refused', (template, why) => {
    expect(() => fillPlaceholders(template, full('da'))).toThrow(PlaceholderError);
    expect(() => fillPlaceholders(template, full('da'))).toThrow(why);
  });

  it('a placeholder without a value in the context is refused, not left blank', () => {
    expect(() => fillPlaceholders('kl. {escalateAt}', { instruction, lang: 'da' })).toThrow(/no escalateAt/);
    expect(() => fillPlaceholders('{days}', { instruction, lang: 'da' })).toThrow(/no days/);
    expect(() => fillPlaceholders('ringet til {contact}', { instruction, lang: 'da' })).toThrow(/no contact/);
  });

  it('lists the placeholders of a template', () => {
    expect(listPlaceholders('Virker Nexus stadig ikke kl. {escalateAt}, ring {phone:driftvagt}')).toEqual(['escalateAt', 'phone:driftvagt']);
    expect(listPlaceholders('Ingen')).toEqual([]);
  });
});
