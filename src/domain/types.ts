import type { ContactId, Language, SystemId } from '../instruction/schema';

export type { ContactId, Language, SystemId };

export type Scope = 'individual' | 'general';
export type InternetState = 'up' | 'down';

/** Why the Nexusteam is closed (or closes early) on a day. */
export type ClosureKind = 'weekend' | 'holiday' | 'special' | 'adhoc';

export interface Closure {
  readonly kind: ClosureKind;
  /** From the instruction data or the ad-hoc closure; null for a weekend. */
  readonly reason: string | null;
}

/** The Nexusteam's hours on one local calendar day. */
export interface DayHours {
  /** Local date, YYYY-MM-DD. */
  readonly date: string;
  /** Danish or English weekday name in lower case ("torsdag"). */
  readonly weekday: string;
  /** Open intervals in local time (HH:MM), after closures are applied. */
  readonly open: ReadonlyArray<{ readonly from: string; readonly to: string }>;
  /** Why the day is closed or shortened; null for an ordinary day. */
  readonly closed: Closure | null;
}

/** Whether the Nexusteam is open at an instant, and what comes next. */
export interface HoursStatus {
  readonly open: boolean;
  /** When open: the instant the current opening ends. */
  readonly closesAt: Date | null;
  /** When closed: the next instant it opens (searched up to a year ahead). */
  readonly nextOpen: Date | null;
  /** When closed on a day that has a named closure: why. */
  readonly closure: Closure | null;
}

export interface AdviceContact {
  readonly id: ContactId;
  readonly name: string;
  /** Digits only, or null when the instruction gives no number (the superuser). */
  readonly phone: string | null;
  readonly email: string | null;
}

export interface AdviceRequest {
  readonly system: SystemId;
  readonly scope: Scope;
  /** Whether the Internet works; ignored for system 'internet' (it is the failing thing). */
  readonly internet?: InternetState | undefined;
  /** The vendor said the fault is internal to the municipality → IT. */
  readonly vendorSaysInternal?: boolean | undefined;
  /** When the outage started, if known (default: `at`). Used for escalateAt. */
  readonly start?: Date | undefined;
}

/** What a member of staff must do at one moment. Mirrors the admin CLI's JSON. */
export interface Advice {
  readonly at: Date;
  readonly system: SystemId;
  readonly scope: Scope;
  /** 'down' for system 'internet'; null when unknown. */
  readonly internet: InternetState | null;
  readonly nexusteamOpen: boolean;
  readonly nexusteamClosesAt: Date | null;
  readonly nexusteamNextOpen: Date | null;
  /** Out of hours, general, Internet state unknown: check the Internet before calling anyone. */
  readonly checkInternetFirst: boolean;
  readonly contact: AdviceContact | null;
  readonly alternatives: readonly AdviceContact[];
  /** Who carries the 2-hour rule: the Nexusteam in hours, the caller out of hours; null when no 2-hour rule applies. */
  readonly owner: 'nexusteam' | 'caller' | null;
  /** start + the 2-hour rule's delay for a general outage of a system that has the rule; else null. */
  readonly escalateAt: Date | null;
  /** Which branch of the decision path this is. */
  readonly kind: AdviceKind;
  /** The branch as the admin CLI names it: the kind, or for a vendor's branch the vendor's contact id ("kmd", "bekey"). */
  readonly branch: string;
  /** The sentences, in order, in the requested language: the lines of `sections`, one after the other. */
  readonly steps: readonly string[];
  /** The same sentences in their parts, for a card to head, number or set side by side. */
  readonly sections: readonly AdviceSection[];
  /** Ids of the worth-knowing items that apply. */
  readonly worthKnowing: readonly string[];
}

/**
 * The branches of the decision path: a problem of one person; the Nexusteam in its
 * hours; out of hours check the Internet first, call the system's vendor, or call
 * IT (the Internet is down, or the vendor says the fault is internal).
 */
export type AdviceKind = 'individual' | 'nexusteam' | 'check-internet' | 'vendor' | 'it' | 'vendor-internal';

/**
 * What a part of the advice is:
 * - call: the call to the advice's contact ("Ring til KMD-support: 4460 5040"); a card
 *   shows it as the contact's number
 * - steps: steps in order
 * - whileCalling: what to press and say during the call ("Mens du ringer")
 * - afterCall: what happens after the call and who owns the case ("Efter opkaldet")
 * - either: alternatives, any one will do ("Enten …", "Eller …"), not steps in order
 */
export type AdviceSectionKind = 'call' | 'steps' | 'whileCalling' | 'afterCall' | 'either';

export interface AdviceSection {
  readonly kind: AdviceSectionKind;
  readonly lines: readonly string[];
}
