import { addMinutes } from 'date-fns';
import type { ContactId, Language, SystemId } from './types';

/**
 * An outage of one system, from the first report to the all-clear. Pure: every
 * transition takes the instant and returns a new record (or says why not), so the
 * same rules hold wherever the record is stored. Times are ISO instants (UTC).
 */

export interface Person {
  /** Entra object id when Teams gives one, else the Teams user id. */
  readonly key: string;
  readonly name: string;
  /** Their 1:1 chat with the bot, when known: reminders go there. */
  readonly reach?: { readonly conversationId: string; readonly serviceUrl: string; readonly tenantId?: string | undefined };
  /** The language they use with the bot (their choice, else their last clear text); 1:1 cards to them use it. Default Danish. */
  readonly lang?: Language | undefined;
}

export type OutageStatus = 'suspected' | 'active' | 'resolved';

/** Whom an owner called out of hours: the system's vendor (KMD for Nexus), or IT when the fault is the network or internal. */
export type CalledContact = ContactId;

export type Owner =
  | { readonly kind: 'nexusteam'; readonly since: string }
  | {
      readonly kind: 'person';
      readonly person: Person;
      readonly since: string;
      /** Whom they called; absent when they took the outage over from the Nexusteam (hand-over). */
      readonly contact?: CalledContact | undefined;
    };

export type EventKind =
  | 'reported'
  | 'suspected'
  | 'declared'
  | 'confirmed'
  | 'owned'
  | 'updated'
  | 'announced'
  | 'worksAgain'
  | 'resolved'
  | 'escalated'
  | 'escalationAcknowledged'
  | 'dutyClaimed'
  | 'driftvagtToldUp';

export interface TimelineEvent {
  readonly at: string;
  readonly kind: EventKind;
  readonly by?: Person;
  readonly text?: string;
}

export interface OutageUpdate {
  readonly id: string;
  readonly at: string;
  readonly by: Person;
  readonly text: string;
}

/** A post in a channel (or 1:1) that later updates reply to or replace. */
export interface Announcement {
  readonly conversationId: string;
  /** Where the channel's Bot Connector lives (needed to reply or update later). */
  readonly serviceUrl: string;
  /** Teams' id of the post, once it was delivered (posts recorded before the outbox had ids have only this). */
  readonly activityId?: string | undefined;
  /** The outbox id it was queued under: replies and replacements refer to it until Teams' id is known. */
  readonly messageId?: string | undefined;
  readonly kind: 'announcement' | 'owner-notice' | 'suspected' | 'escalation' | 'claim' | 'backUp';
  /** The language of a post to a person (replacements use it too); channel posts are Danish. */
  readonly lang?: Language | undefined;
  /** A post in a private providers' channel: shown without internal staff names. */
  readonly audience?: 'providers' | undefined;
}

/** The 2-hour rule's state: rounds sent, where the cards went, who told the driftvagt. */
export interface Escalation {
  readonly rounds: number;
  readonly posts: readonly Announcement[];
  readonly acknowledged: { readonly by: Person; readonly at: string } | null;
  /** The driftvagt was told that Nexus works again. */
  readonly toldUp: { readonly by: Person; readonly at: string } | null;
  /** Out of hours, nobody owning the outage: the reporter who pressed "Jeg ringer" on the claim card (gets the repeats). */
  readonly duty?: { readonly by: Person; readonly at: string } | null | undefined;
}

export const NO_ESCALATION: Escalation = { rounds: 0, posts: [], acknowledged: null, toldUp: null, duty: null };

