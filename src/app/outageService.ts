import { maskCpr } from '../domain/cpr';
import { escalationAfter } from '../domain/systems';
import {
  addAnnouncement,
  addReport,
  addUpdate,
  claimOwnership,
  confirm,
  declare,
  earliest,
  FIRST_REPORTS,
  handOver,
  markWorksAgain,
  newOutage,
  postId,
  reportsInWindow,
  resolve,
  type Announcement,
  type CalledContact,
  type Outage,
  type Owner,
  type Person,
  type TimelineEvent,
} from '../domain/outage';
import type { SystemId } from '../domain/types';
import type { Language } from '../instruction/schema';
import { markHandled, newOutageId, type LiveDoc, type OutageStore } from '../store/outages';
import type { ReportStore } from '../store/reports';
import type { OutboxPurpose } from '../notify/outbox/purpose';
import { localDate } from '../domain/time';
import { CHANNEL_LANGUAGE, DEFAULT_LANGUAGE, type Audience, type Message } from './messages';
import { messageId, postRef, type ChannelTarget, type DutyDeps, type Outgoing } from './ports';

/**
 * The outage workflow: reports, ownership, declare, update, all-clear. Each step
 * is one eTag-checked change of the live document (pure domain transitions),
 * then the posts it implies, then a second change that records where they went.
 * Submits carry an id, handled once however often they arrive.
 */

export interface OutageServiceDeps extends DutyDeps {
  readonly store: OutageStore;
  /** Every report, under its own keys (the outage record keeps only the first few). */
  readonly reports: ReportStore;
  /** Told when an outage opens or its start moves, and when it is resolved (the 2-hour rule listens). */
  readonly events?: OutageEvents;
}

export interface OutageEvents {
  opened(outage: Outage): Promise<void>;
  resolved(outage: Outage): Promise<void>;
  /** Mail and personal alerts for an announcement, an update or the all-clear. */
  notify(outage: Outage, message: 'announcement' | 'update' | 'allclear', updateId?: string): Promise<void>;
}

export type ClaimResult =
  | { readonly kind: 'owner'; readonly outage: Outage; readonly first: boolean; readonly posted: number }
  | { readonly kind: 'taken'; readonly owner: Owner; readonly outage: Outage };

export interface ReportResult {
  readonly outage: Outage | null;
  readonly counted: boolean;
  /** The outage's start, or (none yet) the earliest report waiting in the window, this one included: the 2 hours count from here. */
  readonly start: Date;
  /** Distinct colleagues (besides this person) who reported: within the detection window, or the outage's. */
  readonly others: number;
  /** With an outage: how many distinct people reported it, this person included. */
  readonly count?: number;
}

export interface DeclareInput {
  readonly submitId: string;
  readonly system: SystemId;
  readonly description: string;
  readonly start: Date;
  readonly expected: string;
  readonly by: Person;
}

export type SubmitOutcome<T> = { readonly kind: 'done'; readonly value: T } | { readonly kind: 'duplicate' } | { readonly kind: 'gone' };

/** How old a count of reporters shown to staff may be (ReportStore.count). */
const COUNT_MAX_AGE_MS = 1000;
/** How old a read of the live document may be when a turn asks whether an outage is known (OutageStore.openFor). */
const KNOWN_MAX_AGE_MS = 1000;

/** Masks CPR-like numbers and trims; returns null for empty text. */
export function cleanText(text: string, max: number): { text: string | null; masked: boolean } {
  const trimmed = text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').trim().slice(0, max);
  const { text: masked, masked: n } = maskCpr(trimmed);
  return { text: masked.length > 0 ? masked : null, masked: n > 0 };
}

export class OutageService {
  constructor(private readonly deps: OutageServiceDeps) {}

  private now(): Date {
    return this.deps.clock.now();
  }

  /** The open (suspected or active) outage of a system, if any. */
  async known(system: SystemId): Promise<Outage | null> {
    return this.deps.store.openFor(system, KNOWN_MAX_AGE_MS);
  }

  /** The earliest report still waiting in the detection window (the default "nede siden"). */
  async earliestWaiting(system: SystemId): Promise<Date | null> {
    const live = await this.deps.store.live();
    return earliest(reportsInWindow(live.pending[system] ?? [], this.now(), this.deps.delays.detectionWindowMinutes));
  }

  async open(): Promise<Outage[]> {
    const live = await this.deps.store.live();
    return Object.values(live.open).filter((o): o is Outage => o !== undefined);
  }

