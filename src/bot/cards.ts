import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Template } from 'adaptivecards-templating';

/** Adaptive Card templates live in the top-level cards/ folder (same path from src/ and dist/). */
export const CARDS_DIR = resolve(__dirname, '..', '..', 'cards');

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

export interface AdaptiveCardJson {
  readonly type: 'AdaptiveCard';
  readonly version: string;
  readonly [key: string]: unknown;
}

/** Each template is read and prepared once; expanding it does not change it. */
const templates = new Map<string, Template>();

function template(name: string): Template {
  let prepared = templates.get(name);
  if (prepared === undefined) {
    prepared = new Template(JSON.parse(readFileSync(resolve(CARDS_DIR, `${name}.json`), 'utf8')) as unknown);
    templates.set(name, prepared);
  }
  return prepared;
}

/** Expands cards/<name>.json with a typed view model (never a storage record). */
export function renderCard<VM extends object>(name: string, viewModel: VM): AdaptiveCardJson {
  return template(name).expand({ $root: viewModel }) as AdaptiveCardJson;
}

export function cardAttachment(card: AdaptiveCardJson): { contentType: string; content: AdaptiveCardJson } {
  return { contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: card };
}
