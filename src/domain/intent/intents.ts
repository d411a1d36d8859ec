import type { Language, SystemId } from '../../instruction/schema';
import type { CalledContact } from '../outage';

/** What a member of staff (or the Nexusteam) means by a typed message. */
export type Intent =
  | { readonly kind: 'outage'; readonly system: SystemId | null }
  | { readonly kind: 'worksAgain'; readonly system: SystemId | null }
  | { readonly kind: 'statusQuestion'; readonly system: SystemId | null }
  | { readonly kind: 'notOutage'; readonly system: SystemId | null }
  | { readonly kind: 'called'; readonly contact: CalledContact }
  | { readonly kind: 'help' }
  | { readonly kind: 'restart' }
  | { readonly kind: 'contacts' }
  | { readonly kind: 'hours' }
  | { readonly kind: 'status' }
  | { readonly kind: 'follow'; readonly system: SystemId | null }
  | { readonly kind: 'unfollow' }
  | { readonly kind: 'declare'; readonly system: SystemId | null }
  | { readonly kind: 'update' }
  | { readonly kind: 'resolve'; readonly system: SystemId | null }
  | { readonly kind: 'channel' }
  | { readonly kind: 'history' }
  | { readonly kind: 'export' }
  | { readonly kind: 'closed' }
  | { readonly kind: 'bilag1' }
  /** "plakat": the emergency poster's content and how to print it (the Nexusteam). */
  | { readonly kind: 'poster' }
  | { readonly kind: 'greeting' }
  /** "english" / "dansk": the language the person wants the bot to use with them. */
  | { readonly kind: 'language'; readonly lang: Language }
  | { readonly kind: 'unknown' };

// The intents without a system, shared rather than built per message.
export const HELP: Intent = { kind: 'help' };
export const RESTART: Intent = { kind: 'restart' };
export const CONTACTS: Intent = { kind: 'contacts' };
export const HOURS: Intent = { kind: 'hours' };
export const STATUS: Intent = { kind: 'status' };
export const UNFOLLOW: Intent = { kind: 'unfollow' };
export const UNKNOWN: Intent = { kind: 'unknown' };
export const GREETING: Intent = { kind: 'greeting' };
export const IN_ENGLISH: Intent = { kind: 'language', lang: 'en' };
export const IN_DANISH: Intent = { kind: 'language', lang: 'da' };