  async get(id: string): Promise<Outage | null> {
    return this.deps.store.get(id);
  }

  history() {
    return this.deps.store.history();
  }

  /**
   * A member of staff says colleagues are affected too. With an open outage the
   * report is counted there; otherwise it waits in the detection window, and
   * enough distinct people within it make a suspected outage.
   */
  async reportGeneral(system: SystemId, person: Person): Promise<ReportResult> {
    const at = this.now();
    const { detectionEnabled, detectionThreshold, detectionWindowMinutes } = this.deps.delays;
    // Past the first few reports of an open outage the live document is not touched at all: no change
    // (each one waits its turn in this process's queue for the document), just the report's own keys.
    const known = await this.deps.store.openFor(system, KNOWN_MAX_AGE_MS);
    if (known && known.reports.length >= FIRST_REPORTS) {
      const { counted } = await this.deps.reports.add(known.id, person, at);
      const count = await this.deps.reports.count(known.id, COUNT_MAX_AGE_MS);
      return { outage: known, counted, others: Math.max(0, count - 1), start: new Date(known.start), count };
    }
    // The live document changes only for the first few reports of an outage, or while reports wait in the
    // (bounded) detection window; every report is stored under its own keys by the report store.
    const outcome = await this.deps.store.change((doc): { doc?: LiveDoc; result: { outage: Outage | null; window: number; start: Date; created: boolean; counted: boolean } } => {
      const open = doc.open[system];
      if (open) {
        const { outage, counted } = addReport(open, person, at);
        return { doc: counted ? withOpen(doc, outage) : undefined, result: { outage, window: 0, start: new Date(outage.start), created: false, counted: false } };
      }
      const previous = reportsInWindow(doc.pending[system] ?? [], at, detectionWindowMinutes);
      const already = previous.some((r) => r.person.key === person.key);
      const window = already ? previous : [...previous, { person, at: at.toISOString() }];
      if (detectionEnabled && window.length >= detectionThreshold) {
        const outage = newOutage({
          id: newOutageId(system, at),
          system,
          status: 'suspected',
          start: earliest(window) ?? at,
          at,
          reports: window,
        });
        const pending = { ...doc.pending, [system]: [] };
        return { doc: { ...withOpen(doc, outage), pending }, result: { outage, window: window.length, start: new Date(outage.start), created: true, counted: !already } };
      }
      // With detection off nothing waits for a threshold: keep no pending reports (they would only grow the document).
      return {
        doc: already || !detectionEnabled ? undefined : { ...doc, pending: { ...doc.pending, [system]: window } },
        result: { outage: null, window: window.length, start: earliest(window) ?? at, created: false, counted: !already },
      };
    });
    const { outage } = outcome;
    if (!outage) return { outage: null, counted: outcome.counted, others: outcome.window - 1, start: outcome.start };
    if (outcome.created) await this.deps.reports.addAll(outage.id, outage.reports);
    const { counted } = outcome.created ? { counted: outcome.counted } : await this.deps.reports.add(outage.id, person, at);
    // Shown to the person (the known-outage card): a count up to a second old will do in a burst.
    const count = await this.deps.reports.count(outage.id, COUNT_MAX_AGE_MS);
    if (outcome.created) {
      await this.deps.events?.opened(outage);
      await this.announceSuspected(outage);
    }
    return { outage, counted, others: Math.max(0, count - 1), start: outcome.start, count };
  }

  /**
   * At start: an open outage recorded before reports had keys of their own (every
   * report in the record) gets them stored under their keys, and its record trimmed
   * to the first few. Idempotent; nothing to do once done.
   */
  async adoptReports(): Promise<number> {
    const live = await this.deps.store.live();
    let adopted = 0;
    for (const outage of Object.values(live.open)) {
      if (!outage || outage.reports.length === 0) continue;
      await this.deps.reports.addAll(outage.id, outage.reports);
      adopted += outage.reports.length;
      if (outage.reports.length <= FIRST_REPORTS) continue;
      await this.deps.store.change((doc) => {
        const open = findOpen(doc, outage.id);
        if (!open || open.reports.length <= FIRST_REPORTS) return { result: undefined };
        const kept = new Set(open.reports.slice(0, FIRST_REPORTS).map((r) => r.person.key));
        const timeline = open.timeline.filter((e) => e.kind !== 'reported' || (e.by !== undefined && kept.has(e.by.key)));
        return { doc: withOpen(doc, { ...open, reports: open.reports.slice(0, FIRST_REPORTS), timeline }), result: undefined };
      });
    }
    return adopted;
  }

