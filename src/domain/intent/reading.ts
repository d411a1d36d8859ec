import type { SystemId } from '../../instruction/schema';
import { clausesOf, nearWord, set, type Tokens } from './text';
import { bestSystem, systemHits, type SystemHit, type Vocabulary } from './systems';
import { NEGATION, QUESTION_VERBS } from './words';

/**
 * Reading a message as a report: each clause says that something fails, works
 * (again), or asks about it; the message takes the most urgent reading.
 */

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

export function readMessage(text: string, v: Vocabulary): MessageReading {
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
