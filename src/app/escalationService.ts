import { addMinutes } from 'date-fns';
import type { Job, JobOutcome } from '../domain/jobs';
import {
  acknowledgeEscalation,
  claimDuty,
  escalationDue,
  markToldUp,
  NO_ESCALATION,
  postId,
  recordEscalation,
  recordEscalationPost,
  type Announcement,
  type Outage,
  type Person,
} from '../domain/outage';
import type { JobStore } from '../scheduler/scheduler';
import type { LiveDoc, OutageStore } from '../store/outages';
import type { ReportRef, ReportStore } from '../store/reports';
import type { SubmitOutcome } from './outageService';
import type { Language } from '../instruction/schema';
import { escalationAfter } from '../domain/systems';
import { CHANNEL_LANGUAGE, DEFAULT_LANGUAGE, type Message } from './messages';
import { messageId, postRef, type ChannelTarget, type DutyDeps, type Outgoing } from './ports';

/**
 * The 2-hour rule. An escalation job per round is kept in storage; when one fires
 * it re-checks the outage (still open? already acknowledged? start moved?), sends
 * the driftvagt card to whoever carries the rule, records where it went, and
 * schedules the next reminder. The first "Driftvagten er underrettet" closes it
 * for everyone and replaces every card sent. After the all-clear, whoever told
 * the driftvagt is asked to tell it that Nexus works again.
 */

export interface EscalationDeps extends DutyDeps {
  readonly store: OutageStore;
  /** Every reporter (the claim card goes to each, paged). */
  readonly reports: ReportStore;
  readonly jobs: JobStore;
}

interface PlannedCard {
  readonly target: ChannelTarget;
  readonly message: Message;
  readonly kind: 'escalation' | 'claim';
  readonly lang: Language;
  /** A claim card to a reporter: recorded with their report (not in the outage record, which stays small). */
  readonly ref?: ReportRef | undefined;
}

export const escalationJobId = (outageId: string, round: number) => `escalation:${outageId}:${round}`;
export const backUpJobId = (outageId: string) => `driftvagtBackUp:${outageId}`;

export class EscalationService {
  constructor(private readonly deps: EscalationDeps) {}

  /** The 2-hour rule's delay for this outage's system (the instruction's), or null where it does not apply. */
  private afterMinutes(outage: Outage): number | null {
    return escalationAfter(this.deps.instruction, outage.system);
  }

  /** When round `round` is due: start + delay + round × repeat interval, on instants. */
  dueAt(outage: Outage, round: number): Date | null {
    const first = escalationDue(outage, this.afterMinutes(outage));
    return first ? addMinutes(first, round * this.deps.delays.escalationRepeatMinutes) : null;
  }

  /** Schedules (or moves, when the start was corrected) the next escalation of an outage the 2-hour rule applies to. */
  async schedule(outage: Outage): Promise<void> {
    const escalation = outage.escalation ?? NO_ESCALATION;
    if (outage.status === 'resolved' || escalation.acknowledged) return;
    const round = escalation.rounds;
    const due = this.dueAt(outage, round);
    if (!due) return;
    await this.deps.jobs.schedule(escalationJobId(outage.id, round), { kind: 'escalation', outageId: outage.id, round }, due);
  }

  /** A resolved or acknowledged outage escalates no more. */
  async cancel(outageId: string): Promise<void> {
    await this.deps.jobs.cancel((j) => j.payload.kind === 'escalation' && j.payload.outageId === outageId, this.deps.clock.now());
  }

