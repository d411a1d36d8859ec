import type { Storage } from 'botbuilder';
import type { Job, JobOutcome } from '../domain/jobs';
import type { Language } from '../instruction/schema';
import { latestUpdate, type Outage } from '../domain/outage';
import { addLocalDays, instantOf, localDate } from '../domain/time';
import { alertMessageKey, type PersonalAlerts } from './alerts';
import { renderOutageMail, type MailKind, type OutageMailer } from '../notify/mail';
import type { JobStore } from '../scheduler/scheduler';
import type { OutageStore } from '../store/outages';
import { purgeOlderThan } from '../store/retention';
import type { ReportStore } from '../store/reports';
import { CHANNEL_LANGUAGE, type Message } from './messages';
import { messageId, type DutyDeps } from './ports';

/**
 * Beyond the channel: the two mailing lists and the personal alerts for each
 * announcement, update and all-clear. Each message is a job, so it survives a
 * restart and is retried; personal alerts are delivered once per person per
 * message however often the job runs, and a mail that in the end cannot be
 * delivered is reported to the Nexusteam's channels. Also the daily purge of
 * outages past the retention.
 */
export interface NotificationDeps extends DutyDeps {
  readonly store: OutageStore;
  readonly reports: ReportStore;
  readonly storage: Storage;
  readonly jobs: JobStore;
  readonly mailer: OutageMailer | null;
  readonly alerts: PersonalAlerts;
  /** Asks the scheduler to run due jobs now, so mail and alerts don't wait for the next tick. */
  readonly kick?: () => void;
}

export const notifyJobId = (outageId: string, message: string, updateId?: string) =>
  `notify:${outageId}:${message}${updateId ? `:${updateId}` : ''}`;

export class Notifications {
  constructor(private readonly deps: NotificationDeps) {}

  /** Queues the mail and personal alerts for one message of an outage. */
  async queue(outage: Outage, message: MailKind, updateId?: string): Promise<void> {
    await this.deps.jobs.schedule(
      notifyJobId(outage.id, message, updateId),
      { kind: 'notify', outageId: outage.id, message, ...(updateId ? { updateId } : {}) },
      this.deps.clock.now(),
    );
    this.deps.kick?.();
  }

  async run(job: Job, now: Date): Promise<JobOutcome> {
    if (job.payload.kind !== 'notify') return { kind: 'failed', error: 'not a notify job' };
    const { outageId, message, updateId } = job.payload;
    const outage = await this.deps.store.get(outageId);
    if (!outage) return { kind: 'done' };
    const update = updateId ? outage.updates.find((u) => u.id === updateId) : latestUpdate(outage);

    // Mail once per job (the mailer retries temporary failures itself); a final failure is reported, not retried.
    if (this.deps.mailer && job.attempts === 1) {
      const mail = renderOutageMail(message, outage, update ? { updateText: update.text, updateAt: new Date(update.at) } : {}, this.deps.instruction, now);
      const result = await this.deps.mailer.send(mail);
      if (!result.delivered) await this.tellNexusteam({ kind: 'mailUndelivered', lang: CHANNEL_LANGUAGE, mail: message, outage, result }, `${job.id}:mail`);
    }

    const { key, activity } = this.alertFor(message, outage, update?.text ?? '', update ? new Date(update.at) : now, updateId);
    // Queued; the outbox delivers them, removes subscribers Teams no longer reaches, and reports the rest that fail.
    await this.deps.alerts.fanOut(outage, key, activity);
    return { kind: 'done' };
  }

  /** The personal alert for a message, in each subscriber's language. */
  private alertFor(message: MailKind, outage: Outage, text: string, at: Date, updateId?: string): { key: string; activity: (lang: Language) => Message } {
    switch (message) {
      case 'announcement':
        return { key: alertMessageKey.announcement, activity: (lang) => ({ kind: 'announcement', lang, now: at, outage, audience: 'staff' }) };
      case 'update':
        return { key: alertMessageKey.update(updateId ?? 'latest'), activity: (lang) => ({ kind: 'update', lang, outage, text, at }) };
      case 'allclear':
        return { key: alertMessageKey.allclear, activity: (lang) => ({ kind: 'allClear', lang, outage }) };
    }
  }

  /** `about` names the failure (job and what failed), so each is reported once and none is taken for another with the same text. */
  private async tellNexusteam(report: Message, about: string): Promise<void> {
    const targets = await this.deps.channels.withRole('nexusteam');
    await this.deps.messenger
      .queue(targets.map((target) => ({ id: messageId(`report:${about}:${target.conversationId}`), op: 'send' as const, target, message: report, purpose: { kind: 'report' as const } })))
      .catch((err: unknown) => this.deps.logger.error({ err }, 'could not tell the Nexusteam'));
  }

  // --- retention -----------------------------------------------------------------

  /** Every night at 03:15 Copenhagen time. */
  async scheduleRetention(now: Date): Promise<void> {
    let day = localDate(now);
    if (instantOf(day, '03:15').getTime() <= now.getTime()) day = addLocalDays(day, 1);
    await this.deps.jobs.schedule(`retention:${day}`, { kind: 'retention' }, instantOf(day, '03:15'));
  }

  async runRetention(_job: Job, now: Date): Promise<JobOutcome> {
    await this.deps.store.sweep();
    const result = await purgeOlderThan(this.deps.storage, this.deps.store, now, this.deps.delays.retentionDays, {
      removeReports: (id) => this.deps.reports.remove(id),
    });
    this.deps.logger.info({ purged: result.purged.length }, 'retention purge');
    const next = addLocalDays(localDate(now), 1);
    return { kind: 'done', followUps: [{ id: `retention:${next}`, payload: { kind: 'retention' }, dueAt: instantOf(next, '03:15') }] };
  }
}
