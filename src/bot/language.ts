import { BotState, type StatePropertyAccessor, type Storage, type TurnContext } from 'botbuilder';
import { afterChoice, afterText, detectLanguage, languageFor, languagePreferenceSchema, type LanguagePreference } from '../domain/language';
import type { Language } from '../instruction/schema';
import { defaultDocumentLog, parseStored, type DocumentLog } from '../store/document';
import { personOf } from './person';

/** Storage key of a person's language: per person (Entra object id, else Teams id), whatever the conversation. */
export const personLanguageKey = (personKey: string) => `people/${personKey}`;

/** The language this turn uses, once the turn has worked it out (read by the turn-error handler). */
const TURN_LANGUAGE = Symbol('turnLanguage');

/** Told when a person's language changes (their subscription to personal alerts follows it). */
export type LanguageListener = (personKey: string, lang: Language) => Promise<void>;

/**
 * The language each person uses with the bot (DESIGN.md, "Language"), remembered
 * in storage under their person key, so their 1:1 chat, a channel where they
 * mention the bot and the cards the bot sends them later all agree. The rule is
 * the domain's (src/domain/language.ts); this is where it is kept.
 *
 * Cost per turn: the record is read once per turn (NedbrudBot loads it alongside
 * the conversation state) and written only when it changes, which for most people
 * is never: Danish text from someone the bot answers in Danish leaves no record.
 */
export class PersonLanguages {
  readonly #state: BotState;
  readonly #preference: StatePropertyAccessor<LanguagePreference | undefined>;

  constructor(
    storage: Storage,
    private readonly onChange?: LanguageListener,
    private readonly log: DocumentLog = defaultDocumentLog(),
  ) {
    this.#state = new BotState(storage, async (context) => personLanguageKey(personOf(context.activity).key));
    this.#preference = this.#state.createProperty<LanguagePreference | undefined>('language');
  }

  /** Reads the person's record into the turn; later calls in the turn use it. */
  async load(context: TurnContext): Promise<void> {
    await this.#state.load(context);
  }

  /** The language for this turn: their choice, else their last clear text, else Danish. Never the Teams locale. */
  async of(context: TurnContext): Promise<Language> {
    return languageFor(await this.#get(context));
  }

  /** Free text they wrote: clearly Danish or English text becomes their language, unless they chose one. */
  async noteText(context: TurnContext, text: string): Promise<void> {
    const next = afterText(await this.#get(context), text);
    if (next) await this.#set(context, next);
  }

  /** "english" / "dansk" or the card's button: remembered until they choose again. */
  async choose(context: TurnContext, lang: Language): Promise<void> {
    const next = afterChoice(await this.#get(context), lang);
    if (next) await this.#set(context, next);
  }

  async #get(context: TurnContext): Promise<LanguagePreference | undefined> {
    // A record that does not parse (written by a version that disagrees) counts as none, and is logged.
    const key = personLanguageKey(personOf(context.activity).key);
    const stored = parseStored(languagePreferenceSchema, await this.#preference.get(context), this.log, key, 'language');
    context.turnState.set(TURN_LANGUAGE, languageFor(stored));
    return stored;
  }

  async #set(context: TurnContext, next: LanguagePreference): Promise<void> {
    const before = languageFor(await this.#get(context));
    await this.#preference.set(context, next);
    // Written at once (rare), so the choice holds even if the rest of the turn fails.
    await this.#state.saveChanges(context);
    context.turnState.set(TURN_LANGUAGE, next.lang);
    if (next.lang !== before) await this.onChange?.(personOf(context.activity).key, next.lang);
  }
}

/**
 * The language of a turn where the person's record may not have been read (a
 * refused tenant, a failed turn): the one the turn already worked out, else that
 * of the text if clear, else Danish.
 */
export function turnLanguage(context: Pick<TurnContext, 'activity' | 'turnState'>): Language {
  const known: unknown = context.turnState.get(TURN_LANGUAGE);
  if (known === 'da' || known === 'en') return known;
  return detectLanguage(context.activity.text) ?? 'da';
}