  async run(job: Job, now: Date): Promise<JobOutcome> {
    if (job.payload.kind !== 'escalation') return { kind: 'failed', error: 'not an escalation job' };
    const { outageId, round } = job.payload;
    const outage = await this.deps.store.get(outageId);
    const afterMinutes = outage ? this.afterMinutes(outage) : null;
    if (!outage || outage.status === 'resolved' || afterMinutes === null) return { kind: 'done' };
    if (outage.escalation?.acknowledged) return { kind: 'done' };
    // This round went out already (a repeat of the job, e.g. after an earlier run outlived its lease and
    // recorded the round itself): make sure the next round is still scheduled (a no-op when it is).
    if ((outage.escalation?.rounds ?? 0) > round) return { kind: 'done', followUps: this.nextRound(outage, round, now) };
    const due = this.dueAt(outage, round);
    if (due && due.getTime() > now.getTime()) return { kind: 'retry', error: 'the start was corrected; not due yet', at: due };

    const plan = await this.plan(outage, round, now, afterMinutes);
    // Keyed by outage, round and recipient: a retried job (or a process that took over) queues nothing twice.
    // Every card is recorded by its outbox id at once, so "Driftvagten er underrettet" replaces it even while
    // it is still queued; the outbox's hook adds Teams' id on delivery, and reports a card that never arrives.
    const cards = plan.map((card): { card: PlannedCard; post: Announcement; message: Outgoing } => {
      const post: Announcement = {
        conversationId: card.target.conversationId,
        serviceUrl: card.target.serviceUrl,
        messageId: messageId(`${outageId}:${card.kind}:${round}:${card.target.conversationId}`),
        kind: card.kind,
        lang: card.lang,
      };
      const purpose = { kind: 'post' as const, outageId, system: outage.system, post: card.kind, round, lang: card.lang, ...(card.ref ? { reporter: card.ref.key } : {}) };
      return { card, post, message: { id: post.messageId ?? '', op: 'send', target: card.target, message: card.message, purpose } };
    });
    await this.deps.messenger.queue(cards.map((c) => c.message));
    await inBatches(cards.filter((c) => c.card.ref), 16, (c) => (c.card.ref ? this.deps.reports.addClaim(c.card.ref, c.post) : Promise.resolve()));
    const posts = cards.filter((c) => !c.card.ref).map((c) => c.post);
    await this.deps.store.change((doc) => {
      const open = findOpen(doc, outageId);
      return open ? { doc: withOpen(doc, recordEscalation(open, round, posts, now)), result: undefined } : { result: undefined };
    });
    return { kind: 'done', followUps: this.nextRound(outage, round, now) };
  }

  private nextRound(outage: Outage, round: number, now: Date) {
    if (round >= this.deps.delays.escalationRepeatMax) return [];
    return [{ id: escalationJobId(outage.id, round + 1), payload: { kind: 'escalation' as const, outageId: outage.id, round: round + 1 }, dueAt: this.dueAt(outage, round + 1) ?? now }];
  }

  /**
   * Who carries the 2-hour rule at this moment, and what each gets. The duty never
   * goes to a crowd (DESIGN.md, "The 2-hour duty never goes to a crowd"):
   * - whoever owns the case (they called KMD or IT, or took it over) gets the
   *   driftvagt card 1:1; so does a reporter who pressed "Jeg ringer" on the claim card;
   * - in the Nexusteam's hours its channels get the card, for every such outage,
   *   confirmed or not (with "Bekræft nedbrud" while unconfirmed), and the member
   *   who declared it a copy 1:1;
   * - out of hours an outage nobody carries gets a claim card ("Kan du ringe?") to
   *   its reporters, and the Nexusteam's channels are told;
   * - an owner's repeats from the second on also go to the Nexusteam's channels.
   * Cards to a person are in their language; channel posts are Danish.
   */
  private async plan(outage: Outage, round: number, now: Date, afterMinutes: number): Promise<PlannedCard[]> {
    const out = new Map<string, PlannedCard>();
    const open = (await this.deps.officeHours()).status(now).open;
    const escalation = outage.escalation ?? NO_ESCALATION;
    const carrier = escalation.duty?.by ?? (outage.owner?.kind === 'person' ? outage.owner.person : null);
    const escalationFor = (lang: Language, forChannel: boolean, claimsSent = 0): Message => ({ kind: 'escalation', lang, now, outage, round, afterMinutes, forChannel, claimsSent });
    const toPerson = (p: Person | null | undefined, message: (lang: Language) => Message, kind: PlannedCard['kind'], ref?: ReportRef) => {
      const lang = p?.lang ?? DEFAULT_LANGUAGE;
      if (p?.reach && !out.has(p.reach.conversationId)) out.set(p.reach.conversationId, { target: p.reach, message: message(lang), kind, lang, ref });
    };
    const toNexusteam = async (message: Message) => {
      for (const target of await this.deps.channels.withRole('nexusteam')) out.set(target.conversationId, { target, message, kind: 'escalation', lang: CHANNEL_LANGUAGE });
    };

    if (carrier) {
      toPerson(carrier, (lang) => escalationFor(lang, false), 'escalation');
      if (open || round >= 2) await toNexusteam(escalationFor(CHANNEL_LANGUAGE, true));
      return [...out.values()];
    }
    if (open) {
      // The member who declared it gets their own copy: a channel's notifications are easily muted.
      toPerson(outage.declaredBy, (lang) => escalationFor(lang, false), 'escalation');
      await toNexusteam(escalationFor(CHANNEL_LANGUAGE, true));
      return [...out.values()];
    }
    // Out of hours, nobody carries it: ask those who reported it (and whoever declared it) who calls.
    // One message per language, so each is rendered once however many reporters get it.
    const claims = new Map<Language, Message>();
    const claim = (lang: Language) => claims.get(lang) ?? claims.set(lang, { kind: 'claim', lang, now, outage, round, afterMinutes }).get(lang)!;
    for await (const page of this.deps.reports.pages(outage.id)) for (const r of page) toPerson(r.person, claim, 'claim', r);
    toPerson(outage.declaredBy, claim, 'claim');
    const claimsSent = out.size;
    await toNexusteam(escalationFor(CHANNEL_LANGUAGE, true, claimsSent));
    return [...out.values()];
  }

