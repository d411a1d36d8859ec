import type { ContactId, System, SystemId, TypoRule } from '../../instruction/schema';
import { distance, prepare, wordsOf, type Tokens } from './text';
import { NEGATION } from './words';

/**
 * The instruction's systems as words: which system a text names ("nexsus",
 * "be-key", "nøgler", "nettet"), and whom "jeg har ringet til …" means.
 */

/** 2: the system's name (or a typo of it); 1: a thing that points at it ("døren", "forbindelsen"). */
type Strength = 1 | 2;
interface SystemWord {
  readonly system: SystemId;
  readonly strength: Strength;
}

/**
 * The words of the instruction's systems (their `words`, and the words for each
 * out-of-hours contact), as the recognizer looks them up. Built once per
 * instruction (recognizerFor).
 */
export interface Vocabulary {
  /** Exact words: names (2) and hints (1). */
  readonly words: ReadonlyMap<string, SystemWord>;
  /** Compounds and inflections: "nexusmobil", "bekeyappen", "internetforbindelsen", "dørnøglen". */
  readonly prefixes: readonly (readonly [string, SystemWord])[];
  /** Typos of a name, by edit distance, for words long enough. */
  readonly typos: readonly { readonly rule: TypoRule; readonly system: SystemId }[];
  /** Real words near a system's name. */
  readonly notTypos: ReadonlySet<string>;
  /** Out-of-hours contacts by the words staff call them ("kmd"), in the systems' order. */
  readonly contacts: readonly { readonly contact: ContactId; readonly words: readonly string[] }[];
  /** "Jeg har ringet", naming nobody: the card's button typed short, the first system's contact. */
  readonly bareCall: ContactId | null;
}

export function vocabularyOf(systems: readonly System[]): Vocabulary {
  const words = new Map<string, SystemWord>();
  const prefixes: (readonly [string, SystemWord])[] = [];
  const typos: { rule: TypoRule; system: SystemId }[] = [];
  const notTypos = new Set<string>();
  for (const s of systems) {
    for (const w of s.words.names) words.set(w, { system: s.id, strength: 2 });
    for (const w of s.words.hints) words.set(w, { system: s.id, strength: 1 });
    for (const p of s.words.namePrefixes) prefixes.push([p, { system: s.id, strength: 2 }]);
    for (const p of s.words.hintPrefixes) prefixes.push([p, { system: s.id, strength: 1 }]);
    for (const rule of s.words.typos) typos.push({ rule, system: s.id });
    for (const w of s.words.notTypos) notTypos.add(w);
  }
  const contacts = systems.flatMap((s) => (s.outOfHours && s.outOfHours.words.length > 0 ? [{ contact: s.outOfHours.contact, words: s.outOfHours.words }] : []));
  return { words, prefixes, typos, notTypos, contacts, bareCall: systems.find((s) => s.outOfHours)?.outOfHours?.contact ?? null };
}

/** Whether a typo rule allows this word as its name: long enough, starts and contains as the rule says, near enough. */
function typoOf(word: string, rule: TypoRule): boolean {
  if (word.length < rule.minLength) return false;
  if (rule.startsWith !== undefined && !word.startsWith(rule.startsWith)) return false;
  if (rule.containsAny !== undefined && !rule.containsAny.some((part) => word.includes(part))) return false;
  return distance(word, rule.of, rule.distance) <= rule.distance;
}

/** "Nexusteamet" is the support team, not the system. */
export function isTeam(word: string, next: string | undefined): boolean {
  return word.startsWith('nexusteam') || (word === 'nexus' && next !== undefined && next.startsWith('team'));
}

function systemWord(word: string, v: Vocabulary): SystemWord | null {
  const exact = v.words.get(word);
  if (exact) return exact;
  for (const [prefix, hit] of v.prefixes) if (word.startsWith(prefix) && word.length <= prefix.length + 12) return hit;
  if (word.length > 16 || v.notTypos.has(word)) return null;
  for (const { rule, system } of v.typos) if (typoOf(word, rule)) return { system, strength: 2 };
  return null;
}

export interface SystemHit extends SystemWord {
  readonly index: number;
  /** "ikke nexus": named to say it is not that one. */
  readonly negated: boolean;
}

export function systemHits(tokens: Tokens, v: Vocabulary): SystemHit[] {
  const hits: SystemHit[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const word = tokens[i] ?? '';
    const next = tokens[i + 1];
    if (isTeam(word, next)) continue;
    // "be key", "wi fi", "inter net": a name typed as two words.
    const joined = next !== undefined && word.length <= 5 ? v.words.get(word + next) : undefined;
    const hit = joined?.strength === 2 ? joined : systemWord(word, v);
    if (hit) hits.push({ ...hit, index: i, negated: NEGATION.has(tokens[i - 1] ?? '') });
    if (joined?.strength === 2) i++;
  }
  return hits;
}

/** The system meant: not negated if possible, names before hints, the first such. */
export function bestSystem(hits: readonly SystemHit[]): SystemHit | null {
  let best: SystemHit | null = null;
  const rank = (h: SystemHit): number => (h.negated ? 0 : 2) + h.strength;
  for (const hit of hits) if (best === null || rank(hit) > rank(best)) best = hit;
  return best;
}

/**
 * Which system a text names: "nexus", "nexsus", "bekey", "be-key", "bekay",
 * "nøgler", "dørnøgle", "internet", "nettet", "wifi", "net". Null if none
 * ("Nexusteamet" is the team, not the system).
 */
export function parseSystem(text: string, v: Vocabulary): SystemId | null {
  return bestSystem(systemHits(wordsOf(prepare(text)), v))?.system ?? null;
}

export function parseSystemIn(tokens: Tokens, v: Vocabulary): SystemId | null {
  return bestSystem(systemHits(tokens, v))?.system ?? null;
}