  /** Whether this person reported the outage (they may take or acknowledge the driftvagt duty). */
  isReporter(outageId: string, personKey: string): Promise<boolean> {
    return this.deps.reports.has(outageId, personKey);
  }

  /** How many distinct people reported the outage. */
  reportCount(outageId: string): Promise<number> {
    return this.deps.reports.count(outageId);
  }

  /** The outage with every report in its timeline (the record keeps only the first few), for the review afterwards. */
  async withAllReports(outage: Outage): Promise<Outage> {
    const reports = await this.deps.reports.all(outage.id);
    const reported = reports.map((r): TimelineEvent => ({ at: r.at, kind: 'reported', by: r.person }));
    const timeline = [...outage.timeline.filter((e) => e.kind !== 'reported'), ...reported].sort((x, y) => Date.parse(x.at) - Date.parse(y.at));
    return { ...outage, timeline };
  }

  /** In Nexusteam hours, a suspected outage goes to the Nexusteam's channels with "Bekræft nedbrud". */
  private async announceSuspected(outage: Outage): Promise<void> {
    const hours = await this.deps.officeHours();
    if (!hours.status(this.now()).open) return;
    const at = this.now();
    const card: Message = { kind: 'suspected', lang: CHANNEL_LANGUAGE, now: at, outage, submitId: `confirm-${outage.id}` };
    const targets = await this.deps.channels.withRole('nexusteam');
    // From now on, staff asking are told when the Nexusteam was shown it (and that it has not confirmed it yet).
    await this.post(outage, targets.map((target) => ({ target, message: card, kind: 'suspected' as const })), (o) => (o.nexusteamTold ? o : { ...o, nexusteamTold: at.toISOString() }));
  }

  /**
   * "Jeg har ringet til KMD / Bekey / IT": the first presser owns the outage of
   * that system (created or taken over) and, for Nexus, its 2-hour rule.
   */
  async claim(person: Person, system: SystemId, contact: CalledContact): Promise<ClaimResult> {
    const at = this.now();
    const result = await this.deps.store.change((doc): { doc?: LiveDoc; result: ClaimResult } => {
      let outage = doc.open[system];
      let pending = doc.pending;
      if (!outage) {
        const window = reportsInWindow(doc.pending[system] ?? [], at, this.deps.delays.detectionWindowMinutes);
        outage = newOutage({ id: newOutageId(system, at), system, status: 'active', start: earliest(window) ?? at, at, reports: window });
        pending = { ...doc.pending, [system]: [] };
      }
      const claimed = claimOwnership(outage, person, at, contact);
      if (!claimed.ok) return { result: { kind: 'taken', owner: claimed.owner, outage } };
      const first = claimed.outage !== outage;
      const withReport = addReport(claimed.outage, person, at).outage;
      return {
        doc: first ? { ...withOpen(doc, withReport), pending } : undefined,
        result: { kind: 'owner', outage: withReport, first, posted: 0 },
      };
    });
    if (result.kind === 'owner' && result.first) {
      // The reports it was made from (a new outage), and the caller's own.
      await this.deps.reports.addAll(result.outage.id, [...result.outage.reports, { person, at: at.toISOString() }]);
      await this.deps.events?.opened(result.outage);
    }
    if (result.kind === 'owner' && result.first && result.outage.announcements.every((a) => a.kind === 'suspected')) {
      const posted = await this.announce(result.outage, 'owner-notice', at);
      return { ...result, posted };
    }
    return result;
  }

  /**
   * Before closing, someone takes the outage over from the Nexusteam: a named
   * member, or a reporter who accepted (then only while the Nexusteam still owns
   * it: the first to accept wins). Returns the outage, or who has it already.
   */
  async takeHandover(outageId: string, person: Person, onlyFromNexusteam = false): Promise<{ outage: Outage; taken: boolean } | null> {
    const at = this.now();
    const result = await this.deps.store.change<{ outage: Outage; taken: boolean } | null>((doc) => {
      const open = findOpen(doc, outageId);
      if (!open) return { result: null };
      if (onlyFromNexusteam && open.owner?.kind === 'person' && open.owner.person.key !== person.key) return { result: { outage: open, taken: false } };
      const next = handOver(open, person, at);
      return { doc: next === open ? undefined : withOpen(doc, next), result: { outage: next, taken: true } };
    });
    if (result?.taken) await this.deps.events?.opened(result.outage);
    return result;
  }