  /** `about` names what failed (the job and its attempt), so the report is sent once per failure, not deduplicated by its text. */
  private async reportUndelivered(count: number, about: string): Promise<void> {
    const report: Message = { kind: 'escalationUndelivered', lang: CHANNEL_LANGUAGE, count };
    const targets = await this.deps.channels.withRole('nexusteam');
    await this.deps.messenger
      .queue(targets.map((target) => ({ id: messageId(`report:${about}:${target.conversationId}`), op: 'send' as const, target, message: report, purpose: { kind: 'report' as const } })))
      .catch((err: unknown) => this.deps.logger.error({ err }, 'could not report an undelivered escalation'));
  }

  /** Told when a whole escalation job gave up after its retries. */
  async onJobFailed(job: Job): Promise<void> {
    if (job.payload.kind === 'escalation' || job.payload.kind === 'driftvagtBackUp') await this.reportUndelivered(1, `job:${job.id}:${job.attempts}`);
  }

  /** "Driftvagten er underrettet": recorded once, every escalation card replaced, no more reminders. */
  async acknowledge(outageId: string, by: Person): Promise<SubmitOutcome<{ outage: Outage; first: boolean }>> {
    const at = this.deps.clock.now();
    const result = await this.deps.store.change<{ outage: Outage; first: boolean } | null>((doc) => {
      const open = findOpen(doc, outageId);
      if (!open) return { result: null };
      const ack = acknowledgeEscalation(open, by, at);
      return { doc: ack.first ? withOpen(doc, ack.outage) : undefined, result: ack };
    });
    if (!result) return { kind: 'gone' };
    if (result.first) {
      await this.cancel(outageId);
      // Every driftvagt card and every claim card still asking now shows who told the driftvagt, and when.
      await this.replaceCards(result.outage, ['escalation', 'claim'], at, 'acknowledged');
    }
    return { kind: 'done', value: result };
  }

  /** "Jeg ringer" on the claim card: the first presser carries the driftvagt duty; returns who has it. */
  async claimDuty(outageId: string, by: Person): Promise<SubmitOutcome<{ outage: Outage; taker: { by: Person; at: string }; first: boolean }>> {
    const at = this.deps.clock.now();
    const result = await this.deps.store.change<{ outage: Outage; taker: { by: Person; at: string }; first: boolean } | null>((doc) => {
      const open = findOpen(doc, outageId);
      if (!open) return { result: null };
      const claimed = claimDuty(open, by, at);
      return { doc: claimed.first ? withOpen(doc, claimed.outage) : undefined, result: claimed };
    });
    if (!result) return { kind: 'gone' };
    // Every other copy of the claim card now says who took it and when.
    if (result.first) await this.replaceCards(result.outage, ['claim'], at, 'claimed');
    return { kind: 'done', value: result };
  }

  /** The driftvagt card as the person who took the duty gets it (in their turn), to be recorded with recordPost. */
  dutyCard(outage: Outage, lang: Language): Message {
    const round = Math.max(0, (outage.escalation?.rounds ?? 1) - 1);
    return { kind: 'escalation', lang, now: this.deps.clock.now(), outage, round, afterMinutes: this.afterMinutes(outage) ?? 0 };
  }

  /** Notes a driftvagt card sent in a turn, so "Driftvagten er underrettet" replaces it too. */
  async recordPost(outageId: string, post: Announcement): Promise<void> {
    await this.deps.store.updateArchived(outageId, (o) => recordEscalationPost(o, post));
  }

  /** The outbox delivered a driftvagt, claim or back-up card: note Teams' id with the card (idempotent). */
  async recordDelivered(outageId: string, post: Announcement, reporter: string | undefined): Promise<void> {
    if (post.kind === 'claim' && reporter !== undefined) await this.deps.reports.addClaim({ key: reporter }, post);
    else await this.recordPost(outageId, post);
  }

  /** After the all-clear: if the driftvagt was told, schedule the "tell it Nexus is back" card at once. */
  async afterResolved(outage: Outage): Promise<void> {
    await this.cancel(outage.id);
    if (outage.escalation?.acknowledged && !outage.escalation.toldUp) {
      await this.deps.jobs.schedule(backUpJobId(outage.id), { kind: 'driftvagtBackUp', outageId: outage.id }, this.deps.clock.now());
    }
  }

