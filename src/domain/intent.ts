import type { ContactId, Language, System, SystemId, TypoRule } from '../instruction/schema';
import type { CalledContact } from './outage';

/**
 * What a member of staff (or the Nexusteam) means by a typed message.
 *
 * People write to the bot under pressure, often on a phone: typos, no
 * punctuation, capitals, a Teams mention in front, Danish or English. This module
 * turns such a text into an intent with a small rule set, in this order:
 *
 *   1. normalisation: mention markup and tags out, lower case, accents folded
 *      (keeping æøå), punctuation and emoji gone; only the first 500 characters
 *      are read, so any text is cheap;
 *   2. words: a word is looked up in small vocabularies (negation, "works",
 *      "is down", "again", question words …); the instruction's systems are
 *      matched by their own words (names, hints, compounds, typo rules: the
 *      instruction's `systems[].words`), so "nexsus", "bekay" and "intenet" still count;
 *   3. commands: a whole message such as "hjælp", "status", "stop", or one that
 *      starts with a command word ("følg nexus", "meld nedbrud", "opdater");
 *   4. reading: each clause (split at . ! ? , ; : and "men"/"but") is read as a
 *      report that something fails, works (again), or a question about it; the
 *      message takes the most urgent reading (outage > works again > question >
 *      not down).
 *
 * Pure: no clock, no I/O, no botbuilder. Never throws for any string.
 */
export type Intent =
  | { readonly kind: 'outage'; readonly system: SystemId | null }
  | { readonly kind: 'worksAgain'; readonly system: SystemId | null }
  | { readonly kind: 'statusQuestion'; readonly system: SystemId | null }
  | { readonly kind: 'notOutage'; readonly system: SystemId | null }
  | { readonly kind: 'called'; readonly contact: CalledContact }
  | { readonly kind: 'help' }
  | { readonly kind: 'restart' }
  | { readonly kind: 'contacts' }
  | { readonly kind: 'hours' }
  | { readonly kind: 'status' }
  | { readonly kind: 'follow'; readonly system: SystemId | null }
  | { readonly kind: 'unfollow' }
  | { readonly kind: 'declare'; readonly system: SystemId | null }
  | { readonly kind: 'update' }
  | { readonly kind: 'resolve'; readonly system: SystemId | null }
  | { readonly kind: 'channel' }
  | { readonly kind: 'history' }
  | { readonly kind: 'export' }
  | { readonly kind: 'closed' }
  | { readonly kind: 'bilag1' }
  /** "plakat": the emergency poster's content and how to print it (the Nexusteam). */
  | { readonly kind: 'poster' }
  | { readonly kind: 'greeting' }
  /** "english" / "dansk": the language the person wants the bot to use with them. */
  | { readonly kind: 'language'; readonly lang: Language }
  | { readonly kind: 'unknown' };


type Tokens = readonly string[];

