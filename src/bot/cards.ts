import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Template } from 'adaptivecards-templating';
import type { CardActionData } from './actions';

/** Adaptive Card templates live in the top-level cards/ folder (same path from src/ and dist/). */
export const CARDS_DIR = resolve(__dirname, '..', '..', 'cards');

export interface AdaptiveCardJson {
  readonly type: 'AdaptiveCard';
  readonly version: string;
  readonly [key: string]: unknown;
}

// --- the view models, one per template ---------------------------------------

export interface LineVM {
  readonly text: string;
}

export interface ButtonVM {
  readonly title: string;
  readonly data: CardActionData;
}

export interface LinkVM {
  readonly title: string;
  readonly url: string;
}

export interface ChoiceVM {
  readonly title: string;
  readonly value: string;
}

export interface SectionVM {
  readonly heading: string;
  readonly lines: readonly LineVM[];
}

/** cards/advice.json: a number to call in large type, what to do, and the buttons. */
export interface AdviceVM {
  readonly title: string;
  readonly hasContact: boolean;
  readonly contactName: string;
  readonly phoneText: string;
  readonly phoneLink: string;
  readonly emailLink: string;
  readonly noPhone: string;
  readonly status: string;
  /** Numbered steps (the driftvagt cards) … */
  readonly steps: readonly LineVM[];
  /** … or the advice in its parts, headed. */
  readonly sections?: readonly SectionVM[];
  readonly alternatives: readonly LineVM[];
  readonly note: string;
  readonly actions: readonly ButtonVM[];
}

/** cards/announcement.json: a coloured title, lines, numbers, buttons. */
export interface AnnouncementVM {
  readonly style: 'default' | 'attention' | 'warning' | 'good';
  readonly title: string;
  readonly lines: readonly LineVM[];
  readonly contacts: readonly LineVM[];
  readonly actions: readonly ButtonVM[];
}

export interface ChannelVM {
  readonly title: string;
  readonly intro: string;
  readonly rolesLabel: string;
  /** The roles ticked, comma-separated. */
  readonly roles: string;
  readonly choices: readonly ChoiceVM[];
  readonly registeredTitle: string;
  readonly registered: readonly LineVM[];
  readonly actions: readonly ButtonVM[];
}

export interface ClosedFormVM {
  readonly title: string;
  readonly error: string;
  readonly current: readonly LineVM[];
  /** The form's first day (local date). */
  readonly from: string;
  readonly labels: { readonly from: string; readonly to: string; readonly closedFrom: string; readonly reason: string; readonly add: string };
  readonly addData: CardActionData;
  readonly removeButtons: readonly ButtonVM[];
}

export interface ContactVM {
  readonly name: string;
  readonly phoneText: string;
  readonly phoneLink: string;
  readonly emailLink: string;
  readonly when: string;
  readonly role: string;
}

export interface ContactsVM {
  readonly title: string;
  readonly status: string;
  readonly contacts: readonly ContactVM[];
  readonly actions: readonly ButtonVM[];
}

export interface DeclareFormVM {
  readonly title: string;
  readonly error: string;
  readonly labels: {
    readonly system: string;
    readonly description: string;
    readonly sinceDate: string;
    readonly sinceTime: string;
    readonly expected: string;
    readonly preview: string;
  };
  readonly system: string;
  readonly systems: readonly ChoiceVM[];
  readonly description: string;
  readonly sinceDate: string;
  readonly sinceTime: string;
  readonly expected: string;
  readonly previewData: CardActionData;
}

export interface HoursVM {
  readonly title: string;
  readonly status: string;
  readonly days: readonly { readonly day: string; readonly hours: string; readonly weight: 'Bolder' | 'Default' }[];
  readonly note: string;
  readonly actions: readonly ButtonVM[];
}

export interface NoticeVM {
  readonly title: string;
  readonly lines: readonly LineVM[];
  readonly actions: readonly ButtonVM[];
  readonly links: readonly LinkVM[];
}

/** cards/poster.json: the emergency poster's content, in sections of styled lines. */
export interface PosterLineVM {
  readonly text: string;
  readonly size: 'Default' | 'Large' | 'Small';
  readonly weight: 'Default' | 'Bolder';
  readonly subtle: boolean;
}

export interface PosterVM {
  readonly title: string;
  readonly subtitle: string;
  readonly sections: readonly { readonly heading: string; readonly lines: readonly PosterLineVM[] }[];
}

export interface QuestionVM {
  readonly question: string;
  readonly hints: readonly LineVM[];
  readonly note: string;
  readonly choices: readonly ButtonVM[];
}

export interface UpdateFormVM {
  readonly title: string;
  readonly labels: { readonly outage: string; readonly text: string; readonly send: string };
  readonly outageId: string;
  readonly outages: readonly ChoiceVM[];
  readonly sendData: CardActionData;
}

export interface WelcomeVM {
  readonly title: string;
  readonly body: string;
  readonly privacy: string;
  readonly buttons: readonly ButtonVM[];
}

export interface WorthKnowingVM {
  readonly title: string;
  readonly items: readonly { readonly title: string; readonly text: string }[];
}

/** Each template in cards/ and the view model it is bound to: a template is expanded with nothing else. */
export interface TemplateModels {
  readonly advice: AdviceVM;
  readonly announcement: AnnouncementVM;
  readonly channel: ChannelVM;
  readonly closedForm: ClosedFormVM;
  readonly contacts: ContactsVM;
  readonly declareForm: DeclareFormVM;
  readonly hours: HoursVM;
  readonly notice: NoticeVM;
  readonly poster: PosterVM;
  readonly question: QuestionVM;
  readonly updateForm: UpdateFormVM;
  readonly welcome: WelcomeVM;
  readonly worthKnowing: WorthKnowingVM;
}
export type TemplateName = keyof TemplateModels;

// --- cards: a template, its view model and the builder -------------------------

declare const registered: unique symbol;

/**
 * A card made by a card defined here (defineCard): the only kind cardMessage
 * sends. Every defined card is in the registry (src/bot/cardRegistry.ts), which
 * the card test renders and validates entry by entry.
 */
export type Card = AdaptiveCardJson & { readonly [registered]: true };

/** A card: called like the builder it wraps, it expands the template with the builder's view model. */
export type CardDefinition<T extends TemplateName, A extends unknown[]> = ((...args: A) => Card) & {
  readonly template: T;
  readonly model: (...args: A) => TemplateModels[T];
};

/** Each template is read and prepared once; expanding it does not change it. */
const templates = new Map<TemplateName, Template>();

function template(name: TemplateName): Template {
  let prepared = templates.get(name);
  if (prepared === undefined) {
    prepared = new Template(JSON.parse(readFileSync(resolve(CARDS_DIR, `${name}.json`), 'utf8')) as unknown);
    templates.set(name, prepared);
  }
  return prepared;
}

const defined = new Set<{ readonly template: TemplateName }>();

/** Defines a card: `template` expanded with what `model` builds from the card's arguments (never a storage record). */
export function defineCard<T extends TemplateName, A extends unknown[]>(name: T, model: (...args: A) => TemplateModels[T]): CardDefinition<T, A> {
  const card = Object.assign((...args: A): Card => template(name).expand({ $root: model(...args) }) as Card, { template: name, model });
  defined.add(card);
  return card;
}

/**
 * Every card defined so far (the card test checks each is in the registry).
 * @internal for tests
 */
export function definedCards(): ReadonlySet<{ readonly template: TemplateName }> {
  return defined;
}
