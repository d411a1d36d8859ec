import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isLocalDate, resolveLocalDateTime } from '../domain/time';

/**
 * Shared plumbing of the admin CLI: strict argument parsing, the --at format, and
 * the contract's exit codes (0 with one JSON document on stdout; 2 with one line on
 * stderr for a bad argument; 1 with one line on stderr for anything else).
 */

export class UsageError extends Error {
  override name = 'UsageError';
}

/** node:util parseArgs (pass strict: true), its errors turned into one-line UsageErrors. */
export function parseStrict<T extends ParseArgsConfig & { strict: true }>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    throw new UsageError(oneLine((err as Error).message));
  }
}

export function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  const found = allowed.find((a) => a === value);
  if (found === undefined) throw new UsageError(`--${flag} must be one of ${allowed.join(', ')} (got "${value}")`);
  return found;
}

export function required<T>(flag: string, value: T | undefined, what: string): T {
  if (value === undefined) throw new UsageError(`--${flag} is required (${what})`);
  return value;
}

const AT_FORMAT = 'YYYY-MM-DDTHH:MM[:SS] (Copenhagen time) or with Z / ±HH:MM';

/**
 * An instant from ISO 8601: with Z or an offset as given; without, Copenhagen local
 * time. A local time that does not exist or occurs twice (daylight saving) is
 * refused with a hint to give the offset.
 */
export function parseInstant(flag: string, value: string): Date {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(value.trim());
  const bad = (why: string): never => {
    throw new UsageError(`--${flag} "${value}" ${why}`);
  };
  if (!m) return bad(`is not a date-time; expected ${AT_FORMAT}`);
  const [, date = '', hh = '', mm = '', ss = '00', frac = '', zone] = m;
  if (!isLocalDate(date)) return bad(`has no such calendar date (${date})`);
  if (Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 59) return bad(`has no such time of day (${hh}:${mm}:${ss})`);
  const local = `${date}T${hh}:${mm}:${ss}${frac}`;
  if (zone !== undefined) {
    const offset = zone.toUpperCase() === 'Z' ? 'Z' : zone.replace(/^([+-]\d{2}):?(\d{2})$/, '$1:$2');
    const [oh = '0', om = '0'] = offset === 'Z' ? [] : offset.slice(1).split(':');
    if (Number(oh) > 14 || Number(om) > 59) return bad(`has no such UTC offset (${zone})`);
    const instant = new Date(`${local}${offset}`);
    return Number.isNaN(instant.getTime()) ? bad(`is not a date-time; expected ${AT_FORMAT}`) : instant;
  }
  const r = resolveLocalDateTime(local);
  switch (r.kind) {
    case 'ok':
      return r.instant;
    case 'gap':
      return bad('does not exist in Copenhagen (the clocks jump forward over it); give an offset, e.g. +01:00');
    case 'ambiguous':
      return bad('occurs twice in Copenhagen (the clocks go back); give the offset: +02:00 for the first, +01:00 for the second');
  }
}

export function parseLocalDateArg(flag: string, value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new UsageError(`--${flag} "${value}" is not a date; expected YYYY-MM-DD`);
  if (!isLocalDate(value)) throw new UsageError(`--${flag} "${value}" has no such calendar date`);
  return value;
}

export function parseIntInRange(flag: string, value: string, min: number, max: number): number {
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${flag} must be a whole number from ${min} to ${max} (got "${value}")`);
  return n;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}

/** What a command prints: a JSON document, or plain text (--help). */
export type CommandOutput = { readonly json: unknown } | { readonly text: string };

/**
 * Runs a command: prints its result as one pretty JSON document (2 spaces), or one
 * line on stderr with exit code 2 (bad argument) or 1 (anything else, e.g. a bad
 * INSTRUCTION_FILE). Nothing reaches stdout on failure.
 */
export function runCommand(name: string, command: () => CommandOutput): void {
  let output: CommandOutput;
  try {
    output = command();
  } catch (err) {
    const usage = err instanceof UsageError;
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`${name}: ${oneLine(message)}${usage ? ` (see --help)` : ''}\n`);
    process.exitCode = usage ? 2 : 1;
    return;
  }
  process.stdout.write('json' in output ? `${JSON.stringify(output.json, null, 2)}\n` : output.text);
  process.exitCode = 0;
}
