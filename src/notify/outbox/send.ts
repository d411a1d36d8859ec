import type { Activity } from 'botbuilder';
import { SendError, type Sender } from '../sender';
import type { Outcome, Resolved } from './shard';
import type { OutboxError, OutboxRecord } from './types';
import { backoffMs } from '../../lib/backoff';
import { isRecord } from '../../lib/isRecord';

/**
 * One send and what its failure means. Retries: 429, 408, 412, 5xx and network
 * failures (SendError.retryable; the AdapterSender under the outbox makes one
 * try, so these are the only retries), with exponential backoff and equal
 * jitter, never sooner than a Retry-After; after `maxAttempts` the message fails.
 * 403/404 fail at once.
 */

/** The send was not made (stopping, or the lease is ending): it goes back to pending, the try not counted. */
export class Aborted extends Error {
  override name = 'Aborted';
}

/** The message cannot be sent (what it refers to failed, its body is gone): it fails without a request. */
export class Impossible extends Error {
  override name = 'Impossible';
}

/** Makes the request; returns the Teams activity id (for an update, the id updated). */
export async function perform(sender: Sender, record: OutboxRecord, resolved: Resolved, stored: Partial<Activity>, tag: boolean): Promise<string> {
  const activity: Partial<Activity> = tag
    ? { ...stored, channelData: { ...(isRecord(stored.channelData) ? stored.channelData : {}), outboxId: record.id } }
    : stored;
  switch (record.op) {
    case 'send':
      return (await sender.send(record.target, activity)).activityId;
    case 'reply':
      return (await sender.reply(record.target, resolved.rootActivityId ?? '', activity)).activityId;
    case 'update': {
      const activityId = resolved.activityId ?? '';
      await sender.update(record.target, activityId, activity);
      return activityId;
    }
  }
}

export type Failure =
  | { readonly kind: 'unsent' }
  | { readonly kind: 'impossible'; readonly error: OutboxError }
  /** Teams answered with an error, or the request failed on the way. */
  | { readonly kind: 'refused'; readonly error: OutboxError; readonly retryAfterMs?: number };

/** What a send's error was. */
export function failureOf(err: unknown): Failure {
  if (err instanceof Aborted) return { kind: 'unsent' };
  if (err instanceof Impossible) return { kind: 'impossible', error: { message: err.message, retryable: false } };
  if (err instanceof SendError) {
    const error: OutboxError = {
      ...(err.statusCode !== undefined ? { statusCode: err.statusCode } : {}),
      ...(err.code !== undefined ? { code: err.code } : {}),
      message: err.message,
      retryable: err.retryable,
    };
    return { kind: 'refused', error, ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}) };
  }
  return { kind: 'refused', error: { message: err instanceof Error ? `${err.name}: ${err.message}` : String(err), retryable: true } };
}

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseMs: number;
  readonly maxMs: number;
  readonly random: () => number;
}

/**
 * A refused send: tried again after the backoff (a 429 also holds its
 * conversation that long), or failed for good when it cannot succeed or the
 * tries are used up. `sentAt`: when the request was let go, if it was.
 */
export function retryOrFail(record: OutboxRecord, refused: Extract<Failure, { kind: 'refused' }>, sentAt: number | undefined, now: number, policy: RetryPolicy): Outcome {
  const { error, retryAfterMs } = refused;
  if (!error.retryable || record.attempts >= policy.maxAttempts) return { kind: 'failed', error, ...(sentAt !== undefined ? { sentAt } : {}) };
  const delay = backoffMs(record.attempts, { baseMs: policy.baseMs, capMs: policy.maxMs, jitter: 'equal', atLeastMs: retryAfterMs }, policy.random);
  return {
    kind: 'retry',
    notBefore: now + delay,
    ...(error.statusCode === 429 ? { hold: now + delay } : {}),
    error,
    sentAt: sentAt ?? now,
  };
}
