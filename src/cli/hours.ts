import { type Clock, systemClock } from '../domain/clock';
import { OfficeHours } from '../domain/officeHours';
import { localDate } from '../domain/time';
import { loadInstruction } from '../instruction/load';
import { LANGUAGES } from '../instruction/schema';
import { type CommandOutput, oneOf, parseIntInRange, parseLocalDateArg, parseStrict, runCommand } from './args';

/**
 * Admin CLI: the Nexusteam's hours per local day (DESIGN.md "Admin CLI contract").
 *
 *   npm run --silent hours -- --from 2026-12-21 --days 14
 */

export const HOURS_USAGE = `Usage: npm run --silent hours -- [--from YYYY-MM-DD] [--days N] [--lang da|en]

  --from  first local date (default: today in Copenhagen)
  --days  how many days, 1 to 366 (default: 7)
Prints one JSON array: date, weekday, open intervals (local HH:MM), closed {kind, reason} or null.
`;

export function hoursCommand(args: string[], env: { readonly INSTRUCTION_FILE?: string | undefined }, clock: Clock): CommandOutput {
  const { values } = parseStrict({
    args,
    options: {
      from: { type: 'string' },
      days: { type: 'string' },
      lang: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help === true) return { text: HOURS_USAGE };

  const from = values.from === undefined ? localDate(clock.now()) : parseLocalDateArg('from', values.from);
  const days = values.days === undefined ? 7 : parseIntInRange('days', values.days, 1, 366);
  const lang = oneOf('lang', values.lang, LANGUAGES) ?? 'da';

  const hours = new OfficeHours(loadInstruction(env.INSTRUCTION_FILE), [], lang);
  return {
    json: hours.days(from, days).map((d) => ({
      date: d.date,
      weekday: d.weekday,
      open: d.open.map((i) => ({ from: i.from, to: i.to })),
      closed: d.closed === null ? null : { kind: d.closed.kind, reason: d.closed.reason },
    })),
  };
}

if (require.main === module) {
  runCommand('hours', () => hoursCommand(process.argv.slice(2), { INSTRUCTION_FILE: process.env.INSTRUCTION_FILE }, systemClock));
}
