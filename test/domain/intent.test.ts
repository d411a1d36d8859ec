import { describe, expect, it } from 'vitest';
import { type Intent, normalize, recognizerFor } from '../../src/domain/intent';
import { parseYesNo } from '../../src/domain/intent/answers';
import { brondby } from '../helpers/instructions';
import type { SystemId } from '../../src/instruction/schema';

/** Brøndby's systems (the frozen fixture) are the vocabulary (the instruction's words: names, typos, hints, contacts). */
const { recognize, parseSystem, parseScope, parseInternet } = recognizerFor(brondby.systems);

/*
 * Decisions these tables pin down (see the precedence in recognize()):
 * - "tak", "tak for hjælpen", "thanks" are greetings (a friendly answer, never "I didn't
 *   understand"); "ok", "ja", "nej" are unknown: they are answers to an open question,
 *   which the dialog's parsers read (parseYesNo("ok") is yes).
 * - A question mark alone does not turn a report into a question: "bekey virker ikke?"
 *   is an outage; "virker nexus?" / "er nexus nede?" (question word order) are questions.
 * - "løst" and short "nexus er løst" are the Nexusteam's resolve; a longer sentence
 *   ("problemet med nexus er løst for mig") is worksAgain.
 * - A bare system name is a report ("bekey", "NEXUS!!!"); "Nexusteamet" is not a system.
 */
const outage = (system: SystemId | null): Intent => ({ kind: 'outage', system });
const worksAgain = (system: SystemId | null): Intent => ({ kind: 'worksAgain', system });
const question = (system: SystemId | null): Intent => ({ kind: 'statusQuestion', system });
const notOutage = (system: SystemId | null): Intent => ({ kind: 'notOutage', system });