export interface Outage {
  readonly id: string;
  readonly system: SystemId;
  readonly status: OutageStatus;
  /** When access was first lost as far as anyone knows (the 2-hour rule counts from here). */
  readonly start: string;
  readonly description: string | null;
  /** Expected back, as the Nexusteam wrote it ("kl. 21", "i løbet af aftenen"). */
  readonly expected: string | null;
  readonly declaredBy: Person | null;
  readonly owner: Owner | null;
  /** The first FIRST_REPORTS reports (all of them: the report store). */
  readonly reports: readonly { readonly person: Person; readonly at: string }[];
  readonly worksAgain: readonly { readonly person: Person; readonly at: string }[];
  readonly updates: readonly OutageUpdate[];
  readonly announcements: readonly Announcement[];
  readonly resolved: { readonly at: string; readonly by: Person } | null;
  readonly escalation: Escalation;
  /** When the Nexusteam's channels were shown the suspected outage (in its hours), if they were. */
  readonly nexusteamTold?: string | null | undefined;
  readonly timeline: readonly TimelineEvent[];
}

const iso = (at: Date) => at.toISOString();

function withEvent(o: Outage, event: TimelineEvent, patch: Partial<Outage> = {}): Outage {
  return { ...o, ...patch, timeline: [...o.timeline, event] };
}

export interface NewOutage {
  readonly id: string;
  readonly system: SystemId;
  readonly status: 'suspected' | 'active';
  readonly start: Date;
  readonly at: Date;
  readonly reports?: readonly { readonly person: Person; readonly at: string }[];
}

export function newOutage(n: NewOutage): Outage {
  const base: Outage = {
    id: n.id,
    system: n.system,
    status: n.status,
    start: iso(n.start),
    description: null,
    expected: null,
    declaredBy: null,
    owner: null,
    reports: n.reports ?? [],
    worksAgain: [],
    updates: [],
    announcements: [],
    resolved: null,
    escalation: NO_ESCALATION,
    timeline: (n.reports ?? []).map((r): TimelineEvent => ({ at: r.at, kind: 'reported', by: r.person })),
  };
  return n.status === 'suspected'
    ? withEvent(base, { at: iso(n.at), kind: 'suspected', text: String(base.reports.length) })
    : base;
}

export const isOpen = (o: Outage) => o.status !== 'resolved';

/**
 * How many reports the outage record itself keeps (the first few, for the timeline
 * and the cards); every report, however many, is kept by the report store under
 * its own keys, so the record stays small through a burst.
 */
export const FIRST_REPORTS = 10;

/** One report per person per outage; the record keeps only the first FIRST_REPORTS (see above). */
export function addReport(o: Outage, person: Person, at: Date): { outage: Outage; counted: boolean } {
  if (!isOpen(o) || o.reports.length >= FIRST_REPORTS || o.reports.some((r) => r.person.key === person.key)) return { outage: o, counted: false };
  const report = { person, at: iso(at) };
  return { outage: withEvent(o, { at: report.at, kind: 'reported', by: person }, { reports: [...o.reports, report] }), counted: true };
}

export type OwnResult = { ok: true; outage: Outage } | { ok: false; owner: Owner };

/**
 * "Jeg har ringet til KMD / Bekey / IT": the first presser owns the outage and it
 * becomes active; anyone later is told who owns it. Pressing again is harmless.
 */
export function claimOwnership(o: Outage, person: Person, at: Date, contact: CalledContact): OwnResult {
  if (o.owner) {
    if (o.owner.kind === 'person' && o.owner.person.key === person.key) return { ok: true, outage: o };
    return { ok: false, owner: o.owner };
  }
  const owner: Owner = { kind: 'person', person, since: iso(at), contact };
  return { ok: true, outage: withEvent(o, { at: iso(at), kind: 'owned', by: person, text: contact }, { owner, status: 'active' }) };
}

export interface Declaration {
  readonly description: string | null;
  readonly start: Date;
  readonly expected: string | null;
  readonly by: Person;
  readonly at: Date;
}

