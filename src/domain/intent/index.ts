import type { System, SystemId } from '../../instruction/schema';
import { parseInternet, parseScope, parseYesNo } from './answers';
import { asksHours, called, commandOf, greetsOnly, namesContacts } from './commands';
import { CONTACTS, GREETING, HELP, HOURS, STATUS, UNKNOWN, type Intent } from './intents';
import { readMessage } from './reading';
import { parseSystem, vocabularyOf, type Vocabulary } from './systems';
import { prepare, wordsOf } from './text';

/**
 * What a member of staff (or the Nexusteam) means by a typed message.
 *
 * People write to the bot under pressure, often on a phone: typos, no
 * punctuation, capitals, a Teams mention in front, Danish or English. This folder
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
 * The parts: text.ts (1), words.ts and systems.ts (2), commands.ts (3),
 * reading.ts (4), answers.ts (the triage questions typed instead of tapped);
 * intents.ts holds what comes out. This file orders them (recognize) and binds
 * them to one instruction's systems (recognizerFor).
 *
 * Pure: no clock, no I/O, no botbuilder. Never throws for any string.
 */

export type { Intent } from './intents';
export { normalize } from './text';

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

  const command = commandOf(tokens, v);
  if (command) return command;
  if (asksHours(tokens, v)) return HOURS;
  const contact = called(tokens, v);
  if (contact) return { kind: 'called', contact };

  if (greetsOnly(tokens)) return GREETING;

  const reading = readMessage(text, v);
  if (reading.verdict !== null) {
    // "kan du give mig telefonnummeret til bekey": a name and a number, no complaint.
    if ((reading.verdict === 'outage' || reading.verdict === 'statusQuestion') && !reading.saysSomething && namesContacts(tokens)) return CONTACTS;
    if (reading.verdict === 'statusQuestion' && reading.system === null && reading.status) return STATUS;
    return { kind: reading.verdict, system: reading.system };
  }
  if (tokens.some((w) => /^(hjælp|hjelp|hjaelp|hjalp|help)/.test(w))) return HELP;
  if (namesContacts(tokens)) return CONTACTS;
  return UNKNOWN;
}

/** The readings of free text, with the vocabulary of one instruction's systems. */
export interface Recognizer {
  /** The intent of a message (see the rules above). */
  readonly recognize: (text: string) => Intent;
  /**
   * Which system a text names ("nexus", "nexsus", "be-key", "nøgler", "nettet", …),
   * or null ("Nexusteamet" is the team, not the system).
   */
  readonly parseSystem: (text: string) => SystemId | null;
  /** The answer to "Er {system} også nede hos dine kolleger?". */
  readonly parseScope: (text: string) => 'individual' | 'general' | null;
  /** The answer to "Virker internettet?". */
  readonly parseInternet: (text: string) => 'up' | 'down' | null;
  readonly parseYesNo: (text: string) => 'yes' | 'no' | null;
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