describe('recognize: reports, questions and commands staff type', () => {
  it.each<[string, Intent]>([
    // Reports of an outage (Danish, typed fast)
    ['nexus er nede', outage('nexus')],
    ['Nexus er nede', outage('nexus')],
    ['kan ikke logge på nexus', outage('nexus')],
    ['nexsus virker ikke', outage('nexus')],
    ['neksus virker ikke', outage('nexus')],
    ['nexu nede', outage('nexus')],
    ['nexus virker ikke', outage('nexus')],
    ['Nexus virker stadig ikke', outage('nexus')],
    ['jeg har ikke kunnet logge på nexus i en time', outage('nexus')],
    ['kan ikke komme ind i nexus', outage('nexus')],
    ['ingen adgang til nexus', outage('nexus')],
    ['nexus er gået ned', outage('nexus')],
    ['nexus hænger', outage('nexus')],
    ['Nexus kører langsomt i dag', outage('nexus')],
    ['nexus er nede igen', outage('nexus')],
    ['nexus virker ikke igen', outage('nexus')],
    ['min kollega siger nexus er nede', outage('nexus')],
    ['NEXUS!!!', outage('nexus')],
    ['Nexus er nede hos borger 010190-1234', outage('nexus')],
    ['<at>Nedbrud</at> nexus er nede', outage('nexus')],
    ['hej, nexus er nede', outage('nexus')],
    ['hjælp nexus er nede!!', outage('nexus')],
    ['hvorfor virker nexus ikke?', outage('nexus')],
    ['hvad gør jeg nexus er nede', outage('nexus')],
    ['Nexus er nede. Er det kun mig?', outage('nexus')],
    ['bekey åbner ikke', outage('bekey')],
    ['bekey', outage('bekey')],
    ['be-key virker ikke', outage('bekey')],
    ['bekey vil ikke', outage('bekey')],
    ['bekey virker ikke?', outage('bekey')],
    ['døren åbner ikke', outage('bekey')],
    ['ingen net', outage('internet')],
    ['intet internet', outage('internet')],
    ['der er ikke noget internet', outage('internet')],
    ['internettet er nede', outage('internet')],
    ['wifi virker ikke', outage('internet')],
    ['nettet er væk', outage('internet')],
    ['det virker ikke', outage(null)],
    ['virker ikke', outage(null)],
    ['jeg kan ikke logge ind', outage(null)],
    ['nedbrud', outage(null)],
    // Which system, when a message names more than one
    ['internettet virker, men nexus gør ikke', outage('nexus')],
    ['nexus virker, men ikke bekey', outage('bekey')],
    ['det er ikke nexus, det er bekey der er nede', outage('bekey')],
    ['nexus virker men langsomt', outage('nexus')],
    ['nexus og bekey er nede', outage('nexus')],
    // English
    ['Nexus is down', outage('nexus')],
    ["I can't log in to Nexus", outage('nexus')],
    ['no internet', outage('internet')],
    ["Bekey won't open", outage('bekey')],
    ['The internet is not working', outage('internet')],
    // Works again
    ['nexus virker igen', worksAgain('nexus')],
    ['det virker igen for mig', worksAgain(null)],
    ['Nexus is back', worksAgain('nexus')],
    ['Nexus is working again', worksAgain('nexus')],
    ['nexus er oppe igen', worksAgain('nexus')],
    ['nexus virker nu', worksAgain('nexus')],
    ['jeg kan logge på nexus igen', worksAgain('nexus')],
    ['Bekey er tilbage', worksAgain('bekey')],
    ['tak, nexus virker igen', worksAgain('nexus')],
    ['problemet med nexus er løst for mig', worksAgain('nexus')],
    // Questions about the state
    ['virker nexus?', question('nexus')],
    ['virker nexus', question('nexus')],
    ['er nexus nede?', question('nexus')],
    ['nexus?', question('nexus')],
    ['status på bekey', question('bekey')],
    ['hvad er status på nexus', question('nexus')],
    ['er der problemer med nexus', question('nexus')],
    ['har i også problemer med nexus?', question('nexus')],
    ['hvornår virker nexus igen?', question('nexus')],
    ['er nettet nede?', question('internet')],
    ['is nexus down?', question('nexus')],
    ['Is Bekey working?', question('bekey')],
    ['virker det?', question(null)],
    // Not an outage
    ['nexus er ikke nede', notOutage('nexus')],
    ['nexus virker fint', notOutage('nexus')],
    ['der er ikke noget galt med nexus', notOutage('nexus')],
    ['ingen problemer med nexus', notOutage('nexus')],
    ['Nexus is not down', notOutage('nexus')],
    // Called KMD
    ['jeg har ringet til KMD', { kind: 'called', contact: 'kmd' }],
    ['har ringet til kmd', { kind: 'called', contact: 'kmd' }],
    ["I've called KMD", { kind: 'called', contact: 'kmd' }],
    ['KMD er kontaktet', { kind: 'called', contact: 'kmd' }],
    ['jeg har ringet', { kind: 'called', contact: 'kmd' }],
    ['jeg har ringet til Bekey', { kind: 'called', contact: 'bekey' }],
    ['har ringet til bekay', { kind: 'called', contact: 'bekey' }],
    ['jeg har ringet til IT', { kind: 'called', contact: 'it' }],
    ['IT-afdelingen er kontaktet', { kind: 'called', contact: 'it' }],
    ["I've called IT", { kind: 'called', contact: 'it' }],
    ['jeg har ringet til nexusteamet', { kind: 'unknown' }],
    ['jeg har ikke ringet til kmd', { kind: 'unknown' }],
    ['skal jeg ringe til kmd?', { kind: 'unknown' }],
    // Everyone's commands
    ['hjælp', { kind: 'help' }],
    ['HJÆLP!!', { kind: 'help' }],
    ['?', { kind: 'help' }],
    ['help', { kind: 'help' }],
    ['jeg har brug for hjælp', { kind: 'help' }],
    ['forfra', { kind: 'restart' }],
    ['start forfra', { kind: 'restart' }],
    ['annuller', { kind: 'restart' }],
    ['annulller', { kind: 'restart' }],
    ['cancel', { kind: 'restart' }],
    ['stop', { kind: 'restart' }],
    ['stop det', { kind: 'restart' }],
    ['kontakter', { kind: 'contacts' }],
    ['telefonnumre', { kind: 'contacts' }],
    ['numre', { kind: 'contacts' }],
    ['kontaktr', { kind: 'contacts' }],
    ['hvem skal jeg ringe til', { kind: 'contacts' }],
    ['kan du give mig telefonnummeret til bekey', { kind: 'contacts' }],
    ['åbningstider', { kind: 'hours' }],
    ['hvornår har nexusteamet åbent', { kind: 'hours' }],
    ['er nexusteamet åbent?', { kind: 'hours' }],
    ['opening hours', { kind: 'hours' }],
    ['status', { kind: 'status' }],
    ['status?', { kind: 'status' }],
    ['følg nedbrud', { kind: 'follow', system: null }],
    ['følg nexus', { kind: 'follow', system: 'nexus' }],
    ['giv mig besked når bekey virker igen', { kind: 'follow', system: 'bekey' }],
    ['stop nedbrud', { kind: 'unfollow' }],
    ['afmeld', { kind: 'unfollow' }],
    ['følg ikke', { kind: 'unfollow' }],
    // The language the bot uses with the person
    ['english', { kind: 'language', lang: 'en' }],
    ['English', { kind: 'language', lang: 'en' }],
    ['engelsk', { kind: 'language', lang: 'en' }],
    ['in english', { kind: 'language', lang: 'en' }],
    ['på engelsk', { kind: 'language', lang: 'en' }],
    ['english please', { kind: 'language', lang: 'en' }],
    ['englsh', { kind: 'language', lang: 'en' }],
    ['dansk', { kind: 'language', lang: 'da' }],
    ['Dansk', { kind: 'language', lang: 'da' }],
    ['danish', { kind: 'language', lang: 'da' }],
    ['på dansk', { kind: 'language', lang: 'da' }],
    ['skriv på dansk tak', { kind: 'language', lang: 'da' }],
    ['danse', { kind: 'unknown' }], // a real word, not a typo of "dansk"
    // The English commands the English texts name
    ['contacts', { kind: 'contacts' }],
    ['opening hours', { kind: 'hours' }],
    ['start over', { kind: 'restart' }],
    ['help', { kind: 'help' }],
    ['follow outages', { kind: 'follow', system: null }],
    ['follow bekey', { kind: 'follow', system: 'bekey' }],
    ['stop outages', { kind: 'unfollow' }],
    ['Nexus works again', worksAgain('nexus')],
    ['I called KMD', { kind: 'called', contact: 'kmd' }],
    ['channel', { kind: 'channel' }],
    ['history', { kind: 'history' }],
    // The Nexusteam's commands
    ['meld nedbrud', { kind: 'declare', system: null }],
    ['meld nedbrud på bekey', { kind: 'declare', system: 'bekey' }],
    ['opdater', { kind: 'update' }],
    ['løst', { kind: 'resolve', system: null }],
    ['nexus er løst', { kind: 'resolve', system: 'nexus' }],
    ['afslut nedbrud', { kind: 'resolve', system: null }],
    ['kanal', { kind: 'channel' }],
    ['historik', { kind: 'history' }],
    ['eksport', { kind: 'export' }],
    ['lukket', { kind: 'closed' }],
    ['bilag 1', { kind: 'bilag1' }],
    ['bilag1', { kind: 'bilag1' }],
    ['plakat', { kind: 'poster' }],
    ['Udskriv plakaten', { kind: 'poster' }],
    ['poster', { kind: 'poster' }],
    // Greetings, thanks, and the rest
    ['hej', { kind: 'greeting' }],
    ['hello', { kind: 'greeting' }],
    ['godmorgen', { kind: 'greeting' }],
    ['Hej Nedbrud', { kind: 'greeting' }],
    ['tak', { kind: 'greeting' }],
    ['tak for hjælpen', { kind: 'greeting' }],
    ['ok', { kind: 'unknown' }],
    ['ja', { kind: 'unknown' }],
    ['hvad skal jeg have til frokost', { kind: 'unknown' }],
    ['nexusteamet', { kind: 'unknown' }],
    ['statue', { kind: 'unknown' }], // a real word, not a typo of "status"
    ['jeg vinker', { kind: 'unknown' }], // a real word, not a typo of "virker"
    ['my colleague needs help', { kind: 'help' }], // "needs" is not a typo of "nexus"
  ])('%j → %j', (text, expected) => {
    expect(recognize(text)).toEqual(expected);
  });
});

