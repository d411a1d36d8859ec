import { readMessage } from './reading';
import type { Vocabulary } from './systems';
import { hasAnyPhrase, prepare, set, wordsOf, type Tokens } from './text';
import { NEGATION } from './words';

/** Answers to the triage questions, typed instead of tapped. */

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
export function parseScope(text: string, v: Vocabulary): 'individual' | 'general' | null {
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
export function parseInternet(text: string, v: Vocabulary): 'up' | 'down' | null {
  const tokens = wordsOf(prepare(text));
  if (tokens.length === 0 || hasAnyPhrase(tokens, DONT_KNOW)) return null;
  const reading = readMessage(text, v);
  if (reading.fails) return 'down';
  if (reading.works) return 'up';
  const yesNo = parseYesNo(text);
  return yesNo === null ? null : yesNo === 'yes' ? 'up' : 'down';
}
