import type { AdhocClosure, Instruction, Language, LocalInterval, Text, WeeklyHours } from '../instruction/schema';
import { PublicHolidays } from './holidays';
import { addLocalDays, instantOf, localDate, weekdayKey, weekdayName, weekdayOf, WEEKDAY_KEYS, type WeekdayKey } from './time';
import type { Closure, ClosureKind, DayHours, HoursStatus } from './types';

/**
 * The Nexusteam's office hours ("almindelig arbejdstid") in Europe/Copenhagen:
 * the weekly intervals with public holidays, the instruction's special closures and
 * ad-hoc closures applied. Intervals are half-open: open at `from`, closed at `to`.
 */

type Interval = { readonly from: string; readonly to: string };

/** How far ahead status() looks for the next opening. */
const NEXT_OPEN_SEARCH_DAYS = 366;

export class OfficeHours {
  readonly #instruction: Instruction;
  readonly #holidays: PublicHolidays;
  readonly #adhoc: readonly AdhocClosure[];
  readonly #lang: Language;

  /**
   * `adhoc`: closures from storage, merged with the instruction's own adhocClosures.
   * `holidays`: share one calendar between instances (building one is costly).
   */
  constructor(instruction: Instruction, adhoc: readonly AdhocClosure[] = [], lang: Language = 'da', holidays?: PublicHolidays) {
    this.#instruction = instruction;
    this.#holidays = holidays ?? new PublicHolidays(instruction);
    this.#adhoc = [...instruction.officeHours.adhocClosures, ...adhoc];
    this.#lang = lang;
  }

  /** The public holidays this schedule closes on (names from the instruction). */
  get holidays(): PublicHolidays {
    return this.#holidays;
  }

  /**
   * The hours of one local date. Precedence: no weekly hours → weekend; public
   * holiday → closed all day; then the special closure of that date, then ad-hoc
   * closures (all day, or the openings cut to end at `closedFrom`). When several
   * closures cut the same day, all apply and the one that decided the result is
   * named.
   */
  day(localDate: string, lang: Language = this.#lang): DayHours {
    const weekday = weekdayName(localDate, lang);
    const weekly = this.#weekly(localDate);
    if (weekly.length === 0) {
      return { date: localDate, weekday, open: [], closed: { kind: 'weekend', reason: null } };
    }
    const holiday = this.#holidays.nameOn(localDate, lang);
    if (holiday !== null) {
      return { date: localDate, weekday, open: [], closed: { kind: 'holiday', reason: holiday } };
    }

    let open: readonly Interval[] = weekly;
    let closed: Closure | null = null;
    for (const c of this.#closuresOn(localDate)) {
      const cut = c.closedFrom === undefined ? [] : clip(open, c.closedFrom);
      if (!sameIntervals(cut, open)) {
        open = cut;
        closed = { kind: c.kind, reason: c.reason[lang] };
      }
    }
    return { date: localDate, weekday, open, closed };
  }

  /** `count` consecutive local dates from `fromLocalDate`, for the hours listing. */
  days(fromLocalDate: string, count: number, lang: Language = this.#lang): DayHours[] {
    return Array.from({ length: count }, (_, i) => this.day(addLocalDays(fromLocalDate, i), lang));
  }

  /** Whether the Nexusteam is open at an instant; when it closes, or when it opens next. */
  status(at: Date): HoursStatus {
    const today = localDate(at);
    const hours = this.day(today);
    for (const i of hours.open) {
      const from = instantOf(today, i.from);
      const to = instantOf(today, i.to);
      if (from <= at && at < to) {
        return { open: true, closesAt: to, nextOpen: null, closure: null };
      }
    }
    return { open: false, closesAt: null, nextOpen: this.#nextOpen(at, today), closure: this.#closureAt(at, today, hours) };
  }

  #nextOpen(at: Date, today: string): Date | null {
    for (let i = 0; i <= NEXT_OPEN_SEARCH_DAYS; i++) {
      const date = addLocalDays(today, i);
      for (const interval of this.day(date).open) {
        const from = instantOf(date, interval.from);
        if (from > at) return from;
      }
    }
    return null;
  }

