/**
 * Timed duties as data: a job is due at an instant, claimed by one worker for a
 * lease, run, and recorded. Pure functions over the job list; the store makes
 * each step one eTag-checked write, so two bot instances never run a job twice
 * (unless one dies inside its lease: then at least once, never zero).
 */

import { z } from 'zod';
import { backoffMs } from '../lib/backoff';
import { schemaFor } from '../lib/schemaFor';

export type JobPayload =
  | { readonly kind: 'escalation'; readonly outageId: string; readonly round: number }
  | { readonly kind: 'driftvagtBackUp'; readonly outageId: string }
  | { readonly kind: 'homecare' }
  | { readonly kind: 'handover' }
  | { readonly kind: 'review' }
  /** Mail to the lists and personal alerts for one message of an outage. */
  | { readonly kind: 'notify'; readonly outageId: string; readonly message: 'announcement' | 'update' | 'allclear'; readonly updateId?: string }
  /** The daily purge of outages past the retention. */
  | { readonly kind: 'retention' };

export type JobKind = JobPayload['kind'];

export type JobState = 'pending' | 'claimed' | 'done' | 'failed';

export interface Job {
  readonly id: string;
  readonly dueAt: string;
  readonly state: JobState;
  readonly attempts: number;
  readonly payload: JobPayload;
  readonly claimedBy?: string;
  readonly leaseUntil?: string;
  readonly finishedAt?: string;
  readonly lastError?: string;
}

export interface JobsDoc {
  readonly jobs: readonly Job[];
}

const payloadSchema = schemaFor<JobPayload>()(
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('escalation'), outageId: z.string(), round: z.number().int().nonnegative() }),
    z.object({ kind: z.literal('driftvagtBackUp'), outageId: z.string() }),
    z.object({ kind: z.literal('homecare') }),
    z.object({ kind: z.literal('handover') }),
    z.object({ kind: z.literal('review') }),
    z.object({ kind: z.literal('notify'), outageId: z.string(), message: z.enum(['announcement', 'update', 'allclear']), updateId: z.string().optional() }),
    z.object({ kind: z.literal('retention') }),
  ]),
);

/** A job as stored (the store's `jobs` document holds a list of them). */
export const jobSchema = schemaFor<Job>()(
  z.object({
    id: z.string().min(1),
    dueAt: z.string(),
    state: z.enum(['pending', 'claimed', 'done', 'failed']),
    attempts: z.number().int().nonnegative(),
    payload: payloadSchema,
    claimedBy: z.string().optional(),
    leaseUntil: z.string().optional(),
    finishedAt: z.string().optional(),
    lastError: z.string().optional(),
  }),
);

/** Adds a job, or moves a pending one with the same id to a new due time. A claimed or finished job is left alone. */
export function upsertJob(doc: JobsDoc, id: string, payload: JobPayload, dueAt: Date): JobsDoc {
  const existing = doc.jobs.find((j) => j.id === id);
  if (existing && existing.state !== 'pending') return doc;
  const job: Job = { id, dueAt: dueAt.toISOString(), state: 'pending', attempts: existing?.attempts ?? 0, payload };
  if (existing?.dueAt === job.dueAt && existing.state === 'pending') return doc;
  return { jobs: existing ? doc.jobs.map((j) => (j.id === id ? job : j)) : [...doc.jobs, job] };
}

/** Cancels pending jobs matching a predicate (e.g. an outage's escalations once it is resolved). */
export function cancelJobs(doc: JobsDoc, match: (job: Job) => boolean, at: Date): JobsDoc {
  let changed = false;
  const jobs = doc.jobs.map((j): Job => {
    if (j.state !== 'pending' || !match(j)) return j;
    changed = true;
    return { ...j, state: 'done', finishedAt: at.toISOString(), lastError: 'cancelled' };
  });
  return changed ? { jobs } : doc;
}

const isDue = (j: Job, now: number) =>
  (j.state === 'pending' && Date.parse(j.dueAt) <= now) ||
  (j.state === 'claimed' && j.leaseUntil !== undefined && Date.parse(j.leaseUntil) < now);

/** Claims up to `max` due jobs (and jobs whose worker's lease ran out), earliest first. */
export function claimDue(doc: JobsDoc, now: Date, worker: string, leaseMs: number, max: number): { doc: JobsDoc; claimed: Job[] } {
  const t = now.getTime();
  const due = doc.jobs
    .filter((j) => isDue(j, t))
    .sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt))
    .slice(0, max);
  if (due.length === 0) return { doc, claimed: [] };
  const ids = new Set(due.map((j) => j.id));
  const leaseUntil = new Date(t + leaseMs).toISOString();
  const claimed: Job[] = [];
  const jobs = doc.jobs.map((j) => {
    if (!ids.has(j.id)) return j;
    const c: Job = { ...j, state: 'claimed', claimedBy: worker, leaseUntil, attempts: j.attempts + 1 };
    claimed.push(c);
    return c;
  });
  return { doc: { jobs }, claimed };
}

export type JobOutcome =
  | { readonly kind: 'done'; readonly followUps?: readonly { id: string; payload: JobPayload; dueAt: Date }[] }
  | { readonly kind: 'retry'; readonly error: string; readonly at: Date }
  | { readonly kind: 'failed'; readonly error: string };

/**
 * Records what running a claimed job gave. Only the worker holding the claim may
 * record it (a worker whose lease ran out and was overtaken changes nothing).
 */
export function recordOutcome(doc: JobsDoc, job: Job, worker: string, outcome: JobOutcome, now: Date): { doc: JobsDoc; recorded: boolean } {
  const current = doc.jobs.find((j) => j.id === job.id);
  if (!current || current.state !== 'claimed' || current.claimedBy !== worker || current.attempts !== job.attempts) {
    return { doc, recorded: false };
  }
  const finishedAt = now.toISOString();
  let next: Job;
  switch (outcome.kind) {
    case 'done':
      next = { id: current.id, dueAt: current.dueAt, state: 'done', attempts: current.attempts, payload: current.payload, finishedAt };
      break;
    case 'retry':
      next = { id: current.id, dueAt: outcome.at.toISOString(), state: 'pending', attempts: current.attempts, payload: current.payload, lastError: outcome.error };
      break;
    case 'failed':
      next = { id: current.id, dueAt: current.dueAt, state: 'failed', attempts: current.attempts, payload: current.payload, finishedAt, lastError: outcome.error };
      break;
  }
  let result: JobsDoc = { jobs: doc.jobs.map((j) => (j.id === job.id ? next : j)) };
  if (outcome.kind === 'done') {
    for (const f of outcome.followUps ?? []) result = upsertJob(result, f.id, f.payload, f.dueAt);
  }
  return { doc: result, recorded: true };
}

/** Drops finished jobs older than `keepMs` so the document stays small. */
export function pruneFinished(doc: JobsDoc, now: Date, keepMs: number): JobsDoc {
  const cutoff = now.getTime() - keepMs;
  const jobs = doc.jobs.filter((j) => !(j.finishedAt && Date.parse(j.finishedAt) < cutoff));
  return jobs.length === doc.jobs.length ? doc : { jobs };
}

/** The next instant for a job after a failure: exponential, capped (1, 2, 4 … 15 minutes). */
export function retryAt(now: Date, attempts: number): Date {
  return new Date(now.getTime() + backoffMs(attempts, { baseMs: 60_000, capMs: 15 * 60_000, jitter: 'none' }));
}
