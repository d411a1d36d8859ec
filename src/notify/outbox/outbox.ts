import { randomUUID } from 'node:crypto';
import type { Activity, Storage } from 'botbuilder';
import type { Logger } from 'pino';
import type { Clock } from '../../domain/clock';
import { SharedDocument } from '../../store/document';
import { Pacer } from '../pacing';
import { Dispatcher, type Inflight } from './dispatcher';
import { Hooks } from './hooks';
import { META_KEY, PAYLOADS_KEY, shardKey, SIGNAL_KEY, THROTTLE_KEY, WORKERS_KEY, type MetaDoc, type PayloadsDoc } from './keys';
import { Leases } from './leases';
import { contentAddress, Payloads } from './payloads';
import { checkMessage, parseMeta, parsePayloads, parseSignal, parseThrottle, parseWorkers, shardReader, type ShardReader } from './schemas';
import { settingsOf, type Settings } from './settings';
import { addMessages, isFinished, markNotified, shardOf, type ShardDoc } from './shard';
import { Throttle, type ThrottleDoc } from './throttle';
import type { EnqueueResult, OutboxMessage, OutboxOptions, OutboxRecord, OutboxStats } from './types';
import { sleep } from '../../lib/sleep';
import { Workers, type WorkersDoc } from './workers';

/**
 * The outbox: every proactive send (announcements, updates, the all-clear,
 * reminders, personal alerts) goes through here, durably, paced within Teams'
 * limits, retried with backoff, and recorded once (DESIGN.md, "Delivery
 * semantics": claim, send, record). Where it keeps what: ./keys.ts.
 *
 * Pacing (src/notify/pacing.ts): per conversation Teams' four windows, overall
 * 50/s spread evenly; a request counts from when it is let go until its answer
 * (at most `arrivalBoundMs`), so arrival jitter cannot turn into a violation; a
 * 429 is taken out of the windows again (Teams refused it).
 *
 * Ids: unique per conversation and per meaning (`${outageId}:announce:${conv}`),
 * never derived from the content alone: an id seen within `keepFinishedMs`
 * (48 h) is ignored, so two different messages with the same id lose one.
 *
 * The parts: a message's life and the shard it lives in (./shard.ts), the shards
 * this instance holds (./leases.ts), claim-send-record (./dispatcher.ts) and
 * retries (./send.ts), the shared throttle (./throttle.ts), instances and their
 * shares (./workers.ts), message bodies (./payloads.ts), hooks (./hooks.ts).
 * This class enqueues, runs the loop and re-reads what other instances change.
 *
 * Queue-only: nobody waits for Teams. What needs Teams' activity id (a post's id
 * on its outage) gets it from `onDelivered`, or reads it with `records`; a reply
 * or an update names the message it refers to by outbox id (`rootMessageId`,
 * `activityOfMessageId`) and the outbox resolves the id when it sends.
 */
export class Outbox {
  readonly worker: string;
  readonly #storage: Storage;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #settings: Settings;
  readonly #throttle: Throttle;
  readonly #metaDoc: SharedDocument<MetaDoc>;
  readonly #workers: Workers;
  readonly #payloads: Payloads;
  readonly #leases: Leases;
  readonly #hooks: Hooks;
  readonly #dispatcher: Dispatcher;
  readonly #inflight = new Map<string, Inflight>();
  /** One reader per shard (it remembers the version it read last). */
  #shardReaders: ShardReader[] = [];

  #init: Promise<number> | undefined;
  #lastFullScan = Number.NEGATIVE_INFINITY;
  #lastSignal: string | undefined;
  #workSeen = false;

  #loop: Promise<void> | undefined;
  #stopping = false;
  #wakeUp: (() => void) | undefined;
  #wantScan = true;

