import { randomUUID } from 'node:crypto';
import type { Storage } from 'botbuilder';
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock';
import {
  cancelJobs,
  claimDue,
  jobSchema,
  pruneFinished,
  recordOutcome,
  retryAt,
  upsertJob,
  type Job,
  type JobKind,
  type JobOutcome,
  type JobPayload,
  type JobsDoc,
} from '../domain/jobs';
import { isRecord } from '../lib/isRecord';
import { defaultDocumentLog, parseList, SharedDocument, type DocumentLog } from '../store/document';

const JOBS_KEY = 'jobs';

/**
 * Durable jobs in storage: never only a setTimeout. A stored job that does not
 * parse is left out (and logged) and gone at the next change: it never runs,
 * and the others do.
 */
export class JobStore {
  readonly #doc: SharedDocument<JobsDoc, unknown>;
  constructor(storage: Storage, log: DocumentLog = defaultDocumentLog()) {
    this.#doc = new SharedDocument<JobsDoc, unknown>(storage, JOBS_KEY, (stored) => ({
      jobs: parseList(jobSchema, isRecord(stored) ? stored['jobs'] : undefined, log, JOBS_KEY, 'jobs'),
    }));
  }

  list(): Promise<JobsDoc> {
    return this.#doc.read();
  }

  change<R>(change: (doc: JobsDoc) => { doc?: JobsDoc; result: R }): Promise<R> {
    return this.#doc.change(change);
  }

  /** Adds a job, or moves a pending one with this id. */
  schedule(id: string, payload: JobPayload, dueAt: Date): Promise<void> {
    return this.change((doc) => {
      const next = upsertJob(doc, id, payload, dueAt);
      return { doc: next === doc ? undefined : next, result: undefined };
    });
  }

  cancel(match: (job: Job) => boolean, at: Date): Promise<void> {
    return this.change((doc) => {
      const next = cancelJobs(doc, match, at);
      return { doc: next === doc ? undefined : next, result: undefined };
    });
  }
}

export type JobHandler = (job: Job, now: Date) => Promise<JobOutcome>;

export interface SchedulerOptions {
  readonly store: JobStore;
  readonly clock: Clock;
  readonly handlers: Record<JobKind, JobHandler>;
  readonly logger: Logger;
  /** Called once when a job gives up (e.g. to tell the Nexusteam's channels). */
  readonly onFailed?: (job: Job, error: string) => Promise<void>;
  readonly intervalMs: number;
  /** How long a claim holds before another worker may take the job over. */
  readonly leaseMs?: number;
  readonly batch?: number;
  /** Jobs run at the same time in this process (default 5). */
  readonly concurrency?: number;
  readonly maxAttempts?: number;
  readonly worker?: string;
}

/**
 * Claims due jobs, re-checks and runs them through their handler, and records the
 * outcome: claim, send, record. A job that fell due while the bot was down runs
 * at the first tick after the start. Failures are retried with backoff, and a job
 * that keeps failing is reported, never swallowed.
 */
export class Scheduler {
  readonly worker: string;
  #timer: NodeJS.Timeout | undefined;
  readonly #inflight = new Set<Promise<void>>();
  #stopped = false;

  constructor(private readonly opts: SchedulerOptions) {
    this.worker = opts.worker ?? `worker-${randomUUID().slice(0, 8)}`;
  }

  start(): void {
    this.#stopped = false;
    const loop = () => {
      if (this.#stopped) return;
      // Not awaited: a job stuck on a slow recipient must not hold up the next round.
      void this.tick().catch((err: unknown) => this.opts.logger.error({ err }, 'scheduler tick failed'));
      this.#timer = setTimeout(loop, this.opts.intervalMs);
    };
    this.#timer = setTimeout(loop, 0);
  }

  /** Stops claiming; waits for the jobs being run to be recorded. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await Promise.allSettled([...this.#inflight]);
  }

  /**
   * One round: claim what is due (up to the free slots), run it, record it.
   * Resolves when this round's jobs are recorded; returns how many ran.
   */
  async tick(): Promise<number> {
    const { store, clock } = this.opts;
    const free = (this.opts.concurrency ?? 5) - this.#inflight.size;
    if (free <= 0) return 0;
    const now = clock.now();
    const claimed = await store.change((doc) => {
      const pruned = pruneFinished(doc, now, 24 * 3_600_000);
      const { doc: next, claimed } = claimDue(pruned, now, this.worker, this.opts.leaseMs ?? 120_000, Math.min(free, this.opts.batch ?? 25));
      return { doc: claimed.length > 0 || pruned !== doc ? next : undefined, result: claimed };
    });
    const runs = claimed.map((job) => {
      const run = this.runOne(job).finally(() => this.#inflight.delete(run));
      this.#inflight.add(run);
      return run;
    });
    await Promise.all(runs);
    return claimed.length;
  }

  private async runOne(job: Job): Promise<void> {
    const { clock, logger } = this.opts;
    const log = logger.child({ jobId: job.id, kind: job.payload.kind, attempt: job.attempts });
    let outcome: JobOutcome;
    const leaseMs = this.opts.leaseMs ?? 120_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      // A handler that outlives its lease is abandoned and retried: another worker may take the job by then.
      const overrun = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`job ran longer than its lease (${leaseMs} ms)`)), leaseMs);
      });
      outcome = await Promise.race([this.opts.handlers[job.payload.kind](job, clock.now()), overrun]);
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      const max = this.opts.maxAttempts ?? 5;
      outcome = job.attempts >= max ? { kind: 'failed', error } : { kind: 'retry', error, at: retryAt(clock.now(), job.attempts) };
      log.warn({ err, willRetry: outcome.kind === 'retry' }, 'job failed');
    } finally {
      clearTimeout(timer);
    }
    const recorded = await this.opts.store.change((doc) => {
      const r = recordOutcome(doc, job, this.worker, outcome, clock.now());
      return { doc: r.recorded ? r.doc : undefined, result: r.recorded };
    });
    if (!recorded) log.warn('job was taken over by another worker before it was recorded (lease ran out)');
    else log.debug({ outcome: outcome.kind }, 'job recorded');
    if (recorded && outcome.kind === 'failed') await this.opts.onFailed?.(job, outcome.error).catch((err: unknown) => log.error({ err }, 'reporting a failed job failed'));
  }
}

