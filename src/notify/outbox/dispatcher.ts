import type { Logger } from 'pino';
import type { SharedDocument } from '../../store/document';
import type { Pacer, SendMark } from '../pacing';
import type { Sender } from '../sender';
import type { Hooks } from './hooks';
import type { Leases } from './leases';
import type { Payloads } from './payloads';
import { dueHeads, pickPaced, type Pick } from './select';
import { Aborted, failureOf, Impossible, perform, retryOrFail, type Failure } from './send';
import type { Settings } from './settings';
import { claimMessages, leaseHeldBy, recordOutcome, type Outcome, type Resolved } from './shard';
import { sharedPause, type Throttle, type ThrottleDoc } from './throttle';
import type { OutboxRecord } from './types';
import { sleep } from '../../lib/sleep';
import type { Workers } from './workers';

/**
 * Claim, send, record (DESIGN.md, "Delivery semantics"): picks what may go now
 * from the shards this instance holds, claims it, waits for its turn (throttle,
 * pacing, the join delay), makes the request and records the outcome; a 429
 * tells the throttle.
 */

export interface DispatcherParts {
  readonly settings: Settings;
  readonly sender: Sender;
  readonly logger: Logger;
  readonly pacer: Pacer;
  readonly leases: Leases;
  readonly payloads: Payloads;
  readonly hooks: Hooks;
  readonly throttle: Throttle;
  readonly throttleDoc: SharedDocument<ThrottleDoc>;
  readonly workers: Workers;
  /** The outbox is stopping: claim nothing more, give back sends that wait for their turn. */
  readonly stopping: () => boolean;
  /** A send settled: the loop may have more to do. */
  readonly wake: () => void;
  /** The sends in flight, by message id: written here, read by the leases (a shard with sends in flight is kept). */
  readonly inflight: Map<string, Inflight>;
}

/** A send claimed and not yet recorded. */
export interface Inflight {
  readonly shard: number;
  /** Its conversation's pacing key. */
  readonly key: string;
  /** It has its turn (the pacer counts it): no longer counted against the global room by dispatch. */
  readonly gated: boolean;
}

const GLOBAL_PROBE = '\u0000global-probe';

export class Dispatcher {
  readonly #p: DispatcherParts;
  readonly #inflight: Map<string, Inflight>;
  readonly #inflightKeys = new Set<string>();
  readonly #sends = new Set<Promise<void>>();

  constructor(parts: DispatcherParts) {
    this.#p = parts;
    this.#inflight = parts.inflight;
  }