describe('recognize: robustness', () => {
  it.each<[string, string, Intent]>([
    ['empty', '', { kind: 'unknown' }],
    ['only whitespace', '  \t \n ', { kind: 'unknown' }],
    ['emoji only', '🔥🔥', { kind: 'unknown' }],
    ['a thumbs up', '👍', { kind: 'unknown' }],
    ['control characters', '\u0000\u0001\u0007\u001b[0m', { kind: 'unknown' }],
    ['control characters around a report', '\u0000nexus\u0007 er\u200b nede\u0000', outage('nexus')],
    ['only a mention', '<at>Nedbrud</at>', { kind: 'unknown' }],
    ['HTML from the Teams client', '<p><at>Nedbrud</at>&nbsp;Nexus er nede</p>', outage('nexus')],
    ['10,000 letters', 'a'.repeat(10_000), { kind: 'unknown' }],
    ['a report followed by 10,000 characters', `nexus er nede ${'x'.repeat(10_000)}`, outage('nexus')],
    ['a report after the first 500 characters is not read', `${'bla '.repeat(200)}nexus er nede`, { kind: 'unknown' }],
    ['thousands of mention openings', '<at'.repeat(4000), { kind: 'unknown' }],
    ['question marks only', '???', { kind: 'help' }],
  ])('%s', (_name, text, expected) => {
    expect(recognize(text)).toEqual(expected);
  });

  it('never throws and stays quick on long and odd input', () => {
    const inputs = [
      'nexsus virker ikke '.repeat(600),
      'ikke '.repeat(3000),
      '🔥'.repeat(5000),
      Array.from({ length: 10_000 }, (_, i) => String.fromCharCode((i * 7919) % 65536)).join(''),
      '\uD83D'.repeat(3000), // lone surrogates
    ];
    const started = performance.now();
    for (const text of inputs) {
      expect(() => recognize(text)).not.toThrow();
      expect(() => [parseScope(text), parseInternet(text), parseSystem(text), parseYesNo(text), normalize(text)]).not.toThrow();
    }
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('does not throw for a non-string at run time', () => {
    expect(recognize(undefined as unknown as string)).toEqual({ kind: 'unknown' });
    expect(normalize(null as unknown as string)).toBe('');
  });
});

describe('normalize', () => {
  it.each([
    ['<at>Nedbrud</at>  Nexus er NEDE!!! 🔥', 'nexus er nede'],
    ['  Bekey’en   åbner\tikke ', 'bekeyen åbner ikke'],
    ['be-key / wi-fi', 'bekey wifi'],
    ['Æ Ø Å æøå', 'æ ø å æøå'],
    ['Annullér', 'annuller'],
    ['Nexus er nede hos borger 010190-1234', 'nexus er nede hos borger 010190 1234'],
    ['🔥🔥', ''],
    ['', ''],
  ])('%j → %j', (text, expected) => {
    expect(normalize(text)).toBe(expected);
  });

  it('reads at most 500 characters', () => {
    expect(normalize('a'.repeat(10_000)).length).toBe(500);
  });
});

describe('parseScope: "Er Nexus også nede hos dine kolleger?"', () => {
  it.each<[string, 'individual' | 'general' | null]>([
    // The buttons' words, typed
    ['Ja, også hos kolleger', 'general'],
    ['Nej, kun hos mig', 'individual'],
    ['Yes, for colleagues too', 'general'],
    ['No, only for me', 'individual'],
    // A bare yes or no answers the question as it is asked now
    ['ja', 'general'],
    ['jo', 'general'],
    ['jep', 'general'],
    ['ja desværre', 'general'],
    ['yes', 'general'],
    ['nej', 'individual'],
    ['nej heldigvis', 'individual'],
    ['no', 'individual'],
    ['ikke hos de andre', 'individual'],
    // What is said about the colleagues wins over yes/no, so the old wording still counts right
    ['Nej, også hos kolleger', 'general'],
    ['Ja, det er kun mig', 'individual'],
    ['No, colleagues too', 'general'],
    ['Yes, it is only me', 'individual'],
    ['ja, den er nede hos dem', 'general'],
    ['nej, den er også nede hos de andre', 'general'],
    ['nej, det virker hos dem', 'individual'],
    ['ja det virker hos dem', 'individual'],
    ['nej, den er ikke nede hos dem', 'individual'],
    ['kun mig', 'individual'],
    ['bare mig', 'individual'],
    ['mig', 'individual'],
    ['ingen andre', 'individual'],
    ['nej, ingen af dem', 'individual'],
    ['de kan godt', 'individual'],
    ['det virker fint hos de andre', 'individual'],
    ['just me', 'individual'],
    ['alle', 'general'],
    ['også kolleger', 'general'],
    ['hele huset', 'general'],
    ['ingen af os', 'general'],
    ['ingen af os kan logge på', 'general'],
    ['ingen af dem kan logge på', 'general'],
    ['nobody can log in', 'general'],
    ['everyone', 'general'],
    ['colleagues too', 'general'],
    ['det virker ikke hos dem heller', 'general'],
    ['de kan heller ikke komme ind', 'general'],
    ['ikke kun mig', 'general'],
    ['ja, også kolleger', 'general'],
    // Could mean either: asked again
    ['ingen af dem', null],
    ['ved ikke', null],
    ['jeg er alene på vagt', null],
    ['', null],
    ['🔥', null],
  ])('%j → %j', (text, expected) => {
    expect(parseScope(text)).toBe(expected);
  });
});

describe('parseInternet: "Virker internettet? (kom en hjemmeside frem?)"', () => {
  it.each<[string, 'up' | 'down' | null]>([
    ['ja', 'up'],
    ['Ja, hjemmesiden kom frem', 'up'],
    ['den kom frem', 'up'],
    ['dr.dk virker', 'up'],
    ['internettet virker', 'up'],
    ['Yes, the website loaded', 'up'],
    ['jeps', 'up'],
    ['nej', 'down'],
    ['Nej, internettet virker ikke', 'down'],
    ['ingen net', 'down'],
    ['intet internet', 'down'],
    ['siden kom ikke frem', 'down'],
    ['No, the Internet does not work', 'down'],
    ['ingen forbindelse', 'down'],
    ['det virker på mobilen men ikke på computeren', 'down'],
    ['ved ikke', null],
    ['hmm', null],
    ['', null],
  ])('%j → %j', (text, expected) => {
    expect(parseInternet(text)).toBe(expected);
  });
});

describe('parseSystem', () => {
  it.each<[string, SystemId | null]>([
    ['nexus', 'nexus'],
    ['NEXUS', 'nexus'],
    ['nexsus', 'nexus'],
    ['nexsu', 'nexus'],
    ['nexu', 'nexus'],
    ['neksus', 'nexus'],
    ['Nexus Mobil', 'nexus'],
    ['bekey', 'bekey'],
    ['be-key', 'bekey'],
    ['be key', 'bekey'],
    ['bekay', 'bekey'],
    ["Bekey'en", 'bekey'],
    ['nøgler', 'bekey'],
    ['dørnøgle', 'bekey'],
    ['internet', 'internet'],
    ['intenet', 'internet'],
    ['internettet', 'internet'],
    ['nettet', 'internet'],
    ['wifi', 'internet'],
    ['wi-fi', 'internet'],
    ['net', 'internet'],
    ['ikke nexus, bekey', 'bekey'],
    ['dørene åbner ikke, bekey er nede', 'bekey'],
    // Near misses that are other words
    ['nexusteamet', null],
    ['besked', null],
    ['beder', null],
    ['news', null],
    ['next', null],
    ['internt', null],
    ['netop', null],
    ['nede', null],
    ['needs', null],
    ['nedis', null],
    ['', null],
  ])('%j → %j', (text, expected) => {
    expect(parseSystem(text)).toBe(expected);
  });
});

describe('parseYesNo', () => {
  it.each<[string, 'yes' | 'no' | null]>([
    ['ja', 'yes'],
    ['Ja!', 'yes'],
    ['jo', 'yes'],
    ['jep', 'yes'],
    ['ja tak', 'yes'],
    ['yes', 'yes'],
    ['ok', 'yes'],
    ['det gør det', 'yes'],
    ['👍', 'yes'],
    ['nej', 'no'],
    ['nej tak', 'no'],
    ['no', 'no'],
    ['nope', 'no'],
    ['ikke nu', 'no'],
    ['det gør det ikke', 'no'],
    ['👎', 'no'],
    ['måske', null],
    ['ved ikke', null],
    ['hmm', null],
    ['', null],
  ])('%j → %j', (text, expected) => {
    expect(parseYesNo(text)).toBe(expected);
  });
});