  /** Sends each reporter (in their 1:1 chat) the offer to follow the outage after closing. Returns how many were asked. */
  async askReporters(outage: Outage): Promise<number> {
    const now = this.now();
    // One message per language, rendered once however many reporters get it.
    const offers = new Map<Language, Message>();
    const offer = (lang: Language): Message => offers.get(lang) ?? offers.set(lang, { kind: 'handoverOffer', lang, now, outage }).get(lang)!;
    // Keyed per closing day: asked again at the next closing, never twice at one.
    const day = localDate(now);
    let asked = 0;
    for await (const page of this.deps.reports.pages(outage.id)) {
      const messages = page.flatMap((r): Outgoing[] => {
        const target = r.person.reach;
        if (!target) return [];
        return [{ id: messageId(`${outage.id}:handover-offer:${day}:${target.conversationId}`), op: 'send', target, message: offer(r.person.lang ?? DEFAULT_LANGUAGE), purpose: purposeOf('handover-offer', outage) }];
      });
      await this.deps.messenger.queue(messages);
      asked += messages.length;
    }
    return asked;
  }

  async worksAgain(system: SystemId, person: Person): Promise<Outage | null> {
    const at = this.now();
    return this.deps.store.change<Outage | null>((doc) => {
      const open = doc.open[system];
      if (!open) return { result: null };
      const next = markWorksAgain(open, person, at);
      return { doc: next === open ? undefined : withOpen(doc, next), result: next };
    });
  }

  /** The Nexusteam declares: the outage becomes active (created or taken over) and is announced once. */
  async declare(input: DeclareInput): Promise<SubmitOutcome<{ outage: Outage; posted: number; updatedInPlace: number }>> {
    const at = this.now();
    const description = cleanText(input.description, 500).text;
    const expected = cleanText(input.expected, 200).text;
    const changed = await this.deps.store.change<Outage | null>((doc) => {
      const handled = markHandled(doc, input.submitId);
      if (!handled.first) return { result: null };
      // Reports waiting in the detection window become the new outage's reports.
      const waiting = reportsInWindow(doc.pending[input.system] ?? [], at, this.deps.delays.detectionWindowMinutes);
      const existing =
        doc.open[input.system] ??
        newOutage({ id: newOutageId(input.system, at), system: input.system, status: 'active', start: input.start, at, reports: waiting });
      const outage = declare(existing, { description, start: input.start, expected, by: input.by, at });
      return { doc: { ...withOpen(handled.doc, outage), pending: { ...doc.pending, [input.system]: [] } }, result: outage };
    });
    if (!changed) return { kind: 'duplicate' };
    await this.deps.reports.addAll(changed.id, changed.reports);
    await this.deps.events?.opened(changed);
    const staffPosts = changed.announcements.filter((a) => a.kind !== 'suspected');
    if (staffPosts.length > 0) {
      // Already announced (e.g. the owner's KMD notice): show the declaration on those cards instead of posting again.
      const updated = await this.updateAnnouncements(changed, `declared-card:${input.submitId}`, (a) => this.announcementFor(changed, a.audience, at), (a) => a.kind !== 'suspected');
      await this.deps.events?.notify(changed, 'announcement');
      return { kind: 'done', value: { outage: changed, posted: 0, updatedInPlace: updated } };
    }
    const posted = await this.announce(changed, 'announcement', at);
    await this.deps.events?.notify(changed, 'announcement');
    return { kind: 'done', value: { outage: (await this.get(changed.id)) ?? changed, posted, updatedInPlace: 0 } };
  }

  async confirm(submitId: string, outageId: string, by: Person): Promise<SubmitOutcome<Outage>> {
    const at = this.now();
    const changed = await this.deps.store.change<Outage | 'gone' | 'duplicate'>((doc) => {
      const open = findOpen(doc, outageId);
      if (!open) return { result: 'gone' as const };
      const handled = markHandled(doc, submitId);
      if (!handled.first || open.status !== 'suspected') return { result: 'duplicate' as const };
      return { doc: withOpen(handled.doc, confirm(open, by, at)), result: confirm(open, by, at) };
    });
    if (changed === 'gone' || changed === 'duplicate') return { kind: changed };
    const card: Message = { kind: 'suspected', lang: CHANNEL_LANGUAGE, now: at, outage: changed, submitId, confirmedBy: { name: by.name, at }, reporters: await this.deps.reports.count(changed.id) };
    await this.updateAnnouncements(changed, `confirmed-card:${submitId}`, () => card, (a) => a.kind === 'suspected');
    return { kind: 'done', value: changed };
  }

