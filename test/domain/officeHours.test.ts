import { describe, expect, it } from 'vitest';
import { OfficeHours } from '../../src/domain/officeHours';
import type { Closure, ClosureKind } from '../../src/domain/types';
import { brondby } from '../helpers/instructions';
import type { AdhocClosure } from '../../src/instruction/schema';

/*
 * Every instant below is written with an explicit offset or Z, never host-local.
 * Copenhagen is +01:00 (CET) in winter and +02:00 (CEST) from the last Sunday of
 * March to the last Sunday of October.
 */

const instruction = brondby;

const ADHOC: AdhocClosure[] = [
  { from: '2026-11-25', closedFrom: '12:00', reason: { da: 'Kursus', en: 'Course' } },
  { from: '2026-11-09', to: '2026-11-10', reason: { da: 'Flytning', en: 'Moving' } },
];
const hours = new OfficeHours(instruction, ADHOC);

interface Row {
  note: string;
  at: string;
  open: boolean;
  closesAt?: string;
  nextOpen?: string;
  /** Expected closure; omitted = not checked. */
  closure?: Closure | null;
}

const closure = (kind: ClosureKind, reason: string | null): Closure => ({ kind, reason });

const ROWS: Row[] = [
  // An ordinary winter week (CET): Monday 30 November – Monday 7 December 2026.
  { note: 'Mon 07:59 before opening', at: '2026-11-30T07:59:00+01:00', open: false, nextOpen: '2026-11-30T07:00:00.000Z', closure: null },
  { note: 'Mon 08:00 opens', at: '2026-11-30T08:00:00+01:00', open: true, closesAt: '2026-11-30T14:30:00.000Z' },
  { note: 'Mon 15:29 still open', at: '2026-11-30T15:29:00+01:00', open: true, closesAt: '2026-11-30T14:30:00.000Z' },
  { note: 'Mon 15:29:59.999 still open', at: '2026-11-30T14:29:59.999Z', open: true },
  { note: 'Mon 15:30 closed', at: '2026-11-30T15:30:00+01:00', open: false, nextOpen: '2026-12-01T07:00:00.000Z', closure: null },
  { note: 'Tue 14:59 open', at: '2026-12-01T14:59:00+01:00', open: true, closesAt: '2026-12-01T14:00:00.000Z' },
  { note: 'Tue 15:00 closed', at: '2026-12-01T15:00:00+01:00', open: false, nextOpen: '2026-12-02T07:00:00.000Z' },
  { note: 'Wed 14:59 open', at: '2026-12-02T14:59:00+01:00', open: true, closesAt: '2026-12-02T14:00:00.000Z' },
  { note: 'Wed 15:00 closed', at: '2026-12-02T15:00:00+01:00', open: false, nextOpen: '2026-12-03T07:00:00.000Z' },
  { note: 'Thu 17:59 open', at: '2026-12-03T17:59:00+01:00', open: true, closesAt: '2026-12-03T17:00:00.000Z' },
  { note: 'Thu 18:00 closed', at: '2026-12-03T18:00:00+01:00', open: false, nextOpen: '2026-12-04T07:00:00.000Z' },
  { note: 'Fri 07:59 closed', at: '2026-12-04T07:59:00+01:00', open: false, nextOpen: '2026-12-04T07:00:00.000Z' },
  { note: 'Fri 08:00 open', at: '2026-12-04T08:00:00+01:00', open: true, closesAt: '2026-12-04T12:00:00.000Z' },
  { note: 'Fri 12:59 open', at: '2026-12-04T12:59:00+01:00', open: true, closesAt: '2026-12-04T12:00:00.000Z' },
  { note: 'Fri 13:00 closed until Monday', at: '2026-12-04T13:00:00+01:00', open: false, nextOpen: '2026-12-07T07:00:00.000Z', closure: null },
  { note: 'Fri 07:30Z is 08:30 in Copenhagen: open', at: '2026-12-04T07:30:00Z', open: true },
  { note: 'Fri 12:30Z is 13:30 in Copenhagen: closed', at: '2026-12-04T12:30:00Z', open: false, nextOpen: '2026-12-07T07:00:00.000Z' },
  { note: 'Sat 10:00 weekend', at: '2026-12-05T10:00:00+01:00', open: false, nextOpen: '2026-12-07T07:00:00.000Z', closure: closure('weekend', null) },
  { note: 'Sun 23:59 weekend', at: '2026-12-06T23:59:00+01:00', open: false, nextOpen: '2026-12-07T07:00:00.000Z', closure: closure('weekend', null) },
  { note: 'Mon 00:00 closed, opens at 08:00', at: '2026-12-07T00:00:00+01:00', open: false, nextOpen: '2026-12-07T07:00:00.000Z', closure: null },
  { note: 'Sun 22:00 in New York is Mon 09:00 in Copenhagen: open', at: '2026-12-07T03:00:00-05:00', open: true, closesAt: '2026-12-07T14:30:00.000Z' },

  // Summer time (CEST).
  { note: 'summer Mon 07:59 closed', at: '2026-06-01T05:59:00Z', open: false, nextOpen: '2026-06-01T06:00:00.000Z' },
  { note: 'summer Mon 08:00 open', at: '2026-06-01T06:00:00Z', open: true, closesAt: '2026-06-01T13:30:00.000Z' },
  { note: 'summer Thu 18:00 closed', at: '2026-06-04T18:00:00+02:00', open: false, nextOpen: '2026-06-05T06:00:00.000Z' },

  // Grundlovsdag (5 June) from 12:00 on weekdays.
  { note: 'Grundlovsdag Fri 2026 11:59 open', at: '2026-06-05T11:59:00+02:00', open: true, closesAt: '2026-06-05T10:00:00.000Z' },
  { note: 'Grundlovsdag Fri 2026 12:00 closed', at: '2026-06-05T12:00:00+02:00', open: false, nextOpen: '2026-06-08T06:00:00.000Z', closure: closure('special', 'Grundlovsdag (fra kl. 12)') },
  { note: 'Grundlovsdag Thu 2025 11:59 open', at: '2025-06-05T11:59:00+02:00', open: true, closesAt: '2025-06-05T10:00:00.000Z' },
  { note: 'Grundlovsdag Thu 2025 12:00 closed', at: '2025-06-05T12:00:00+02:00', open: false, nextOpen: '2025-06-06T06:00:00.000Z', closure: closure('special', 'Grundlovsdag (fra kl. 12)') },
  { note: 'Grundlovsdag Thu 2025 19:00 closed as any Thursday evening', at: '2025-06-05T19:00:00+02:00', open: false, nextOpen: '2025-06-06T06:00:00.000Z', closure: null },
  { note: 'Grundlovsdag Sat 2027 is a weekend', at: '2027-06-05T10:00:00+02:00', open: false, closure: closure('weekend', null) },

  // 1 May from 12:00 on weekdays.
  { note: '1 May Thu 2025 11:59 open', at: '2025-05-01T11:59:00+02:00', open: true, closesAt: '2025-05-01T10:00:00.000Z' },
  { note: '1 May Thu 2025 12:00 closed', at: '2025-05-01T12:00:00+02:00', open: false, nextOpen: '2025-05-02T06:00:00.000Z', closure: closure('special', '1. maj (fra kl. 12)') },
  { note: '1 May Mon 2028 12:00 closed', at: '2028-05-01T12:00:00+02:00', open: false, nextOpen: '2028-05-02T06:00:00.000Z', closure: closure('special', '1. maj (fra kl. 12)') },

  // Store Bededag (Easter + 26): a holiday up to 2023, an ordinary Friday from 2024.
  { note: 'Store Bededag 2023 closed', at: '2023-05-05T10:00:00+02:00', open: false, nextOpen: '2023-05-08T06:00:00.000Z', closure: closure('holiday', 'Store Bededag') },
  { note: 'former Store Bededag 2024 open', at: '2024-04-26T10:00:00+02:00', open: true, closesAt: '2024-04-26T11:00:00.000Z' },
  { note: 'former Store Bededag 2025 open', at: '2025-05-16T10:00:00+02:00', open: true, closesAt: '2025-05-16T11:00:00.000Z' },
  // 2026: the same Friday is 1 May, so open in the morning and closed from 12:00.
  { note: 'former Store Bededag 2026 = 1 May, 11:59 open', at: '2026-05-01T11:59:00+02:00', open: true, closesAt: '2026-05-01T10:00:00.000Z' },
  { note: 'former Store Bededag 2026 = 1 May, 12:00 closed', at: '2026-05-01T12:00:00+02:00', open: false, nextOpen: '2026-05-04T06:00:00.000Z', closure: closure('special', '1. maj (fra kl. 12)') },
  { note: 'former Store Bededag 2027 open', at: '2027-04-23T10:00:00+02:00', open: true, closesAt: '2027-04-23T11:00:00.000Z' },

  // 24 and 31 December all day; Christmas and New Year.
  { note: 'Wed 23 Dec 14:59 open', at: '2026-12-23T14:59:00+01:00', open: true },
  { note: 'Wed 23 Dec 15:00: next open Mon 28 Dec (24 special, 25+26 holidays, 27 Sunday)', at: '2026-12-23T15:00:00+01:00', open: false, nextOpen: '2026-12-28T07:00:00.000Z', closure: null },
  { note: 'Juleaftensdag 2026 (Thu)', at: '2026-12-24T10:00:00+01:00', open: false, nextOpen: '2026-12-28T07:00:00.000Z', closure: closure('special', 'Juleaftensdag') },
  { note: 'Juleaftensdag 2025 (Wed): next open Mon 29 Dec', at: '2025-12-24T10:00:00+01:00', open: false, nextOpen: '2025-12-29T07:00:00.000Z', closure: closure('special', 'Juleaftensdag') },
  { note: 'Nytårsaftensdag 2026 (Thu): next open Mon 4 Jan', at: '2026-12-31T10:00:00+01:00', open: false, nextOpen: '2027-01-04T07:00:00.000Z', closure: closure('special', 'Nytårsaftensdag') },
  { note: 'Nytårsaftensdag 2025 (Wed): next open Fri 2 Jan', at: '2025-12-31T10:00:00+01:00', open: false, nextOpen: '2026-01-02T07:00:00.000Z', closure: closure('special', 'Nytårsaftensdag') },

  // Easter and Ascension.
  { note: 'Wed before Easter 2026, 15:00: next open Tue after Easter', at: '2026-04-01T15:00:00+02:00', open: false, nextOpen: '2026-04-07T06:00:00.000Z' },
  { note: 'Skærtorsdag 2026', at: '2026-04-02T10:00:00+02:00', open: false, nextOpen: '2026-04-07T06:00:00.000Z', closure: closure('holiday', 'Skærtorsdag') },
  { note: 'Påskedag is a Sunday: weekend', at: '2026-04-05T10:00:00+02:00', open: false, nextOpen: '2026-04-07T06:00:00.000Z', closure: closure('weekend', null) },
  { note: 'Wed before Ascension 2026, 15:00: next open Fri', at: '2026-05-13T15:00:00+02:00', open: false, nextOpen: '2026-05-15T06:00:00.000Z' },

  // Ad-hoc closures passed in.
  { note: 'ad-hoc from 12:00: 11:59 open, closing early', at: '2026-11-25T11:59:00+01:00', open: true, closesAt: '2026-11-25T11:00:00.000Z' },
  { note: 'ad-hoc from 12:00: 12:00 closed', at: '2026-11-25T12:00:00+01:00', open: false, nextOpen: '2026-11-26T07:00:00.000Z', closure: closure('adhoc', 'Kursus') },
  { note: 'ad-hoc two days: first day', at: '2026-11-09T10:00:00+01:00', open: false, nextOpen: '2026-11-11T07:00:00.000Z', closure: closure('adhoc', 'Flytning') },
  { note: 'ad-hoc two days: last day at 08:00', at: '2026-11-10T08:00:00+01:00', open: false, nextOpen: '2026-11-11T07:00:00.000Z', closure: closure('adhoc', 'Flytning') },
  { note: 'the day after an ad-hoc closure is ordinary', at: '2026-11-11T08:00:00+01:00', open: true },

  // Daylight saving: Sunday 29 March 2026 (02:00 CET → 03:00 CEST) and Sunday 25 October 2026 (03:00 CEST → 02:00 CET).
  { note: 'Fri before spring change 12:59 CET open', at: '2026-03-27T12:59:00+01:00', open: true, closesAt: '2026-03-27T12:00:00.000Z' },
  { note: 'Fri before spring change 13:00 CET: next open Mon 08:00 CEST', at: '2026-03-27T13:00:00+01:00', open: false, nextOpen: '2026-03-30T06:00:00.000Z' },
  { note: 'spring change Sunday: weekend', at: '2026-03-29T10:00:00+02:00', open: false, nextOpen: '2026-03-30T06:00:00.000Z', closure: closure('weekend', null) },
  { note: 'Mon after spring change 07:59 CEST closed', at: '2026-03-30T05:59:00Z', open: false, nextOpen: '2026-03-30T06:00:00.000Z' },
  { note: 'Mon after spring change 08:00 CEST open', at: '2026-03-30T06:00:00Z', open: true, closesAt: '2026-03-30T13:30:00.000Z' },
  { note: 'Fri before autumn change 13:00 CEST: next open Mon 08:00 CET', at: '2026-10-23T13:00:00+02:00', open: false, nextOpen: '2026-10-26T07:00:00.000Z' },
  { note: 'autumn change Sunday, first 02:30', at: '2026-10-25T02:30:00+02:00', open: false, nextOpen: '2026-10-26T07:00:00.000Z', closure: closure('weekend', null) },
  { note: 'autumn change Sunday, second 02:30', at: '2026-10-25T02:30:00+01:00', open: false, nextOpen: '2026-10-26T07:00:00.000Z', closure: closure('weekend', null) },
  { note: 'Mon after autumn change 07:59 CET closed', at: '2026-10-26T06:59:00Z', open: false, nextOpen: '2026-10-26T07:00:00.000Z' },
  { note: 'Mon after autumn change 08:00 CET open', at: '2026-10-26T07:00:00Z', open: true, closesAt: '2026-10-26T14:30:00.000Z' },
];

