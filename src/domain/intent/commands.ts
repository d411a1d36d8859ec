import type { CalledContact } from '../outage';
import { CONTACTS, HELP, HOURS, IN_DANISH, IN_ENGLISH, RESTART, STATUS, UNFOLLOW, UNKNOWN, type Intent } from './intents';
import { bestSystem, isTeam, parseSystemIn, systemHits, type Vocabulary } from './systems';
import { hasPhrase, nearWord, set, type Tokens } from './text';
import { NEGATION, QUESTION_VERBS } from './words';

/**
 * Messages that ask the bot for something rather than report: whole-message
 * commands ("hjælp", "status", "english"), a command word first ("følg nexus",
 * "meld nedbrud"), the short all-clear, the Nexusteam's hours, "jeg har ringet
 * til KMD", greetings and thanks.
 */

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

/**
 * A command: the whole message (after greetings and "tak" are set aside), one
 * long command word with a typo, a command word first, or the short all-clear.
 */
export function commandOf(tokens: Tokens, v: Vocabulary): Intent | null {
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
  return null;
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
export function asksHours(tokens: Tokens, v: Vocabulary): boolean {
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
export function called(tokens: Tokens, v: Vocabulary): CalledContact | null {
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

/** Greetings and thanks only: "hej", "tak for hjælpen", "thanks so much". */
export function greetsOnly(tokens: Tokens): boolean {
  return tokens.some((w) => GREETING_WORDS.has(w)) && tokens.every((w) => GREETING_WORDS.has(w) || GREETING_FILLER.has(w));
}

/** A word for phone numbers or contacts: "telefonnummeret", "numre", "kontakt". */
export function namesContacts(tokens: Tokens): boolean {
  return tokens.some((w) => CONTACT_WORDS.test(w));
}