  /**
   * The day's closure when it is why the team is closed at `at`: a day closed
   * throughout, or a cut day after the cut and before the usual closing time.
   */
  #closureAt(at: Date, today: string, hours: DayHours): Closure | null {
    if (hours.closed === null) return null;
    if (hours.open.length === 0) return hours.closed;
    const usuallyOpen = this.#weekly(today).some((i) => instantOf(today, i.from) <= at && at < instantOf(today, i.to));
    return usuallyOpen ? hours.closed : null;
  }

  #weekly(localDate: string): readonly Interval[] {
    return normalize(this.#instruction.officeHours.weekly[weekdayKey(localDate)]);
  }

  #closuresOn(localDate: string): Array<{ kind: ClosureKind; closedFrom: string | undefined; reason: Text }> {
    const result: Array<{ kind: ClosureKind; closedFrom: string | undefined; reason: Text }> = [];
    for (const s of this.#instruction.officeHours.specialClosures) {
      if (s.date === localDate.slice(5)) result.push({ kind: 'special', closedFrom: s.closedFrom, reason: s.reason });
    }
    for (const a of this.#adhoc) {
      const last = a.to ?? a.from;
      if (a.from <= localDate && localDate <= last) {
        // closedFrom applies to the first day only; later days are closed whole.
        result.push({ kind: 'adhoc', closedFrom: localDate === a.from ? a.closedFrom : undefined, reason: a.reason });
      }
    }
    return result;
  }
}

/** Sorted, with overlapping or touching intervals merged. */
function normalize(intervals: readonly LocalInterval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.from.localeCompare(b.from));
  const merged: Array<{ from: string; to: string }> = [];
  for (const i of sorted) {
    const last = merged[merged.length - 1];
    if (last && i.from <= last.to) {
      if (i.to > last.to) last.to = i.to;
    } else {
      merged.push({ from: i.from, to: i.to });
    }
  }
  return merged;
}

/** The openings cut to end at `closedFrom` (HH:MM compares as text). */
function clip(intervals: readonly Interval[], closedFrom: string): Interval[] {
  return intervals
    .filter((i) => i.from < closedFrom)
    .map((i) => ({ from: i.from, to: i.to < closedFrom ? i.to : closedFrom }));
}

function sameIntervals(a: readonly Interval[], b: readonly Interval[]): boolean {
  return a.length === b.length && a.every((x, i) => x.from === b[i]?.from && x.to === b[i]?.to);
}

/** Monday first, as a week is said. */
const WEEK: readonly WeekdayKey[] = [...WEEKDAY_KEYS.slice(1), 'sunday'];

/**
 * The weekly hours as a sentence, from the data (so the contacts card can never
 * disagree with the hours the bot decides by): days with the same hours in a row
 * are joined, closed days left out. "Mandag 8–15.30, tirsdag–onsdag 8–15, torsdag
 * 8–18, fredag 8–13 (helligdage undtaget)." / "Monday 8–15:30, Tuesday–Wednesday 8–15, …".
 */
export function weeklyHoursText(weekly: WeeklyHours, lang: Language): string {
  const clock = (hhmm: string): string => {
    const [hh = '0', mm = '00'] = hhmm.split(':');
    return mm === '00' ? String(Number(hh)) : `${Number(hh)}${lang === 'da' ? '.' : ':'}${mm}`;
  };
  const hoursOf = (key: WeekdayKey): string => weekly[key].map((i) => `${clock(i.from)}–${clock(i.to)}`).join(', ');
  const groups: { first: WeekdayKey; last: WeekdayKey; hours: string }[] = [];
  for (const key of WEEK) {
    const hours = hoursOf(key);
    const previous = groups[groups.length - 1];
    if (previous && previous.hours === hours && WEEK.indexOf(previous.last) === WEEK.indexOf(key) - 1) previous.last = key;
    else groups.push({ first: key, last: key, hours });
  }
  const parts = groups
    .filter((g) => g.hours !== '')
    .map((g) => `${weekdayOf(g.first, lang)}${g.last === g.first ? '' : `–${weekdayOf(g.last, lang)}`} ${g.hours}`);
  const text = `${parts.join(', ')} ${lang === 'da' ? '(helligdage undtaget)' : '(except public holidays)'}.`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}
