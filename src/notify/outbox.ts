import { createHash, randomUUID } from 'node:crypto';
import type { Activity, Storage } from 'botbuilder';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../domain/clock';
import { baseConversationId } from '../store/channels';
import { SharedDocument } from '../store/document';
import { Pacer, TEAMS_GLOBAL, TEAMS_PER_CONVERSATION, type RateWindow, type SendMark } from './pacing';
import { SendError, type ConversationTarget, type Sender } from './sender';
import { outboxPurposeSchema, parsePurpose, type OutboxPurpose } from './outbox/purpose';

/**
 * The outbox: every proactive send (announcements, updates, the all-clear,
 * reminders, personal alerts) goes through here, durably, paced within Teams'
 * limits, retried with backoff, and recorded once (DESIGN.md, "Delivery
 * semantics": claim, send, record).
 *
 * Storage (no list or query, so a few small documents):
 * - `outbox/shard/<i>` (i < shards, default 16): the messages of every
 *   conversation whose base id (a channel without `;messageid=`) hashes to i, plus
 *   the shard's lease (owner, leaseUntil) and per-conversation holds (a 429's
 *   Retry-After). All messages to one conversation live in one shard, so the one
 *   instance that holds the shard's lease is the only one sending to that
 *   conversation: per-conversation pacing is exact, order is kept (FIFO per
 *   conversation), and a reply can wait for its root in the same document.
 * - `outbox/payload/<sha256>`: the activity, stored once however many recipients
 *   share it (one announcement card for 1,520 recipients); `outbox/payloads`
 *   indexes them for the retention sweep.
 * - `outbox/throttle`: the shared throttle (`slowUntil`): when Teams says slow
 *   down, every instance waits, then ramps up again.
 * - `outbox/workers`: live instances (heartbeats, and whether each holds shards).
 *   Each takes a fair share of the shards with work (a shard nobody takes within
 *   two polls goes to whoever sees it), and the n instances that send take 1/n of
 *   the global rate each. An instance that starts sending while others do waits a
 *   global window and two polls first (until they have lowered their rate); a
 *   share rises only a window after another instance stopped.
 * - `outbox/signal`: touched by every enqueue, so idle instances notice work
 *   with one small read per poll.
 * - `outbox/meta`: the shard count fixed at first use.
 *
 * Pacing (src/notify/pacing.ts): per conversation Teams' four windows, overall
 * 50/s spread evenly; a request counts from when it is let go until its answer
 * (at most `arrivalBoundMs`), so arrival jitter cannot turn into a violation; a
 * 429 is taken out of the windows again (Teams refused it).
 *
 * A message: pending → (claimed: attempts+1, `sending`) → the send → delivered
 * (with Teams' activity id) | pending again with a later `notBefore` | failed.
 * A shard whose owner died is taken over when its lease runs out, and its
 * `sending` messages are sent again: at least once, never zero. An instance that
 * stops gives its shards back at once.
 *
 * Retries: 429, 408, 412, 5xx and network failures (SendError.retryable; the
 * AdapterSender under the outbox makes one try, so these are the only retries),
 * with exponential backoff and equal jitter, never sooner than a Retry-After;
 * after `maxAttempts` the message fails. 403/404 fail at once. Failed messages
 * are handed to `onFailed` in batches (for the Nexusteam's report), delivered
 * ones to `onDelivered`: both after the record is written, at least once (a hook
 * that did not finish runs again after a restart), so hooks must be idempotent.
 * `waitFor` serves a caller that must have Teams' activity id before it goes on.
 *
 * Ids: unique per conversation and per meaning (`${outageId}:announce:${conv}`),
 * never derived from the content alone: an id seen within `keepFinishedMs`
 * (48 h) is ignored, so two different messages with the same id lose one.
 *
 * Throttle: a 429 always holds its conversation for Retry-After (or the backoff).
 * In `adaptive` mode (default) everyone waits when Teams throttles broadly:
 * share·sample of this instance's last `sample` answers were 429 (20 of 100: a
 * storm is noticed after 20 refusals, while 5 % of stray 429s almost never add up
 * to 20 of 100), or a 429 asks for `longRetryAfterMs` or more. In `every429` mode
 * any 429 stops every instance until its Retry-After (or an exponential default)
 * has passed. After a pause the global rate climbs back from half over
 * `recoveryMs`.
 */

export type OutboxOp = 'send' | 'reply' | 'update';

export type { OutboxPurpose } from './outbox/purpose';

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
  readonly purpose: OutboxPurpose;
}

export type OutboxState = 'pending' | 'sending' | 'delivered' | 'failed';

export interface OutboxError {
  readonly statusCode?: number;
  readonly code?: string;
  readonly message: string;
  readonly retryable: boolean;
}

/** What the outbox keeps of a message: no activity body (that is in `outbox/payload/<payload>`). */
export interface OutboxRecord {
  readonly id: string;
  readonly op: OutboxOp;
  readonly target: ConversationTarget;
  readonly rootActivityId?: string;
  readonly rootMessageId?: string;
  readonly activityId?: string;
  readonly activityOfMessageId?: string;
  readonly purpose: OutboxPurpose;
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

export interface ThrottlePolicy {
  readonly mode: 'adaptive' | 'every429';
  /** adaptive: answers of this instance looked at (default 100). */
  readonly sample: number;
  /** adaptive: everyone waits once share·sample of them were 429 (default 0.2: 20 of the last 100). */
  readonly share: number;
  /** adaptive: a 429 asking to wait this long (ms) or more pauses everyone (default 10 s). */
  readonly longRetryAfterMs: number;
  /** A pause without Retry-After: baseMs · 2^level with jitter, up to maxMs (default 1 s, 60 s); the level grows while nothing gets through between pauses. */
  readonly baseMs: number;
  readonly maxMs: number;
  /** After a pause the global rate climbs from half to full over this long (default 10 s). */
  readonly recoveryMs: number;
}

export const DEFAULT_THROTTLE: ThrottlePolicy = {
  mode: 'adaptive',
  sample: 100,
  share: 0.2,
  longRetryAfterMs: 10_000,
  baseMs: 1_000,
  maxMs: 60_000,
  recoveryMs: 10_000,
};

export interface OutboxOptions {
  readonly storage: Storage;
  /** An AdapterSender made with `{ maxAttempts: 1 }`: the outbox does the retrying. */
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
  readonly pacing?: {
    readonly perConversation?: readonly RateWindow[];
    readonly global?: readonly RateWindow[];
    /**
     * The longest delay assumed between letting a request go and Teams receiving
     * it (default 100 ms): a request counts in the windows until then, or until its
     * answer if that is sooner (src/notify/pacing.ts).
     */
    readonly arrivalBoundMs?: number;
    /** Added to every window's length (default 0). */
    readonly marginMs?: number;
    /** Spread global sends evenly instead of in bursts (default true). */
    readonly spread?: boolean;
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

// --- documents ----------------------------------------------------------------

interface ShardDoc {
  /** Bumped by every write: a read that raced a newer write is not taken for news. */
  readonly rev: number;
  readonly owner?: string;
  readonly leaseUntil?: string;
  readonly nextSeq: number;
  readonly messages: readonly OutboxRecord[];
  /** Conversation key → ISO instant: nothing goes to that conversation before it (a 429's Retry-After). */
  readonly holds: Readonly<Record<string, string>>;
}

interface ThrottleDoc {
  readonly slowUntil?: string;
  /** Consecutive pauses without Retry-After (exponential default). */
  readonly level: number;
  readonly lastPauseAt?: string;
  readonly by?: string;
  readonly reason?: string;
}

interface WorkerEntry {
  readonly heartbeatAt: string;
  readonly expiresAt: string;
  /** Set while the instance holds shards (it sends): it takes a share of the global rate. */
  readonly busySince?: string;
  /** When it last gave its shards back: its sends still count for a global window after this. */
  readonly idleSince?: string;
  /** Set when the instance stopped. */
  readonly leftAt?: string;
}

interface WorkersDoc {
  readonly workers: Readonly<Record<string, WorkerEntry>>;
}

interface PayloadsDoc {
  /** Payload hash → last enqueue that used it (ISO). */
  readonly used: Readonly<Record<string, string>>;
  readonly sweptAt?: string;
}

interface MetaDoc {
  readonly shards: number;
}

const PREFIX = 'outbox';
const shardKey = (i: number) => `${PREFIX}/shard/${String(i).padStart(2, '0')}`;
const payloadKey = (hash: string) => `${PREFIX}/payload/${hash}`;
const THROTTLE_KEY = `${PREFIX}/throttle`;
const WORKERS_KEY = `${PREFIX}/workers`;
const SIGNAL_KEY = `${PREFIX}/signal`;
const PAYLOADS_KEY = `${PREFIX}/payloads`;
const META_KEY = `${PREFIX}/meta`;

// --- pure shard transitions -------------------------------------------------------

const isFinished = (r: OutboxRecord) => r.state === 'delivered' || r.state === 'failed';

/** Pending or sending work, or a finished message whose hook has not run. */
export function shardHasWork(doc: ShardDoc): boolean {
  return doc.messages.some((r) => !isFinished(r) || r.notified !== true);
}

function ms(iso: string | undefined): number {
  if (iso === undefined) return Number.NEGATIVE_INFINITY;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : Number.NEGATIVE_INFINITY;
}

/** The pacing key: the base conversation (a channel's threads share the channel's budget). */
export function conversationKey(target: ConversationTarget): string {
  return baseConversationId(target.conversationId);
}

/** FNV-1a over the conversation key, modulo the shard count. */
export function shardOf(target: ConversationTarget, shards: number): number {
  const key = conversationKey(target);
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % shards;
}

function leaseHeldBy(doc: ShardDoc, worker: string, now: number): boolean {
  return doc.owner === worker && ms(doc.leaseUntil) > now;
}

function leaseFree(doc: ShardDoc, now: number): boolean {
  return doc.owner === undefined || ms(doc.leaseUntil) <= now;
}

// --- the outbox ---------------------------------------------------------------------

interface Resolved {
  readonly rootActivityId?: string;
  readonly activityId?: string;
  /** The message cannot be sent (its root failed or is unknown): fail it without a request. */
  readonly impossible?: string;
}

interface Pick {
  readonly shard: number;
  readonly record: OutboxRecord;
  readonly resolved: Resolved;
}

type Outcome =
  | { readonly kind: 'delivered'; readonly activityId: string; readonly sentAt: number }
  | { readonly kind: 'retry'; readonly notBefore: number; readonly hold?: number; readonly error: OutboxError; readonly sentAt: number }
  | { readonly kind: 'failed'; readonly error: OutboxError; readonly sentAt?: number }
  | { readonly kind: 'unsent' };

class Aborted extends Error {
  override name = 'Aborted';
}

class Impossible extends Error {
  override name = 'Impossible';
}

/** One shard document, with changes queued in this process coalesced into one eTag-checked write. */
class ShardWriter {
  readonly #doc: SharedDocument<ShardDoc>;
  readonly #onDoc: (doc: ShardDoc) => void;
  #queue: { step: (doc: ShardDoc) => { doc?: ShardDoc; result: unknown }; resolve: (v: unknown) => void; reject: (e: unknown) => void }[] = [];
  #busy = false;

  constructor(doc: SharedDocument<ShardDoc>, onDoc: (doc: ShardDoc) => void) {
    this.#doc = doc;
    this.#onDoc = onDoc;
  }

  read(): Promise<ShardDoc> {
    return this.#doc.read();
  }

  /** `step` is pure (it may run again on a fresh document after a conflict). */
  run<R>(step: (doc: ShardDoc) => { doc?: ShardDoc; result: R }): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ step, resolve: (v) => resolve(v as R), reject });
      void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue;
        this.#queue = [];
        try {
          const out = await this.#doc.change((current) => {
            let doc = current;
            let changed = false;
            const results: unknown[] = [];
            for (const op of batch) {
              const r = op.step(doc);
              if (r.doc) {
                doc = r.doc;
                changed = true;
              }
              results.push(r.result);
            }
            if (!changed) return { result: { doc, results } };
            const next = { ...doc, rev: current.rev + 1 };
            return { doc: next, result: { doc: next, results } };
          });
          this.#onDoc(out.doc);
          batch.forEach((op, i) => op.resolve(out.results[i]));
        } catch (err) {
          for (const op of batch) op.reject(err);
        }
      }
    } finally {
      this.#busy = false;
    }
  }
}

