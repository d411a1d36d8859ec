import type { Storage } from 'botbuilder';
import type { JobKind } from '../domain/jobs';
import { PersonalAlerts } from './alerts';
import type { OutageMailer } from '../notify/mail';
import { JobStore, type JobHandler } from '../scheduler/scheduler';
import { OutageStore } from '../store/outages';
import { ReportStore } from '../store/reports';
import { Subscriptions } from '../store/subscriptions';
import { EscalationService } from './escalationService';
import { Notifications } from './notifications';
import { OutageService } from './outageService';
import type { DutyDeps } from './ports';
import { Reminders } from './reminders';

export interface Duties {
  readonly outageStore: OutageStore;
  readonly reportStore: ReportStore;
  readonly jobs: JobStore;
  readonly outages: OutageService;
  readonly escalations: EscalationService;
  readonly reminders: Reminders;
  readonly notifications: Notifications;
  readonly subscriptions: Subscriptions;
  readonly alerts: PersonalAlerts;
  /** What runs each kind of timed job (the scheduler, built by the composition root, calls them). */
  readonly jobHandlers: Readonly<Record<JobKind, JobHandler>>;
}

/**
 * Wires the outage workflow to its timed duties: an outage that opens or moves
 * schedules its 2-hour escalation, an all-clear cancels it and asks for the "it's
 * back" call, and every announcement, update and all-clear queues its mail and
 * personal alerts. One place, used by the app and by the tests alike; the
 * scheduler that runs the jobs is built beside it (src/index.ts).
 */
export function composeDuties(
  deps: DutyDeps & {
    readonly storage: Storage;
    readonly mailer: OutageMailer | null;
    /** Asks the scheduler to run due jobs now, so mail and alerts don't wait for the next tick. */
    readonly kick?: () => void;
  },
): Duties {
  const { storage, logger } = deps;
  const common: DutyDeps = { ...deps };
  const child = (component: string) => logger.child({ component });
  // Stored documents that do not parse are logged there (src/store/document.ts).
  const store = child('store');
  const outageStore = new OutageStore(storage, undefined, store);
  const reportStore = new ReportStore(storage, undefined, store);
  const jobs = new JobStore(storage, store);
  const subscriptions = new Subscriptions(storage, store);
  const escalations = new EscalationService({ ...common, store: outageStore, reports: reportStore, jobs, logger: child('escalations') });
  const reminders = new Reminders({ ...common, outages: outageStore, jobs, logger: child('reminders') });
  const alerts = new PersonalAlerts({ subscriptions, messenger: deps.messenger, logger: child('alerts') });
  const notifications = new Notifications({
    ...common,
    store: outageStore,
    reports: reportStore,
    storage,
    jobs,
    mailer: deps.mailer,
    alerts,
    logger: child('notifications'),
    ...(deps.kick ? { kick: deps.kick } : {}),
  });
  const outages = new OutageService({
    ...common,
    store: outageStore,
    reports: reportStore,
    logger: child('outages'),
    events: {
      opened: (o) => escalations.schedule(o),
      resolved: (o) => escalations.afterResolved(o),
      notify: (o, message, updateId) => notifications.queue(o, message, updateId),
    },
  });
  const jobHandlers: Duties['jobHandlers'] = {
    escalation: (job, now) => escalations.run(job, now),
    driftvagtBackUp: (job, now) => escalations.runBackUp(job, now),
    homecare: (job, now) => reminders.runHomecare(job, now),
    handover: (job, now) => reminders.runHandover(job, now),
    review: (job, now) => reminders.runReview(job, now),
    notify: (job, now) => notifications.run(job, now),
    retention: (job, now) => notifications.runRetention(job, now),
  };
  return { outageStore, reportStore, jobs, outages, escalations, reminders, notifications, subscriptions, alerts, jobHandlers };
}
