import type { PublicHolidays } from './holidays';
import { addLocalDays, weekdayIndex } from './time';

/**
 * Home care saves the driving lists (kørelister) to USB at the end of each working
 * day. A working day here is Monday–Friday except public holidays; the Nexusteam's
 * special closures (24/12, 31/12 …) do not count (DESIGN.md ruling).
 */
export function isHomecareWorkingDay(localDate: string, holidays: PublicHolidays): boolean {
  const weekday = weekdayIndex(localDate);
  return weekday !== 0 && weekday !== 6 && holidays.on(localDate) === null;
}

/** The next working day after `localDate`. */
export function nextWorkingDay(localDate: string, holidays: PublicHolidays): string {
  let day = addLocalDays(localDate, 1);
  while (!isHomecareWorkingDay(day, holidays)) day = addLocalDays(day, 1);
  return day;
}

/** The days whose lists must be saved on `localDate`: every day up to and including the next working day. */
export function usbDays(localDate: string, holidays: PublicHolidays): string[] {
  const last = nextWorkingDay(localDate, holidays);
  const days: string[] = [];
  for (let day = addLocalDays(localDate, 1); day <= last; day = addLocalDays(day, 1)) days.push(day);
  return days;
}

/** The working day on or after `localDate` (the reminder's next date). */
export function workingDayOnOrAfter(localDate: string, holidays: PublicHolidays): string {
  return isHomecareWorkingDay(localDate, holidays) ? localDate : nextWorkingDay(localDate, holidays);
}