export class Outbox {
  readonly worker: string;
  readonly #storage: Storage;
  readonly #sender: Sender;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #onDelivered: OutboxOptions['onDelivered'];
  readonly #onFailed: OutboxOptions['onFailed'];
  readonly #configuredShards: number;
  readonly #maxAttempts: number;
  readonly #backoffBase: number;
  readonly #backoffMax: number;
  readonly #leaseMs: number;
  readonly #pollMs: number;
  readonly #idlePollMs: number;
  readonly #concurrency: number;
  readonly #throttlePolicy: ThrottlePolicy;
  readonly #keepFinishedMs: number;
  readonly #tag: boolean;
  readonly #failureBatchMs: number;
  readonly #random: () => number;
  readonly #pacer: Pacer;
  readonly #refundThrottled: boolean;
  /** Longest global window plus margin: how long an instance's sends still count after it left. */
  readonly #globalHorizonMs: number;

  #shards: number | undefined;
  #init: Promise<number> | undefined;
  #writers: ShardWriter[] = [];
  #snap: (ShardDoc | undefined)[] = [];
  readonly #throttleDoc: SharedDocument<ThrottleDoc>;
  readonly #workersDoc: SharedDocument<WorkersDoc>;
  readonly #payloadsDoc: SharedDocument<PayloadsDoc>;
  readonly #metaDoc: SharedDocument<MetaDoc>;

  readonly #owned = new Set<number>();
  readonly #releasing = new Set<number>();
  readonly #lastSeeded = new Map<number, number>();
  readonly #inflight = new Map<string, { shard: number; key: string; gated: boolean }>();
  readonly #inflightKeys = new Set<string>();
  readonly #sends = new Set<Promise<void>>();
  readonly #payloadCache = new Map<string, Partial<Activity>>();
  readonly #hookTries = new Map<string, number>();
  /** Ids whose onDelivered is running now (not started twice by this instance). */
  readonly #hooking = new Set<string>();
  /** waitFor callers in this process, by message id. */
  readonly #waiters = new Map<string, Set<(r: OutboxRecord) => void>>();
  #lastSweep = Number.NEGATIVE_INFINITY;
  /** After a hook failed, hooks wait until then (a second, doubling per failure). */
  #hooksNotBefore = Number.NEGATIVE_INFINITY;
  #hooksRunning: Promise<void> | undefined;

  #throttle: ThrottleDoc = { level: 0 };
  #workers: WorkersDoc = { workers: {} };
  #shareHistory: { at: number; share: number }[] = [];
  #sendFrom = 0;
  /** This instance holds shards (as last written to outbox/workers). */
  #busy = false;
  /** Shards seen free with work while this instance was at its fair share: since when. */
  readonly #freeSeen = new Map<number, number>();
  #answers: boolean[] = [];
  #lastSuccessAt = Number.NEGATIVE_INFINITY;
  #lastHeartbeat = Number.NEGATIVE_INFINITY;
  #lastFullScan = Number.NEGATIVE_INFINITY;
  #lastSignal: string | undefined;
  #workSeen = false;

  #loop: Promise<void> | undefined;
  #stopping = false;
  #wakeUp: (() => void) | undefined;
  #wantScan = true;