  async runBackUp(job: Job, now: Date): Promise<JobOutcome> {
    if (job.payload.kind !== 'driftvagtBackUp') return { kind: 'failed', error: 'not a back-up job' };
    const outage = await this.deps.store.get(job.payload.outageId);
    if (!outage || !outage.escalation?.acknowledged || outage.escalation.toldUp) return { kind: 'done' };
    const targets = new Map<string, ChannelTarget>();
    // Whoever told the driftvagt tells it again; the owner's places as a fallback.
    const acker = outage.escalation.acknowledged.by;
    if (acker.reach) targets.set(acker.reach.conversationId, acker.reach);
    if (outage.owner?.kind === 'person' && outage.owner.person.reach) targets.set(outage.owner.person.reach.conversationId, outage.owner.person.reach);
    if (targets.size === 0 || outage.owner?.kind !== 'person') for (const c of await this.deps.channels.withRole('nexusteam')) targets.set(c.conversationId, c);
    // Each in the language of the person it goes to (the acknowledger's, or the owner's); channels in Danish.
    const langOf = (conversationId: string): Language =>
      [acker, outage.owner?.kind === 'person' ? outage.owner.person : null].find((p) => p?.reach?.conversationId === conversationId)?.lang ?? CHANNEL_LANGUAGE;
    const cards = [...targets.values()].map((target) => {
      const lang = langOf(target.conversationId);
      const post: Announcement = { conversationId: target.conversationId, serviceUrl: target.serviceUrl, messageId: messageId(`${outage.id}:backUp:${target.conversationId}`), kind: 'backUp', lang };
      const message: Outgoing = {
        id: post.messageId ?? '',
        op: 'send',
        target,
        message: { kind: 'backUp', lang, now, outage },
        purpose: { kind: 'post', outageId: outage.id, system: outage.system, post: 'backUp', lang },
      };
      return { post, message };
    });
    await this.deps.messenger.queue(cards.map((c) => c.message));
    await this.deps.store.updateArchived(outage.id, (o) => cards.reduce((next, c) => recordEscalationPost(next, c.post), o));
    return { kind: 'done' };
  }

  async ackBackUp(outageId: string, by: Person): Promise<SubmitOutcome<Outage>> {
    const at = this.deps.clock.now();
    let first = false;
    const updated = await this.deps.store.updateArchived(outageId, (o) => {
      const r = markToldUp(o, by, at);
      first = r.first;
      return r.outage;
    });
    if (!updated) return { kind: 'gone' };
    if (!first) return { kind: 'duplicate' };
    await this.replaceCards(updated, ['backUp'], at, 'toldUp');
    return { kind: 'done', value: updated };
  }

  /** Replaces every recorded post of these kinds in place with the outage's current state, each in its own language. */
  private async replaceCards(outage: Outage, kinds: readonly Announcement['kind'][], now: Date, reason: string): Promise<void> {
    const afterMinutes = this.afterMinutes(outage) ?? 0;
    const render = (post: Announcement): Message => {
      const lang = post.lang ?? DEFAULT_LANGUAGE;
      if (post.kind === 'claim') return { kind: 'claim', lang, now, outage, round: 0, afterMinutes };
      if (post.kind === 'backUp') return { kind: 'backUp', lang, now, outage };
      return { kind: 'escalation', lang, now, outage, round: 0, afterMinutes };
    };
    const replace = (posts: readonly Announcement[]) =>
      this.deps.messenger
        .queue(
          posts
            .filter((p) => kinds.includes(p.kind))
            .map((post) => ({
              id: messageId(`${outage.id}:${reason}:${post.conversationId}:${postId(post)}`),
              op: 'update' as const,
              of: postRef(post),
              target: { conversationId: post.conversationId, serviceUrl: post.serviceUrl },
              message: render(post),
              purpose: { kind: 'card-update' as const, outageId: outage.id, system: outage.system },
            })),
        )
        .catch((err: unknown) => this.deps.logger.warn({ err, outageId: outage.id }, 'could not queue the replacements of escalation cards'));
    await replace(outage.escalation?.posts ?? []);
    // The claim cards sent to reporters are recorded with their reports: a page at a time.
    if (kinds.includes('claim')) for await (const page of this.deps.reports.pages(outage.id)) await replace(page.flatMap((r) => r.claims ?? []));
  }
}

/** Runs `each` over the items, at most `limit` at a time. */
async function inBatches<T>(items: readonly T[], limit: number, each: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += limit) await Promise.all(items.slice(i, i + limit).map(each));
}

function withOpen(doc: LiveDoc, outage: Outage): LiveDoc {
  return { ...doc, open: { ...doc.open, [outage.system]: outage } };
}

function findOpen(doc: LiveDoc, outageId: string): Outage | undefined {
  return Object.values(doc.open).find((o) => o?.id === outageId);
}
