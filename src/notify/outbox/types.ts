import type { Activity, Storage } from 'botbuilder';
import type { Logger } from 'pino';
import type { Clock } from '../../domain/clock';
import type { PacingOptions, RateWindow } from '../pacing';
import type { ConversationTarget, Sender } from '../sender';
import type { OutboxPurpose } from './purpose';
import type { ThrottlePolicy } from './throttle';

/** What the outbox stores and hands back: messages, their records, options, counts. */

export type OutboxOp = 'send' | 'reply' | 'update';

export interface OutboxMessage {
  /** Idempotency key, unique per conversation, e.g. `${outageId}:announce:${conversationId}`. */
  readonly id: string;
  readonly op: OutboxOp;
  readonly target: ConversationTarget;
  /** For `reply`: the thread's root activity id … */
  readonly rootActivityId?: string;
  /** … or the outbox id of the message that posted the root (same conversation): the reply waits for it. */
  readonly rootMessageId?: string;
  /** For `update`: the activity to replace … */
  readonly activityId?: string;
  /** … or the outbox id of the message that posted it (same conversation). */
  readonly activityOfMessageId?: string;
  readonly activity: Partial<Activity>;
  /** Why it exists, for the hooks and reports (./purpose.ts); checked on enqueue, parsed on read. */
  readonly purpose: OutboxPurpose;
}

export type OutboxState = 'pending' | 'sending' | 'delivered' | 'failed';

export interface OutboxError {
  readonly statusCode?: number;
  readonly code?: string;
  readonly message: string;
  readonly retryable: boolean;
}

/** What the outbox keeps of a message: its addressing and purpose, no activity body (that is in `outbox/payload/<payload>`). */
export interface OutboxRecord extends Omit<OutboxMessage, 'activity'> {
  /** sha256 of the activity. */
  readonly payload: string;
  readonly state: OutboxState;
  /** Order within the shard (FIFO per conversation). */
  readonly seq: number;
  /** Position in its enqueue call (earlier first across conversations). */
  readonly pos: number;
  readonly enqueuedAt: string;
  /** Requests made (claims); a claim given back unsent does not count. */
  readonly attempts: number;
  /** When each attempt went out and which instance made it (seeds pacing after a takeover). */
  readonly tries: readonly { readonly at: string; readonly by: string }[];
  readonly notBefore?: string;
  /** The id Teams gave the message (for an update, the id updated). */
  readonly sentActivityId?: string;
  readonly finishedAt?: string;
  readonly error?: OutboxError;
  /** The hook (onDelivered/onFailed) has run for the final state. */
  readonly notified?: boolean;
}

export interface OutboxOptions {
  readonly storage: Storage;
  /** Teams: an AdapterSender (one request per call; the outbox does the retrying). */
  readonly sender: Sender;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** After a delivery is recorded; at least once per message (idempotent, please). */
  readonly onDelivered?: (record: OutboxRecord, activityId: string) => Promise<void> | void;
  /** After failures are recorded, in batches; at least once per message. */
  readonly onFailed?: (records: readonly OutboxRecord[]) => Promise<void> | void;
  /** Shards (default 16); fixed at first use in a storage (`outbox/meta`). */
  readonly shards?: number;
  /** Tries per message in all (default 8). */
  readonly maxAttempts?: number;
  /** Backoff before try n+1: up to baseMs·2^(n-1), at least half of it, capped (default 500 ms, 5 min); never below a Retry-After. */
  readonly backoff?: { readonly baseMs?: number; readonly maxMs?: number };
  /** How long a shard's lease holds without renewal (default 30 s): the takeover delay after a crash. */
  readonly leaseMs?: number;
  /** How often a busy instance re-reads the shards, throttle and workers (default 1 s). */
  readonly pollMs?: number;
  /** How often an idle instance scans every shard (default 10 s; it reads `outbox/signal` every pollMs). */
  readonly idlePollMs?: number;
  /** Sends in flight at once (default 16). */
  readonly concurrency?: number;
  /**
   * Pacing (src/notify/pacing.ts): `perConversation` and `global` default to
   * Teams' limits; `arrivalBoundMs` (default 100 ms here) is the longest delay
   * assumed between letting a request go and Teams receiving it (it counts in the
   * windows until then, or until its answer if that is sooner); `marginMs` is
   * added to every window (default 0); global sends are spread evenly (`spread`,
   * default true here).
   */
  readonly pacing?: Pick<PacingOptions, 'global' | 'arrivalBoundMs' | 'marginMs' | 'spread'> & {
    readonly perConversation?: readonly RateWindow[];
    /** A 429 means Teams refused the request: take it out of the windows again (default true). */
    readonly refundThrottled?: boolean;
  };
  readonly throttle?: Partial<ThrottlePolicy>;
  /** Delivered and failed records are kept this long for idempotency, then pruned (default 48 h). */
  readonly keepFinishedMs?: number;
  /** Put the outbox id into `channelData.outboxId` of each activity (tests and the bench; default off). */
  readonly tagActivities?: boolean;
  /** Failures are reported once the oldest unreported one is this old, to batch them (default 2 s). */
  readonly failureBatchMs?: number;
  /** This instance's name in leases and logs (default `outbox-<random>`). */
  readonly worker?: string;
  /** 0 ≤ x < 1 (jitter, shard order). */
  readonly random?: () => number;
}

export interface EnqueueResult {
  readonly added: readonly string[];
  /** Ids already in the outbox (or twice in this call): nothing new was stored. */
  readonly ignored: readonly string[];
}

export interface OutboxStats {
  readonly pending: number;
  readonly sending: number;
  readonly delivered: number;
  readonly failed: number;
  /** Finished but the hook has not run yet. */
  readonly unnotified: number;
}