  async update(submitId: string, outageId: string, text: string, by: Person): Promise<SubmitOutcome<{ outage: Outage; posted: number }>> {
    const at = this.now();
    const clean = cleanText(text, 1000).text ?? '';
    const changed = await this.deps.store.change<Outage | 'gone' | 'duplicate'>((doc) => {
      const open = findOpen(doc, outageId);
      if (!open) return { result: 'gone' as const };
      const handled = markHandled(doc, submitId);
      if (!handled.first) return { result: 'duplicate' as const };
      const next = addUpdate(open, { id: submitId, at: at.toISOString(), by, text: clean });
      return { doc: withOpen(handled.doc, next), result: next };
    });
    if (changed === 'gone' || changed === 'duplicate') return { kind: changed };
    const reply: Message = { kind: 'update', lang: CHANNEL_LANGUAGE, outage: changed, text: clean, at };
    const posted = await this.queueForPosts(changed, (a) => a.kind !== 'suspected', (a, target) => [
      { id: messageId(updateKey(changed, submitId, a)), op: 'reply', root: postRef(a), target, message: reply, purpose: purposeOf('update', changed) },
    ]);
    await this.deps.events?.notify(changed, 'update', submitId);
    return { kind: 'done', value: { outage: changed, posted } };
  }

  /** The all-clear: a reply in every announcement's thread, and the announcement card itself shows resolved. */
  async resolve(submitId: string, outageId: string, by: Person): Promise<SubmitOutcome<{ outage: Outage; posted: number }>> {
    const at = this.now();
    const changed = await this.deps.store.change<Outage | 'gone' | 'duplicate'>((doc) => {
      const open = findOpen(doc, outageId);
      if (!open) return { result: 'gone' as const };
      const handled = markHandled(doc, submitId);
      if (!handled.first) return { result: 'duplicate' as const };
      const done = resolve(open, by, at);
      const { [open.system]: _closed, ...rest } = handled.doc.open;
      return { doc: { ...handled.doc, open: rest, resolved: [...(handled.doc.resolved ?? []), done] }, result: done };
    });
    if (changed === 'gone' || changed === 'duplicate') return { kind: changed };
    const resolvedCard = this.announcementFor(changed, undefined, at);
    const reply: Message = { kind: 'allClear', lang: CHANNEL_LANGUAGE, outage: changed };
    const purpose = purposeOf('allclear', changed);
    const posted = await this.queueForPosts(changed, (a) => a.kind !== 'suspected', (a, target) => [
      { id: messageId(allClearKey(changed, a)), op: 'reply', root: postRef(a), target, message: reply, purpose },
      { id: messageId(cardKey(changed, a)), op: 'update', of: postRef(a), target, message: resolvedCard, purpose },
    ]);
    // Archive the latest state: a post delivered meanwhile may have had its Teams id recorded.
    await this.deps.store.archive((await this.deps.store.get(changed.id)) ?? changed);
    await this.deps.events?.resolved(changed);
    await this.deps.events?.notify(changed, 'allclear');
    return { kind: 'done', value: { outage: changed, posted } };
  }

  // --- sending ---------------------------------------------------------------

  /** Announcements carry their channel's service URL, so replies and updates work after a restart. */
  private serviceUrlOf(a: Announcement): string {
    return a.serviceUrl ?? '';
  }

  /** The announcement for a staff channel (names shown) or a private providers' one (no internal staff names). */
  announcementFor(outage: Outage, audience: Announcement['audience'], at: Date): Message {
    const to: Audience = audience ?? 'staff';
    return { kind: 'announcement', lang: CHANNEL_LANGUAGE, now: at, outage, audience: to, afterMinutes: escalationAfter(this.deps.instruction, outage.system) ?? undefined };
  }

  /**
   * Posts the outage to every staff channel and every private providers' channel
   * (a channel with both roles gets one post, without staff names).
   */
  private async announce(outage: Outage, kind: 'announcement' | 'owner-notice', at: Date): Promise<number> {
    const [staff, providers] = await Promise.all([this.deps.channels.withRole('staff'), this.deps.channels.withRole('providers')]);
    const audiences = new Map<string, { target: ChannelTarget; audience: Announcement['audience'] }>();
    for (const target of staff) audiences.set(target.conversationId, { target, audience: undefined });
    for (const target of providers) audiences.set(target.conversationId, { target, audience: 'providers' });
    return this.post(
      outage,
      [...audiences.values()].map(({ target, audience }) => ({ target, message: this.announcementFor(outage, audience, at), kind, audience })),
    );
  }