describe('Nexusteam open or closed at an instant', () => {
  it('the table has at least 40 instants', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(40);
  });

  it.each(ROWS)('$note ($at) → open: $open', (row) => {
    const s = hours.status(new Date(row.at));
    expect(s.open).toBe(row.open);
    if (row.open) {
      expect(s.nextOpen).toBeNull();
      expect(s.closure).toBeNull();
      expect(s.closesAt).not.toBeNull();
    } else {
      expect(s.closesAt).toBeNull();
    }
    if (row.closesAt !== undefined) expect(s.closesAt?.toISOString()).toBe(row.closesAt);
    if (row.nextOpen !== undefined) expect(s.nextOpen?.toISOString()).toBe(row.nextOpen);
    if (row.closure !== undefined) expect(s.closure).toEqual(row.closure);
  });
});

/*
 * Every public holiday on a weekday 2025–2030, worked out by hand from Easter
 * (2025-04-20, 2026-04-05, 2027-03-28, 2028-04-16, 2029-04-01, 2030-04-21):
 * Skærtorsdag E-3, Langfredag E-2, 2. påskedag E+1, Kristi himmelfartsdag E+39,
 * 2. pinsedag E+50, plus 1 January, 25 and 26 December when on a weekday.
 * Each checked at 10:00 local, inside the usual hours of every weekday.
 */
