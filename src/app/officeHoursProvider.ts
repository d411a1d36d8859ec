import { PublicHolidays } from '../domain/holidays';
import { OfficeHours } from '../domain/officeHours';
import type { Instruction, Language } from '../instruction/schema';
import type { Closures } from '../store/closures';

/**
 * Office hours as they are now: the instruction plus the ad-hoc closures the
 * Nexusteam added. One holiday calendar is shared, and an OfficeHours is reused
 * until the closures change (building one per turn cost a fifth of a turn's CPU).
 */
export function officeHoursProvider(instruction: Instruction, closures: Closures): (lang?: Language) => Promise<OfficeHours> {
  const holidays = new PublicHolidays(instruction);
  const cache = new Map<string, OfficeHours>();
  return async (lang: Language = 'da') => {
    // A list read in the last 2 s will do: a turn asks several times, a change reaches other instances within 2 s.
    const adhoc = await closures.list(2000);
    const key = `${lang}:${JSON.stringify(adhoc)}`;
    let hours = cache.get(key);
    if (!hours) {
      if (cache.size > 20) cache.clear();
      hours = new OfficeHours(instruction, adhoc, lang, holidays);
      cache.set(key, hours);
    }
    return hours;
  };
}