/** The Nexusteam declares (or takes over) the outage: active, owned by the Nexusteam. */
export function declare(o: Outage, d: Declaration): Outage {
  return withEvent(
    o,
    { at: iso(d.at), kind: 'declared', by: d.by, ...(d.description ? { text: d.description } : {}) },
    {
      status: 'active',
      start: iso(d.start),
      description: d.description,
      expected: d.expected,
      declaredBy: d.by,
      owner: o.owner?.kind === 'person' ? o.owner : { kind: 'nexusteam', since: iso(d.at) },
    },
  );
}

/** "Bekræft nedbrud" on a suspected outage. */
export function confirm(o: Outage, by: Person, at: Date): Outage {
  if (o.status !== 'suspected') return o;
  return withEvent(o, { at: iso(at), kind: 'confirmed', by }, {
    status: 'active',
    owner: o.owner ?? { kind: 'nexusteam', since: iso(at) },
  });
}

export function addUpdate(o: Outage, update: OutageUpdate): Outage {
  if (o.updates.some((u) => u.id === update.id)) return o;
  return withEvent(o, { at: update.at, kind: 'updated', by: update.by, text: update.text }, { updates: [...o.updates, update] });
}

/**
 * Whether two records are the same post: the same conversation and outbox id, or
 * (a post recorded before it had an outbox id) the same Teams id.
 */
export function samePost(x: Announcement, y: Announcement): boolean {
  if (x.conversationId !== y.conversationId) return false;
  if (x.messageId !== undefined && y.messageId !== undefined) return x.messageId === y.messageId;
  return x.activityId !== undefined && x.activityId === y.activityId;
}

/** The post's identity in keys of messages that refer to it (its outbox id, or Teams' id for an old one). */
export function postId(a: Announcement): string {
  return a.messageId ?? a.activityId ?? '';
}

/**
 * Adds a post to a list, or (the same post again) fills in what is newly known:
 * Teams' id once it was delivered. Returns the list unchanged when nothing is new.
 */
export function withPost(posts: readonly Announcement[], a: Announcement): readonly Announcement[] {
  const i = posts.findIndex((x) => samePost(x, a));
  if (i < 0) return [...posts, a];
  const known = posts[i] as Announcement;
  if (known.activityId !== undefined || a.activityId === undefined) return posts;
  return posts.map((x, j) => (j === i ? { ...x, activityId: a.activityId } : x));
}

export function addAnnouncement(o: Outage, a: Announcement, at: Date): Outage {
  const announcements = withPost(o.announcements, a);
  if (announcements === o.announcements) return o;
  if (announcements.length === o.announcements.length) return { ...o, announcements };
  return withEvent(o, { at: iso(at), kind: 'announced', text: a.kind }, { announcements });
}

/** How many "works again for me" the record keeps (enough to see it coming back; bounded through a burst). */
export const MAX_WORKS_AGAIN = 50;

export function markWorksAgain(o: Outage, person: Person, at: Date): Outage {
  if (o.worksAgain.length >= MAX_WORKS_AGAIN || o.worksAgain.some((w) => w.person.key === person.key)) return o;
  return withEvent(o, { at: iso(at), kind: 'worksAgain', by: person }, {
    worksAgain: [...o.worksAgain, { person, at: iso(at) }],
  });
}

export function resolve(o: Outage, by: Person, at: Date): Outage {
  if (o.status === 'resolved') return o;
  return withEvent(o, { at: iso(at), kind: 'resolved', by }, { status: 'resolved', resolved: { at: iso(at), by } });
}

/**
 * The one deadline of an outage: when the Region's driftvagt must be told, start +
 * the 2-hour rule's delay of its system (systems.ts, escalationAfter), on instants;
 * null where the rule does not apply.
 */
export function escalationDue(o: Outage, afterMinutes: number | null): Date | null {
  return afterMinutes === null ? null : addMinutes(new Date(o.start), afterMinutes);
}

export function latestUpdate(o: Outage): OutageUpdate | null {
  return o.updates[o.updates.length - 1] ?? null;
}

