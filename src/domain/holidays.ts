import Holidays from 'date-holidays';
import type { HolidayName, Instruction, Language, Text } from '../instruction/schema';
import { addLocalDays } from './time';

/**
 * Danish public holidays ("helligdage") that close the Nexusteam. Which days they
 * are comes from date-holidays, filtered to the types the instruction lists; what
 * they are called comes from the instruction (never date-holidays' own names, which
 * have changed between releases).
 */

/** Shown when date-holidays knows a holiday the instruction has no name for. */
export const GENERIC_HOLIDAY_NAME: Text = { da: 'Helligdag', en: 'Public holiday' };

export interface PublicHoliday {
  /** Local date, YYYY-MM-DD. */
  readonly date: string;
  /** The instruction's name, or null when no entry of holidayNames matches. */
  readonly name: Text | null;
}

/** Easter Sunday (Gregorian) of a year as YYYY-MM-DD; the anonymous Gregorian algorithm. */
export function easterSunday(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The instruction's name entry for a local date, if any. */
export function holidayNameFor(localDate: string, names: readonly HolidayName[]): HolidayName | undefined {
  const year = Number(localDate.slice(0, 4));
  const easter = easterSunday(year);
  return names.find((n) =>
    n.fixed !== undefined ? localDate.slice(5) === n.fixed : n.easterOffset !== undefined && addLocalDays(easter, n.easterOffset) === localDate,
  );
}

export class PublicHolidays {
  readonly #calendar: Holidays;
  readonly #types: ReadonlySet<string>;
  readonly #names: readonly HolidayName[];
  readonly #byYear = new Map<number, ReadonlyMap<string, PublicHoliday>>();

  constructor(instruction: Instruction) {
    const { country, types } = instruction.officeHours.publicHolidays;
    this.#types = new Set(types);
    this.#calendar = new Holidays(country, { types: [...types] });
    this.#names = instruction.officeHours.holidayNames;
  }

  /** Every public holiday of a year, in date order (cached per year). */
  inYear(year: number): readonly PublicHoliday[] {
    return [...this.#year(year).values()];
  }

  /** The public holiday on a local date, or null. */
  on(localDate: string): PublicHoliday | null {
    return this.#year(Number(localDate.slice(0, 4))).get(localDate) ?? null;
  }

  /** The name to show for the holiday on a local date (generic when unnamed); null when not a holiday. */
  nameOn(localDate: string, lang: Language): string | null {
    const holiday = this.on(localDate);
    if (!holiday) return null;
    return (holiday.name ?? GENERIC_HOLIDAY_NAME)[lang];
  }

  #year(year: number): ReadonlyMap<string, PublicHoliday> {
    let cached = this.#byYear.get(year);
    if (!cached) {
      const map = new Map<string, PublicHoliday>();
      for (const h of this.#calendar.getHolidays(year)) {
        // isHoliday()/getHolidays() count observances unless filtered; filter by type.
        if (!this.#types.has(h.type)) continue;
        // "YYYY-MM-DD hh:mm:ss": the local date in the country's zone, not the host's.
        const date = h.date.slice(0, 10);
        if (map.has(date)) continue;
        map.set(date, { date, name: holidayNameFor(date, this.#names)?.name ?? null });
      }
      cached = new Map([...map.entries()].sort(([a], [b]) => a.localeCompare(b)));
      this.#byYear.set(year, cached);
    }
    return cached;
  }
}
