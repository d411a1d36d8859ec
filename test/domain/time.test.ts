import { formatInTimeZone, fromZonedTime } from 'date-fns-tz';
import { describe, expect, it } from 'vitest';
import {
  addLocalDays,
  COPENHAGEN,
  formatClock,
  formatDate,
  formatDayTime,
  formatLocalDate,
  formatPhone,
  formatTime,
  instantOf,
  joinList,
  localDate,
  localTimeOf,
  resolveLocalDateTime,
  weekdayName,
} from '../../src/domain/time';

describe('Copenhagen local time, whatever the host zone', () => {
  it.each([
    ['2026-12-04T23:30:00Z', '2026-12-05', '00:30'],
    ['2026-06-30T22:00:00Z', '2026-07-01', '00:00'],
    ['2026-06-30T21:59:00Z', '2026-06-30', '23:59'],
    ['2026-03-29T00:59:00Z', '2026-03-29', '01:59'],
    ['2026-03-29T01:00:00Z', '2026-03-29', '03:00'],
    ['2026-10-25T00:30:00Z', '2026-10-25', '02:30'],
    ['2026-10-25T01:30:00Z', '2026-10-25', '02:30'],
  ])('%s is %s %s in Copenhagen', (iso, date, time) => {
    expect(localDate(new Date(iso))).toBe(date);
    expect(localTimeOf(new Date(iso))).toBe(time);
  });

  it.each([
    ['2026-12-05', '10:00', '2026-12-05T09:00:00.000Z'],
    ['2026-06-05', '12:00', '2026-06-05T10:00:00.000Z'],
    ['2026-03-30', '08:00', '2026-03-30T06:00:00.000Z'],
    ['2026-10-26', '08:00', '2026-10-26T07:00:00.000Z'],
  ])('local %s %s is the instant %s', (date, time, iso) => {
    expect(instantOf(date, time).toISOString()).toBe(iso);
  });

  it('tells a daylight-saving gap and overlap apart instead of guessing', () => {
    expect(resolveLocalDateTime('2026-03-29T02:30')).toEqual({ kind: 'gap' });
    expect(resolveLocalDateTime('2026-10-25T02:30')).toEqual({
      kind: 'ambiguous',
      earlier: new Date('2026-10-25T00:30:00Z'),
      later: new Date('2026-10-25T01:30:00Z'),
    });
    expect(resolveLocalDateTime('2026-10-25T03:30:00')).toEqual({ kind: 'ok', instant: new Date('2026-10-25T02:30:00Z') });
    expect(resolveLocalDateTime('2026-12-05T10:00:00')).toEqual({ kind: 'ok', instant: new Date('2026-12-05T09:00:00Z') });
  });

  it('steps over month, year and leap days', () => {
    expect(addLocalDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addLocalDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addLocalDays('2026-03-29', 1)).toBe('2026-03-30');
    expect(addLocalDays('2026-01-01', -1)).toBe('2025-12-31');
  });
});

describe('Danish and English formatting', () => {
  it('writes times the Danish way ("kl. 15.30") and the English way ("15:30")', () => {
    const at = new Date('2026-11-30T14:30:00Z');
    expect(formatTime(at, 'da')).toBe('kl. 15.30');
    expect(formatTime(at, 'en')).toBe('15:30');
    expect(formatTime(new Date('2026-12-07T07:00:00Z'), 'da')).toBe('kl. 8.00');
    expect(formatClock(new Date('2026-12-07T07:00:00Z'), 'en')).toBe('08:00');
  });

  it('writes dates as "mandag 30. november" / "Monday 30 November"', () => {
    expect(formatLocalDate('2026-11-30', 'da')).toBe('mandag 30. november');
    expect(formatLocalDate('2026-11-30', 'en')).toBe('Monday 30 November');
    expect(formatDate(new Date('2026-12-04T23:30:00Z'), 'da')).toBe('lørdag 5. december');
    expect(weekdayName('2026-12-06', 'da')).toBe('søndag');
    expect(weekdayName('2026-12-06', 'en')).toBe('sunday');
  });

  it('says "i dag" for today and the date otherwise', () => {
    const now = new Date('2026-12-07T06:00:00Z');
    expect(formatDayTime(new Date('2026-12-07T07:00:00Z'), 'da', now)).toBe('i dag kl. 8.00');
    expect(formatDayTime(new Date('2026-12-07T07:00:00Z'), 'en', now)).toBe('today at 08:00');
    expect(formatDayTime(new Date('2026-12-08T07:00:00Z'), 'da', now)).toBe('tirsdag 8. december kl. 8.00');
    expect(formatDayTime(new Date('2026-12-08T07:00:00Z'), 'en', now)).toBe('on Tuesday 8 December at 08:00');
  });

  it.each([
    ['44605040', '4460 5040'],
    ['43282020', '4328 2020'],
    ['4460 5040', '4460 5040'],
    ['+4544605040', '+45 4460 5040'],
    ['004544605040', '0045 4460 5040'],
    ['112', '112'],
    ['1813', '1813'],
    ['123456', '12 34 56'],
    ['1234567890', '12 34 56 78 90'],
    ['12345', '123 45'],
  ])('phone %s is shown as %s', (raw, shown) => {
    expect(formatPhone(raw)).toBe(shown);
    expect(formatPhone(raw).replace(/\D/g, '')).toBe(raw.replace(/\D/g, ''));
  });

  it('joins lists as a sentence', () => {
    expect(joinList(['a'], 'da')).toBe('a');
    expect(joinList(['a', 'b', 'c'], 'da')).toBe('a, b og c');
    expect(joinList(['a', 'b'], 'en')).toBe('a and b');
  });
});

describe('the cached zone offsets agree with date-fns-tz', () => {
  const zones = ['Europe/Copenhagen', 'America/New_York', 'Australia/Lord_Howe'];

  it('gives the same local date and time for instants all through 2026 (every 37 min 13 s)', () => {
    let checked = 0;
    for (const tz of zones) {
      for (let ms = Date.parse('2026-01-01T00:00:00Z'); ms < Date.parse('2027-01-01T00:00:00Z'); ms += 37 * 60_000 + 13_000) {
        const at = new Date(ms);
        expect(localDate(at, tz)).toBe(formatInTimeZone(at, tz, 'yyyy-MM-dd'));
        expect(localTimeOf(at, tz)).toBe(formatInTimeZone(at, tz, 'HH:mm'));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40_000);
  });

  it('finds the instant of every local minute of both DST days as date-fns-tz does; the first of a repeated time, a skipped time moved forward', () => {
    for (const day of ['2026-03-29', '2026-10-25', '2026-07-01']) {
      for (let m = 0; m < 24 * 60; m++) {
        const time = `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
        // date-fns-tz resolves these two by the host's zone; instantOf does not.
        if (resolveLocalDateTime(`${day}T${time}`).kind !== 'ok') continue;
        expect(instantOf(day, time).toISOString(), `${day} ${time}`).toBe(fromZonedTime(`${day}T${time}:00`, COPENHAGEN).toISOString());
      }
    }
    // 02:30 does not exist on 29 March 2026: read as 03:30 summer time, as a clock that jumped would show.
    expect(instantOf('2026-03-29', '02:30').toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(localTimeOf(instantOf('2026-03-29', '02:30'))).toBe('03:30');
    // 02:30 happens twice on 25 October 2026: the first time, still summer time.
    expect(instantOf('2026-10-25', '02:30').toISOString()).toBe('2026-10-25T00:30:00.000Z');
  });

});