/** Detection: the distinct people who reported within the window (inclusive) before `now`, or after it. */
export function reportsInWindow<R extends { readonly person: Person; readonly at: string }>(
  reports: readonly R[],
  now: Date,
  windowMinutes: number,
): R[] {
  const from = addMinutes(now, -windowMinutes).getTime();
  const seen = new Set<string>();
  const inside: R[] = [];
  for (const r of reports) {
    const t = Date.parse(r.at);
    // Reports stamped a little after `now` are kept: another instance (or a turn queued
    // behind this one) read its clock later but wrote first. Only old reports drop out.
    if (t < from || seen.has(r.person.key)) continue;
    seen.add(r.person.key);
    inside.push(r);
  }
  return inside;
}

/** The earliest instant among reports, or null. */
export function earliest(reports: readonly { readonly at: string }[]): Date | null {
  let min: number | null = null;
  for (const r of reports) {
    const t = Date.parse(r.at);
    if (min === null || t < min) min = t;
  }
  return min === null ? null : new Date(min);
}

/** An escalation round was sent to these places. */
export function recordEscalation(o: Outage, round: number, posts: readonly Announcement[], at: Date): Outage {
  const escalation = o.escalation ?? NO_ESCALATION;
  return withEvent(o, { at: iso(at), kind: 'escalated', text: String(round + 1) }, {
    escalation: { ...escalation, rounds: Math.max(escalation.rounds, round + 1), posts: posts.reduce(withPost, escalation.posts) },
  });
}

/** Notes a driftvagt or back-up card (or, once delivered, its Teams id) with the 2-hour rule's posts. */
export function recordEscalationPost(o: Outage, post: Announcement): Outage {
  const escalation = o.escalation ?? NO_ESCALATION;
  const posts = withPost(escalation.posts, post);
  return posts === escalation.posts ? o : { ...o, escalation: { ...escalation, posts } };
}

/** "Driftvagten er underrettet": the first acknowledgement closes it for everyone. */
export function acknowledgeEscalation(o: Outage, by: Person, at: Date): { outage: Outage; first: boolean } {
  const escalation = o.escalation ?? NO_ESCALATION;
  if (escalation.acknowledged) return { outage: o, first: false };
  return {
    outage: withEvent(o, { at: iso(at), kind: 'escalationAcknowledged', by }, { escalation: { ...escalation, acknowledged: { by, at: iso(at) } } }),
    first: true,
  };
}

/**
 * "Jeg ringer" on the claim card: the first to press carries the driftvagt duty
 * (and gets the repeats); anyone later is told who took it. Pressing again is harmless.
 */
export function claimDuty(o: Outage, by: Person, at: Date): { outage: Outage; taker: { by: Person; at: string }; first: boolean } {
  const escalation = o.escalation ?? NO_ESCALATION;
  if (escalation.duty) return { outage: o, taker: escalation.duty, first: false };
  const duty = { by, at: iso(at) };
  return { outage: withEvent(o, { at: duty.at, kind: 'dutyClaimed', by }, { escalation: { ...escalation, duty } }), taker: duty, first: true };
}

/** The driftvagt was told that Nexus works again. */
export function markToldUp(o: Outage, by: Person, at: Date): { outage: Outage; first: boolean } {
  const escalation = o.escalation ?? NO_ESCALATION;
  if (escalation.toldUp) return { outage: o, first: false };
  return {
    outage: withEvent(o, { at: iso(at), kind: 'driftvagtToldUp', by }, { escalation: { ...escalation, toldUp: { by, at: iso(at) } } }),
    first: true,
  };
}

/** Before the Nexusteam closes, a named member takes the outage over: they carry the 2-hour rule from now. */
export function handOver(o: Outage, person: Person, at: Date): Outage {
  if (o.owner?.kind === 'person' && o.owner.person.key === person.key) return o;
  return withEvent(o, { at: iso(at), kind: 'owned', by: person, text: 'handover' }, { owner: { kind: 'person', person, since: iso(at) } });
}
