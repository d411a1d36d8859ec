import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../../domain/clock';
import { TEAMS_GLOBAL, TEAMS_PER_CONVERSATION, type PacingOptions } from '../pacing';
import type { RetryPolicy } from './send';
import type { ShardRules } from './shard';
import { DEFAULT_THROTTLE, type ThrottlePolicy } from './throttle';
import type { OutboxOptions } from './types';

/** The outbox's options with their defaults, checked. */
export interface Settings {
  readonly worker: string;
  readonly clock: Clock;
  readonly random: () => number;
  /** The shard count for a storage that has none yet. */
  readonly shards: number;
  readonly rules: ShardRules;
  readonly retry: RetryPolicy;
  readonly pollMs: number;
  readonly idlePollMs: number;
  readonly concurrency: number;
  readonly tag: boolean;
  readonly failureBatchMs: number;
  readonly pacer: PacingOptions;
  readonly refundThrottled: boolean;
  readonly throttle: ThrottlePolicy;
  /** Longest global window plus margin: how long an instance's sends still count after it stopped. */
  readonly globalHorizonMs: number;
}

export function settingsOf(options: OutboxOptions): Settings {
  const worker = options.worker ?? `outbox-${randomUUID().slice(0, 8)}`;
  const random = options.random ?? Math.random;
  const maxAttempts = positiveInt(options.maxAttempts ?? 8, 'maxAttempts');
  const backoffBase = Math.max(1, options.backoff?.baseMs ?? 500);
  const pollMs = Math.max(5, options.pollMs ?? 1_000);
  const marginMs = Math.max(0, options.pacing?.marginMs ?? 0);
  const arrivalBoundMs = Math.max(0, options.pacing?.arrivalBoundMs ?? 100);
  const global = options.pacing?.global ?? TEAMS_GLOBAL;
  return {
    worker,
    clock: options.clock ?? systemClock,
    random,
    shards: positiveInt(options.shards ?? 16, 'shards'),
    rules: { worker, leaseMs: Math.max(100, options.leaseMs ?? 30_000), keepFinishedMs: Math.max(0, options.keepFinishedMs ?? 48 * 3_600_000), maxAttempts },
    retry: { maxAttempts, baseMs: backoffBase, maxMs: Math.max(backoffBase, options.backoff?.maxMs ?? 300_000), random },
    pollMs,
    idlePollMs: Math.max(pollMs, options.idlePollMs ?? 10_000),
    concurrency: positiveInt(options.concurrency ?? 16, 'concurrency'),
    tag: options.tagActivities ?? false,
    failureBatchMs: Math.max(0, options.failureBatchMs ?? 2_000),
    pacer: {
      perKey: options.pacing?.perConversation ?? TEAMS_PER_CONVERSATION,
      global,
      marginMs,
      arrivalBoundMs,
      spread: options.pacing?.spread ?? true,
    },
    refundThrottled: options.pacing?.refundThrottled ?? true,
    throttle: { ...DEFAULT_THROTTLE, ...options.throttle },
    globalHorizonMs: Math.max(...global.map((w) => w.windowMs)) + marginMs + arrivalBoundMs,
  };
}

function positiveInt(n: number, name: string): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`Outbox: ${name} must be a positive integer, got ${n}`);
  return n;
}