const WEEKDAY_HOLIDAYS: Array<[date: string, offset: string, weekday: string, name: string]> = [
  ['2025-01-01', '+01:00', 'onsdag', 'Nytårsdag'],
  ['2025-04-17', '+02:00', 'torsdag', 'Skærtorsdag'],
  ['2025-04-18', '+02:00', 'fredag', 'Langfredag'],
  ['2025-04-21', '+02:00', 'mandag', '2. påskedag'],
  ['2025-05-29', '+02:00', 'torsdag', 'Kristi himmelfartsdag'],
  ['2025-06-09', '+02:00', 'mandag', '2. pinsedag'],
  ['2025-12-25', '+01:00', 'torsdag', 'Juledag'],
  ['2025-12-26', '+01:00', 'fredag', '2. juledag'],

  ['2026-01-01', '+01:00', 'torsdag', 'Nytårsdag'],
  ['2026-04-02', '+02:00', 'torsdag', 'Skærtorsdag'],
  ['2026-04-03', '+02:00', 'fredag', 'Langfredag'],
  ['2026-04-06', '+02:00', 'mandag', '2. påskedag'],
  ['2026-05-14', '+02:00', 'torsdag', 'Kristi himmelfartsdag'],
  ['2026-05-25', '+02:00', 'mandag', '2. pinsedag'],
  ['2026-12-25', '+01:00', 'fredag', 'Juledag'],

  ['2027-01-01', '+01:00', 'fredag', 'Nytårsdag'],
  ['2027-03-25', '+01:00', 'torsdag', 'Skærtorsdag'],
  ['2027-03-26', '+01:00', 'fredag', 'Langfredag'],
  ['2027-03-29', '+02:00', 'mandag', '2. påskedag'],
  ['2027-05-06', '+02:00', 'torsdag', 'Kristi himmelfartsdag'],
  ['2027-05-17', '+02:00', 'mandag', '2. pinsedag'],

  ['2028-04-13', '+02:00', 'torsdag', 'Skærtorsdag'],
  ['2028-04-14', '+02:00', 'fredag', 'Langfredag'],
  ['2028-04-17', '+02:00', 'mandag', '2. påskedag'],
  ['2028-05-25', '+02:00', 'torsdag', 'Kristi himmelfartsdag'],
  ['2028-06-05', '+02:00', 'mandag', '2. pinsedag'], // also Grundlovsdag: the holiday wins, all day
  ['2028-12-25', '+01:00', 'mandag', 'Juledag'],
  ['2028-12-26', '+01:00', 'tirsdag', '2. juledag'],

  ['2029-01-01', '+01:00', 'mandag', 'Nytårsdag'],
  ['2029-03-29', '+02:00', 'torsdag', 'Skærtorsdag'],
  ['2029-03-30', '+02:00', 'fredag', 'Langfredag'],
  ['2029-04-02', '+02:00', 'mandag', '2. påskedag'],
  ['2029-05-10', '+02:00', 'torsdag', 'Kristi himmelfartsdag'],
  ['2029-05-21', '+02:00', 'mandag', '2. pinsedag'],
  ['2029-12-25', '+01:00', 'tirsdag', 'Juledag'],
  ['2029-12-26', '+01:00', 'onsdag', '2. juledag'],

  ['2030-01-01', '+01:00', 'tirsdag', 'Nytårsdag'],
  ['2030-04-18', '+02:00', 'torsdag', 'Skærtorsdag'],
  ['2030-04-19', '+02:00', 'fredag', 'Langfredag'],
  ['2030-04-22', '+02:00', 'mandag', '2. påskedag'],
  ['2030-05-30', '+02:00', 'torsdag', 'Kristi himmelfartsdag'],
  ['2030-06-10', '+02:00', 'mandag', '2. pinsedag'],
  ['2030-12-25', '+01:00', 'onsdag', 'Juledag'],
  ['2030-12-26', '+01:00', 'torsdag', '2. juledag'],
];

