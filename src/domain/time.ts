import { formatInTimeZone } from 'date-fns-tz';
import type { Language } from '../instruction/schema';

/**
 * Local calendar and clock helpers for Europe/Copenhagen. Every function takes
 * instants (Date) or local strings and never depends on the host's time zone.
 * Durations are added to instants only (addMinutes(start, 120)); the wall clock is
 * read for office-hour checks and display.
 */

export const COPENHAGEN = 'Europe/Copenhagen';

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** True for a real calendar date written YYYY-MM-DD. */
export function isLocalDate(s: string): boolean {
  const m = LOCAL_DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

function assertLocalDate(s: string): void {
  if (!isLocalDate(s)) throw new RangeError(`expected a local date YYYY-MM-DD, got "${s}"`);
}

/**
 * The zone's offset from UTC (ms) at an instant. Asking Intl (through date-fns-tz)
 * costs microseconds, and every turn asks dozens of times (office hours, "opens
 * mandag kl. 8.00"), so offsets are remembered per quarter hour of UTC: a quarter
 * hour with the same offset at its first and last millisecond has it throughout
 * (a zone changes offset at most once in a few hours); one that contains a change
 * is never cached.
 */
export function offsetMs(at: number, timeZone = COPENHAGEN): number {
  if (!Number.isFinite(at)) throw new RangeError('Invalid time value');
  const bucket = Math.floor(at / QUARTER_HOUR_MS);
  let zone = offsetCache.get(timeZone);
  if (!zone) offsetCache.set(timeZone, (zone = new Map<number, number>()));
  const cached = zone.get(bucket);
  if (cached !== undefined) return cached;
  const first = offsetFromIntl(bucket * QUARTER_HOUR_MS, timeZone);
  const last = offsetFromIntl((bucket + 1) * QUARTER_HOUR_MS - 1, timeZone);
  if (first !== last) return offsetFromIntl(at, timeZone);
  if (zone.size >= MAX_CACHED_QUARTERS) zone.clear();
  zone.set(bucket, first);
  return first;
}

/** date-fns-tz's wall-clock reading of the instant, minus the instant. */
function offsetFromIntl(at: number, timeZone: string): number {
  return Date.parse(`${formatInTimeZone(new Date(at), timeZone, "yyyy-MM-dd'T'HH:mm:ss.SSS")}Z`) - at;
}

const QUARTER_HOUR_MS = 15 * 60_000;
/** About three years of quarter hours per zone, a few MB at most. */
const MAX_CACHED_QUARTERS = 100_000;
const offsetCache = new Map<string, Map<number, number>>();

/** The wall-clock reading of an instant, as milliseconds of the same reading in UTC. */
function wallClockMs(at: Date, timeZone: string): number {
  const ms = at.getTime();
  return ms + offsetMs(ms, timeZone);
}

/** The Copenhagen calendar date (YYYY-MM-DD) of an instant. */
export function localDate(at: Date, timeZone = COPENHAGEN): string {
  return new Date(wallClockMs(at, timeZone)).toISOString().slice(0, 10);
}

/** The Copenhagen wall-clock time (HH:MM) of an instant. */
export function localTimeOf(at: Date, timeZone = COPENHAGEN): string {
  return new Date(wallClockMs(at, timeZone)).toISOString().slice(11, 16);
}

/**
 * The instant of a local date and time (HH:MM or HH:MM:SS) in Copenhagen, the same
 * on every host. Office hours never fall in a daylight-saving gap or overlap; for
 * input that might, use resolveLocalDateTime. Here a time that occurs twice is the
 * first, a time the clocks skip is moved forward by the jump (as Temporal's
 * "compatible").
 */
export function instantOf(localDate: string, localTime: string, timeZone = COPENHAGEN): Date {
  assertLocalDate(localDate);
  const time = LOCAL_TIME.test(localTime) ? `${localTime}:00` : localTime;
  const local = `${localDate}T${time}`;
  const wall = Date.parse(`${local}Z`);
  if (Number.isNaN(wall)) throw new RangeError(`expected a local time HH:MM[:SS], got "${localTime}"`);
  // No change of offset within six hours either side (all but two nights a year): one answer.
  const before = offsetMs(wall - 6 * 3_600_000, timeZone);
  if (before === offsetMs(wall + 6 * 3_600_000, timeZone)) return new Date(wall - before);
  const resolved = resolveLocalDateTime(local, timeZone);
  if (resolved.kind === 'ok') return resolved.instant;
  // Twice (clocks go back): the first. Skipped (clocks jump): as late as the jump, 02:30 → 03:30.
  if (resolved.kind === 'ambiguous') return resolved.earlier;
  return new Date(wall - before);
}

export type LocalResolution =
  | { readonly kind: 'ok'; readonly instant: Date }
  /** The local time does not exist (clocks jump forward over it). */
  | { readonly kind: 'gap' }
  /** The local time occurs twice (clocks go back); both instants, earlier first. */
  | { readonly kind: 'ambiguous'; readonly earlier: Date; readonly later: Date };

/**
 * Resolves a local date-time "YYYY-MM-DDTHH:MM[:SS[.mmm]]" in Copenhagen, telling a
 * daylight-saving gap or overlap apart instead of silently picking an instant.
 */
export function resolveLocalDateTime(local: string, timeZone = COPENHAGEN): LocalResolution {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(local);
  if (!m || !isLocalDate(m[1] ?? '')) throw new RangeError(`expected a local date-time YYYY-MM-DDTHH:MM, got "${local}"`);
  const [, date = '', hh = '', mm = '', ss = '00', ms = '0'] = m;
  const wallAsUtc = Date.parse(`${date}T${hh}:${mm}:${ss}.${ms.padEnd(3, '0')}Z`);
  if (Number.isNaN(wallAsUtc)) throw new RangeError(`not a valid local date-time: "${local}"`);
  // The offsets in force a few hours either side cover every transition of the zone.
  const offsets = new Set([
    offsetMs(wallAsUtc - 6 * 3_600_000, timeZone),
    offsetMs(wallAsUtc + 6 * 3_600_000, timeZone),
  ]);
  const candidates = [...offsets]
    .map((offset) => new Date(wallAsUtc - offset))
    .filter((instant) => wallClockMs(instant, timeZone) === wallAsUtc)
    .sort((a, b) => a.getTime() - b.getTime());
  const [first, second] = candidates;
  if (!first) return { kind: 'gap' };
  if (!second || second.getTime() === first.getTime()) return { kind: 'ok', instant: first };
  return { kind: 'ambiguous', earlier: first, later: second };
}


/** 0 = Sunday … 6 = Saturday, for a local date (no time zone involved). */
export function weekdayIndex(localDate: string): number {
  assertLocalDate(localDate);
  return new Date(`${localDate}T12:00:00Z`).getUTCDay();
}

export const WEEKDAY_KEYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
export type WeekdayKey = (typeof WEEKDAY_KEYS)[number];

export function weekdayKey(localDate: string): WeekdayKey {
  const key = WEEKDAY_KEYS[weekdayIndex(localDate)];
  if (key === undefined) throw new RangeError(`no weekday for ${localDate}`);
  return key;
}

/** The local date `days` calendar days after (or before) a local date. */
export function addLocalDays(localDate: string, days: number): string {
  assertLocalDate(localDate);
  const d = new Date(`${localDate}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

const WEEKDAY_NAMES: Record<Language, readonly string[]> = {
  da: ['søndag', 'mandag', 'tirsdag', 'onsdag', 'torsdag', 'fredag', 'lørdag'],
  en: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
};

const MONTH_NAMES: Record<Language, readonly string[]> = {
  da: ['januar', 'februar', 'marts', 'april', 'maj', 'juni', 'juli', 'august', 'september', 'oktober', 'november', 'december'],
  en: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
};

function pick(names: readonly string[], index: number): string {
  const name = names[index];
  if (name === undefined) throw new RangeError(`no name at index ${index}`);
  return name;
}

/** Weekday name in lower case ("mandag", "monday"), as the hours listing shows it. */
export function weekdayName(localDate: string, lang: Language): string {
  return pick(WEEKDAY_NAMES[lang], weekdayIndex(localDate)).toLowerCase();
}

/** A weekday as in a date: "mandag" (da), "Monday" (en). */
export function weekdayOf(key: WeekdayKey, lang: Language): string {
  return pick(WEEKDAY_NAMES[lang], WEEKDAY_KEYS.indexOf(key));
}

/** "mandag 30. november" (da) / "Monday 30 November" (en), for a local date. */
export function formatLocalDate(localDate: string, lang: Language): string {
  assertLocalDate(localDate);
  const month = pick(MONTH_NAMES[lang], Number(localDate.slice(5, 7)) - 1);
  const day = Number(localDate.slice(8, 10));
  const weekday = pick(WEEKDAY_NAMES[lang], weekdayIndex(localDate));
  return lang === 'da' ? `${weekday} ${day}. ${month}` : `${weekday} ${day} ${month}`;
}

/** The Copenhagen date of an instant, formatted as formatLocalDate. */
export function formatDate(at: Date, lang: Language): string {
  return formatLocalDate(localDate(at), lang);
}

/** Wall-clock time without a prefix: "8.00", "15.30" (da) / "08:00", "15:30" (en). */
export function formatClock(at: Date, lang: Language): string {
  const [hh = '00', mm = '00'] = localTimeOf(at).split(':');
  return lang === 'da' ? `${Number(hh)}.${mm}` : `${hh}:${mm}`;
}

/** "kl. 15.30" (da) / "15:30" (en). */
export function formatTime(at: Date, lang: Language): string {
  return lang === 'da' ? `kl. ${formatClock(at, lang)}` : formatClock(at, lang);
}

/**
 * A moment as staff read it, relative to `now`: "i dag kl. 8.00" or "mandag 7.
 * december kl. 8.00" (da); "today at 08:00" or "on Monday 7 December at 08:00" (en).
 */
export function formatDayTime(at: Date, lang: Language, now: Date): string {
  const today = localDate(at) === localDate(now);
  if (lang === 'da') return `${today ? 'i dag' : formatDate(at, 'da')} ${formatTime(at, 'da')}`;
  return `${today ? 'today' : `on ${formatDate(at, 'en')}`} at ${formatTime(at, 'en')}`;
}

/**
 * Phone numbers the Danish way: 8 digits as 4+4 ("4460 5040"); a leading + or 00
 * country code is kept apart ("+45 4460 5040"); other lengths in pairs from the
 * right, the leftover digit first ("112", "12 34 56"). Digits are never changed.
 */
export function formatPhone(phone: string): string {
  const compact = phone.replace(/\s+/g, '');
  if (/^\d{8}$/.test(compact)) return `${compact.slice(0, 4)} ${compact.slice(4)}`;
  const m = /^(\+\d{2}|00\d{2})?(\d+)$/.exec(compact);
  if (!m) return phone.trim();
  const [, country, digits = ''] = m;
  let local: string;
  if (digits.length === 8) {
    local = `${digits.slice(0, 4)} ${digits.slice(4)}`;
  } else if (digits.length <= 4) {
    local = digits;
  } else {
    const groups: string[] = [];
    let rest = digits;
    while (rest.length > 3) {
      groups.unshift(rest.slice(-2));
      rest = rest.slice(0, -2);
    }
    groups.unshift(rest);
    local = groups.join(' ');
  }
  return country ? `${country} ${local}` : local;
}

/** Joins items the way a sentence does: "a, b og c" (da) / "a, b and c" (en). */
export function joinList(items: readonly string[], lang: Language, word: 'and' | 'or' = 'and'): string {
  if (items.length <= 1) return items.join('');
  const joint = word === 'and' ? (lang === 'da' ? 'og' : 'and') : lang === 'da' ? 'eller' : 'or';
  return `${items.slice(0, -1).join(', ')} ${joint} ${items[items.length - 1] ?? ''}`;
}
