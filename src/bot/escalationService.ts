import type { Activity } from 'botbuilder';
import { addMinutes } from 'date-fns';
import type { Job, JobOutcome } from '../domain/jobs';
import {
  acknowledgeEscalation,
  claimDuty,
  escalationDue,
  markToldUp,
  NO_ESCALATION,
  recordEscalation,
  type Announcement,
  type Outage,
  type Person,
} from '../domain/outage';
import { formatPhone } from '../domain/time';
import type { JobStore } from '../scheduler/scheduler';
import type { LiveDoc, OutageStore } from '../store/outages';
import { t } from './i18n';
import type { DutyDeps, ChannelTarget, SubmitOutcome } from './outageService';
import { backUpCard, escalationCard } from './outageViews';
import { isStillQueued } from '../notify/outboxSender';
import { cardMessage, textMessage } from './views';

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
  readonly jobs: JobStore;
}

export const escalationJobId = (outageId: string, round: number) => `escalation:${outageId}:${round}`;
export const backUpJobId = (outageId: string) => `driftvagtBackUp:${outageId}`;

export class EscalationService {
  constructor(private readonly deps: EscalationDeps) {}

  /** When round `round` is due: start + delay + round × repeat interval, on instants. */
  dueAt(outage: Outage, round: number): Date | null {
    const first = escalationDue(outage, this.deps.delays.escalationAfterMinutes);
    return first ? addMinutes(first, round * this.deps.delays.escalationRepeatMinutes) : null;
  }

  /** Schedules (or moves, when the start was corrected) the next escalation of a Nexus outage. */
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
    if (!outage || outage.status === 'resolved' || outage.system !== 'nexus') return { kind: 'done' };
    if (outage.escalation?.acknowledged) return { kind: 'done' };
    // This round went out already (a repeat of the job, e.g. after an earlier run outlived its lease and
    // recorded the round itself): make sure the next round is still scheduled (a no-op when it is).
    if ((outage.escalation?.rounds ?? 0) > round) return { kind: 'done', followUps: this.nextRound(outage, round, now) };
    const due = this.dueAt(outage, round);
    if (due && due.getTime() > now.getTime()) return { kind: 'retry', error: 'the start was corrected; not due yet', at: due };

