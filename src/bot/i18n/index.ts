import type { Language } from '../../instruction/schema';
import { da, type MessageKey } from './da';
import { en } from './en';

export type { MessageKey };

const catalogues: Record<Language, Record<MessageKey, string>> = { da, en };

/**
 * A message in the language, with {name} placeholders filled. `{count|kollega|kolleger}`
 * picks the singular when `count` is 1 and the plural otherwise (the number itself is
 * written with `{count}`), so "1 kollega" and "3 kolleger" come from one text.
 */
export function t(lang: Language, key: MessageKey, vars: Record<string, string | number> = {}): string {
  return catalogues[lang][key]
    .replace(/\{(\w+)\|([^|{}]*)\|([^|{}]*)\}/g, (whole, name: string, one: string, many: string) =>
      name in vars ? (Number(vars[name]) === 1 ? one : many) : whole,
    )
    .replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/**
 * A language's whole catalogue (the catalogue tests compare the languages' keys and texts).
 * @internal for tests
 */
export function catalogue(lang: Language): Readonly<Record<MessageKey, string>> {
  return catalogues[lang];
}
