import type { ContactId, Instruction, Language, SystemId, Text } from '../instruction/schema';
import { systemName } from './systems';
import { formatClock, formatDate, formatDayTime, formatLocalDate, formatPhone, formatTime, joinList, localDate } from './time';

/**
 * Fills the placeholders of the instruction's step templates:
 *   {phone:ID}   the contact's phone, grouped ("4460 5040")
 *   {email:ID}   the contact's e-mail address
 *   {system}     the system's name in a sentence (the instruction's systems: Nexus, internettet …)
 *   {contact}    the short name of the contact called ("KMD", "Bekey", "IT")
 *   {escalateAt} {start}  a wall-clock time ("11.00"; with the day when it is not the day of `at`)
 *   {nextOpen}   when the Nexusteam opens next ("mandag 7. december kl. 8.00", "i dag kl. 8.00")
 *   {days}       a list of local dates ("lørdag 5. december, søndag 6. december og mandag 7. december")
 * Anything else in braces, or a placeholder without a value, throws, so a broken
 * instruction file is caught by the tests instead of reaching staff.
 */

export class PlaceholderError extends Error {
  override name = 'PlaceholderError';
}

export interface PlaceholderContext {
  readonly instruction: Instruction;
  readonly lang: Language;
  readonly system?: SystemId | undefined;
  /** The contact called, for {contact}. */
  readonly contact?: ContactId | undefined;
  /** "Now": times on another local day than this one are shown with their date. */
  readonly at?: Date | undefined;
  readonly escalateAt?: Date | null | undefined;
  readonly start?: Date | null | undefined;
  readonly nextOpen?: Date | null | undefined;
  /** Local dates YYYY-MM-DD. */
  readonly days?: readonly string[] | undefined;
}

export const PLACEHOLDER_NAMES = ['phone', 'email', 'system', 'contact', 'escalateAt', 'start', 'nextOpen', 'days'] as const;

const PLACEHOLDER = /\{([^{}]*)\}/g;

/**
 * The placeholders a template uses, as written inside the braces ("phone:kmd", "escalateAt").
 * @internal for tests, which check that both languages of a text use the same ones
 */
export function listPlaceholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
}

/**
 * Sentences the domain adds around the instruction's steps. They are not in the
 * instruction schema (yet); they go through the same placeholders.
 */
export const DOMAIN_TEXTS = {
  nexusteamOpensAgain: {
    da: 'Nexusteamet har lukket nu og åbner igen {nextOpen}.',
    en: 'The Nexus team is closed now and opens again {nextOpen}.',
  },
  nexusteamClosed: {
    da: 'Nexusteamet har lukket nu.',
    en: 'The Nexus team is closed now.',
  },
} as const satisfies Record<string, Text>;

export function fillPlaceholders(template: string, ctx: PlaceholderContext): string {
  if (/[{}]/.test(template.replace(PLACEHOLDER, ''))) {
    throw new PlaceholderError(`unbalanced brace in template "${template}"`);
  }
  return template.replace(PLACEHOLDER, (_whole, inner: string) => fill(inner, template, ctx));
}

/** Fills a text of the instruction in the context's language. */
export function fillText(text: Text, ctx: PlaceholderContext): string {
  return fillPlaceholders(text[ctx.lang], ctx);
}

function fill(inner: string, template: string, ctx: PlaceholderContext): string {
  const [name = '', arg, ...rest] = inner.split(':');
  const fail = (why: string): never => {
    throw new PlaceholderError(`placeholder {${inner}} in "${template}": ${why}`);
  };
  if (rest.length > 0) fail('too many ":"');
  switch (name) {
    case 'phone':
    case 'email': {
      const contact = ctx.instruction.contacts.find((c) => c.id === arg);
      if (!contact) return fail(`expected a contact id of the instruction (${ctx.instruction.contacts.map((c) => c.id).join(', ')})`);
      const value = contact[name];
      if (value === null) return fail(`contact ${contact.id} has no ${name}`);
      return name === 'phone' ? formatPhone(value) : value;
    }
    case 'system':
      noArg(arg, fail);
      return systemName(ctx.instruction, ctx.system ?? fail('no system in this context'), ctx.lang);
    case 'contact': {
      noArg(arg, fail);
      const id = ctx.contact ?? fail('no contact in this context');
      const contact = ctx.instruction.contacts.find((c) => c.id === id) ?? fail('no such contact in the instruction');
      return contact.shortName[ctx.lang];
    }
    case 'escalateAt':
    case 'start': {
      noArg(arg, fail);
      const value = ctx[name] ?? fail(`no ${name} in this context`);
      return clockWithDay(value, ctx);
    }
    case 'nextOpen': {
      noArg(arg, fail);
      return formatNextOpen(ctx.nextOpen ?? fail('no nextOpen in this context'), ctx);
    }
    case 'days': {
      noArg(arg, fail);
      const days = ctx.days ?? fail('no days in this context');
      return joinList(
        days.map((d) => formatLocalDate(d, ctx.lang)),
        ctx.lang,
      );
    }
    default:
      return fail(`unknown placeholder; known: ${PLACEHOLDER_NAMES.map((n) => (n === 'phone' || n === 'email' ? `{${n}:ID}` : `{${n}}`)).join(', ')}`);
  }
}

function noArg(arg: string | undefined, fail: (why: string) => never): void {
  if (arg !== undefined) fail('takes no argument');
}

/** "11.00", or "1.30 søndag 6. december" when not on the day of ctx.at (en: "01:30 on Sunday 6 December"). */
function clockWithDay(value: Date, ctx: PlaceholderContext): string {
  const clock = formatClock(value, ctx.lang);
  if (ctx.at !== undefined && localDate(value) === localDate(ctx.at)) return clock;
  return ctx.lang === 'da' ? `${clock} ${formatDate(value, 'da')}` : `${clock} on ${formatDate(value, 'en')}`;
}

/** "i dag kl. 8.00" / "mandag 7. december kl. 8.00"; en: "today at 08:00" / "on Monday 7 December at 08:00". */
function formatNextOpen(value: Date, ctx: PlaceholderContext): string {
  if (ctx.at !== undefined) return formatDayTime(value, ctx.lang, ctx.at);
  return ctx.lang === 'da' ? `${formatDate(value, 'da')} ${formatTime(value, 'da')}` : `on ${formatDate(value, 'en')} at ${formatTime(value, 'en')}`;
}
