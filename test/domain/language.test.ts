import { describe, expect, it } from 'vitest';
import { afterChoice, afterText, detectLanguage, languageFor, type LanguagePreference } from '../../src/domain/language';

/*
 * The bot answers in the language of a person's last clearly Danish or English
 * text (DESIGN.md, "Language"), so a guess here decides the language of every
 * card that follows. Null ("not clear") keeps what the bot already uses.
 */
describe('detectLanguage', () => {
  it.each<[string, 'da' | 'en' | null]>([
    // Danish, as staff write it
    ['Nexus er nede', 'da'],
    ['nexus er nede', 'da'],
    ['nexus nede', 'da'],
    ['kan ikke logge på nexus', 'da'],
    ['Bekey virker ikke', 'da'],
    ['ingen net', 'da'],
    ['jeg har ringet til KMD', 'da'],
    ['nej, også hos kolleger', 'da'],
    ['ja', 'da'],
    ['hej', 'da'],
    ['tak for hjælpen', 'da'],
    ['hjælp', 'da'],
    ['kontakter', 'da'],
    ['åbningstider', 'da'],
    ['forfra', 'da'],
    ['dansk', 'da'],
    ['på dansk', 'da'],
    ['følg nedbrud', 'da'],
    ['Nexus virker igen', 'da'],
    ['Nexus er nede hos borger ******-****', 'da'],
    ['<at>Nedbrud</at> Nexus er nede', 'da'],
    ['ring til IT, nettet er nede', 'da'],
    // English
    ['Nexus is down', 'en'],
    ['nexus is not working', 'en'],
    ["I can't log in to Nexus", 'en'],
    ['no internet', 'en'],
    ["Bekey won't open", 'en'],
    ['The internet is down', 'en'],
    ['english', 'en'],
    ['in english', 'en'],
    ['contacts', 'en'],
    ['opening hours', 'en'],
    ['follow outages', 'en'],
    ['stop outages', 'en'],
    ['Nexus works again', 'en'],
    ['I called KMD', 'en'],
    ['No, colleagues too', 'en'],
    ['yes', 'en'],
    ['thanks', 'en'],
    // Not clear: names, loanwords, symbols, mixed
    ['nexus', null],
    ['NEXUS!!!', null],
    ['bekey', null],
    ['ok', null],
    ['status', null],
    ['?', null],
    ['help', null],
    ['hi', null],
    ['stop', null],
    ['start over', null],
    ['KMD', null],
    ['4460 5040', null],
    ['👍', null],
    ['', null],
    ['   ', null],
    ['Nexus er down', null],
    ['nexus is nede igen', null],
  ])('%j → %j', (text, expected) => {
    expect(detectLanguage(text)).toBe(expected);
  });

  it('a message mostly in one language is that language; an even mix is not clear', () => {
    expect(detectLanguage('Nexus er nede igen, det er ikke kun mig, also my colleagues')).toBe('da');
    expect(detectLanguage('Nexus is down again and it does not work for my colleagues, hej')).toBe('en');
    expect(detectLanguage('Nexus er nede, is down')).toBe(null);
  });

  it('never throws, and says null for what is not text', () => {
    expect(detectLanguage(undefined)).toBe(null);
    expect(detectLanguage(42)).toBe(null);
    expect(detectLanguage('ikke '.repeat(5000))).toBe('da');
    expect(() => detectLanguage('\uD83D'.repeat(3000))).not.toThrow();
  });
});

describe('the language remembered for a person', () => {
  const chose = (lang: 'da' | 'en'): LanguagePreference => ({ lang, chosen: true });
  const wrote = (lang: 'da' | 'en'): LanguagePreference => ({ lang, chosen: false });

  it('is Danish until they say otherwise', () => {
    expect(languageFor(undefined)).toBe('da');
  });

  it.each<[string, LanguagePreference | undefined, string, LanguagePreference | null]>([
    ['a newcomer writing Danish keeps Danish without a record', undefined, 'Nexus er nede', null],
    ['a newcomer writing English gets English', undefined, 'Nexus is down', wrote('en')],
    ['someone who wrote English and now writes Danish gets Danish', wrote('en'), 'Nexus er nede', wrote('da')],
    ['a text that is not clear changes nothing', wrote('en'), 'ok', null],
    ['the same language again writes nothing', wrote('en'), 'Nexus is down', null],
    ['after "english", Danish text does not switch back', chose('en'), 'Nexus er nede', null],
    ['after "dansk", English text does not switch', chose('da'), 'Nexus is down', null],
  ])('%s', (_name, before, text, after) => {
    expect(afterText(before, text)).toEqual(after);
  });

  it.each<[string, LanguagePreference | undefined, 'da' | 'en', LanguagePreference | null]>([
    ['"english" from a newcomer is remembered as a choice', undefined, 'en', chose('en')],
    ['"dansk" from a newcomer is remembered too, so English text later does not switch', undefined, 'da', chose('da')],
    ['"dansk" after "english" switches back', chose('en'), 'da', chose('da')],
    ['"english" from someone who wrote English makes it a choice', wrote('en'), 'en', chose('en')],
    ['"english" twice writes once', chose('en'), 'en', null],
  ])('%s', (_name, before, lang, after) => {
    expect(afterChoice(before, lang)).toEqual(after);
  });
});
