import { describe, expect, it } from 'vitest';
import bundled from '../../src/instruction/brondby.json';
import { InstructionError, loadInstruction, parseInstruction } from '../../src/instruction/load';
import type { ContactId } from '../../src/instruction/schema';
import { OfficeHours } from '../../src/domain/officeHours';
import { contactsCard } from '../../src/bot/views';
import { cardText } from '../helpers/cards';

/** The bundled instruction carries every fact of READING.md. */
const instruction = loadInstruction();
const contact = (id: ContactId) => instruction.contacts.find((c) => c.id === id);
const allDa = (group: keyof typeof instruction.steps) => instruction.steps[group].map((s) => s.da).join('\n');
const system = (id: string) => instruction.systems.find((s) => s.id === id);
const kmdDa = (part: 'call' | 'whileCalling' | 'afterCall') => (system('nexus')?.outOfHours?.[part] ?? []).map((s) => s.da).join('\n');

describe('the bundled instruction (READING.md facts)', () => {
  it('has the document facts, including the overdue review date', () => {
    expect(instruction.document).toMatchObject({
      title: 'Instruks vedrørende nedbrud på Nexus, Bekey og Internet',
      organisation: 'Brøndby Kommune, Ældre og Omsorg',
      preparedBy: 'Tonni Hesselberg',
      approvedBy: 'Topledergruppen',
      approvedOn: '2018-09-03',
      responsible: 'Nexusteamet / Heidi Pihl',
      lastRevised: '2021-12',
      reviewBy: '2023-12',
    });
    expect(instruction.document.revisionNotes.some((n) => n.da.includes('153') && n.da.includes('155'))).toBe(true);
  });

  it.each([
    ['nexusteam', '43282020', 'nexusteam@brondby.dk'],
    ['superuser', null, null],
    ['kmd', '44605040', null],
    ['bekey', '43300505', null],
    ['it', '23650248', null],
    ['driftvagt', '38648888', 'driftsvagt@regionh.dk'],
  ] as const)('contact %s: phone %s, e-mail %s', (id, phone, email) => {
    expect(contact(id)).toMatchObject({ id, phone, email });
  });

  it('has the Nexusteam\'s weekly hours', () => {
    expect(instruction.officeHours.weekly).toEqual({
      monday: [{ from: '08:00', to: '15:30' }],
      tuesday: [{ from: '08:00', to: '15:00' }],
      wednesday: [{ from: '08:00', to: '15:00' }],
      thursday: [{ from: '08:00', to: '18:00' }],
      friday: [{ from: '08:00', to: '13:00' }],
      saturday: [],
      sunday: [],
    });
    expect(instruction.officeHours.publicHolidays).toEqual({ country: 'DK', types: ['public'] });
  });

  it('says the Nexusteam\'s hours on the contacts card from those hours, as the instruction words them', () => {
    const ctx = (lang: 'da' | 'en') => ({ lang, instruction, now: new Date('2026-12-07T09:00:00+01:00'), hours: new OfficeHours(instruction, [], lang) });
    expect(cardText(contactsCard(ctx('da')))).toContain('Mandag 8–15.30, tirsdag–onsdag 8–15, torsdag 8–18, fredag 8–13 (helligdage undtaget).');
    expect(cardText(contactsCard(ctx('en')))).toContain('Monday 8–15:30, Tuesday–Wednesday 8–15, Thursday 8–18, Friday 8–13 (except public holidays).');
  });

  it('has Nexus (KMD out of hours, the Internet checked first, the 2-hour rule), Bekey (its own support) and the Internet (IT), in that order', () => {
    expect(instruction.systems.map((s) => [s.id, s.outOfHours?.contact ?? null, s.checkInternetFirst, s.twoHourRule?.afterMinutes ?? null])).toEqual([
      ['nexus', 'kmd', true, 120],
      ['bekey', 'bekey', true, null],
      ['internet', null, false, null],
    ]);
    expect(instruction.systems.map((s) => s.name.da)).toEqual(['Nexus', 'Bekey', 'internettet']);
    expect(instruction.municipality).toBe('Brøndby');
  });

  it('has the special closures of the ruling (24/12 and 31/12 all day; 1/5 and 5/6 from 12:00)', () => {
    expect(instruction.officeHours.specialClosures.map((c) => [c.date, c.closedFrom ?? 'all day', c.reason.da])).toEqual([
      ['12-24', 'all day', 'Juleaftensdag'],
      ['12-31', 'all day', 'Nytårsaftensdag'],
      ['05-01', '12:00', '1. maj (fra kl. 12)'],
      ['06-05', '12:00', 'Grundlovsdag (fra kl. 12)'],
    ]);
  });

  it('names all 11 holidays (10 since 2024 plus Store Bededag up to 2023)', () => {
    expect(instruction.officeHours.holidayNames.map((h) => h.name.da)).toEqual([
      'Nytårsdag',
      'Skærtorsdag',
      'Langfredag',
      'Påskedag',
      '2. påskedag',
      'Store Bededag',
      'Kristi himmelfartsdag',
      'Pinsedag',
      '2. pinsedag',
      'Juledag',
      '2. juledag',
    ]);
  });

  it('the KMD steps say 1 → 153# → 1 and never the wrong municipality number 155', () => {
    const kmd = kmdDa('whileCalling');
    expect(kmd).toContain('153#');
    expect(kmd).toMatch(/Tast 1 \(social og omsorg\)[\s\S]*153#[\s\S]*Tast 1 \(Nexus\)/);
    const vendorSteps = instruction.systems.flatMap((s) => (s.outOfHours ? [[`${s.id}.call`, s.outOfHours.call], [`${s.id}.whileCalling`, s.outOfHours.whileCalling], [`${s.id}.afterCall`, s.outOfHours.afterCall]] as const : []));
    for (const [group, texts] of [...Object.entries(instruction.steps), ...vendorSteps]) {
      for (const t of texts) {
        expect(`${group}: ${t.da} ${t.en}`).not.toContain('155#');
        expect(`${group}: ${t.da} ${t.en}`).not.toMatch(/\b155\b/);
      }
    }
    expect(kmdDa('afterCall')).toContain('Bilag 1');
    expect(allDa('twoHourRule')).toContain('{escalateAt}');
  });

  it('says once, for KMD, Bekey and IT alike, that whoever calls owns the case', () => {
    for (const t of instruction.steps.ownership) {
      expect(t.da).toContain('{contact}');
      expect(t.en).toContain('{contact}');
      expect(`${t.da} ${t.en}`).not.toMatch(/KMD|Bekey|\bIT\b/);
    }
  });

  it('the Internet check names Chrome or Edge and dr.dk / dmi.dk, and mobile data on a phone', () => {
    const text = `${allDa('checkInternet')}\n${allDa('checkInternetWays')}`;
    expect(text).toMatch(/Chrome/);
    expect(text).toMatch(/Edge/);
    expect(text).toMatch(/dr\.dk/);
    expect(text).toMatch(/dmi\.dk/);
    expect(text).toMatch(/mobildata/);
  });

  it('has the 2-hour rule and what to tell the driftvagt, also when Nexus is back', () => {
    expect(system('nexus')?.twoHourRule?.afterMinutes).toBe(120);
    expect(allDa('driftvagt')).toContain('{phone:driftvagt}');
    expect(allDa('driftvagt')).toContain('MedCom');
    expect(allDa('driftvagtBackUp')).toMatch(/virker igen/);
  });

  it('has both mailing lists by name', () => {
    expect(instruction.mailingLists.map((l) => [l.id, l.name])).toEqual([
      ['all-nexus-users', '#socialfv-Nexus'],
      ['private-providers', '#nedbrud-care-Privatelev'],
    ]);
    expect(instruction.mailingLists[1]?.maintainedBy.da).toContain('Visitationen');
  });

  it('has every worth-knowing item for the systems it concerns', () => {
    const byId = Object.fromEntries(instruction.worthKnowing.map((w) => [w.id, w]));
    expect(Object.keys(byId)).toEqual(['bekey-8h', 'nexus-mobile-offline', 'fmk-online', 'medicine-safety', 'homecare-usb']);
    expect(byId['bekey-8h']?.text.da).toContain('8 timer');
    expect(byId['nexus-mobile-offline']?.text.da).toContain('Nexus Mobile');
    expect(byId['fmk-online']?.url).toBe('https://fmk-online.dk/fmk/');
    expect(byId['medicine-safety']?.text.da).toMatch(/fejlmedicinering/);
    expect(byId['homecare-usb']?.text.da).toMatch(/USB-stik/);
    expect(byId['homecare-usb']?.text.da).toMatch(/fredag/);
    expect(system('nexus')?.worthKnowing).toContain('fmk-online');
    expect(system('bekey')?.worthKnowing).toContain('bekey-8h');
  });

  it('keeps Bilag 1 as data the Nexusteam maintains', () => {
    expect(instruction.bilag1.description.da).toContain('Bilag 1');
    expect(Array.isArray(instruction.bilag1.entries)).toBe(true);
  });
});

describe('an invalid instruction is refused with the field named', () => {
  type Mutable = typeof bundled;
  const cases: Array<[string, (d: Mutable) => void, string]> = [
    ['a phone number with a space', (d) => void (d.contacts[2]!.phone = '4460 5040'), 'contacts[2].phone'],
    ['a phone number with letters', (d) => void (d.contacts[0]!.phone = '4328202O'), 'contacts[0].phone'],
    ['a missing contact', (d) => void (d.contacts = d.contacts.filter((c) => c.id !== 'bekey')), 'contacts: contact "bekey" must appear exactly once (found 0)'],
    ['an interval ending before it starts', (d) => void (d.officeHours.weekly.monday[0] = { from: '15:30', to: '08:00' }), 'officeHours.weekly.monday[0]'],
    ['a time not written HH:MM', (d) => void (d.officeHours.weekly.tuesday[0]!.from = '8:00'), 'officeHours.weekly.tuesday[0].from'],
    ['a time past 23:59', (d) => void (d.officeHours.weekly.thursday[0]!.to = '24:00'), 'officeHours.weekly.thursday[0].to'],
    ['an unknown top-level field', (d) => void Object.assign(d, { extra: true }), '"extra"'],
    ['an unknown field in a contact', (d) => void Object.assign(d.contacts[0]!, { fax: '12345678' }), 'contacts[0]: Unrecognized key: "fax"'],
    ['a step without English', (d) => void ((d.systems[0]!.outOfHours!.call[0] as { en?: string }).en = undefined), 'systems[0].outOfHours.call[0].en'],
    ['one way to check the Internet, where either/or needs two', (d) => void (d.steps.checkInternetWays = d.steps.checkInternetWays.slice(0, 1)), 'steps.checkInternetWays: give at least two ways'],
    ['a contact without a short name', (d) => void delete (d.contacts[2] as { shortName?: unknown }).shortName, 'contacts[2].shortName'],
    ['a yearly date written DD-MM', (d) => void (d.officeHours.specialClosures[0]!.date = '24-12'), 'officeHours.specialClosures[0].date'],
    ['a system whose out-of-hours contact is not among the contacts', (d) => void (d.systems[1]!.outOfHours!.contact = 'phoniro'), 'contacts: contact "phoniro" must appear exactly once (found 0)'],
    ['a word that names two systems', (d) => void d.systems[1]!.words.names.push('nexus'), 'systems[1].words: "nexus" is also a word of system "nexus"'],
    ['a worth-knowing item that does not exist', (d) => void d.systems[0]!.worthKnowing.push('usb-sticks'), 'systems[0].worthKnowing[4]: no worth-knowing item "usb-sticks"'],
    ['the Nexusteam\'s hours written as prose beside the hours data', (d) => void Object.assign(d.contacts[0]!, { availability: { da: 'Mandag 8–16', en: 'Monday 8–16' } }), "contacts[0].availability: the Nexusteam's hours come from officeHours.weekly"],
    ['a system id with capitals', (d) => void (d.systems[0]!.id = 'Nexus'), 'systems[0].id'],
  ];

  it.each(cases)('%s', (_name, mutate, field) => {
    const data = structuredClone(bundled);
    mutate(data);
    expect(() => parseInstruction(data)).toThrow(InstructionError);
    expect(() => parseInstruction(data)).toThrow(field);
  });

  it('the untouched bundled data is accepted', () => {
    expect(() => parseInstruction(structuredClone(bundled))).not.toThrow();
  });
});
