import { z } from 'zod';
import { LANGUAGES, type Language } from '../instruction/schema';
import { schemaFor } from '../lib/schemaFor';
import { normalize } from './intent';

/**
 * Which language a person wrote in, when that is clear (DESIGN.md, "Language").
 *
 * The bot answers a person in the language of their last free text where it is
 * clearly Danish or English, so a wrong guess costs a whole conversation in the
 * wrong language. The detector therefore says null unless one language clearly
 * wins: each word is looked up in two small lists of words that belong to only
 * one of the languages (function words, the bot's own command words), and a word
 * with æ, ø or å counts as Danish. One language wins when it has at least one such
 * word and more than twice as many as the other.
 *
 * Words both languages use in a Teams chat count for neither: the systems'
 * names ("nexus", "bekey", "internet", "net"), loanwords Danes type as commands
 * ("ok", "status", "stop", "start", "help", "hi", "info", "menu"), and words
 * that are a word in both ("i", "to", "for", "at", "over", "her", "by", "min",
 * "mine", "bare", "had", and "it", which is also the IT department).
 *
 * Pure: no clock, no I/O. Reads the first 500 characters; never throws.
 */

const words = (list: string): ReadonlySet<string> => new Set(list.split(/\s+/).filter((w) => w !== ''));

const DANISH = words(`
  er var været blev bliver og eller men ikke ik ikk jeg mig mit du dig din dit vi os vores de dem deres han hun
  det den der dette disse har havde kan kunne skal skulle vil ville må gør gjorde går gik kommer kom
  til på med af om fra hvis når så da også kun nu igen hos lige stadig slet helt meget lidt nok vist
  hvad hvordan hvornår hvorfor hvem hvor hvilken hvilke nej ja jo tak hej hejsa hejhej godt godmorgen goddag
  noget nogen ingen intet alle andre en et
  nede ned oppe virker virke virkede fungerer fungere kører ringet ringe ringer logge ind ud siger sige ved
  nettet internettet forbindelsen døren nøglen nøgler kolleger kollega kollegaer borger borgere
  hjælp kontakter kontakt åbningstider forfra annuller afbryd dansk engelsk nedbrud følg løst fejl fejler
  skriv venligst historik kanal eksport opdater opdatering meld lukket
`);

const ENGLISH = words(`
  is isnt are arent was wasnt were werent been being am im ive
  the a an and or but not no yes dont doesnt didnt cant cannot wont couldnt shouldnt havent hasnt
  its this that there these those my me you your we our us they them he she his
  what whats how when why who where which if because about
  do does did have has can could would should will shall get got
  down up working works work worked again only just still now back broken open opens
  with from of in on off out into
  colleague colleagues everyone everybody anyone anybody nobody someone all also too please thanks thank
  contacts contact phone number numbers opening hours follow outage outages called call calling
  history channel export update declare resolved closed english danish today
`);

/**
 * 'da' or 'en' when the text is clearly Danish or English, else null: "Nexus er
 * nede" → 'da', "Nexus is down" → 'en'; "nexus", "ok", "status", "?" → null.
 */
export function detectLanguage(text: unknown): Language | null {
  if (typeof text !== 'string') return null;
  let da = 0;
  let en = 0;
  for (const word of normalize(text).split(' ')) {
    if (word === '') continue;
    if (DANISH.has(word) || /[æøå]/.test(word)) da++;
    else if (ENGLISH.has(word)) en++;
  }
  if (da > 0 && da > 2 * en) return 'da';
  if (en > 0 && en > 2 * da) return 'en';
  return null;
}

/** What the bot remembers about a person's language (DESIGN.md, "Language"). */
export interface LanguagePreference {
  readonly lang: Language;
  /** They said "english" / "dansk" (or pressed the card's button): only another choice changes it. */
  readonly chosen: boolean;
}

/** The stored form of a preference (under the person's key). */
export const languagePreferenceSchema = schemaFor<LanguagePreference>()(z.object({ lang: z.enum(LANGUAGES), chosen: z.boolean() }));

/** The language to use with a person: their choice, else their last clear text, else Danish. Never the Teams locale. */
export function languageFor(preference: LanguagePreference | undefined): Language {
  return preference?.lang ?? 'da';
}

/**
 * The preference after the person wrote `text`, or null when it does not change
 * (nothing to write): an explicit choice is kept whatever they write; otherwise
 * a clearly Danish or English text becomes their language. Danish text from
 * someone the bot already answers in Danish changes nothing, so most people never
 * have a record at all.
 */
export function afterText(preference: LanguagePreference | undefined, text: string): LanguagePreference | null {
  if (preference?.chosen) return null;
  const detected = detectLanguage(text);
  if (detected === null || detected === languageFor(preference)) return null;
  return { lang: detected, chosen: false };
}

/** The preference after the person chose `lang`, or null when they had already chosen it. */
export function afterChoice(preference: LanguagePreference | undefined, lang: Language): LanguagePreference | null {
  if (preference?.chosen && preference.lang === lang) return null;
  return { lang, chosen: true };
}