  constructor(options: OutboxOptions) {
    const s = settingsOf(options);
    const { storage, logger } = options;
    const now = () => this.#now();
    this.#settings = s;
    this.worker = s.worker;
    this.#storage = storage;
    this.#logger = logger;
    this.#clock = s.clock;
    const pacer = new Pacer(s.pacer);
    const inflight = this.#inflight;
    this.#throttle = new Throttle(s.throttle, s.worker, s.random);
    this.#metaDoc = new SharedDocument<MetaDoc>(storage, META_KEY, parseMeta);
    this.#workers = new Workers({
      worker: s.worker,
      leaseMs: s.rules.leaseMs,
      pollMs: s.pollMs,
      globalHorizonMs: s.globalHorizonMs,
      doc: new SharedDocument<WorkersDoc>(storage, WORKERS_KEY, parseWorkers),
      logger,
      now,
    });
    this.#leases = new Leases({
      rules: s.rules,
      logger,
      now,
      random: s.random,
      workers: this.#workers,
      inflight,
      seed: (key, at) => pacer.record(key, new Date(at), { global: false }),
    });
    this.#payloads = new Payloads(storage, new SharedDocument<PayloadsDoc>(storage, PAYLOADS_KEY, parsePayloads), s.rules.keepFinishedMs, logger);
    this.#hooks = new Hooks({
      onDelivered: options.onDelivered,
      onFailed: options.onFailed,
      logger,
      now,
      failureBatchMs: s.failureBatchMs,
      markNotified: (shard, ids) =>
        this.#leases
          .writer(shard)
          .run((doc) => markNotified(doc, ids))
          .catch((err: unknown) => logger.error({ err, shard }, 'outbox: could not mark hooks as run')),
    });
    this.#dispatcher = new Dispatcher({
      settings: s,
      sender: options.sender,
      logger,
      pacer,
      leases: this.#leases,
      payloads: this.#payloads,
      hooks: this.#hooks,
      throttle: this.#throttle,
      throttleDoc: new SharedDocument<ThrottleDoc>(storage, THROTTLE_KEY, parseThrottle),
      workers: this.#workers,
      stopping: () => this.#stopping,
      wake: () => this.#wake(),
      inflight,
    });
  }

  // --- public ---------------------------------------------------------------------

  /** Stores messages for sending; an id already in the outbox is ignored. Resolves when stored (not sent). */
  async enqueue(given: readonly OutboxMessage[]): Promise<EnqueueResult> {
    const messages = given.map(checkMessage);
    const shards = await this.#ready();
    const at = this.#clock.now().toISOString();

    const bodies = new Map<string, Partial<Activity>>();
    const byShard = new Map<number, { message: OutboxMessage; hash: string; pos: number }[]>();
    const seen = new Set<string>();
    const ignored: string[] = [];
    messages.forEach((message, pos) => {
      if (seen.has(message.id)) {
        ignored.push(message.id);
        return;
      }
      seen.add(message.id);
      const { hash, json } = contentAddress(message.activity);
      if (!bodies.has(hash)) bodies.set(hash, JSON.parse(json) as Partial<Activity>);
      const shard = shardOf(message.target, shards);
      byShard.set(shard, [...(byShard.get(shard) ?? []), { message, hash, pos }]);
    });
    if (byShard.size === 0) return { added: [], ignored };

    // Bodies first: a stored message never points at a missing body.
    await this.#payloads.store(bodies, at);
    const added: string[] = [];
    await Promise.all(
      [...byShard].map(async ([shard, list]) => {
        const result = await this.#leases.writer(shard).run((doc) => addMessages(doc, list, at));
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
    await this.#dispatcher.settled();
    await this.#hooks.settled();
    await this.#leases.releaseAll();
    await this.#workers.leave(this.#now()).catch((err: unknown) => this.#logger.warn({ err }, 'outbox: could not sign off'));
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
    const counts = { pending: 0, sending: 0, delivered: 0, failed: 0, unnotified: 0 };
    for (const doc of await this.#readAll()) {
      for (const r of doc.messages) {
        counts[r.state]++;
        if (isFinished(r) && r.notified !== true) counts.unnotified++;
      }
    }
    return counts;
  }

  /** The records of these ids (absent ids are left out), as stored now, whoever sent them. */
  async records(ids: readonly string[]): Promise<Map<string, OutboxRecord>> {
    const wanted = new Set(ids);
    const out = new Map<string, OutboxRecord>();
    for (const doc of await this.#readAll()) for (const r of doc.messages) if (wanted.has(r.id)) out.set(r.id, r);
    return out;
  }

  // --- set-up -----------------------------------------------------------------------

  /** The shard count, fixed at first use in a storage (`outbox/meta`). */
  #ready(): Promise<number> {
    this.#init ??= (async () => {
      const configured = this.#settings.shards;
      const shards = await this.#metaDoc.change((doc) => (doc.shards >= 1 ? { result: doc.shards } : { doc: { shards: configured }, result: configured }));
      if (shards !== configured) {
        this.#logger.warn({ stored: shards, configured }, 'outbox: the storage was set up with another shard count; using the stored one');
      }
      this.#shardReaders = Array.from({ length: shards }, () => shardReader(this.#logger));
      this.#leases.open(this.#storage, this.#shardReaders);
      return shards;
    })();
    this.#init.catch(() => (this.#init = undefined));
    return this.#init;
  }

  #readShard(shard: number, stored: unknown): ShardDoc {
    const reader = this.#shardReaders[shard];
    if (!reader) throw new Error(`outbox: no shard ${shard}`);
    return reader.read(stored);
  }

  async #readAll(): Promise<ShardDoc[]> {
    const shards = await this.#ready();
    const keys = Array.from({ length: shards }, (_, i) => shardKey(i));
    const items = (await this.#storage.read(keys)) as Record<string, unknown>;
    return keys.map((k, i) => this.#readShard(i, items[k]));
  }

  // --- the loop -----------------------------------------------------------------------

  async #run(): Promise<void> {
    try {
      await this.#ready();
    } catch (err) {
      this.#logger.error({ err }, 'outbox: cannot read its storage; not started');
      return;
    }
    const { pollMs } = this.#settings;
    let lastRefresh = Number.NEGATIVE_INFINITY;
    while (!this.#stopping) {
      let waitMs = pollMs;
      try {
        const now = this.#now();
        if (this.#wantScan || now - lastRefresh >= pollMs) {
          await this.#refresh();
          lastRefresh = this.#now();
        }
        this.#hooks.start(this.#leases.owned('all'), (id) => this.#inflight.has(id));
        waitMs = Math.min(this.#dispatcher.dispatch(), Math.max(1, lastRefresh + pollMs - this.#now()));
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
    await this.#workers.heartbeat(now);
    const active = this.#leases.held > 0 || this.#workSeen;
    if (!active && !this.#wantScan && now - this.#lastFullScan < this.#settings.idlePollMs) {
      // Idle: one small read tells whether anyone enqueued since the last scan.
      const items = (await this.#storage.read([SIGNAL_KEY, THROTTLE_KEY])) as Record<string, unknown>;
      this.#throttle.adopt(parseThrottle(items[THROTTLE_KEY]));
      const mark = parseSignal(items[SIGNAL_KEY]);
      if (mark === this.#lastSignal) return;
      this.#lastSignal = mark;
    }
    this.#wantScan = false;
    this.#lastFullScan = now;
    const shards = await this.#ready();
    const keys = Array.from({ length: shards }, (_, i) => shardKey(i));
    const items = (await this.#storage.read([...keys, THROTTLE_KEY, WORKERS_KEY, SIGNAL_KEY])) as Record<string, unknown>;
    this.#throttle.adopt(parseThrottle(items[THROTTLE_KEY]));
    this.#workers.adopt(parseWorkers(items[WORKERS_KEY]));
    this.#lastSignal = parseSignal(items[SIGNAL_KEY]);
    keys.forEach((k, i) => this.#leases.seen(i, this.#readShard(i, items[k])));

    await this.#payloads.sweep(now);
    this.#workers.noteExpectedShare(now);
    this.#workSeen = await this.#leases.rebalance(now, this.#stopping);
    const busy = this.#leases.held > 0;
    if (busy !== this.#workers.busy) await this.#workers.setBusy(busy, this.#now());
  }
}