  /** Resolves when every send started has been recorded. */
  async settled(): Promise<void> {
    while (this.#sends.size > 0) await Promise.allSettled([...this.#sends]);
  }

  /** Claims and starts what may go now; returns how long until something else may. */
  dispatch(): number {
    const { settings, pacer, throttle, workers } = this.#p;
    if (this.#p.stopping()) return settings.pollMs;
    const now = this.#now();
    if (now < throttle.slowUntil) return throttle.slowUntil - now;
    if (now < workers.sendFrom) return workers.sendFrom - now;
    const free = settings.concurrency - this.#inflight.size;
    if (free <= 0) return settings.pollMs;
    pacer.setGlobalScale(this.#globalScale(now));
    const ungated = [...this.#inflight.values()].filter((v) => !v.gated).length;
    const room = pacer.globalRoom(new Date(now)) - ungated;
    if (room <= 0) return Math.max(1, pacer.nextAllowed(GLOBAL_PROBE, new Date(now)).getTime() - now);

    const leaseEnd = now + settings.rules.leaseMs / 4;
    const shards = this.#p.leases.owned('sending').filter(({ doc }) => leaseHeldBy(doc, settings.worker, leaseEnd));
    const { due, waitMs: held } = dueHeads(shards, this.#inflightKeys, now);
    const { picks, waitMs: paced } = pickPaced(due, { free, room }, (key) => pacer.nextAllowed(key, new Date(now)).getTime(), now);
    for (const p of picks) {
      this.#inflight.set(p.record.id, { shard: p.shard, key: p.key, gated: false });
      this.#inflightKeys.add(p.key);
    }
    if (picks.length > 0) this.#claimAndSend(picks);
    return Math.max(1, Math.min(settings.pollMs, held, paced));
  }

  /** This instance's scale of the global limits: its share, and the ramp after a pause. */
  #globalScale(now: number): number {
    return this.#p.workers.share() * this.#p.throttle.ramp(now);
  }

  #now(): number {
    return this.#p.settings.clock.now().getTime();
  }

  #claimAndSend(picks: readonly Pick[]): void {
    const byShard = new Map<number, Pick[]>();
    for (const p of picks) byShard.set(p.shard, [...(byShard.get(p.shard) ?? []), p]);
    for (const [shard, list] of byShard) {
      const now = this.#now();
      const ids = new Set(list.map((p) => p.record.id));
      const claimed = this.#p.leases.writer(shard).run((doc) => claimMessages(doc, ids, this.#p.settings.rules, now));
      for (const p of list) {
        const run = claimed.then(
          (got) => {
            const record = got.get(p.record.id);
            if (!record) {
              this.#settle(p.record.id);
              return;
            }
            return this.#sendOne(shard, record, p.resolved, p.key);
          },
          (err: unknown) => {
            this.#p.logger.error({ err, shard }, 'outbox: claiming failed');
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
    this.#p.wake();
  }

  async #sendOne(shard: number, record: OutboxRecord, resolved: Resolved, key: string): Promise<void> {
    const { pacer, settings } = this.#p;
    let outcome: Outcome;
    let mark: SendMark | undefined;
    try {
      if (resolved.impossible) throw new Impossible(resolved.impossible);
      const activity = await this.#p.payloads.get(record.payload);
      if (!activity) throw new Impossible('the message body is gone (payload pruned)');
      mark = await this.#gate(shard, record.id, key);
      const activityId = await perform(this.#p.sender, record, resolved, activity, settings.tag);
      pacer.settle(mark, settings.clock.now());
      outcome = { kind: 'delivered', activityId, sentAt: mark.at };
      this.#p.throttle.delivered(this.#now());
    } catch (err) {
      const failure = failureOf(err);
      const refused429 = failure.kind === 'refused' && failure.error.statusCode === 429;
      if (mark) pacer.settle(mark, settings.clock.now(), { refund: settings.refundThrottled && refused429 });
      outcome = this.#outcomeOf(failure, record, mark?.at);
    }
    let stored: OutboxRecord | undefined;
    try {
      stored = await this.#record(shard, record, outcome);
    } finally {
      this.#settle(record.id);
    }
    if (stored?.state === 'delivered') await this.#p.hooks.delivered(shard, stored);
  }

  /**
   * Writes an outcome, trying again when the storage fails for a moment. If it
   * never succeeds the message stays `sending` in storage: it is sent again later
   * (at least once), by this instance (an orphan at a lease renewal) or after a takeover.
   */
  async #record(shard: number, record: OutboxRecord, outcome: Outcome): Promise<OutboxRecord | undefined> {
    const { logger, settings } = this.#p;
    const notify = this.#p.hooks.notifiedWithoutHook;
    for (let attempt = 1; ; attempt++) {
      try {
        const stored = await this.#p.leases.writer(shard).run((doc) => recordOutcome(doc, record, outcome, settings.rules, this.#now(), notify));
        if (!stored && outcome.kind !== 'unsent') {
          logger.warn({ id: record.id, outcome: outcome.kind }, 'outbox: outcome not recorded (the message was taken over meanwhile)');
        }
        return stored;
      } catch (err) {
        if (attempt >= 8 || (this.#p.stopping() && attempt >= 2)) {
          logger.error({ err, id: record.id, outcome: outcome.kind, attempt }, 'outbox: could not record an outcome; the message will be sent again');
          return undefined;
        }
        logger.warn({ err, id: record.id, attempt }, 'outbox: recording an outcome failed; trying again');
        await sleep(Math.min(2_000, 50 * 2 ** attempt));
      }
    }
  }

  /** Waits for this send's turn (throttle, pacing, join delay); records it in the pacer; returns its mark. */
  async #gate(shard: number, id: string, key: string): Promise<SendMark> {
    const { pacer, settings } = this.#p;
    for (;;) {
      if (this.#p.stopping()) throw new Aborted('stopping');
      const doc = this.#p.leases.snapshot(shard);
      const now = this.#now();
      if (!doc || !leaseHeldBy(doc, settings.worker, now + Math.min(settings.rules.leaseMs / 4, 5_000))) throw new Aborted('lease ending');
      const slowUntil = Math.max(this.#p.throttle.slowUntil, this.#p.workers.sendFrom);
      if (now < slowUntil) {
        await sleep(Math.min(slowUntil - now, settings.pollMs));
        continue;
      }
      pacer.setGlobalScale(this.#globalScale(now));
      const mark = pacer.tryAcquire(key, new Date(now));
      if (mark) {
        const entry = this.#inflight.get(id);
        if (entry) this.#inflight.set(id, { ...entry, gated: true });
        return mark;
      }
      const next = pacer.nextAllowed(key, new Date(now)).getTime();
      await sleep(Math.max(1, Math.min(next - now, settings.pollMs)));
    }
  }

  /** What a failed send means for the message, and for the throttle when Teams said 429. */
  #outcomeOf(failure: Failure, record: OutboxRecord, sentAt: number | undefined): Outcome {
    if (failure.kind === 'unsent') return { kind: 'unsent' };
    if (failure.kind === 'impossible') return { kind: 'failed', error: failure.error };
    const now = this.#now();
    const { error, retryAfterMs } = failure;
    if (error.statusCode === 429) this.#onThrottled(now, retryAfterMs);
    else this.#p.throttle.failed();
    const outcome = retryOrFail(record, failure, sentAt, now, this.#p.settings.retry);
    const log = { id: record.id, conversationId: record.target.conversationId, attempt: record.attempts, statusCode: error.statusCode, code: error.code, retryAfterMs };
    if (outcome.kind === 'failed') this.#p.logger.warn({ ...log, retryable: error.retryable }, 'outbox: message failed for good');
    else if (outcome.kind === 'retry') this.#p.logger.debug({ ...log, delayMs: outcome.notBefore - now }, 'outbox: send failed; trying again later');
    return outcome;
  }

  /** A 429: if everyone waits, this instance does at once, the others once they read `outbox/throttle`. */
  #onThrottled(now: number, retryAfterMs: number | undefined): void {
    const { throttle, logger } = this.#p;
    const pause = throttle.throttled(now, retryAfterMs);
    if (!pause) return;
    logger.warn({ pauseMs: pause.pauseMs, reason: pause.reason, level: pause.level }, 'outbox: Teams is throttling; every instance waits');
    void this.#p.throttleDoc
      .change((doc) => {
        const next = sharedPause(doc, pause);
        return { doc: next, result: next };
      })
      .then(
        (doc) => throttle.adopt(doc),
        (err: unknown) => logger.error({ err }, 'outbox: could not share the throttle'),
      );
  }
}