    const targets = await this.targets(outage, round, now);
    const card = cardMessage(
      escalationCard(outage, round, { instruction: this.deps.instruction, lang: 'da', now, afterMinutes: this.deps.delays.escalationAfterMinutes }),
    );
    // Side by side, keyed by outage, round and recipient: a retried job (or a process that took over) gets
    // the outbox's record of a card already delivered, with its id, instead of sending it again.
    const posts: Announcement[] = [];
    const failed: ChannelTarget[] = [];
    let queued = 0;
    await Promise.all(
      targets.map(async (target) => {
        try {
          const { activityId } = await this.deps.sender.send(target, card, {
            key: `${outageId}:escalation:${round}:${target.conversationId}`,
            purpose: { kind: 'escalation', outageId, system: outage.system, round: String(round) },
          });
          posts.push({ conversationId: target.conversationId, serviceUrl: target.serviceUrl, activityId, kind: 'escalation' });
        } catch (err) {
          if (isStillQueued(err)) {
            queued++;
            return;
          }
          failed.push(target);
          this.deps.logger.error({ err, outageId, conversationId: target.conversationId, round }, 'escalation could not be delivered');
        }
      }),
    );
    // A card still queued is not a failure: the job runs again shortly and, by the keys, finds every card
    // delivered meanwhile with its id (to replace it on "Driftvagten er underrettet") instead of resending.
    if (queued > 0) throw new Error(`escalation round ${round}: ${queued} card(s) still queued; recording when delivered`);
    if (targets.length > 0 && posts.length === 0) throw new Error(`escalation round ${round}: no recipient could be reached`);
    await this.deps.store.change((doc) => {
      const open = findOpen(doc, outageId);
      return open ? { doc: withOpen(doc, recordEscalation(open, round, posts, now)), result: undefined } : { result: undefined };
    });
    if (failed.length > 0) await this.reportUndelivered(failed.length, `${outageId}:escalation:${round}`);
    return { kind: 'done', followUps: this.nextRound(outage, round, now) };
  }

  private nextRound(outage: Outage, round: number, now: Date) {
    if (round >= this.deps.delays.escalationRepeatMax) return [];
    return [{ id: escalationJobId(outage.id, round + 1), payload: { kind: 'escalation' as const, outageId: outage.id, round: round + 1 }, dueAt: this.dueAt(outage, round + 1) ?? now }];
  }

  /**
   * Who carries the 2-hour rule: the owner 1:1 (and from the second repeat the
   * Nexusteam's channels too); for the Nexusteam its channels and the member who
   * declared; for a suspected outage nobody owns, every reporter and the
   * Nexusteam's channels. After the Nexusteam closes, its outages also go to the
   * reporters.
   */
  private async targets(outage: Outage, round: number, now: Date): Promise<ChannelTarget[]> {
    const out = new Map<string, ChannelTarget>();
    const add = (t: ChannelTarget) => out.set(t.conversationId, t);
    const addPerson = (p: Person | null | undefined) => p?.reach && add(p.reach);
    const nexusteam = async () => (await this.deps.channels.withRole('nexusteam')).forEach(add);
    const reporters = () => outage.reports.forEach((r) => addPerson(r.person));
    if (outage.owner?.kind === 'person') {
      addPerson(outage.owner.person);
      if (round >= 2) await nexusteam();
    } else if (outage.owner?.kind === 'nexusteam') {
      await nexusteam();
      addPerson(outage.declaredBy);
      if (!(await this.deps.officeHours()).status(now).open) reporters();
    } else {
      await nexusteam();
      reporters();
    }
    return [...out.values()];
  }

  /** `about` names what failed (outage and round, or the job), so the report is sent once per failure, not deduplicated by its text. */
  private async reportUndelivered(count: number, about: string): Promise<void> {
    const driftvagt = this.deps.instruction.contacts.find((c) => c.id === 'driftvagt');
    const text = t('da', 'escalation.failed', { count, phone: driftvagt?.phone ? formatPhone(driftvagt.phone) : '' });
    for (const target of await this.deps.channels.withRole('nexusteam')) {
      await this.deps.sender
        .send(target, textMessage(text), { key: `report:${about}:${target.conversationId}`, purpose: { kind: 'report' } })
        .catch((err: unknown) => this.deps.logger.error({ err }, 'could not report an undelivered escalation'));
    }
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
      await this.replaceCards(result.outage, cardMessage(escalationCard(result.outage, 0, { instruction: this.deps.instruction, lang: 'da', now: at, afterMinutes: this.deps.delays.escalationAfterMinutes })));
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
    return { kind: 'done', value: result };
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
    const card = cardMessage(backUpCard(outage, { instruction: this.deps.instruction, lang: 'da', now }));
    const posts: Announcement[] = [];
    let queued = 0;
    await Promise.all(
      [...targets.values()].map(async (target) => {
        try {
          const { activityId } = await this.deps.sender.send(target, card, {
            key: `${outage.id}:backUp:${target.conversationId}`,
            purpose: { kind: 'backUp', outageId: outage.id, system: outage.system },
          });
          posts.push({ conversationId: target.conversationId, serviceUrl: target.serviceUrl, activityId, kind: 'backUp' });
        } catch (err) {
          if (isStillQueued(err)) queued++;
          else this.deps.logger.error({ err, outageId: outage.id }, 'the "tell the driftvagt it is back" card could not be delivered');
        }
      }),
    );
    if (queued > 0) throw new Error(`${queued} back-up card(s) still queued; recording when delivered`);
    if (posts.length === 0 && targets.size > 0) throw new Error('no recipient for the back-up card could be reached');
    await this.deps.store.updateArchived(outage.id, (o) => ({ ...o, escalation: { ...(o.escalation ?? NO_ESCALATION), posts: [...(o.escalation?.posts ?? []), ...posts] } }));
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
    await this.replaceCards(updated, cardMessage(backUpCard(updated, { instruction: this.deps.instruction, lang: 'da', now: at })), 'backUp');
    return { kind: 'done', value: updated };
  }

  private async replaceCards(outage: Outage, activity: Partial<Activity>, kind: Announcement['kind'] = 'escalation'): Promise<void> {
    await Promise.all(
      (outage.escalation?.posts ?? [])
        .filter((p) => p.kind === kind)
        .map((post) =>
          this.deps.sender
            .update({ conversationId: post.conversationId, serviceUrl: post.serviceUrl }, post.activityId, activity, { purpose: { kind: 'card-update', outageId: outage.id, system: outage.system } })
            .catch((err: unknown) => this.deps.logger.warn({ err, conversationId: post.conversationId }, 'could not replace an escalation card')),
        ),
    );
  }
}

function withOpen(doc: LiveDoc, outage: Outage): LiveDoc {
  return { ...doc, open: { ...doc.open, [outage.system]: outage } };
}

function findOpen(doc: LiveDoc, outageId: string): Outage | undefined {
  return Object.values(doc.open).find((o) => o?.id === outageId);
}