describe('public holidays on weekdays 2025–2030 (hand-written table)', () => {
  it.each(WEEKDAY_HOLIDAYS)('%s %s (%s) %s: closed all day', (date, offset, weekday, name) => {
    const s = hours.status(new Date(`${date}T10:00:00${offset}`));
    expect(s.open).toBe(false);
    expect(s.closure).toEqual({ kind: 'holiday', reason: name });
    expect(hours.day(date)).toEqual({ date, weekday, open: [], closed: { kind: 'holiday', reason: name } });
  });

  it('the table is complete: no other weekday holiday exists in 2025–2030', () => {
    const listed = new Set(WEEKDAY_HOLIDAYS.map(([d]) => d));
    const weekdayClosedByHoliday: string[] = [];
    for (let year = 2025; year <= 2030; year++) {
      for (const d of hours.days(`${year}-01-01`, year === 2028 ? 366 : 365)) {
        if (d.closed?.kind === 'holiday') weekdayClosedByHoliday.push(d.date);
      }
    }
    expect(weekdayClosedByHoliday).toEqual([...listed]);
  });
});

describe('the hours of a day', () => {
  it('reproduces the four days of DESIGN.md exactly', () => {
    expect([hours.day('2026-12-24'), hours.day('2027-05-01'), hours.day('2028-05-01'), hours.day('2026-12-03')]).toEqual([
      { date: '2026-12-24', weekday: 'torsdag', open: [], closed: { kind: 'special', reason: 'Juleaftensdag' } },
      { date: '2027-05-01', weekday: 'lørdag', open: [], closed: { kind: 'weekend', reason: null } },
      { date: '2028-05-01', weekday: 'mandag', open: [{ from: '08:00', to: '12:00' }], closed: { kind: 'special', reason: '1. maj (fra kl. 12)' } },
      { date: '2026-12-03', weekday: 'torsdag', open: [{ from: '08:00', to: '18:00' }], closed: null },
    ]);
  });

  it('lists a week in order, Monday to Sunday, with the usual hours', () => {
    const week = hours.days('2026-11-30', 7);
    expect(week.map((d) => [d.weekday, d.open.map((i) => `${i.from}-${i.to}`).join(',')])).toEqual([
      ['mandag', '08:00-15:30'],
      ['tirsdag', '08:00-15:00'],
      ['onsdag', '08:00-15:00'],
      ['torsdag', '08:00-18:00'],
      ['fredag', '08:00-13:00'],
      ['lørdag', ''],
      ['søndag', ''],
    ]);
  });

  it('speaks English when asked (weekday and reason)', () => {
    expect(hours.day('2026-12-24', 'en')).toEqual({ date: '2026-12-24', weekday: 'thursday', open: [], closed: { kind: 'special', reason: 'Christmas Eve' } });
    expect(new OfficeHours(instruction, [], 'en').day('2026-05-14').closed).toEqual({ kind: 'holiday', reason: 'Ascension Day' });
    expect(hours.day('2026-11-25', 'en').closed).toEqual({ kind: 'adhoc', reason: 'Course' });
  });

  it('a whole-day ad-hoc closure on 1 May closes the morning too, and is the reason shown', () => {
    const h = new OfficeHours(instruction, [{ from: '2028-05-01', reason: { da: 'Personaledag', en: 'Staff day' } }]);
    expect(h.day('2028-05-01')).toEqual({ date: '2028-05-01', weekday: 'mandag', open: [], closed: { kind: 'adhoc', reason: 'Personaledag' } });
  });

  it('an ad-hoc closure from 14:00 on 1 May changes nothing: 1 May already closes at 12:00', () => {
    const h = new OfficeHours(instruction, [{ from: '2028-05-01', closedFrom: '14:00', reason: { da: 'Kursus', en: 'Course' } }]);
    expect(h.day('2028-05-01').closed).toEqual({ kind: 'special', reason: '1. maj (fra kl. 12)' });
  });

  it('an ad-hoc closure from after closing time does not mark the day', () => {
    const h = new OfficeHours(instruction, [{ from: '2026-12-01', closedFrom: '16:00', reason: { da: 'Julefrokost', en: 'Party' } }]);
    expect(h.day('2026-12-01')).toEqual({ date: '2026-12-01', weekday: 'tirsdag', open: [{ from: '08:00', to: '15:00' }], closed: null });
  });

  it('ad-hoc closures in the instruction file apply as well as those passed in', () => {
    const withAdhoc = structuredClone(instruction);
    withAdhoc.officeHours.adhocClosures = [{ from: '2026-12-02', reason: { da: 'Temadag', en: 'Theme day' } }];
    const h = new OfficeHours(withAdhoc, ADHOC);
    expect(h.day('2026-12-02').closed).toEqual({ kind: 'adhoc', reason: 'Temadag' });
    expect(h.day('2026-11-09').closed).toEqual({ kind: 'adhoc', reason: 'Flytning' });
    expect(h.status(new Date('2026-12-02T10:00:00+01:00')).nextOpen?.toISOString()).toBe('2026-12-03T07:00:00.000Z');
  });

  it('a holiday on a weekend day shows as weekend (the day has no hours anyway)', () => {
    expect(hours.day('2026-12-26').closed).toEqual({ kind: 'weekend', reason: null });
    expect(hours.day('2026-05-24').closed).toEqual({ kind: 'weekend', reason: null });
  });

  it('a team that never opens has no next opening (searched one year ahead)', () => {
    const never = structuredClone(instruction);
    for (const day of ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'] as const) never.officeHours.weekly[day] = [];
    const s = new OfficeHours(never).status(new Date('2026-12-03T10:00:00+01:00'));
    expect(s).toEqual({ open: false, closesAt: null, nextOpen: null, closure: { kind: 'weekend', reason: null } });
  });

  it('several intervals a day: closed in the lunch gap, next open after it', () => {
    const split = structuredClone(instruction);
    split.officeHours.weekly.monday = [
      { from: '12:30', to: '15:30' },
      { from: '08:00', to: '11:30' },
    ];
    const h = new OfficeHours(split);
    expect(h.day('2026-11-30').open).toEqual([
      { from: '08:00', to: '11:30' },
      { from: '12:30', to: '15:30' },
    ]);
    const lunch = h.status(new Date('2026-11-30T12:00:00+01:00'));
    expect(lunch.open).toBe(false);
    expect(lunch.nextOpen?.toISOString()).toBe('2026-11-30T11:30:00.000Z');
    expect(h.status(new Date('2026-11-30T11:00:00+01:00')).closesAt?.toISOString()).toBe('2026-11-30T10:30:00.000Z');
  });
});
