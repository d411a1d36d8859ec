/**
 * From what was typed to words: markup out, lower case, accents folded, clauses
 * split; small helpers over words; edit distance for typos. Pure.
 */

export type Tokens = readonly string[];

/** Raw characters looked at before markup is removed (a mention is ~40 characters). */
const MAX_RAW_CHARS = 2000;
/** Characters of text read after markup is removed. */
const MAX_TEXT_CHARS = 500;

const FOLD: Readonly<Record<string, string>> = {
  é: 'e', è: 'e', ê: 'e', ë: 'e', á: 'a', à: 'a', â: 'a', ä: 'æ', ö: 'ø', ó: 'o', ò: 'o', ô: 'o',
  ü: 'u', ú: 'u', ù: 'u', í: 'i', ì: 'i', ï: 'i', ñ: 'n', ç: 'c',
};

/**
 * Lower case, markup and control characters out, accents folded (é → e, ä → æ,
 * ö → ø; æøå kept), hyphens and apostrophes inside words joined ("be-key" →
 * "bekey", "can't" → "cant"). Punctuation is kept here so clauses can be split.
 */
export function prepare(text: unknown): string {
  if (typeof text !== 'string' || text.length === 0) return '';
  return text
    .slice(0, MAX_RAW_CHARS)
    // Bounded repeats keep the work linear even for text full of "<at".
    .replace(/<at\b[^>]{0,100}>[^<]{0,200}<\/at\s*>/gi, ' ') // Teams mention: <at>Nedbrud</at>
    .replace(/<\/?[a-z][^<>]{0,200}>/gi, ' ') // any other tag (<p>, <div>, <br/>)
    .replace(/&(?:[a-z]+|#\d+|#x[0-9a-f]+);/gi, ' ') // &nbsp; &amp; …
    .slice(0, MAX_TEXT_CHARS)
    .normalize('NFC')
    .toLowerCase()
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, ' ')
    .replace(/\p{Cf}/gu, '') // zero-width joiners and marks
    .replace(/[éèêëáàâäöóòôüúùíìïñç]/g, (c) => FOLD[c] ?? c)
    .replace(/\p{M}/gu, '') // stray combining marks, emoji variation selectors
    .replace(/(?<=\p{L})[-‐‑'’‘`´](?=\p{L})/gu, '');
}

export function wordsOf(prepared: string): string[] {
  const s = prepared.replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  return s === '' ? [] : s.split(' ');
}

/**
 * Lower case, trimmed, Teams mention markup removed, spaces collapsed,
 * punctuation and emoji removed, æøå kept. Reads at most the first 500 characters.
 */
export function normalize(text: string): string {
  return wordsOf(prepare(text)).join(' ');
}

interface Clause {
  readonly tokens: Tokens;
  /** Ended with a question mark (and no exclamation mark). */
  readonly asked: boolean;
}

/** Clauses split at sentence punctuation and at "men"/"but". */
export function clausesOf(text: string): Clause[] {
  const parts = prepare(text).split(/([.!?？;:,…\n\r]+)/);
  const clauses: Clause[] = [];
  for (let i = 0; i < parts.length; i += 2) {
    const delimiter = parts[i + 1] ?? '';
    const asked = /[?？]/.test(delimiter) && !delimiter.includes('!');
    let current: string[] = [];
    for (const word of wordsOf(parts[i] ?? '')) {
      if (word === 'men' || word === 'but') {
        if (current.length > 0) clauses.push({ tokens: current, asked: false });
        current = [];
      } else current.push(word);
    }
    if (current.length > 0) clauses.push({ tokens: current, asked });
  }
  return clauses;
}

export const set = (words: string): ReadonlySet<string> => new Set(words.split(/\s+/).filter((w) => w !== ''));

/** Whether the words of `phrase` occur in a row in `tokens`. */
export function hasPhrase(tokens: Tokens, phrase: string): boolean {
  return ` ${tokens.join(' ')} `.includes(` ${phrase} `);
}
export const hasAnyPhrase = (tokens: Tokens, phrases: readonly string[]): boolean => phrases.some((p) => hasPhrase(tokens, p));

/**
 * Optimal-string-alignment distance (insert, delete, substitute, swap two
 * neighbours), giving up with max + 1 as soon as the answer must exceed max.
 */
export function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (before[j - 2] ?? 0) + 1);
      row.push(d);
      rowMin = Math.min(rowMin, d);
    }
    if (rowMin > max) return max + 1;
    before = previous;
    previous = row;
  }
  return previous[b.length] ?? max + 1;
}

/**
 * One typo (distance 1, same first two letters) in the few long words that carry
 * a message: "vikrer", "virkr", "fungrer", "nedbud". Real words one letter away
 * are not typos.
 */
export function nearWord(word: string, words: readonly string[], realWords: ReadonlySet<string>): string | undefined {
  if (word.length < 5 || word.length > 16 || realWords.has(word)) return undefined;
  return words.find((w) => w.startsWith(word.slice(0, 2)) && distance(word, w, 1) <= 1);
}
