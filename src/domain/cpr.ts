/**
 * CPR-like numbers (DESIGN.md, "Rulings: CPR-like"): six digits that form a valid
 * date DDMMYY, then an optional single dash or space, then four digits, not inside
 * a longer run of digits (no digit directly before or after).
 *
 * Decisions, so every part agrees:
 * - The day must exist in the month; 29 February is always allowed, because the
 *   century (and so the leap year) is unknown from YY.
 * - "A dash or space" includes what phone keyboards and autocorrect produce for
 *   them: hyphen-minus, hyphen (U+2010), non-breaking hyphen (U+2011), figure
 *   dash (U+2012), en dash (U+2013), minus (U+2212), space, no-break space
 *   (U+00A0) and narrow no-break space (U+202F). Exactly one, or none.
 * - The modulus-11 check is not applied (CPR numbers since 2007 need not pass it).
 * - Masking keeps the shape and the length: every digit becomes `*`, the separator
 *   is kept as written. "010190-1234" → "******-****", "0101901234" →
 *   "**********". Positions in the text stay valid, and a reader sees that a
 *   number was removed.
 * - Phone numbers (8 digits, "4460 5040", "+45 4460 5040"), dates (24-12-2026,
 *   24.12.2026) and times (15.30, 08:00) never match: they have no run of six
 *   digits followed by four.
 *
 * Pure: no imports, no clock.
 */

export interface CprMatch {
  /** Index of the first digit in the text. */
  readonly index: number;
  /** Length of the match, separator included (10 or 11). */
  readonly length: number;
  /** The matched text. Never log or store it; use maskCpr. */
  readonly value: string;
}

export const CPR_MASK_CHAR = '*';

const SEPARATORS = '\\- \\u00A0\\u2010\\u2011\\u2012\\u2013\\u2212\\u202F';

/** Candidates; the date is checked afterwards. Lookarounds keep longer digit runs out. */
const CANDIDATE = new RegExp(`(?<![0-9])([0-9]{2})([0-9]{2})[0-9]{2}([${SEPARATORS}]?)[0-9]{4}(?![0-9])`, 'g');

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** DD and MM as written; 29 February is valid (the century is unknown). */
export function isValidDayMonth(day: number, month: number): boolean {
  if (!Number.isInteger(day) || !Number.isInteger(month)) return false;
  if (month < 1 || month > 12 || day < 1) return false;
  const max = DAYS_IN_MONTH[month - 1];
  return max !== undefined && day <= max;
}

/** Every CPR-like number in the text, in order. */
export function findCprLike(text: string): CprMatch[] {
  const found: CprMatch[] = [];
  for (const m of text.matchAll(CANDIDATE)) {
    const [value, dd, mm] = m;
    if (dd === undefined || mm === undefined || m.index === undefined) continue;
    if (!isValidDayMonth(Number(dd), Number(mm))) continue;
    found.push({ index: m.index, length: value.length, value });
  }
  return found;
}

/** The text with every CPR-like number masked (digits → `*`, separator kept), and how many. */
export function maskCpr(text: string): { text: string; masked: number } {
  const matches = findCprLike(text);
  if (matches.length === 0) return { text, masked: 0 };
  let out = '';
  let at = 0;
  for (const m of matches) {
    out += text.slice(at, m.index) + m.value.replace(/[0-9]/g, CPR_MASK_CHAR);
    at = m.index + m.length;
  }
  out += text.slice(at);
  return { text: out, masked: matches.length };
}
