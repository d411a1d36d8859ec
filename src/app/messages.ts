import type { Outage } from '../domain/outage';
import type { Language, SystemId } from '../instruction/schema';
import type { MailKind, MailSendResult } from '../notify/mail';

/**
 * What the use cases tell people, as data: one kind per message, with the facts
 * it carries and the language of whoever gets it. The use cases decide *what* to
 * tell *whom*; the Teams edge (src/bot/render.ts) turns each kind into a card or a
 * text, and notify/ delivers it. Nothing here knows Teams or the catalogues.
 */

/** Channel posts are Danish; a person gets their own language, else Danish (DESIGN.md, "Language"). */
export const CHANNEL_LANGUAGE: Language = 'da';
export const DEFAULT_LANGUAGE: Language = 'da';

/** Who is told an announcement: staff channels (names shown), or private providers (no internal staff names). */
export type Audience = 'staff' | 'providers';

interface To {
  /** The recipient's language. */
  readonly lang: Language;
}

interface About extends To {
  readonly outage: Outage;
  /** The moment the message describes itself from ("i dag kl. 19.40"). */
  readonly now: Date;
}

/** Suspected from reports: to the Nexusteam's channels with "Bekræft nedbrud"; once confirmed, who confirmed it. */
export interface SuspectedMessage extends About {
  readonly kind: 'suspected';
  readonly submitId: string;
  readonly confirmedBy?: { readonly name: string; readonly at: Date } | undefined;
  /** Distinct reporters (the report store's count); default the outage record's. */
  readonly reporters?: number | undefined;
}

/** The announcement to staff (or providers'); after the all-clear the same card shows it resolved. */
export interface AnnouncementMessage extends About {
  readonly kind: 'announcement';
  readonly audience: Audience;
  /** The 2-hour rule's delay: a card of an outage it applies to says when the driftvagt is told. */
  readonly afterMinutes?: number | undefined;
}

/** An update, as a reply in the announcement's thread (and a personal alert). */
export interface UpdateMessage extends To {
  readonly kind: 'update';
  readonly outage: Outage;
  readonly text: string;
  readonly at: Date;
}

/** The all-clear, as a reply in the announcement's thread (and a personal alert). */
export interface AllClearMessage extends To {
  readonly kind: 'allClear';
  readonly outage: Outage;
}

/** To a reporter: will you follow the outage after the Nexusteam closes? */
export interface HandoverOfferMessage extends About {
  readonly kind: 'handoverOffer';
}

/** The 2-hour card: call the Region's driftvagt, and "Driftvagten er underrettet". */
export interface EscalationMessage extends About {
  readonly kind: 'escalation';
  readonly round: number;
  readonly afterMinutes: number;
  /** Posted in the Nexusteam's channel: may also confirm a suspected outage, and sees who was asked. */
  readonly forChannel?: boolean | undefined;
  /** Out of hours, nobody carrying it: how many reporters got the claim card this round. */
  readonly claimsSent?: number | undefined;
}

/** Out of hours, nobody carrying the 2-hour rule: "Kan du ringe til Regionens driftvagt? [Jeg ringer]". */
export interface ClaimMessage extends About {
  readonly kind: 'claim';
  readonly round: number;
  readonly afterMinutes: number;
}

/** After the all-clear: tell the driftvagt that the system works again. */
export interface BackUpMessage extends About {
  readonly kind: 'backUp';
}

/** To the Nexusteam: the driftvagt card reached nobody (or `count` recipients missed it). */
export interface EscalationUndeliveredMessage extends To {
  readonly kind: 'escalationUndelivered';
  readonly count: number;
}

/** To home care: save the driving lists on USB for these local days (YYYY-MM-DD). */
export interface HomecareMessage extends To {
  readonly kind: 'homecare';
  readonly days: readonly string[];
}

/** To the Nexusteam before it closes during an outage it owns: who follows it? */
export interface HandoverMessage extends About {
  readonly kind: 'handover';
  readonly closing: Date;
}

/** To the Nexusteam: the instruction is past its review date. */
export interface ReviewMessage extends To {
  readonly kind: 'review';
}

/** To the Nexusteam: a mail to the lists did not get through. */
export interface MailUndeliveredMessage extends To {
  readonly kind: 'mailUndelivered';
  readonly mail: MailKind;
  readonly outage: Outage;
  readonly result: MailSendResult;
}

/** To the Nexusteam: personal alerts that did not get through. */
export interface AlertsUndeliveredMessage extends To {
  readonly kind: 'alertsUndelivered';
  readonly system: SystemId;
  readonly count: number;
}

/** What a message that failed for good was (its purpose), for the report to the Nexusteam. */
export type UndeliveredKind = 'announcement' | 'update' | 'allclear' | 'card-update' | 'handover-offer' | 'reminder';

export interface UndeliveredItem {
  readonly what: UndeliveredKind;
  readonly system: SystemId | null;
  /** The channel ("Team › Kanal"), or null for a person's 1:1 chat. */
  readonly channel: string | null;
  /** "HTTP 403", an error code or message. */
  readonly status: string;
}

/** To the Nexusteam: these messages missed their recipients for good; pass them on by phone or mail. */
export interface UndeliveredMessage extends To {
  readonly kind: 'undelivered';
  readonly items: readonly UndeliveredItem[];
  /** How many more were left out of the list. */
  readonly more: number;
}

export type Message =
  | SuspectedMessage
  | AnnouncementMessage
  | UpdateMessage
  | AllClearMessage
  | HandoverOfferMessage
  | EscalationMessage
  | ClaimMessage
  | BackUpMessage
  | EscalationUndeliveredMessage
  | HomecareMessage
  | HandoverMessage
  | ReviewMessage
  | MailUndeliveredMessage
  | AlertsUndeliveredMessage
  | UndeliveredMessage;

