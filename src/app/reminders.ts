import { usbDays, workingDayOnOrAfter, nextWorkingDay } from '../domain/homecare';
import type { Job, JobOutcome } from '../domain/jobs';
import { addLocalDays, instantOf, localDate } from '../domain/time';
import type { JobStore } from '../scheduler/scheduler';
import type { OutageStore } from '../store/outages';
import { CHANNEL_LANGUAGE, type Message } from './messages';
import { messageId, type DutyDeps } from './ports';

/**
 * Recurring duties: the home-care USB reminder on working days, the hand-over
 * card 15 minutes before the Nexusteam closes during an outage it owns, and the
 * monthly reminder that the instruction is past its review date. Each job
 * schedules its next occurrence when it has run, under an id with its date, so
 * a restart or a second instance cannot run one twice.
 */
export interface ReminderDeps extends DutyDeps {
  readonly jobs: JobStore;
  readonly outages: OutageStore;
}

export class Reminders {
  constructor(private readonly deps: ReminderDeps) {}

  /** At start: make sure each recurring job has its next occurrence scheduled. */
  async ensureScheduled(): Promise<void> {
    const now = this.deps.clock.now();
    await this.scheduleHomecare(now, false);
    await this.scheduleHandover(now);
    await this.scheduleReview(now);
  }

  // --- home care ---------------------------------------------------------------

  private async homecareAt(localDay: string): Promise<Date> {
    return instantOf(localDay, this.deps.delays.homecareReminderTime);
  }

  /** The next reminder: today if its time has not passed (and today is a working day), else the next working day. */
  private async scheduleHomecare(now: Date, afterToday: boolean): Promise<void> {
    const holidays = (await this.deps.officeHours()).holidays;
    const today = localDate(now);
    let day = workingDayOnOrAfter(afterToday ? addLocalDays(today, 1) : today, holidays);
    if ((await this.homecareAt(day)).getTime() < now.getTime()) day = nextWorkingDay(day, holidays);
    await this.deps.jobs.schedule(`homecare:${day}`, { kind: 'homecare' }, await this.homecareAt(day));
  }

  async runHomecare(job: Job, now: Date): Promise<JobOutcome> {
    const holidays = (await this.deps.officeHours()).holidays;
    const day = job.id.startsWith('homecare:') ? job.id.slice('homecare:'.length) : localDate(now);
    await this.postToRole('homecare', { kind: 'homecare', lang: CHANNEL_LANGUAGE, days: usbDays(day, holidays) }, job.id);
    const next = nextWorkingDay(day, holidays);
    return { kind: 'done', followUps: [{ id: `homecare:${next}`, payload: { kind: 'homecare' }, dueAt: await this.homecareAt(next) }] };
  }

  // --- hand-over before closing ------------------------------------------------

  /** 15 minutes before the Nexusteam's next closing. */
  private async nextHandover(now: Date): Promise<Date | null> {
    const hours = await this.deps.officeHours();
    const before = this.deps.delays.handoverBeforeCloseMinutes * 60_000;
    for (let i = 0, day = localDate(now); i < 30; i++, day = addLocalDays(day, 1)) {
      for (const interval of hours.day(day).open) {
        const at = new Date(instantOf(day, interval.to).getTime() - before);
        if (at.getTime() > now.getTime()) return at;
      }
    }
    return null;
  }

  private async scheduleHandover(now: Date): Promise<void> {
    const at = await this.nextHandover(now);
    if (at) await this.deps.jobs.schedule(`handover:${at.toISOString()}`, { kind: 'handover' }, at);
  }

  async runHandover(job: Job, now: Date): Promise<JobOutcome> {
    const live = await this.deps.outages.live();
    const owned = Object.values(live.open).filter((o) => o && o.status === 'active' && o.owner?.kind === 'nexusteam');
    const closing = new Date(now.getTime() + this.deps.delays.handoverBeforeCloseMinutes * 60_000);
    for (const outage of owned) {
      if (!outage) continue;
      await this.postToRole('nexusteam', { kind: 'handover', lang: CHANNEL_LANGUAGE, now, outage, closing }, `${job.id}:${outage.id}`);
    }
    const next = await this.nextHandover(new Date(now.getTime() + 60_000));
    return { kind: 'done', followUps: next ? [{ id: `handover:${next.toISOString()}`, payload: { kind: 'handover' }, dueAt: next }] : [] };
  }

  // --- review date -------------------------------------------------------------

  /** Whether the instruction is past its review date (end of the review month, Copenhagen). */
  reviewOverdue(now: Date): boolean {
    const [year = '0', month = '0'] = this.deps.instruction.document.reviewBy.split('-');
    const firstAfter = instantOf(`${Number(month) === 12 ? Number(year) + 1 : year}-${String((Number(month) % 12) + 1).padStart(2, '0')}-01`, '00:00');
    return now.getTime() >= firstAfter.getTime();
  }

  private async scheduleReview(now: Date): Promise<void> {
    const [y = '2000', m = '01'] = localDate(now).split('-');
    const nextMonth = Number(m) === 12 ? `${Number(y) + 1}-01-01` : `${y}-${String(Number(m) + 1).padStart(2, '0')}-01`;
    const at = instantOf(nextMonth, '09:00');
    await this.deps.jobs.schedule(`review:${nextMonth}`, { kind: 'review' }, at);
  }

  async runReview(job: Job, now: Date): Promise<JobOutcome> {
    if (this.reviewOverdue(now)) await this.postToRole('nexusteam', { kind: 'review', lang: CHANNEL_LANGUAGE }, job.id);
    const [y = '2000', m = '01'] = localDate(now).split('-');
    const nextMonth = Number(m) === 12 ? `${Number(y) + 1}-01-01` : `${y}-${String(Number(m) + 1).padStart(2, '0')}-01`;
    return { kind: 'done', followUps: [{ id: `review:${nextMonth}`, payload: { kind: 'review' }, dueAt: instantOf(nextMonth, '09:00') }] };
  }

  /**
   * Queues the post for every channel of the role; keyed by `key` (the job, and the outage for per-outage
   * cards), so a retried job posts nowhere twice. A post that fails for good is reported to the Nexusteam.
   */
  private async postToRole(role: 'homecare' | 'nexusteam', message: Message, key: string): Promise<void> {
    const targets = await this.deps.channels.withRole(role);
    if (targets.length === 0) this.deps.logger.warn({ role, key }, 'no channel of the role is registered for a reminder');
    await this.deps.messenger.queue(targets.map((target) => ({ id: messageId(`${key}:${target.conversationId}`), op: 'send' as const, target, message, purpose: { kind: 'reminder' as const } })));
  }
}