// ---------------------------------------------------------------------------
// Normalisation
// ---------------------------------------------------------------------------

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
function prepare(text: unknown): string {
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

function wordsOf(prepared: string): string[] {
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
function clausesOf(text: string): Clause[] {
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

const set = (words: string): ReadonlySet<string> => new Set(words.split(/\s+/).filter((w) => w !== ''));

/** Whether the words of `phrase` occur in a row in `tokens`. */
function hasPhrase(tokens: Tokens, phrase: string): boolean {
  return ` ${tokens.join(' ')} `.includes(` ${phrase} `);
}
const hasAnyPhrase = (tokens: Tokens, phrases: readonly string[]): boolean => phrases.some((p) => hasPhrase(tokens, p));

// ---------------------------------------------------------------------------
// Edit distance
// ---------------------------------------------------------------------------

/**
 * Optimal-string-alignment distance (insert, delete, substitute, swap two
 * neighbours), giving up with max + 1 as soon as the answer must exceed max.
 */
function distance(a: string, b: string, max: number): number {
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

// ---------------------------------------------------------------------------
// Systems
// ---------------------------------------------------------------------------

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
interface Vocabulary {
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

function vocabularyOf(systems: readonly System[]): Vocabulary {
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
function isTeam(word: string, next: string | undefined): boolean {
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

interface SystemHit extends SystemWord {
  readonly index: number;
  /** "ikke nexus": named to say it is not that one. */
  readonly negated: boolean;
}

function systemHits(tokens: Tokens, v: Vocabulary): SystemHit[] {
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
function bestSystem(hits: readonly SystemHit[]): SystemHit | null {
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
function parseSystem(text: string, v: Vocabulary): SystemId | null {
  return bestSystem(systemHits(wordsOf(prepare(text)), v))?.system ?? null;
}

// ---------------------------------------------------------------------------
// Vocabulary for reading a clause
// ---------------------------------------------------------------------------

const NEGATION = set(
  'ikke ik ikk ikek ike ikkw ikkr ilke ikkke not isnt arent doesnt dont didnt wont cant cannot couldnt wasnt werent havent hasnt never aldrig ej',
);
/** "ingen net", "no internet", "intet virker": something is missing. */
const ABSENCE = set('ingen intet no uden without mangler missing mistet mistede lost nothing nobody');
/** "ikke noget net", "not any connection". */
const QUANTIFIER = set('noget nogen nogle any anything some');

/**
 * What a word says about the thing it is about:
 * - works: it works; negated, it fails ("virker ikke")
 * - attempt: only says something when negated ("kan ikke logge på", "går ikke", "vil ikke")
 * - able: a modal; negated it fails, followed by an attempt it works ("kan logge på")
 * - up: it is back ("oppe", "tilbage", "løst"); negated it fails
 * - down: it fails ("nede", "fejl"); negated it works ("ikke nede", "ingen problemer")
 * - fine: it is fine, when a system is named ("nexus ok")
 * - again: "igen", "nu": with works, it works again
 * - status: asks how things stand
 */
type Sense = 'works' | 'attempt' | 'able' | 'up' | 'down' | 'fine' | 'again' | 'status';

/** "Problemet er løst": the trouble words name what is over. */
const RESOLVED = set('løst loest fikset ordnet overstået genoprettet fixed solved resolved restored');

const SENSES = new Map<string, Sense>();
function senses(sense: Sense, words: string): void {
  for (const word of set(words)) SENSES.set(word, sense);
}
senses(
  'works',
  'virker virke virkede virket virkr funker funke funkede fungerer fungere fungerede fungeret kører køre kørte duer frem åbner åbnede loader loadede indlæser svarer svarede reagerer ' +
    'works work worked working functions functioning runs running opens opened loads loaded responding responds respond',
);
senses(
  'attempt',
  'gør gjorde går gik vil ville logge logget logger login logind logon komme kommer kom bruge åbne hente henter se gemme gemmer skrive dokumentere finde ' +
    'forbinde adgang forbindelse forbindelsen signal dækning loade starte starter printe ' +
    'does do did will would log logging get use open connect access connection start load',
);
senses('able', 'kan kunne kunnet can could');
senses('up', 'oppe tilbage online løst loest fikset ordnet genoprettet back up fixed solved resolved restored');
senses(
  'down',
  'nede nedw nedde nedee neede ned nedbrud nedbruddet nedbrudt fejl fejler fejlen fejlede fejlbesked fejlmeddelelse problem problemer problemet problemerne ' +
    'galt driller hænger frosset fryser frøs crash crasher crashet styrtet langsom langsomt sløv sløvt død dødt væk offline lukket ustabil ustabilt udfald afbrudt ' +
    'error errors down broken fail fails failed failing failure issue issues problems slow dead gone outage wrong crashed crashes frozen freezes',
);
senses('fine', 'fint fin fine ok okay normalt normal perfekt perfect stabilt stable');
senses('again', 'igen igjen nu again now');
senses('status', 'status nyt nyheder news sker');

/**
 * One typo (distance 1, same first two letters) in the few long words that carry
 * a message: "vikrer", "virkr", "fungrer", "nedbud". Real words one letter away
 * are not typos.
 */
function nearWord(word: string, words: readonly string[], realWords: ReadonlySet<string>): string | undefined {
  if (word.length < 5 || word.length > 16 || realWords.has(word)) return undefined;
  return words.find((w) => w.startsWith(word.slice(0, 2)) && distance(word, w, 1) <= 1);
}
const SENSE_TYPOS: readonly string[] = ['virker', 'fungerer', 'nedbrud', 'problemer', 'langsom'];
const NOT_SENSE_TYPOS = set('vinker visker vikker funderer');

function senseOf(word: string): Sense | undefined {
  const exact = SENSES.get(word);
  if (exact) return exact;
  const near = nearWord(word, SENSE_TYPOS, NOT_SENSE_TYPOS);
  return near === undefined ? undefined : SENSES.get(near);
}

/** Skipped when deciding what a negation belongs to ("virker stadig ikke", "ikke gået ned"). */
const FILLER = set(
  'stadig stadigvæk slet overhovedet altså lige helt bare vel nok vist da godt heller også noget nogen any anything gået været blevet mere længere rigtigt rigtig ' +
    'ordentligt still just really even at all been anymore properly',
);
/** Words that can follow a fronted verb in a question: "virker det", "er der", "is it". */
const SUBJECTS = set('det der den du i nogen nogle man andre it there anyone anybody someone somebody you everyone the');
/** A question that starts with a verb: "virker nexus?", "er nexus nede", "is nexus down". */
const QUESTION_VERBS = set('virker fungerer kører er går har kan duer vil is are does do did can has have will was could');
const QUESTION_WORDS = set('hvad hvordan hvornår hvilke hvilken hvilket nogen what whats how when which anyone anybody any');
/** Asking in distress is reporting: "hvorfor virker nexus ikke?", "hvad gør jeg, nexus er nede?". */
const DISTRESS = set('hvorfor why hjælp help hjælpe akut urgent haster');
const FIRST_PERSON = set('jeg mig min mit mine vi os vores im ive me my we our us');

interface Reading {
  /** Something fails. */
  readonly fails: boolean;
  /** Something works (or is not down). */
  readonly works: boolean;
  /** Says "again"/"now"/"back". */
  readonly again: boolean;
  /** A question about the state of things (not a cry for help). */
  readonly asks: boolean;
  /** Asks for the status. */
  readonly status: boolean;
  /** Says that something fails or works (not only names a system). */
  readonly saysSomething: boolean;
  /** The system it names, not negated if possible. */
  readonly system: SystemHit | null;
  /** The system it names, negated or not ("men ikke bekey"). */
  readonly named: SystemHit | null;
}

function negatedAt(content: Tokens, k: number, isSubject: (word: string) => boolean): boolean {
  const before = content[k - 1] ?? '';
  const after = content[k + 1] ?? '';
  const afterNext = content[k + 2] ?? '';
  return (
    NEGATION.has(before) ||
    ABSENCE.has(before) ||
    NEGATION.has(after) ||
    (NEGATION.has(afterNext) && isSubject(after)) // "virker nexus ikke", "virker det ikke"
  );
}

/** Reads one clause: does something fail, work, work again; is it a question? */
function read(tokens: Tokens, asked: boolean, v: Vocabulary): Reading {
  const hits = systemHits(tokens, v);
  const system = bestSystem(hits.filter((h) => !h.negated));
  const systemWords = new Set(hits.map((h) => tokens[h.index] ?? ''));
  const isSubject = (word: string): boolean => SUBJECTS.has(word) || systemWords.has(word);

  let fails = false;
  let works = false;
  let again = false;
  let status = false;

  // "ingen net", "intet internet", "ikke noget wifi", "no internet"
  tokens.forEach((word, i) => {
    let next = i + 1;
    if (NEGATION.has(word) && QUANTIFIER.has(tokens[next] ?? '')) next++;
    else if (!ABSENCE.has(word)) return;
    if (hits.some((h) => h.index === next)) fails = true;
  });

  const content = tokens.filter((w) => !FILLER.has(w));
  const resolved = content.some((w, k) => RESOLVED.has(w) && !negatedAt(content, k, isSubject));
  content.forEach((word, k) => {
    const sense = senseOf(word);
    if (sense === undefined) return;
    const negated = negatedAt(content, k, isSubject);
    switch (sense) {
      case 'works':
        if (negated) fails = true;
        else works = true;
        break;
      case 'attempt':
        if (negated) fails = true;
        break;
      case 'able':
        if (negated) fails = true;
        else if ([content[k + 1], content[k + 2]].some((w) => w !== undefined && senseOf(w) === 'attempt')) works = true; // "jeg kan logge på nexus"
        break;
      case 'up':
        if (negated) fails = true;
        else works = again = true;
        break;
      case 'down':
        if (resolved) break; // "problemet er løst"
        if (negated) works = true;
        else fails = true;
        break;
      case 'fine':
        if (system === null) break;
        if (negated) fails = true;
        else works = true;
        break;
      case 'again':
        again = true;
        break;
      case 'status':
        status = true;
        break;
    }
  });

  const first = tokens[0] ?? '';
  const second = tokens[1] ?? '';
  const distress =
    tokens.some((w) => DISTRESS.has(w)) ||
    (['hvad', 'hvem', 'what', 'who'].includes(first) && tokens.some((w) => ['gøre', 'gør', 'do', 'ringe', 'call'].includes(w))) ||
    (senseOf(first) !== undefined && NEGATION.has(second)) || // "kan ikke logge på nexus?", "virker ikke?"
    (fails && tokens.some((w) => FIRST_PERSON.has(w))); // "nexus virker ikke for mig?"
  // A question by its word order; a question mark alone does not turn a report
  // into a question ("bekey virker ikke?", "Nexus er nede?" are reports).
  const questionOrder = status || QUESTION_WORDS.has(first) || (QUESTION_VERBS.has(first) && second !== '' && isSubject(second));
  const saysSomething = fails || works;
  const asks = (questionOrder || (asked && !fails)) && !distress && (system !== null || saysSomething || status);

  return { fails, works, again, asks, status, saysSomething, system, named: bestSystem(hits) };
}

type Verdict = 'outage' | 'worksAgain' | 'statusQuestion' | 'notOutage';
/** The most urgent reading of a message wins. */
const VERDICTS: readonly Verdict[] = ['outage', 'worksAgain', 'statusQuestion', 'notOutage'];

function verdictOf(r: Reading): Verdict | null {
  if (r.asks) return 'statusQuestion';
  if (r.fails) return 'outage';
  if (r.works && r.again) return 'worksAgain';
  if (r.works) return 'notOutage';
  if (r.system !== null && r.system.strength === 2) return 'outage'; // "bekey", "NEXUS!!!": naming it is reporting it
  return null;
}

interface MessageReading {
  readonly verdict: Verdict | null;
  readonly system: SystemId | null;
  readonly status: boolean;
  /** Some clause says something about a state (not only names a system). */
  readonly saysSomething: boolean;
  readonly fails: boolean;
  readonly works: boolean;
}

function readMessage(text: string, v: Vocabulary): MessageReading {
  const readings: { readonly reading: Reading; readonly verdict: Verdict | null }[] = [];
  for (const clause of clausesOf(text)) {
    let reading = read(clause.tokens, clause.asked, v);
    // "det virker på mobilen, men ikke på computeren", "nexus virker, men ikke bekey":
    // a bare negation takes back what the clause before said works.
    const before = readings[readings.length - 1]?.reading;
    if (NEGATION.has(clause.tokens[0] ?? '') && !reading.saysSomething && before?.works)
      reading = { ...reading, fails: true, saysSomething: true, system: reading.named };
    readings.push({ reading, verdict: verdictOf(reading) });
  }
  const verdict = VERDICTS.find((v) => readings.some((r) => r.verdict === v)) ?? null;
  // The system of the first clause with the winning reading; if that clause names
  // none, the nearest clause before it ("nexus virker, men langsomt"), else any.
  const named = (r: { readonly reading: Reading }): boolean => r.reading.system !== null;
  const first = readings.findIndex((r) => r.verdict === verdict);
  const system =
    readings.find((r) => r.verdict === verdict && named(r)) ??
    readings.slice(0, Math.max(first, 0)).reverse().find(named) ??
    readings.find(named);
  return {
    verdict,
    system: verdict === null ? null : (system?.reading.system?.system ?? null),
    status: readings.some((r) => r.reading.status),
    saysSomething: readings.some((r) => r.reading.saysSomething),
    fails: readings.some((r) => r.reading.fails),
    works: readings.some((r) => r.reading.works),
  };
}

// ---------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------

const HELP: Intent = { kind: 'help' };
const RESTART: Intent = { kind: 'restart' };
const CONTACTS: Intent = { kind: 'contacts' };
const HOURS: Intent = { kind: 'hours' };
const STATUS: Intent = { kind: 'status' };
const UNFOLLOW: Intent = { kind: 'unfollow' };
const UNKNOWN: Intent = { kind: 'unknown' };
const GREETING: Intent = { kind: 'greeting' };
const IN_ENGLISH: Intent = { kind: 'language', lang: 'en' };
const IN_DANISH: Intent = { kind: 'language', lang: 'da' };

/** Whole messages (after greetings and "tak"/"please" are set aside). */
const WHOLE_MESSAGES: ReadonlyMap<string, Intent> = new Map([
  ...phrases(HELP, [
    'hjælp', 'hjaelp', 'hjalp', 'hjelp', 'hjæp', 'hjlæp', 'hjælpp', 'hjælpe', 'hjælp mig', 'help', 'help me',
    'hvad kan du', 'hvad kan du hjælpe med', 'hvad kan jeg skrive', 'hvad kan jeg spørge om', 'hvordan virker du',
    'hvad gør jeg', 'hvad skal jeg gøre', 'hvad gør vi', 'hvad skal vi gøre', 'hvad nu',
    'what can you do', 'what do i do', 'what should i do', 'how does this work',
    'kommandoer', 'commands', 'menu', 'vejledning', 'guide', 'info', 'instruks', 'instruksen',
  ]),
  ...phrases(RESTART, [
    'forfra', 'start forfra', 'starte forfra', 'begynd forfra', 'fra start', 'fra begyndelsen', 'start', 'start igen', 'ny start',
    'annuller', 'anuller', 'annullere', 'afbryd', 'stop', 'stoppe', 'stop det', 'fortryd', 'nulstil', 'glem det', 'afslut',
    'cancel', 'reset', 'restart', 'start over', 'quit', 'exit', 'never mind', 'nevermind',
  ]),
  ...phrases(CONTACTS, [
    'kontakter', 'kontakt', 'kontaktinfo', 'kontaktoplysninger', 'telefonnumre', 'telefonnummer', 'telefonnumrene',
    'telefonliste', 'telefonlisten', 'telefon', 'tlf', 'tlf nr', 'tlfnr', 'numre', 'nummer', 'numrene', 'vigtige numre',
    'hvem skal jeg ringe til', 'hvem ringer jeg til', 'hvem kan jeg ringe til', 'hvem kan hjælpe',
    'contacts', 'contact', 'phone', 'phone numbers', 'numbers', 'who do i call', 'who should i call',
  ]),
  ...phrases(HOURS, [
    'åbningstider', 'åbningstid', 'aabningstider', 'abningstider', 'åbent', 'åben', 'har i åbent', 'er i åbne', 'er i åbent',
    'opening hours', 'hours', 'when are you open',
  ]),
  ...phrases(STATUS, [
    'status', 'status nu', 'hvad er status', 'hvad er status nu', 'overblik', 'aktive nedbrud', 'er der nedbrud',
    'er der nogen nedbrud', 'whats the status', 'what is the status', 'overview', 'any outages',
  ]),
  ...phrases(IN_ENGLISH, [
    'english', 'engelsk', 'in english', 'på engelsk', 'speak english', 'write in english', 'answer in english', 'switch to english',
    'english language', 'skriv engelsk', 'skriv på engelsk', 'tal engelsk', 'svar på engelsk', 'skift til engelsk',
  ]),
  ...phrases(IN_DANISH, [
    'dansk', 'danish', 'på dansk', 'in danish', 'speak danish', 'write in danish', 'answer in danish', 'switch to danish',
    'danish language', 'skriv dansk', 'skriv på dansk', 'tal dansk', 'svar på dansk', 'skift til dansk',
  ]),
  ...phrases({ kind: 'poster' }, [
    'plakat', 'plakaten', 'nødplakat', 'nødplakaten', 'print plakat', 'print plakaten', 'udskriv plakat', 'udskriv plakaten',
    'vis plakat', 'vis plakaten', 'poster', 'the poster', 'print poster', 'print the poster', 'show poster', 'emergency poster',
  ]),
  ...phrases({ kind: 'bilag1' }, [
    'bilag 1', 'bilag1', 'bilag', 'bilag et', 'bilag en', 'bilag én', 'appendix', 'appendix 1', 'sms liste', 'smsliste', 'sms listen', 'smslisten',
  ]),
]);

function phrases(intent: Intent, list: readonly string[]): (readonly [string, Intent])[] {
  return list.map((p) => [p, intent] as const);
}

/** Command words that may be typed with one typo when sent alone ("annulller", "kontaktr"). */
const TYPO_COMMANDS: ReadonlyMap<string, Intent> = new Map<string, Intent>([
  ['annuller', RESTART],
  ['forfra', RESTART],
  ['kontakter', CONTACTS],
  ['telefonnumre', CONTACTS],
  ['åbningstider', HOURS],
  ['status', STATUS],
  ['historik', { kind: 'history' }],
  ['eksport', { kind: 'export' }],
  ['opdater', { kind: 'update' }],
  ['english', IN_ENGLISH],
  ['engelsk', IN_ENGLISH],
  ['dansk', IN_DANISH],
  ['danish', IN_DANISH],
]);
/** Real words one letter from a command word. */
const NOT_COMMAND_TYPOS = set('forfar statue statut statur stats states ekspert opdager historie historisk kontant kontrakt danse');

/** Set aside before matching a command: "hej, hjælp tak" is "hjælp". */
const POLITE = set('tak please pls plz venligst lige bot hej hejsa hey hi hello');
const NOTIFICATION_WORDS = /^(nedbrud|besked|notifik|alarm|alert|advis|følg|follow|outage|abonnement|opdateringer|updates|notification)/;

/** Commands that start with their word and may name a system: "følg nexus", "meld nedbrud på bekey". */
function leadingCommand(tokens: Tokens, v: Vocabulary): Intent | null {
  const [first = '', second = ''] = tokens;
  const rest = tokens.slice(1);
  const system = parseSystemIn(rest, v);
  const restIsFiller = rest.every((w) => POLITE.has(w) || ['det', 'nu', 'alt', 'samtalen', 'dialogen', 'her', 'it', 'this'].includes(w));

  switch (first) {
    case 'stop':
    case 'stoppe':
    case 'afmeld':
    case 'afmelde':
      if (first.startsWith('afmeld') || rest.some((w) => NOTIFICATION_WORDS.test(w)) || (system !== null && rest.length === 1))
        return UNFOLLOW;
      return restIsFiller ? RESTART : null;
    case 'unsubscribe':
    case 'unfollow':
      return UNFOLLOW;
    case 'giv': // "giv mig besked (når nexus virker igen)"
      return rest.includes('besked') ? { kind: 'follow', system } : null;
    case 'hold': // "hold mig opdateret"
      return rest.includes('opdateret') || rest.includes('underrettet') ? { kind: 'follow', system } : null;
    case 'notify': // "notify me", "keep me posted"
      return { kind: 'follow', system };
    case 'keep':
      return rest.includes('posted') || rest.includes('updated') ? { kind: 'follow', system } : null;
    case 'følg':
    case 'foelg':
    case 'folg':
    case 'follow':
    case 'abonner':
    case 'subscribe':
      return NEGATION.has(second) ? UNFOLLOW : { kind: 'follow', system };
    case 'meld':
    case 'erklær':
    case 'erklaer':
    case 'declare':
    case 'opret':
      return { kind: 'declare', system };
    case 'nyt':
      return second.startsWith('nedbrud') ? { kind: 'declare', system } : null;
    case 'opdater':
    case 'opdatere':
    case 'opdatering':
    case 'update':
      return { kind: 'update' };
    case 'løst':
    case 'loest':
    case 'resolve':
    case 'resolved':
    case 'afblæs':
      return { kind: 'resolve', system };
    case 'all':
      return second === 'clear' ? { kind: 'resolve', system } : null;
    case 'afslut':
    case 'luk':
      return second.startsWith('nedbrud') || system !== null ? { kind: 'resolve', system } : null;
    case 'kanal':
    case 'kanaler':
    case 'kanalen':
    case 'channel':
    case 'channels':
      return { kind: 'channel' };
    case 'historik':
    case 'historikken':
    case 'history':
      return { kind: 'history' };
    case 'eksport':
    case 'eksporter':
    case 'export':
    case 'tidslinje':
    case 'tidslinjen':
    case 'timeline':
      return { kind: 'export' };
    case 'lukket':
    case 'lukkedag':
    case 'lukkedage':
    case 'lukning':
    case 'lukninger':
    case 'closed':
    case 'closure':
    case 'closures':
      return { kind: 'closed' };
    case 'bilag':
    case 'appendix':
      return { kind: 'bilag1' };
    case 'status':
      if (system !== null) return { kind: 'statusQuestion', system };
      return restIsFiller ? STATUS : null;
    default:
      return null;
  }
}

function parseSystemIn(tokens: Tokens, v: Vocabulary): SystemId | null {
  return bestSystem(systemHits(tokens, v))?.system ?? null;
}

const SHORT_RESOLVE = set('løst loest resolved er nu det problemet nedbruddet nedbrud fejlen på med is the outage now has been');

/**
 * Short all-clear phrasing: "nexus er løst", "nedbrud løst", "problemet er løst".
 * Longer sentences ("problemet med nexus er løst for mig") are read as worksAgain.
 */
function shortResolve(tokens: Tokens, v: Vocabulary): Intent | null {
  if (!tokens.some((w) => w === 'løst' || w === 'loest' || w === 'resolved')) return null;
  const hits = systemHits(tokens, v);
  const onlyThat = tokens.every((w, i) => SHORT_RESOLVE.has(w) || hits.some((h) => h.index === i && h.strength === 2));
  return onlyThat ? { kind: 'resolve', system: bestSystem(hits)?.system ?? null } : null;
}

const OPEN_WORDS = set('åbent åben åbne åbner åbnet lukket lukker lukke open opens closed close closes');

/** "Hvornår har Nexusteamet åbent?", "er nexusteamet lukket", "hvornår lukker I". */
function asksHours(tokens: Tokens, v: Vocabulary): boolean {
  if (tokens.some((w) => /^(åbningstid|aabningstid|abningstid)/.test(w)) || hasPhrase(tokens, 'opening hours')) return true;
  if (!tokens.some((w) => OPEN_WORDS.has(w))) return false;
  const team = tokens.some((w, i) => isTeam(w, tokens[i + 1]) || w === 'teamet' || w === 'team');
  if (team) return true;
  const asksYou = tokens.some((w) => ['hvornår', 'when', 'i', 'jer', 'you'].includes(w));
  return asksYou && systemHits(tokens, v).length === 0 && !tokens.some((w) => NEGATION.has(w));
}

const CALLED = set('ringet ringede ringt kontaktet talt snakket called phoned contacted rang spoken spoke talked');
/** Everything else "jeg har ringet" may say without naming whom. */
const CALLED_ALONE = set('jeg har nu lige allerede dem til i have ive just already them');

/**
 * "Jeg har ringet til KMD", "har ringet til Bekey", "jeg har ringet til IT",
 * "KMD er kontaktet", "I've called IT": whom they called, or null. A bare
 * "jeg har ringet" is the KMD card's button typed short.
 */
function called(tokens: Tokens, v: Vocabulary): CalledContact | null {
  const at = tokens.findIndex((w) => CALLED.has(w));
  if (at < 0) return null;
  if (NEGATION.has(tokens[at - 1] ?? '') || NEGATION.has(tokens[at - 2] ?? '')) return null;
  if (QUESTION_VERBS.has(tokens[0] ?? '') && ['du', 'i', 'you', 'nogen', 'man', 'anyone'].includes(tokens[1] ?? '')) return null;
  // The systems' contacts by their words, in the systems' order: "kmd", "bekey" (or a typo of it).
  for (const { contact, words } of v.contacts) {
    if (tokens.some((w) => words.some((x) => w.startsWith(x)) || nearWord(w, words, NOT_COMMAND_TYPOS) !== undefined)) return contact;
  }
  // "til IT", "to IT", "IT-afdelingen" (joined to "itafdelingen"); not the English pronoun ("I called it in").
  if (tokens.some((w, i) => (w === 'it' && (['til', 'to', 'the'].includes(tokens[i - 1] ?? '') || (CALLED.has(tokens[i - 1] ?? '') && i === tokens.length - 1))) || /^it(afdeling|support|helpdesk)/.test(w) || w === 'helpdesk')) return 'it';
  // The card's button, typed short: "jeg har ringet" (but not "… til Nexusteamet", nor "talt").
  const bare =
    tokens.every((w) => CALLED_ALONE.has(w) || CALLED.has(w)) &&
    tokens.some((w) => ['ringet', 'ringede', 'called', 'phoned'].includes(w)) &&
    tokens.some((w) => ['jeg', 'har', 'i', 'ive', 'have'].includes(w));
  return bare ? v.bareCall : null;
}

const GREETING_WORDS = set(
  'hej hejsa hejhej hey hi hello halløj hallo goddag godmorgen godaften godnat morn morgen davs dav yo tak takk thanks thank thx farvel bye',
);
const GREETING_FILLER = set('nedbrud god dag aften nat weekend for det you so much very alle allesammen i der du dig jer med og så mange tusind hjælpen bot vi ses');
const CONTACT_WORDS = /^(telefonnum\p{L}*|nummer(et)?|numre(ne)?|tlf|kontakt(er|en|info|oplysninger)?|phones?|numbers?)$/u;

// ---------------------------------------------------------------------------
// recognize
// ---------------------------------------------------------------------------

/**
 * The intent of a message. Precedence:
 *  1. only question marks → help; nothing readable → unknown;
 *  2. a whole-message command ("hjælp", "stop", "kontakter", "status", "bilag 1", "english", "dansk"),
 *     allowing one typo in long single words;
 *  3. a command word first ("stop nedbrud", "følg nexus", "meld nedbrud",
 *     "opdater", "løst", "kanal", "historik", "eksport", "lukket", "status på bekey");
 *     and the short all-clear "nexus er løst";
 *  4. the Nexusteam's hours ("hvornår har Nexusteamet åbent");
 *  5. "jeg har ringet til KMD / Bekey / IT";
 *  6. the reading of the clauses: outage > worksAgain > statusQuestion > notOutage;
 *  7. greetings and thanks only → greeting; else a word for help or contacts; else unknown.
 */
function recognize(text: string, v: Vocabulary): Intent {
  const prepared = prepare(text);
  if (/^\s*[?？¿][\s?？¿]*$/.test(prepared)) return HELP;
  const tokens = wordsOf(prepared);
  if (tokens.length === 0) return UNKNOWN;

  let start = 0;
  while (start < tokens.length && POLITE.has(tokens[start] ?? '')) start++;
  let end = tokens.length;
  while (end > start && POLITE.has(tokens[end - 1] ?? '')) end--;
  const command = tokens.slice(start, end);

  if (command.length > 0) {
    const whole = WHOLE_MESSAGES.get(command.join(' '));
    if (whole) return whole;
    const near = command.length === 1 ? nearWord(command[0] ?? '', [...TYPO_COMMANDS.keys()], NOT_COMMAND_TYPOS) : undefined;
    if (near !== undefined) return TYPO_COMMANDS.get(near) ?? UNKNOWN;
    const led = leadingCommand(command, v) ?? shortResolve(command, v);
    if (led) return led;
  }
  if (asksHours(tokens, v)) return HOURS;
  const contact = called(tokens, v);
  if (contact) return { kind: 'called', contact };

  if (tokens.some((w) => GREETING_WORDS.has(w)) && tokens.every((w) => GREETING_WORDS.has(w) || GREETING_FILLER.has(w))) return GREETING;

  const reading = readMessage(text, v);
  if (reading.verdict !== null) {
    // "kan du give mig telefonnummeret til bekey": a name and a number, no complaint.
    if ((reading.verdict === 'outage' || reading.verdict === 'statusQuestion') && !reading.saysSomething && tokens.some((w) => CONTACT_WORDS.test(w))) return CONTACTS;
    if (reading.verdict === 'statusQuestion' && reading.system === null && reading.status) return STATUS;
    return { kind: reading.verdict, system: reading.system };
  }
  if (tokens.some((w) => /^(hjælp|hjelp|hjaelp|hjalp|help)/.test(w))) return HELP;
  if (tokens.some((w) => CONTACT_WORDS.test(w))) return CONTACTS;
  return UNKNOWN;
}

// ---------------------------------------------------------------------------
// Answers to the triage questions, typed instead of tapped
// ---------------------------------------------------------------------------

/** "ved ikke", "har ikke prøvet": no answer yet, ask again. */
const DONT_KNOW = [
  'ved ikke', 'ved det ikke', 'aner ikke', 'aner det ikke', 'ingen anelse', 'usikker', 'måske', 'maybe', 'idk',
  'dont know', 'do not know', 'not sure', 'ikke prøvet', 'ikke tjekket', 'ikke spurgt', 'kan ikke tjekke', 'kan ikke se det',
  'havent checked', 'havent tried', 'havent asked', 'cant check', 'ikke sikker',
];

const YES = set('ja jo jep jeps jap jah jaa jaaa yes yep yeah yup yess y j ok okay oki okey sure korrekt rigtigt præcis gerne selvfølgelig absolut');
const NO = set('nej nope no n nix næ nah neej nejj nææ');

/** Yes or no: "ja", "jo", "jep", "ja tak", "yes", "👍" / "nej", "nej tak", "ikke nu", "no", "👎". Null when unsure. */
export function parseYesNo(text: string): 'yes' | 'no' | null {
  const prepared = prepare(text);
  const tokens = wordsOf(prepared);
  if (tokens.length === 0) {
    if (/👍|✅|👌/u.test(prepared)) return 'yes';
    if (/👎|❌/u.test(prepared)) return 'no';
    return null;
  }
  if (hasAnyPhrase(tokens, DONT_KNOW)) return null;
  const first = tokens[0] ?? '';
  if (YES.has(first)) return 'yes';
  if (NO.has(first)) return 'no';
  if (tokens.some((w) => NEGATION.has(w) || NO.has(w))) return 'no';
  if (tokens.some((w) => YES.has(w)) || hasAnyPhrase(tokens, ['det gør det', 'det er det', 'det gør den', 'det kan de'])) return 'yes';
  return null;
}

const NOBODY = set('ingen nobody none noone');
const CAN = set('kan kommer får can could gets');

/** "ingen af dem kan logge på", "nobody can get in": it fails for the others too. */
function nobodyCan(tokens: Tokens): boolean {
  const i = tokens.findIndex((w, k) => NOBODY.has(w) || (w === 'no' && tokens[k + 1] === 'one'));
  return i >= 0 && tokens.slice(i + 1).some((w) => CAN.has(w));
}

const SCOPE_GENERAL = set('også alle allesammen hele everyone everybody all too also flere mange samme');

/**
 * The answer to "Er {system} også nede hos dine kolleger?" ("Ja, også hos kolleger" /
 * "Nej, kun hos mig"). What the words say about the colleagues comes before a bare
 * yes/no, so the answers to the old question ("Nej, også hos kolleger", "Ja, det er
 * kun mig") still count right; a bare "ja" is general, "nej" individual. "Ingen af
 * dem" alone could mean either (none of them has it, or none of them can work), so it
 * is asked again.
 */
function parseScope(text: string, v: Vocabulary): 'individual' | 'general' | null {
  const tokens = wordsOf(prepare(text));
  if (tokens.length === 0 || hasAnyPhrase(tokens, DONT_KNOW)) return null;
  if (hasAnyPhrase(tokens, ['ikke kun', 'ikke bare', 'not just', 'not only'])) return 'general';
  if (hasAnyPhrase(tokens, ['ingen andre', 'ikke andre', 'nobody else', 'no one else', 'noone else', 'kun', 'only', 'just me', 'bare mig', 'bare hos mig']))
    return 'individual';
  if (hasAnyPhrase(tokens, ['ingen af os', 'none of us', 'heller ikke', 'os alle', 'vi alle', 'all of us']) || nobodyCan(tokens)) return 'general';
  // "ja, den er nede hos dem" / "nej, det virker hos dem", "de har samme problem"
  const reading = readMessage(text, v);
  if (reading.fails) return 'general';
  if (reading.works || hasAnyPhrase(tokens, ['kan godt', 'de kan', 'det kan de', 'works for them'])) return 'individual';
  if (tokens.some((w) => SCOPE_GENERAL.has(w))) return 'general';
  const yesNo = parseYesNo(text);
  if (yesNo !== null) return yesNo === 'yes' ? 'general' : 'individual';
  if (tokens.every((w) => ['mig', 'me', 'jeg', 'min', 'mine', 'my'].includes(w))) return 'individual';
  return null;
}

/**
 * The answer to "Virker internettet? (kom en hjemmeside frem?)": "ja", "den kom
 * frem", "dr.dk virker" → up; "nej", "ingen net", "siden kom ikke frem" → down.
 * If it works on the phone but not on the computer, the municipal network is down.
 */
function parseInternet(text: string, v: Vocabulary): 'up' | 'down' | null {
  const tokens = wordsOf(prepare(text));
  if (tokens.length === 0 || hasAnyPhrase(tokens, DONT_KNOW)) return null;
  const reading = readMessage(text, v);
  if (reading.fails) return 'down';
  if (reading.works) return 'up';
  const yesNo = parseYesNo(text);
  return yesNo === null ? null : yesNo === 'yes' ? 'up' : 'down';
}

// ---------------------------------------------------------------------------
// The recognizer of one instruction
// ---------------------------------------------------------------------------

/** The readings of free text, with the vocabulary of one instruction's systems. */
export interface Recognizer {
  /** The intent of a message (see the rules above). */
  recognize(text: string): Intent;
  /**
   * Which system a text names ("nexus", "nexsus", "be-key", "nøgler", "nettet", …),
   * or null ("Nexusteamet" is the team, not the system).
   */
  parseSystem(text: string): SystemId | null;
  /** The answer to "Er {system} også nede hos dine kolleger?". */
  parseScope(text: string): 'individual' | 'general' | null;
  /** The answer to "Virker internettet?". */
  parseInternet(text: string): 'up' | 'down' | null;
  parseYesNo(text: string): 'yes' | 'no' | null;
}

/** The recognizer for these systems: their names, hints, typos and contacts are its vocabulary. */
export function recognizerFor(systems: readonly System[]): Recognizer {
  const v = vocabularyOf(systems);
  return {
    recognize: (text) => recognize(text, v),
    parseSystem: (text) => parseSystem(text, v),
    parseScope: (text) => parseScope(text, v),
    parseInternet: (text) => parseInternet(text, v),
    parseYesNo,
  };
}