  constructor(options: OutboxOptions) {
    this.#storage = options.storage;
    this.#sender = options.sender;
    this.#logger = options.logger;
    this.#clock = options.clock ?? systemClock;
    this.#onDelivered = options.onDelivered;
    this.#onFailed = options.onFailed;
    this.#configuredShards = positiveInt(options.shards ?? 16, 'shards');
    this.#maxAttempts = positiveInt(options.maxAttempts ?? 8, 'maxAttempts');
    this.#backoffBase = Math.max(1, options.backoff?.baseMs ?? 500);
    this.#backoffMax = Math.max(this.#backoffBase, options.backoff?.maxMs ?? 300_000);
    this.#leaseMs = Math.max(100, options.leaseMs ?? 30_000);
    this.#pollMs = Math.max(5, options.pollMs ?? 1_000);
    this.#idlePollMs = Math.max(this.#pollMs, options.idlePollMs ?? 10_000);
    this.#concurrency = positiveInt(options.concurrency ?? 16, 'concurrency');
    this.#throttlePolicy = { ...DEFAULT_THROTTLE, ...options.throttle };
    this.#keepFinishedMs = Math.max(0, options.keepFinishedMs ?? 48 * 3_600_000);
    this.#tag = options.tagActivities ?? false;
    this.#failureBatchMs = Math.max(0, options.failureBatchMs ?? 2_000);
    this.#random = options.random ?? Math.random;
    this.worker = options.worker ?? `outbox-${randomUUID().slice(0, 8)}`;
    const marginMs = Math.max(0, options.pacing?.marginMs ?? 0);
    const arrivalBoundMs = Math.max(0, options.pacing?.arrivalBoundMs ?? 100);
    this.#pacer = new Pacer({
      perKey: options.pacing?.perConversation ?? TEAMS_PER_CONVERSATION,
      global: options.pacing?.global ?? TEAMS_GLOBAL,
      marginMs,
      arrivalBoundMs,
      spread: options.pacing?.spread ?? true,
    });
    this.#refundThrottled = options.pacing?.refundThrottled ?? true;
    this.#globalHorizonMs = Math.max(...this.#pacer.global.map((w) => w.windowMs)) + marginMs + arrivalBoundMs;

    const storage = this.#storage;
    this.#throttleDoc = new SharedDocument<ThrottleDoc>(storage, THROTTLE_KEY, normaliseThrottle);
    this.#workersDoc = new SharedDocument<WorkersDoc>(storage, WORKERS_KEY, normaliseWorkers);
    this.#payloadsDoc = new SharedDocument<PayloadsDoc>(storage, PAYLOADS_KEY, (d) => ({ used: { ...(d?.used ?? {}) }, ...(d?.sweptAt ? { sweptAt: d.sweptAt } : {}) }));
    this.#metaDoc = new SharedDocument<MetaDoc>(storage, META_KEY, (d) => ({ shards: typeof d?.shards === 'number' && d.shards >= 1 ? Math.floor(d.shards) : 0 }));
  }

  // --- public ---------------------------------------------------------------------

  /** Stores messages for sending; an id already in the outbox is ignored. Resolves when stored (not sent). */
  async enqueue(messages: readonly OutboxMessage[]): Promise<EnqueueResult> {
    for (const m of messages) validate(m);
    const shards = await this.#ready();
    const now = this.#clock.now();
    const at = now.toISOString();

    const payloads = new Map<string, Partial<Activity>>();
    const byShard = new Map<number, { message: OutboxMessage; hash: string; pos: number }[]>();
    const seen = new Set<string>();
    const ignored: string[] = [];
    messages.forEach((message, pos) => {
      if (seen.has(message.id)) {
        ignored.push(message.id);
        return;
      }
      seen.add(message.id);
      const json = JSON.stringify(message.activity);
      const hash = createHash('sha256').update(json).digest('hex');
      if (!payloads.has(hash)) payloads.set(hash, JSON.parse(json) as Partial<Activity>);
      const shard = shardOf(message.target, shards);
      const list = byShard.get(shard) ?? [];
      list.push({ message, hash, pos });
      byShard.set(shard, list);
    });
    if (byShard.size === 0) return { added: [], ignored };

    // Payloads first: a stored message never points at a missing payload. Marked as used
    // before they are written (the retention sweep deletes only long-unused ones), and
    // content-addressed, so an unconditional write is safe.
    await this.#payloadsDoc.change((doc) => {
      const used = { ...doc.used };
      for (const hash of payloads.keys()) used[hash] = at;
      return { doc: { ...doc, used }, result: undefined };
    });
    const writes: Record<string, object> = {};
    for (const [hash, activity] of payloads) writes[payloadKey(hash)] = { activity };
    await this.#storage.write(writes);

    const added: string[] = [];
    await Promise.all(
      [...byShard].map(async ([shard, list]) => {
        const result = await this.#writer(shard).run((doc) => addMessages(doc, list, at));
        added.push(...result.added);
        ignored.push(...result.ignored);
      }),
    );
    await this.#storage.write({ [SIGNAL_KEY]: { at, by: this.worker, nonce: randomUUID() } });
    this.#logger.debug({ added: added.length, ignored: ignored.length }, 'outbox: enqueued');
    this.#wantScan = true;
    this.#wake();
    return { added, ignored };
  }

  /** Starts the worker loop (idempotent). */
  start(): void {
    if (this.#loop) return;
    this.#stopping = false;
    this.#loop = this.#run();
  }

  /**
   * Stops claiming, gives back sends waiting for their turn, waits for the sends
   * in flight to be recorded, and gives the shards back (another instance, or
   * this one restarted, carries on at once).
   */
  async stop(): Promise<void> {
    if (!this.#loop) return;
    this.#stopping = true;
    this.#wake();
    await this.#loop;
    this.#loop = undefined;
    while (this.#sends.size > 0) await Promise.allSettled([...this.#sends]);
    await this.#hooksRunning?.catch(() => undefined);
    for (const shard of [...this.#owned]) await this.#release(shard).catch((err: unknown) => this.#logger.warn({ err, shard }, 'outbox: could not give a shard back'));
    await this.#leave().catch((err: unknown) => this.#logger.warn({ err }, 'outbox: could not sign off'));
  }

  /** Resolves when nothing is pending, in flight or waiting for its hook; rejects after timeoutMs. */
  async drain(timeoutMs: number): Promise<OutboxStats> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const stats = await this.stats();
      if (stats.pending === 0 && stats.sending === 0 && stats.unnotified === 0) return stats;
      if (Date.now() >= deadline) throw new Error(`outbox: not drained within ${timeoutMs} ms (${JSON.stringify(stats)})`);
      await sleep(25);
    }
  }

  /** Counts over every shard (one read). */
  async stats(): Promise<OutboxStats> {
    const docs = await this.#readAll();
    let pending = 0;
    let sending = 0;
    let delivered = 0;
    let failed = 0;
    let unnotified = 0;
    for (const doc of docs) {
      for (const r of doc.messages) {
        if (r.state === 'pending') pending++;
        else if (r.state === 'sending') sending++;
        else if (r.state === 'delivered') delivered++;
        else failed++;
        if (isFinished(r) && r.notified !== true) unnotified++;
      }
    }
    return { pending, sending, delivered, failed, unnotified };
  }

  /**
   * Resolves with the record once the message is delivered or has failed (by this
   * instance: at once; by another: noticed by reading its shard every ≤ 200 ms);
   * rejects after timeoutMs (the message stays queued) or when the id is unknown.
   * For callers that need Teams' activity id before they go on; prefer onDelivered.
   */
  async waitFor(id: string, target: ConversationTarget, timeoutMs: number): Promise<OutboxRecord> {
    const shard = shardOf(target, await this.#ready());
    const deadline = Date.now() + timeoutMs;
    let done: ((r: OutboxRecord) => void) | undefined;
    const local = new Promise<OutboxRecord>((resolve) => (done = resolve));
    const waiters = this.#waiters.get(id) ?? new Set<(r: OutboxRecord) => void>();
    const waiter = (r: OutboxRecord) => done?.(r);
    waiters.add(waiter);
    this.#waiters.set(id, waiters);
    try {
      for (;;) {
        const record = (await this.#writer(shard).read()).messages.find((r) => r.id === id);
        if (!record) throw new Error(`outbox: no message ${id} (to ${target.conversationId})`);
        if (isFinished(record)) return record;
        const left = deadline - Date.now();
        if (left <= 0) throw Object.assign(new Error(`outbox: ${id} not delivered within ${timeoutMs} ms; it stays queued`), { code: 'ETIMEDOUT' });
        let timer: NodeJS.Timeout | undefined;
        const tick = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), Math.min(left, this.#pollMs, 200))));
        const finished = await Promise.race([local, tick]);
        clearTimeout(timer);
        if (finished) return finished;
      }
    } finally {
      waiters.delete(waiter);
      if (waiters.size === 0) this.#waiters.delete(id);
    }
  }

  /** The records of these ids (absent ids are left out). */
  async records(ids: readonly string[]): Promise<Map<string, OutboxRecord>> {
    const wanted = new Set(ids);
    const out = new Map<string, OutboxRecord>();
    for (const doc of await this.#readAll()) for (const r of doc.messages) if (wanted.has(r.id)) out.set(r.id, r);
    return out;
  }

  // --- set-up -----------------------------------------------------------------------

  #ready(): Promise<number> {
    this.#init ??= (async () => {
      const shards = await this.#metaDoc.change((doc) =>
        doc.shards >= 1 ? { result: doc.shards } : { doc: { shards: this.#configuredShards }, result: this.#configuredShards },
      );
      if (shards !== this.#configuredShards) {
        this.#logger.warn({ stored: shards, configured: this.#configuredShards }, 'outbox: the storage was set up with another shard count; using the stored one');
      }
      this.#shards = shards;
      this.#writers = Array.from({ length: shards }, (_, i) => {
        const doc = new SharedDocument<ShardDoc>(this.#storage, shardKey(i), normaliseShard);
        return new ShardWriter(doc, (d) => this.#onShardDoc(i, d));
      });
      this.#snap = Array.from({ length: shards }, () => undefined);
      return shards;
    })();
    this.#init.catch(() => (this.#init = undefined));
    return this.#init;
  }

  #writer(shard: number): ShardWriter {
    const w = this.#writers[shard];
    if (!w) throw new Error(`outbox: no shard ${shard}`);
    return w;
  }

  async #readAll(): Promise<ShardDoc[]> {
    const shards = await this.#ready();
    const keys = Array.from({ length: shards }, (_, i) => shardKey(i));
    const items = (await this.#storage.read(keys)) as Record<string, Partial<ShardDoc> | undefined>;
    return keys.map((k) => normaliseShard(stripETag(items[k])));
  }

  #onShardDoc(shard: number, doc: ShardDoc): void {
    const known = this.#snap[shard];
    if (known && doc.rev < known.rev) return;
    this.#snap[shard] = doc;
    if (this.#owned.has(shard) && !leaseHeldBy(doc, this.worker, this.#now())) {
      this.#owned.delete(shard);
      this.#releasing.delete(shard);
      this.#logger.warn({ shard, owner: doc.owner }, 'outbox: lost the lease of a shard');
    }
  }

  // --- the loop -----------------------------------------------------------------------

  async #run(): Promise<void> {
    try {
      await this.#ready();
    } catch (err) {
      this.#logger.error({ err }, 'outbox: cannot read its storage; not started');
      return;
    }
    let lastRefresh = Number.NEGATIVE_INFINITY;
    while (!this.#stopping) {
      let waitMs = this.#pollMs;
      try {
        const now = this.#now();
        if (this.#wantScan || now - lastRefresh >= this.#pollMs) {
          await this.#refresh();
          lastRefresh = this.#now();
        }
        this.#startHooks();
        waitMs = Math.min(this.#dispatch(), Math.max(1, lastRefresh + this.#pollMs - this.#now()));
      } catch (err) {
        this.#logger.error({ err }, 'outbox: worker round failed');
      }
      if (this.#stopping) break;
      await this.#sleep(waitMs);
    }
  }

  #wake(): void {
    const wake = this.#wakeUp;
    this.#wakeUp = undefined;
    wake?.();
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wakeUp = undefined;
        resolve();
      }, Math.max(0, ms));
      this.#wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  #now(): number {
    return this.#clock.now().getTime();
  }

  /** Re-reads what other instances change; takes, renews and gives back shards. */
  async #refresh(): Promise<void> {
    const now = this.#now();
    await this.#heartbeat(now);
    const active = this.#owned.size > 0 || this.#workSeen;
    if (!active && !this.#wantScan && now - this.#lastFullScan < this.#idlePollMs) {
      // Idle: one small read tells whether anyone enqueued since the last scan.
      const items = (await this.#storage.read([SIGNAL_KEY, THROTTLE_KEY])) as Record<string, { at?: unknown; nonce?: unknown } | undefined>;
      this.#adoptThrottle(normaliseThrottle(stripETag(items[THROTTLE_KEY] as Partial<ThrottleDoc> | undefined)));
      const signal = items[SIGNAL_KEY];
      const mark = signal ? `${String(signal.at)}:${String(signal.nonce)}` : undefined;
      if (mark === this.#lastSignal) return;
      this.#lastSignal = mark;
    }
    this.#wantScan = false;
    this.#lastFullScan = now;
    const shards = await this.#ready();
    const keys = Array.from({ length: shards }, (_, i) => shardKey(i));
    const items = (await this.#storage.read([...keys, THROTTLE_KEY, WORKERS_KEY, SIGNAL_KEY])) as Record<string, object | undefined>;
    this.#adoptThrottle(normaliseThrottle(stripETag(items[THROTTLE_KEY] as Partial<ThrottleDoc> | undefined)));
    this.#workers = normaliseWorkers(stripETag(items[WORKERS_KEY] as Partial<WorkersDoc> | undefined));
    const signal = items[SIGNAL_KEY] as { at?: unknown; nonce?: unknown } | undefined;
    this.#lastSignal = signal ? `${String(signal.at)}:${String(signal.nonce)}` : undefined;
    keys.forEach((k, i) => this.#onShardDoc(i, normaliseShard(stripETag(items[k] as Partial<ShardDoc> | undefined))));

    await this.#sweepPayloads(now);
    const live = this.#liveWorkers(now);
    this.#noteShare(now, 1 / Math.max(1, this.#senders(now) + (this.#busy ? 0 : 1)));
    const withWork = this.#snap.flatMap((doc, i) => (doc && shardHasWork(doc) ? [i] : []));
    this.#workSeen = withWork.length > 0;
    const fair = Math.ceil(withWork.length / Math.max(1, live));

    // Give back: drained shards, and shards beyond a fair share (once nothing of theirs is in flight).
    for (const shard of this.#owned) {
      const doc = this.#snap[shard];
      if (!doc || !shardHasWork(doc)) this.#releasing.add(shard);
    }
    const keep = [...this.#owned].filter((i) => !this.#releasing.has(i));
    for (const shard of keep.slice(fair)) this.#releasing.add(shard);
    for (const shard of [...this.#releasing]) {
      if (!this.#owned.has(shard)) {
        this.#releasing.delete(shard);
        continue;
      }
      if (this.#inflightIn(shard) > 0) continue;
      await this.#release(shard);
    }

    // Renew what we keep; send again what an unrecorded outcome left `sending`.
    for (const shard of this.#owned) {
      const doc = this.#snap[shard];
      if (!doc || this.#releasing.has(shard)) continue;
      const orphans = new Set(
        doc.messages.filter((r) => r.state === 'sending' && !this.#inflight.has(r.id) && ms(r.tries.at(-1)?.at) < now - this.#leaseMs).map((r) => r.id),
      );
      if (orphans.size > 0 || ms(doc.leaseUntil) - now < (this.#leaseMs * 2) / 3) {
        await this.#writer(shard).run((d) => {
          if (d.owner !== this.worker) return { result: undefined };
          const messages = d.messages.map((r) => (orphans.has(r.id) && r.state === 'sending' && !this.#inflight.has(r.id) ? { ...r, state: 'pending' as const } : r));
          return { doc: this.#pruned({ ...d, leaseUntil: iso(now + this.#leaseMs), messages }, now), result: undefined };
        });
        if (orphans.size > 0) this.#logger.warn({ shard, count: orphans.size }, 'outbox: sending again messages whose outcome was never recorded');
      }
    }

    // Take free (or expired) shards with work, up to a fair share, in random order;
    // beyond it a shard nobody else took within two polls (another instance may be
    // gone without having signed off).
    if (!this.#stopping) {
      const free = withWork.filter((i) => !this.#owned.has(i) && leaseFree(this.#snap[i] ?? EMPTY_SHARD, now));
      for (const shard of [...this.#freeSeen.keys()]) if (!free.includes(shard)) this.#freeSeen.delete(shard);
      for (const shard of shuffle(free, this.#random)) {
        const mine = [...this.#owned].filter((i) => withWork.includes(i) && !this.#releasing.has(i)).length;
        const seen = this.#freeSeen.get(shard) ?? now;
        this.#freeSeen.set(shard, seen);
        if (mine >= fair && now - seen < 2 * this.#pollMs) continue;
        await this.#acquire(shard, now);
        this.#freeSeen.delete(shard);
      }
    }
    const busy = this.#owned.size > 0;
    if (busy !== this.#busy) {
      await this.#setBusy(busy, this.#now());
      this.#noteShare(this.#now(), 1 / Math.max(1, this.#senders(this.#now())));
    }
  }

  /**
   * Deletes activity bodies no message has used for the retention (finished
   * records are pruned after keepFinishedMs; a day more for safety). Hourly, by
   * whichever instance comes first. A body enqueued again in the very moment it is
   * swept would be lost (its message fails, reported): content this old is not
   * sent again in practice.
   */
  async #sweepPayloads(now: number): Promise<void> {
    if (now - this.#lastSweep < 3_600_000) return;
    this.#lastSweep = now;
    const cutoff = now - this.#keepFinishedMs - 24 * 3_600_000;
    const gone = await this.#payloadsDoc.change((doc) => {
      if (ms(doc.sweptAt) > now - 3_600_000) return { result: [] as string[] };
      const used: Record<string, string> = {};
      const old: string[] = [];
      for (const [hash, at] of Object.entries(doc.used)) {
        if (ms(at) < cutoff) old.push(hash);
        else used[hash] = at;
      }
      return { doc: { used, sweptAt: iso(now) }, result: old };
    });
    if (gone.length > 0) {
      await this.#storage.delete(gone.map(payloadKey));
      this.#logger.info({ count: gone.length }, 'outbox: deleted old message bodies');
    }
  }

  /** The stored throttle, unless this instance's own pause (still being written) ends later. */
  #adoptThrottle(stored: ThrottleDoc): void {
    if (ms(stored.slowUntil) >= ms(this.#throttle.slowUntil)) this.#throttle = stored;
  }

  async #heartbeat(now: number): Promise<void> {
    if (now - this.#lastHeartbeat < this.#leaseMs / 3) return;
    this.#lastHeartbeat = now;
    this.#workers = await this.#workersDoc.change((d) => {
      const next = { workers: this.#tidyWorkers(d, now, (own) => ({ ...own, heartbeatAt: iso(now), expiresAt: iso(now + this.#leaseMs) })) };
      return { doc: next, result: next };
    });
  }

  /** The workers without long-gone entries, and this instance's entry changed by `own`. */
  #tidyWorkers(d: WorkersDoc, now: number, own: (entry: WorkerEntry) => WorkerEntry): Record<string, WorkerEntry> {
    const workers: Record<string, WorkerEntry> = {};
    for (const [id, w] of Object.entries(d.workers)) {
      if (ms(w.expiresAt) > now && !(w.leftAt && ms(w.leftAt) + this.#globalHorizonMs < now)) workers[id] = w;
    }
    const { leftAt: _left, ...current } = workers[this.worker] ?? { heartbeatAt: iso(now), expiresAt: iso(now + this.#leaseMs) };
    workers[this.worker] = own(current);
    return workers;
  }

  /**
   * Says whether this instance sends (holds shards). One eTag-checked change of
   * `outbox/workers`, so of two instances turning busy at once the second sees the
   * first: it waits until the first has noticed it (a poll) and the first's last
   * window at the full rate has passed, then each sends at its share.
   */
  async #setBusy(busy: boolean, now: number): Promise<void> {
    this.#workers = await this.#workersDoc.change((d) => {
      const next = {
        workers: this.#tidyWorkers(d, now, (own) => {
          const { busySince: _b, idleSince: _i, ...rest } = own;
          return busy ? { ...rest, busySince: iso(now) } : { ...rest, idleSince: iso(now) };
        }),
      };
      return { doc: next, result: next };
    });
    this.#busy = busy;
    if (!busy) return;
    const others = this.#senders(now) - 1;
    this.#sendFrom = others > 0 ? now + this.#globalHorizonMs + 2 * this.#pollMs : now;
    if (others > 0) this.#logger.info({ others, waitMs: this.#sendFrom - now }, 'outbox: other instances are sending; sharing the global rate');
  }

  async #leave(): Promise<void> {
    const now = this.#now();
    this.#lastHeartbeat = Number.NEGATIVE_INFINITY;
    this.#busy = false;
    await this.#workersDoc.change((d) => {
      const own = d.workers[this.worker];
      if (!own) return { result: undefined };
      const { busySince: _b, ...rest } = own;
      return { doc: { workers: { ...d.workers, [this.worker]: { ...rest, ...(own.busySince !== undefined ? { idleSince: iso(now) } : {}), leftAt: iso(now) } } }, result: undefined };
    });
  }

  /** Instances that can take work (this one included): a heartbeat not expired, not stopped. */
  #liveWorkers(now: number): number {
    let n = 0;
    for (const [id, w] of Object.entries(this.#workers.workers)) {
      if (id !== this.worker && ms(w.expiresAt) > now && w.leftAt === undefined) n++;
    }
    return n + 1;
  }

  /** Instances sending now or within the last global window (this one included when busy). */
  #senders(now: number): number {
    let n = 0;
    for (const [id, w] of Object.entries(this.#workers.workers)) {
      if (id === this.worker || ms(w.expiresAt) <= now) continue;
      const stoppedAt = Math.max(ms(w.idleSince), ms(w.leftAt));
      if ((w.busySince !== undefined && w.leftAt === undefined) || now - stoppedAt < this.#globalHorizonMs) n++;
    }
    return this.#busy ? n + 1 : n;
  }

  /** A share rises only after the old one has been kept for a whole global window. */
  #noteShare(now: number, share: number): void {
    this.#shareHistory.push({ at: now, share });
    this.#shareHistory = this.#shareHistory.filter((s, i, all) => i === all.length - 1 || s.at >= now - this.#globalHorizonMs);
  }

  #share(): number {
    return Math.min(1, ...this.#shareHistory.map((s) => s.share));
  }

  /** This instance's scale of the global limits: its share, and the ramp after a pause. */
  #globalScale(now: number): number {
    let scale = this.#share();
    const slowUntil = ms(this.#throttle.slowUntil);
    if (now >= slowUntil && now - slowUntil < this.#throttlePolicy.recoveryMs) {
      scale *= 0.5 + (0.5 * (now - slowUntil)) / this.#throttlePolicy.recoveryMs;
    }
    return scale;
  }

  async #acquire(shard: number, now: number): Promise<void> {
    const inflight = new Set([...this.#inflight].filter(([, v]) => v.shard === shard).map(([id]) => id));
    const taken = await this.#writer(shard).run((doc) => {
      if (!leaseFree(doc, now) && doc.owner !== this.worker) return { result: undefined };
      // Messages a dead owner (or this instance before a restart) left `sending` go out again.
      let reset = 0;
      const messages = doc.messages.map((r) => {
        if (r.state !== 'sending' || inflight.has(r.id)) return r;
        reset++;
        if (r.attempts > this.#maxAttempts) {
          return finish(r, 'failed', now, { error: { message: 'interrupted too often (the sending instance stopped each time)', retryable: false } });
        }
        return { ...r, state: 'pending' as const };
      });
      const next = this.#pruned({ ...doc, owner: this.worker, leaseUntil: iso(now + this.#leaseMs), messages }, now);
      return { doc: next, result: { previous: doc.owner, reset, doc: next } };
    });
    if (!taken) return;
    this.#owned.add(shard);
    this.#releasing.delete(shard);
    // Seed per-conversation pacing with the sends other instances made from this shard lately.
    const since = Math.max(this.#lastSeeded.get(shard) ?? Number.NEGATIVE_INFINITY, now - 3_600_000 - 60_000);
    let seeded = 0;
    for (const r of taken.doc.messages) {
      for (const t of r.tries) {
        const at = ms(t.at);
        if (t.by !== this.worker && at > since && at <= now) {
          this.#pacer.record(conversationKey(r.target), new Date(at), { global: false });
          seeded++;
        }
      }
    }
    this.#lastSeeded.set(shard, now);
    this.#logger.debug({ shard, previous: taken.previous, reset: taken.reset, seeded }, 'outbox: took a shard');
    if (taken.reset > 0) this.#logger.info({ shard, previous: taken.previous, reset: taken.reset }, 'outbox: took over a shard with interrupted sends; sending them again');
  }

  async #release(shard: number): Promise<void> {
    this.#owned.delete(shard);
    this.#releasing.delete(shard);
    await this.#writer(shard).run((doc) => {
      if (doc.owner !== this.worker) return { result: undefined };
      const { owner: _owner, leaseUntil: _lease, ...rest } = doc;
      return { doc: this.#pruned(rest, this.#now()), result: undefined };
    });
    this.#logger.debug({ shard }, 'outbox: gave a shard back');
  }

  #pruned(doc: ShardDoc, now: number): ShardDoc {
    const cutoff = now - this.#keepFinishedMs;
    const messages = doc.messages.filter((r) => !(isFinished(r) && r.notified === true && ms(r.finishedAt) < cutoff));
    const holds: Record<string, string> = {};
    for (const [k, until] of Object.entries(doc.holds)) if (ms(until) > now) holds[k] = until;
    return { ...doc, messages, holds };
  }

  #inflightIn(shard: number): number {
    let n = 0;
    for (const v of this.#inflight.values()) if (v.shard === shard) n++;
    return n;
  }

  // --- dispatch ---------------------------------------------------------------------

  /** Claims and starts what may go now; returns how long until something else may. */
  #dispatch(): number {
    if (this.#stopping) return this.#pollMs;
    const now = this.#now();
    const slowUntil = ms(this.#throttle.slowUntil);
    if (now < slowUntil) return slowUntil - now;
    if (now < this.#sendFrom) return this.#sendFrom - now;
    const free = this.#concurrency - this.#inflight.size;
    if (free <= 0) return this.#pollMs;
    this.#pacer.setGlobalScale(this.#globalScale(now));
    const ungated = [...this.#inflight.values()].filter((v) => !v.gated).length;
    let room = this.#pacer.globalRoom(new Date(now)) - ungated;
    let wait = this.#pollMs;
    if (room <= 0) return Math.max(1, this.#pacer.nextAllowed(GLOBAL_PROBE, new Date(now)).getTime() - now);

    const candidates: Pick[] = [];
    for (const shard of this.#owned) {
      if (this.#releasing.has(shard)) continue;
      const doc = this.#snap[shard];
      if (!doc || !leaseHeldBy(doc, this.worker, now + this.#leaseMs / 4)) continue;
      const heads = new Map<string, OutboxRecord>();
      for (const r of doc.messages) {
        if (isFinished(r)) continue;
        const key = conversationKey(r.target);
        const head = heads.get(key);
        if (!head || r.seq < head.seq) heads.set(key, r);
      }
      for (const [key, r] of heads) {
        if (r.state !== 'pending' || this.#inflightKeys.has(key)) continue;
        const notBefore = Math.max(ms(r.notBefore), ms(doc.holds[key]));
        if (notBefore > now) {
          wait = Math.min(wait, notBefore - now);
          continue;
        }
        const resolved = resolveRefs(doc, r);
        if (resolved === 'wait') continue;
        candidates.push({ shard, record: r, resolved });
      }
    }
    candidates.sort((a, b) => compare(a.record.enqueuedAt, b.record.enqueuedAt) || a.record.pos - b.record.pos || a.shard - b.shard || a.record.seq - b.record.seq);

    const picks: Pick[] = [];
    for (const c of candidates) {
      if (picks.length >= free || room <= 0) break;
      const key = conversationKey(c.record.target);
      const next = this.#pacer.nextAllowed(key, new Date(now)).getTime();
      if (next > now) {
        wait = Math.min(wait, next - now);
        continue;
      }
      picks.push(c);
      room--;
      this.#inflight.set(c.record.id, { shard: c.shard, key, gated: false });
      this.#inflightKeys.add(key);
    }
    if (picks.length > 0) this.#claimAndSend(picks);
    return Math.max(1, wait);
  }

  #claimAndSend(picks: readonly Pick[]): void {
    const byShard = new Map<number, Pick[]>();
    for (const p of picks) byShard.set(p.shard, [...(byShard.get(p.shard) ?? []), p]);
    for (const [shard, list] of byShard) {
      const now = this.#now();
      const ids = new Set(list.map((p) => p.record.id));
      const claimed = this.#writer(shard).run((doc) => claimMessages(doc, ids, this.worker, now, this.#leaseMs));
      for (const p of list) {
        const run = claimed.then(
          (got) => {
            const record = got.get(p.record.id);
            if (!record) {
              this.#settle(p.record.id);
              return;
            }
            return this.#sendOne(shard, record, p.resolved);
          },
          (err: unknown) => {
            this.#logger.error({ err, shard }, 'outbox: claiming failed');
            this.#settle(p.record.id);
          },
        );
        const tracked: Promise<void> = run.finally(() => this.#sends.delete(tracked));
        this.#sends.add(tracked);
      }
    }
  }

  #settle(id: string): void {
    const entry = this.#inflight.get(id);
    this.#inflight.delete(id);
    if (entry) this.#inflightKeys.delete(entry.key);
    this.#wake();
  }

  async #sendOne(shard: number, record: OutboxRecord, resolved: Resolved): Promise<void> {
    const key = conversationKey(record.target);
    let outcome: Outcome;
    let mark: SendMark | undefined;
    try {
      if (resolved.impossible) throw new Impossible(resolved.impossible);
      const activity = await this.#payload(record.payload);
      mark = await this.#gate(shard, record.id, key);
      const activityId = await this.#perform(record, resolved, activity);
      this.#pacer.settle(mark, this.#clock.now());
      outcome = { kind: 'delivered', activityId, sentAt: mark.at };
      this.#answer(false);
      this.#lastSuccessAt = this.#now();
    } catch (err) {
      if (mark) this.#pacer.settle(mark, this.#clock.now(), { refund: this.#refundThrottled && err instanceof SendError && err.statusCode === 429 });
      outcome = this.#outcomeOfError(err, record, mark?.at);
    }
    let stored: OutboxRecord | undefined;
    try {
      stored = await this.#record(shard, record, outcome);
    } finally {
      this.#settle(record.id);
    }
    if (stored && isFinished(stored)) for (const waiter of this.#waiters.get(stored.id) ?? []) waiter(stored);
    if (stored?.state === 'delivered' && this.#onDelivered && stored.notified !== true) {
      await this.#deliveredHook(shard, stored);
    }
  }

  /**
   * Writes an outcome, trying again when the storage fails for a moment. If it
   * never succeeds the message stays `sending` in storage: it is sent again later
   * (at least once), by this instance (see #resetOrphans) or after a takeover.
   */
  async #record(shard: number, record: OutboxRecord, outcome: Outcome): Promise<OutboxRecord | undefined> {
    const notify = { delivered: this.#onDelivered === undefined, failed: this.#onFailed === undefined };
    for (let attempt = 1; ; attempt++) {
      try {
        const stored = await this.#writer(shard).run((doc) => recordOutcome(doc, record, outcome, this.worker, this.#now(), this.#leaseMs, notify));
        if (!stored && outcome.kind !== 'unsent') {
          this.#logger.warn({ id: record.id, outcome: outcome.kind }, 'outbox: outcome not recorded (the message was taken over meanwhile)');
        }
        return stored;
      } catch (err) {
        if (attempt >= 8 || (this.#stopping && attempt >= 2)) {
          this.#logger.error({ err, id: record.id, outcome: outcome.kind, attempt }, 'outbox: could not record an outcome; the message will be sent again');
          return undefined;
        }
        this.#logger.warn({ err, id: record.id, attempt }, 'outbox: recording an outcome failed; trying again');
        await sleep(Math.min(2_000, 50 * 2 ** attempt));
      }
    }
  }

  /** Waits for this send's turn (throttle, pacing, join delay); records it in the pacer; returns its mark. */
  async #gate(shard: number, id: string, key: string): Promise<SendMark> {
    for (;;) {
      if (this.#stopping) throw new Aborted('stopping');
      const doc = this.#snap[shard];
      const now = this.#now();
      if (!doc || !leaseHeldBy(doc, this.worker, now + Math.min(this.#leaseMs / 4, 5_000))) throw new Aborted('lease ending');
      const slowUntil = Math.max(ms(this.#throttle.slowUntil), this.#sendFrom);
      if (now < slowUntil) {
        await sleep(Math.min(slowUntil - now, this.#pollMs));
        continue;
      }
      this.#pacer.setGlobalScale(this.#globalScale(now));
      const mark = this.#pacer.tryAcquire(key, new Date(now));
      if (mark) {
        const entry = this.#inflight.get(id);
        if (entry) this.#inflight.set(id, { ...entry, gated: true });
        return mark;
      }
      const next = this.#pacer.nextAllowed(key, new Date(now)).getTime();
      await sleep(Math.max(1, Math.min(next - now, this.#pollMs)));
    }
  }

  async #perform(record: OutboxRecord, resolved: Resolved, stored: Partial<Activity>): Promise<string> {
    const activity: Partial<Activity> = this.#tag
      ? { ...stored, channelData: { ...(isRecord(stored.channelData) ? stored.channelData : {}), outboxId: record.id } }
      : stored;
    switch (record.op) {
      case 'send':
        return (await this.#sender.send(record.target, activity)).activityId;
      case 'reply':
        return (await this.#sender.reply(record.target, resolved.rootActivityId ?? '', activity)).activityId;
      case 'update': {
        const activityId = resolved.activityId ?? '';
        await this.#sender.update(record.target, activityId, activity);
        return activityId;
      }
    }
  }

  async #payload(hash: string): Promise<Partial<Activity>> {
    const cached = this.#payloadCache.get(hash);
    if (cached) return cached;
    const items = (await this.#storage.read([payloadKey(hash)])) as Record<string, { activity?: unknown } | undefined>;
    const activity = items[payloadKey(hash)]?.activity;
    if (!isRecord(activity)) throw new Impossible('the message body is gone (payload pruned)');
    const value = activity as Partial<Activity>;
    this.#payloadCache.set(hash, value);
    if (this.#payloadCache.size > 64) {
      const oldest = this.#payloadCache.keys().next();
      if (!oldest.done) this.#payloadCache.delete(oldest.value);
    }
    return value;
  }

  #outcomeOfError(err: unknown, record: OutboxRecord, sentAt: number | undefined): Outcome {
    if (err instanceof Aborted) return { kind: 'unsent' };
    const now = this.#now();
    if (err instanceof Impossible) {
      return { kind: 'failed', error: { message: err.message, retryable: false } };
    }
    const error: OutboxError =
      err instanceof SendError
        ? {
            ...(err.statusCode !== undefined ? { statusCode: err.statusCode } : {}),
            ...(err.code !== undefined ? { code: err.code } : {}),
            message: err.message,
            retryable: err.retryable,
          }
        : { message: err instanceof Error ? `${err.name}: ${err.message}` : String(err), retryable: true };
    const retryAfterMs = err instanceof SendError ? err.retryAfterMs : undefined;
    const throttled = error.statusCode === 429;
    this.#answer(throttled);
    if (throttled) this.#onThrottled(now, retryAfterMs);
    const log = { id: record.id, conversationId: record.target.conversationId, attempt: record.attempts, statusCode: error.statusCode, code: error.code, retryAfterMs };
    if (!error.retryable || record.attempts >= this.#maxAttempts) {
      this.#logger.warn({ ...log, retryable: error.retryable }, 'outbox: message failed for good');
      return { kind: 'failed', error, ...(sentAt !== undefined ? { sentAt } : {}) };
    }
    const delay = backoffMs(record.attempts, retryAfterMs, this.#backoffBase, this.#backoffMax, this.#random);
    this.#logger.debug({ ...log, delayMs: delay }, 'outbox: send failed; trying again later');
    return {
      kind: 'retry',
      notBefore: now + delay,
      ...(throttled ? { hold: now + delay } : {}),
      error,
      sentAt: sentAt ?? now,
    };
  }

  #answer(throttled: boolean): void {
    this.#answers.push(throttled);
    if (this.#answers.length > this.#throttlePolicy.sample) this.#answers.splice(0, this.#answers.length - this.#throttlePolicy.sample);
  }

  /** A 429: does everyone wait? (The conversation itself always does: see #outcomeOfError.) */
  #onThrottled(now: number, retryAfterMs: number | undefined): void {
    const p = this.#throttlePolicy;
    let reason: string | undefined;
    if (p.mode === 'every429') reason = 'a 429';
    else if (retryAfterMs !== undefined && retryAfterMs >= p.longRetryAfterMs) reason = `a 429 with Retry-After ${Math.round(retryAfterMs / 1000)} s`;
    else {
      const refused = this.#answers.filter(Boolean).length;
      if (refused >= Math.max(1, Math.ceil(p.share * p.sample))) reason = `${refused} of the last ${this.#answers.length} answers were 429`;
    }
    if (!reason) return;
    this.#answers = [];
    const previous = this.#throttle;
    // The default pause grows while nothing gets through between pauses; a delivery after the last pause resets it.
    const escalate = previous.lastPauseAt !== undefined && this.#lastSuccessAt <= ms(previous.slowUntil) && now - ms(previous.lastPauseAt) < 60_000 + p.maxMs;
    const level = escalate ? previous.level + 1 : 0;
    const pauseMs = retryAfterMs ?? backoffMs(level + 1, undefined, p.baseMs, p.maxMs, this.#random);
    const until = now + pauseMs;
    // This instance waits at once; the others when they next read the throttle.
    const local: ThrottleDoc = { ...previous, slowUntil: iso(Math.max(until, ms(previous.slowUntil))), level, lastPauseAt: iso(now), by: this.worker, reason };
    this.#throttle = local;
    this.#logger.warn({ pauseMs, reason, level }, 'outbox: Teams is throttling; every instance waits');
    void this.#throttleDoc
      .change((doc) => {
        const slowUntil = Math.max(ms(doc.slowUntil), until);
        const next: ThrottleDoc = { slowUntil: iso(slowUntil), level, lastPauseAt: iso(now), by: this.worker, reason: reason ?? '' };
        return { doc: next, result: next };
      })
      .then(
        (doc) => {
          if (ms(doc.slowUntil) >= ms(this.#throttle.slowUntil)) this.#throttle = doc;
        },
        (err: unknown) => this.#logger.error({ err }, 'outbox: could not share the throttle'),
      );
  }

  // --- hooks ------------------------------------------------------------------------

  async #deliveredHook(shard: number, record: OutboxRecord): Promise<void> {
    const hook = this.#onDelivered;
    if (!hook || this.#hooking.has(record.id)) return;
    this.#hooking.add(record.id);
    try {
      try {
        await hook(record, record.sentActivityId ?? '');
      } catch (err) {
        const tries = (this.#hookTries.get(record.id) ?? 0) + 1;
        if (tries < 5) {
          this.#hookTries.set(record.id, tries);
          this.#hooksNotBefore = this.#now() + 1_000 * 2 ** (tries - 1);
          this.#logger.warn({ err, id: record.id, tries }, 'outbox: onDelivered failed; it runs again later');
          return;
        }
        this.#logger.error({ err, id: record.id, tries }, 'outbox: onDelivered keeps failing; giving up on it');
      }
      this.#hookTries.delete(record.id);
      await this.#markNotified(shard, [record.id]);
    } finally {
      this.#hooking.delete(record.id);
    }
  }

  async #markNotified(shard: number, ids: readonly string[]): Promise<void> {
    const set = new Set(ids);
    await this.#writer(shard)
      .run((doc) => {
        let changed = false;
        const messages = doc.messages.map((r) => {
          if (!set.has(r.id) || r.notified === true || !isFinished(r)) return r;
          changed = true;
          return { ...r, notified: true };
        });
        return changed ? { doc: { ...doc, messages }, result: undefined } : { result: undefined };
      })
      .catch((err: unknown) => this.#logger.error({ err, shard }, 'outbox: could not mark hooks as run'));
  }

  /** Runs hooks that are due in owned shards: failures in batches, deliveries left over from before a restart. */
  #startHooks(): void {
    if (this.#hooksRunning) return;
    const now = this.#now();
    if (now < this.#hooksNotBefore) return;
    const failed: { shard: number; record: OutboxRecord }[] = [];
    const delivered: { shard: number; record: OutboxRecord }[] = [];
    for (const shard of this.#owned) {
      const doc = this.#snap[shard];
      if (!doc) continue;
      for (const r of doc.messages) {
        if (r.notified === true || this.#inflight.has(r.id) || this.#hooking.has(r.id)) continue;
        if (r.state === 'failed') failed.push({ shard, record: r });
        else if (r.state === 'delivered') delivered.push({ shard, record: r });
      }
    }
    const oldestFailure = Math.min(...failed.map((f) => ms(f.record.finishedAt)));
    const reportFailures = failed.length > 0 && (now - oldestFailure >= this.#failureBatchMs || !this.#hasPendingInOwned());
    if (!reportFailures && delivered.length === 0) return;
    this.#hooksRunning = (async () => {
      for (const d of delivered) await this.#deliveredHook(d.shard, d.record);
      if (reportFailures) await this.#failedHook(failed);
    })()
      .catch((err: unknown) => this.#logger.error({ err }, 'outbox: hooks failed'))
      .finally(() => {
        this.#hooksRunning = undefined;
      });
  }

  #hasPendingInOwned(): boolean {
    for (const shard of this.#owned) {
      const doc = this.#snap[shard];
      if (doc?.messages.some((r) => !isFinished(r))) return true;
    }
    return false;
  }

  async #failedHook(failed: readonly { shard: number; record: OutboxRecord }[]): Promise<void> {
    const hook = this.#onFailed;
    const batchKey = 'failed-batch';
    if (hook) {
      try {
        await hook(failed.map((f) => f.record));
      } catch (err) {
        const tries = (this.#hookTries.get(batchKey) ?? 0) + 1;
        if (tries < 5) {
          this.#hookTries.set(batchKey, tries);
          this.#hooksNotBefore = this.#now() + 1_000 * 2 ** (tries - 1);
          this.#logger.warn({ err, count: failed.length, tries }, 'outbox: onFailed failed; it runs again later');
          return;
        }
        this.#logger.error({ err, count: failed.length }, 'outbox: onFailed keeps failing; giving up on it');
      }
      this.#hookTries.delete(batchKey);
    }
    const byShard = new Map<number, string[]>();
    for (const f of failed) byShard.set(f.shard, [...(byShard.get(f.shard) ?? []), f.record.id]);
    for (const [shard, ids] of byShard) await this.#markNotified(shard, ids);
  }
}

const GLOBAL_PROBE = '\u0000global-probe';

const EMPTY_SHARD: ShardDoc = { rev: 0, nextSeq: 0, messages: [], holds: {} };

function addMessages(
  doc: ShardDoc,
  list: readonly { message: OutboxMessage; hash: string; pos: number }[],
  at: string,
): { doc?: ShardDoc; result: { added: string[]; ignored: string[] } } {
  const existing = new Set(doc.messages.map((r) => r.id));
  const added: string[] = [];
  const ignored: string[] = [];
  const fresh: OutboxRecord[] = [];
  let seq = doc.nextSeq;
  for (const { message: m, hash, pos } of list) {
    if (existing.has(m.id)) {
      ignored.push(m.id);
      continue;
    }
    existing.add(m.id);
    added.push(m.id);
    fresh.push({
      id: m.id,
      op: m.op,
      target: cleanTarget(m.target),
      ...(m.rootActivityId !== undefined ? { rootActivityId: m.rootActivityId } : {}),
      ...(m.rootMessageId !== undefined ? { rootMessageId: m.rootMessageId } : {}),
      ...(m.activityId !== undefined ? { activityId: m.activityId } : {}),
      ...(m.activityOfMessageId !== undefined ? { activityOfMessageId: m.activityOfMessageId } : {}),
      purpose: { ...m.purpose },
      payload: hash,
      state: 'pending',
      seq: seq++,
      pos,
      enqueuedAt: at,
      attempts: 0,
      tries: [],
    });
  }
  if (fresh.length === 0) return { result: { added, ignored } };
  return { doc: { ...doc, nextSeq: seq, messages: [...doc.messages, ...fresh] }, result: { added, ignored } };
}

function claimMessages(doc: ShardDoc, ids: ReadonlySet<string>, worker: string, now: number, leaseMs: number): { doc?: ShardDoc; result: Map<string, OutboxRecord> } {
  const claimed = new Map<string, OutboxRecord>();
  if (!leaseHeldBy(doc, worker, now)) return { result: claimed };
  const messages = doc.messages.map((r) => {
    if (!ids.has(r.id) || r.state !== 'pending') return r;
    const next: OutboxRecord = { ...r, state: 'sending', attempts: r.attempts + 1, tries: [...r.tries, { at: iso(now), by: worker }] };
    claimed.set(r.id, next);
    return next;
  });
  return { doc: { ...doc, leaseUntil: iso(now + leaseMs), messages }, result: claimed };
}

function recordOutcome(
  doc: ShardDoc,
  claimed: OutboxRecord,
  outcome: Outcome,
  worker: string,
  now: number,
  leaseMs: number,
  notifiedWithoutHook: { delivered: boolean; failed: boolean },
): { doc?: ShardDoc; result: OutboxRecord | undefined } {
  const current = doc.messages.find((r) => r.id === claimed.id);
  if (!current || current.state !== 'sending' || current.attempts !== claimed.attempts) return { result: undefined };
  const tries = (sentAt: number | undefined) =>
    sentAt === undefined ? current.tries : [...current.tries.slice(0, -1), { at: iso(sentAt), by: worker }];
  let next: OutboxRecord;
  let holds = doc.holds;
  switch (outcome.kind) {
    case 'delivered':
      next = finish({ ...current, tries: tries(outcome.sentAt) }, 'delivered', now, {
        sentActivityId: outcome.activityId,
        notified: notifiedWithoutHook.delivered,
      });
      break;
    case 'failed':
      next = finish({ ...current, tries: tries(outcome.sentAt) }, 'failed', now, { error: outcome.error, notified: notifiedWithoutHook.failed });
      break;
    case 'retry': {
      const { finishedAt: _f, ...rest } = current;
      next = { ...rest, state: 'pending', tries: tries(outcome.sentAt), notBefore: iso(outcome.notBefore), error: outcome.error };
      if (outcome.hold !== undefined) {
        const key = conversationKey(current.target);
        holds = { ...holds, [key]: iso(Math.max(outcome.hold, ms(holds[key]))) };
      }
      break;
    }
    case 'unsent':
      next = { ...current, state: 'pending', attempts: current.attempts - 1, tries: current.tries.slice(0, -1) };
      break;
  }
  const renewed = doc.owner === worker ? { leaseUntil: iso(now + leaseMs) } : {};
  return { doc: { ...doc, ...renewed, holds, messages: doc.messages.map((r) => (r.id === current.id ? next : r)) }, result: next };
}

function finish(
  r: OutboxRecord,
  state: 'delivered' | 'failed',
  now: number,
  extra: { sentActivityId?: string; error?: OutboxError; notified?: boolean },
): OutboxRecord {
  const { notBefore: _nb, error: _e, notified: _n, ...rest } = r;
  return {
    ...rest,
    state,
    finishedAt: iso(now),
    ...(extra.sentActivityId !== undefined ? { sentActivityId: extra.sentActivityId } : {}),
    ...(extra.error !== undefined ? { error: extra.error } : {}),
    ...(extra.notified ? { notified: true } : {}),
  };
}

/** What a reply or update needs from an earlier message of the same conversation. */
function resolveRefs(doc: ShardDoc, r: OutboxRecord): Resolved | 'wait' {
  const ref = r.op === 'reply' ? r.rootMessageId : r.op === 'update' ? r.activityOfMessageId : undefined;
  const direct = r.op === 'reply' ? r.rootActivityId : r.op === 'update' ? r.activityId : undefined;
  if (ref === undefined) return r.op === 'reply' ? { rootActivityId: direct ?? '' } : r.op === 'update' ? { activityId: direct ?? '' } : {};
  const earlier = doc.messages.find((m) => m.id === ref);
  if (!earlier) return { impossible: `the message it depends on (${ref}) is not in the outbox` };
  if (earlier.state === 'failed') return { impossible: `the message it depends on (${ref}) failed` };
  if (earlier.state !== 'delivered') return earlier.seq > r.seq ? { impossible: `the message it depends on (${ref}) was enqueued after it` } : 'wait';
  const id = earlier.sentActivityId ?? '';
  if (id === '') return { impossible: `Teams gave no activity id for ${ref}` };
  return r.op === 'reply' ? { rootActivityId: id } : { activityId: id };
}

/** Exponential backoff with equal jitter (half fixed, half random), never below a Retry-After. */
export function backoffMs(attempt: number, retryAfterMs: number | undefined, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.round(ceiling / 2 + (random() * ceiling) / 2);
  return Math.max(retryAfterMs ?? 0, jittered);
}

function validate(m: OutboxMessage): void {
  const fail = (why: string) => {
    throw new TypeError(`Outbox.enqueue: message ${JSON.stringify(m.id)}: ${why}`);
  };
  if (typeof m.id !== 'string' || m.id === '') fail('id must be a non-empty string');
  if (m.op !== 'send' && m.op !== 'reply' && m.op !== 'update') fail(`unknown op ${String(m.op)}`);
  if (!m.target || typeof m.target.conversationId !== 'string' || m.target.conversationId === '' || typeof m.target.serviceUrl !== 'string' || m.target.serviceUrl === '') {
    fail('target needs conversationId and serviceUrl');
  }
  if (m.op === 'reply' && !m.rootActivityId && !m.rootMessageId) fail('a reply needs rootActivityId or rootMessageId');
  if (m.op === 'update' && !m.activityId && !m.activityOfMessageId) fail('an update needs activityId or activityOfMessageId');
  if (!isRecord(m.activity)) fail('activity must be an object');
  if (!outboxPurposeSchema.safeParse(m.purpose).success) fail(`purpose ${JSON.stringify(m.purpose)} is not one the outbox knows`);
}

function cleanTarget(t: ConversationTarget): ConversationTarget {
  return {
    conversationId: t.conversationId,
    serviceUrl: t.serviceUrl,
    ...(t.tenantId !== undefined ? { tenantId: t.tenantId } : {}),
    ...(t.conversationType !== undefined ? { conversationType: t.conversationType } : {}),
  };
}

function normaliseShard(d: Partial<ShardDoc> | undefined): ShardDoc {
  const messages = Array.isArray(d?.messages) ? d.messages.filter(isStoredRecord).map((r) => ({ ...r, purpose: parsePurpose(r.purpose) })) : [];
  const holds: Record<string, string> = {};
  if (isRecord(d?.holds)) for (const [k, v] of Object.entries(d.holds)) if (typeof v === 'string') holds[k] = v;
  return {
    rev: typeof d?.rev === 'number' ? d.rev : 0,
    ...(typeof d?.owner === 'string' ? { owner: d.owner } : {}),
    ...(typeof d?.leaseUntil === 'string' ? { leaseUntil: d.leaseUntil } : {}),
    nextSeq: typeof d?.nextSeq === 'number' ? d.nextSeq : messages.reduce((n, r) => Math.max(n, r.seq + 1), 0),
    messages,
    holds,
  };
}

function isStoredRecord(r: unknown): r is OutboxRecord {
  if (!isRecord(r)) return false;
  return (
    typeof r['id'] === 'string' &&
    typeof r['payload'] === 'string' &&
    typeof r['seq'] === 'number' &&
    (r['state'] === 'pending' || r['state'] === 'sending' || r['state'] === 'delivered' || r['state'] === 'failed') &&
    isRecord(r['target']) &&
    Array.isArray(r['tries'])
  );
}

function normaliseThrottle(d: Partial<ThrottleDoc> | undefined): ThrottleDoc {
  return {
    level: typeof d?.level === 'number' ? d.level : 0,
    ...(typeof d?.slowUntil === 'string' ? { slowUntil: d.slowUntil } : {}),
    ...(typeof d?.lastPauseAt === 'string' ? { lastPauseAt: d.lastPauseAt } : {}),
    ...(typeof d?.by === 'string' ? { by: d.by } : {}),
    ...(typeof d?.reason === 'string' ? { reason: d.reason } : {}),
  };
}

function normaliseWorkers(d: Partial<WorkersDoc> | undefined): WorkersDoc {
  const workers: Record<string, WorkerEntry> = {};
  if (isRecord(d?.workers)) {
    for (const [id, w] of Object.entries(d.workers)) {
      if (isRecord(w) && typeof w['heartbeatAt'] === 'string' && typeof w['expiresAt'] === 'string') {
        workers[id] = {
          heartbeatAt: w['heartbeatAt'],
          expiresAt: w['expiresAt'],
          ...(typeof w['busySince'] === 'string' ? { busySince: w['busySince'] } : {}),
          ...(typeof w['idleSince'] === 'string' ? { idleSince: w['idleSince'] } : {}),
          ...(typeof w['leftAt'] === 'string' ? { leftAt: w['leftAt'] } : {}),
        };
      }
    }
  }
  return { workers };
}

function stripETag<T extends object>(item: (T & { eTag?: unknown }) | undefined): T | undefined {
  if (!item) return undefined;
  const { eTag: _eTag, ...rest } = item;
  return rest as T;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const a = items[i] as T;
    items[i] = items[j] as T;
    items[j] = a;
  }
  return items;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function iso(t: number): string {
  return new Date(t).toISOString();
}

function positiveInt(n: number, name: string): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`Outbox: ${name} must be a positive integer, got ${n}`);
  return n;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