  /**
   * New posts in channels: queued together (the outbox has every one before the
   * first is sent, so a restart loses none), then recorded on the outage by their
   * outbox ids in one change, so replies and replacements can refer to them at
   * once; the outbox's hook adds Teams' id when each is delivered. Returns how many
   * were queued (a post that fails for good is reported to the Nexusteam).
   */
  private async post(
    outage: Outage,
    posts: readonly { target: ChannelTarget; message: Message; kind: Announcement['kind']; audience?: Announcement['audience'] }[],
    also: (o: Outage) => Outage = (o) => o,
  ): Promise<number> {
    if (posts.length === 0) return 0;
    const records = posts.map(({ target, kind, audience }): Announcement => ({
      conversationId: target.conversationId,
      serviceUrl: target.serviceUrl,
      messageId: messageId(`${outage.id}:${kind}:${target.conversationId}`),
      kind,
      ...(audience ? { audience } : {}),
    }));
    try {
      await this.deps.messenger.queue(
        posts.map(({ target, message, kind, audience }, i) => ({
          id: records[i]?.messageId ?? '',
          op: 'send' as const,
          target,
          message,
          purpose: { kind: 'post' as const, outageId: outage.id, system: outage.system, post: kind, ...(audience ? { audience } : {}) },
        })),
      );
    } catch (err) {
      this.deps.logger.error({ err, outageId: outage.id, posts: posts.length }, 'posts to channels could not be queued');
      return 0;
    }
    const at = this.now();
    await this.deps.store.updateArchived(outage.id, (o) => also(records.reduce((next, a) => addAnnouncement(next, a, at), o)));
    return posts.length;
  }

  /**
   * Notes where an announcement was posted, or (the outbox's hook, when Teams
   * accepted it) its Teams id; idempotent, open, resolved or archived.
   */
  async recordAnnouncement(outageId: string, announcement: Announcement): Promise<Outage | null> {
    const at = this.now();
    return this.deps.store.updateArchived(outageId, (o) => addAnnouncement(o, announcement, at));
  }

  private async updateAnnouncements(outage: Outage, reason: string, message: (a: Announcement) => Message, which: (a: Announcement) => boolean): Promise<number> {
    return this.queueForPosts(outage, which, (a, target) => [
      { id: messageId(`${outage.id}:${reason}:${a.conversationId}:${postId(a)}`), op: 'update', of: postRef(a), target, message: message(a), purpose: purposeOf('card-update', outage) },
    ]);
  }

  /** Queues the messages for every chosen post (replies in its thread, its card replaced); returns for how many posts. */
  private async queueForPosts(outage: Outage, which: (a: Announcement) => boolean, messages: (a: Announcement, target: ChannelTarget) => Outgoing[]): Promise<number> {
    const chosen = outage.announcements.filter(which);
    try {
      await this.deps.messenger.queue(chosen.flatMap((a) => messages(a, targetOf(a, this.serviceUrlOf(a)))));
      return chosen.length;
    } catch (err) {
      this.deps.logger.error({ err, outageId: outage.id, posts: chosen.length }, 'messages to announcement threads could not be queued');
      return 0;
    }
  }
}

// Keys of the messages in an announcement's thread: per outage, message and post (a channel may hold two posts).
const updateKey = (o: Outage, updateId: string, a: Announcement) => `${o.id}:update:${updateId}:${a.conversationId}:${postId(a)}`;
const allClearKey = (o: Outage, a: Announcement) => `${o.id}:allclear:${a.conversationId}:${postId(a)}`;
const cardKey = (o: Outage, a: Announcement) => `${o.id}:resolved-card:${a.conversationId}:${postId(a)}`;

/** The facts every outage message carries for the outbox's hooks and reports. */
function purposeOf(kind: 'update' | 'allclear' | 'card-update' | 'handover-offer', outage: Outage): OutboxPurpose {
  return { kind, outageId: outage.id, system: outage.system };
}


function withOpen(doc: LiveDoc, outage: Outage): LiveDoc {
  return { ...doc, open: { ...doc.open, [outage.system]: outage } };
}

function findOpen(doc: LiveDoc, outageId: string): Outage | undefined {
  return Object.values(doc.open).find((o) => o?.id === outageId);
}

function targetOf(a: Announcement, serviceUrl: string): ChannelTarget {
  return { conversationId: a.conversationId, serviceUrl };
}
