import type { Logger } from 'pino';
import type { SharedDocument } from '../../store/document';
import { iso, ms } from './time';

/**
 * Live instances, `outbox/workers`: heartbeats, and whether each holds shards.
 * Each instance takes a fair share of the shards with work (a shard nobody takes
 * within two polls goes to whoever sees it), and the n instances that send take
 * 1/n of the global rate each. An instance that starts sending while others do
 * waits a global window and two polls first (until they have lowered their
 * rate); a share rises only a window after another instance stopped.
 */

export interface WorkerEntry {
  readonly heartbeatAt: string;
  readonly expiresAt: string;
  /** Set while the instance holds shards (it sends): it takes a share of the global rate. */
  readonly busySince?: string;
  /** When it last gave its shards back: its sends still count for a global window after this. */
  readonly idleSince?: string;
  /** Set when the instance stopped. */
  readonly leftAt?: string;
}

export interface WorkersDoc {
  readonly workers: Readonly<Record<string, WorkerEntry>>;
}

export interface WorkersOptions {
  readonly worker: string;
  readonly leaseMs: number;
  readonly pollMs: number;
  /** Longest global window plus margin: how long an instance's sends still count after it stopped. */
  readonly globalHorizonMs: number;
  readonly doc: SharedDocument<WorkersDoc>;
  readonly logger: Logger;
  readonly now: () => number;
}

/** This instance's view of `outbox/workers`, and its share of the shards and of the global rate. */
export class Workers {
  readonly #o: WorkersOptions;
  #workers: WorkersDoc = { workers: {} };
  #shareHistory: { at: number; share: number }[] = [];
  #busy = false;
  #sendFrom = 0;
  #lastHeartbeat = Number.NEGATIVE_INFINITY;
  /** Shards seen free with work while this instance was at its fair share: since when. */
  readonly #freeSeen = new Map<number, number>();

  constructor(options: WorkersOptions) {
    this.#o = options;
  }

  /** This instance holds shards (as last written to outbox/workers). */
  get busy(): boolean {
    return this.#busy;
  }

  /** Nothing is sent before this (joining instances that send already; epoch ms). */
  get sendFrom(): number {
    return this.#sendFrom;
  }

  /** The document as read by a scan. */
  adopt(doc: WorkersDoc): void {
    this.#workers = doc;
  }

  /** Renews this instance's entry (every third of a lease). */
  async heartbeat(now: number): Promise<void> {
    if (now - this.#lastHeartbeat < this.#o.leaseMs / 3) return;
    this.#lastHeartbeat = now;
    this.#workers = await this.#o.doc.change((d) => {
      const next = { workers: this.#tidy(d, now, (own) => ({ ...own, heartbeatAt: iso(now), expiresAt: iso(now + this.#o.leaseMs) })) };
      return { doc: next, result: next };
    });
  }

  /**
   * Says whether this instance sends (holds shards). One eTag-checked change of
   * `outbox/workers`, so of two instances turning busy at once the second sees the
   * first: it waits until the first has noticed it (a poll) and the first's last
   * window at the full rate has passed, then each sends at its share.
   */
  async setBusy(busy: boolean, now: number): Promise<void> {
    this.#workers = await this.#o.doc.change((d) => {
      const next = {
        workers: this.#tidy(d, now, (own) => {
          const { busySince: _b, idleSince: _i, ...rest } = own;
          return busy ? { ...rest, busySince: iso(now) } : { ...rest, idleSince: iso(now) };
        }),
      };
      return { doc: next, result: next };
    });
    this.#busy = busy;
    if (busy) {
      const others = this.senders(now) - 1;
      this.#sendFrom = others > 0 ? now + this.#o.globalHorizonMs + 2 * this.#o.pollMs : now;
      if (others > 0) this.#o.logger.info({ others, waitMs: this.#sendFrom - now }, 'outbox: other instances are sending; sharing the global rate');
    }
    const later = this.#o.now();
    this.noteShare(later, 1 / Math.max(1, this.senders(later)));
  }

  /** Signs off: the entry stays (its sends count for a global window), marked as left. */
  async leave(now: number): Promise<void> {
    this.#lastHeartbeat = Number.NEGATIVE_INFINITY;
    this.#busy = false;
    const worker = this.#o.worker;
    await this.#o.doc.change((d) => {
      const own = d.workers[worker];
      if (!own) return { result: undefined };
      const { busySince: _b, ...rest } = own;
      return { doc: { workers: { ...d.workers, [worker]: { ...rest, ...(own.busySince !== undefined ? { idleSince: iso(now) } : {}), leftAt: iso(now) } } }, result: undefined };
    });
  }

  /** Instances that can take work (this one included): a heartbeat not expired, not stopped. */
  live(now: number): number {
    let n = 0;
    for (const [id, w] of Object.entries(this.#workers.workers)) {
      if (id !== this.#o.worker && ms(w.expiresAt) > now && w.leftAt === undefined) n++;
    }
    return n + 1;
  }

  /** Instances sending now or within the last global window (this one included when busy). */
  senders(now: number): number {
    let n = 0;
    for (const [id, w] of Object.entries(this.#workers.workers)) {
      if (id === this.#o.worker || ms(w.expiresAt) <= now) continue;
      const stoppedAt = Math.max(ms(w.idleSince), ms(w.leftAt));
      if ((w.busySince !== undefined && w.leftAt === undefined) || now - stoppedAt < this.#o.globalHorizonMs) n++;
    }
    return this.#busy ? n + 1 : n;
  }

  /** Notes the share this instance would have if it sent now (1/n of the senders, itself included). */
  noteExpectedShare(now: number): void {
    this.noteShare(now, 1 / Math.max(1, this.senders(now) + (this.#busy ? 0 : 1)));
  }

  /** A share rises only after the old one has been kept for a whole global window. */
  noteShare(now: number, share: number): void {
    this.#shareHistory.push({ at: now, share });
    this.#shareHistory = this.#shareHistory.filter((s, i, all) => i === all.length - 1 || s.at >= now - this.#o.globalHorizonMs);
  }

  /** This instance's share of the global rate. */
  share(): number {
    return Math.min(1, ...this.#shareHistory.map((s) => s.share));
  }

  /**
   * May this instance take a free shard with work now? Up to its fair share at
   * once; beyond it only a shard nobody else took within two polls (another
   * instance may be gone without having signed off). `mine`: the shards with work
   * this instance keeps.
   */
  mayTake(shard: number, mine: number, fair: number, now: number): boolean {
    const seen = this.#freeSeen.get(shard) ?? now;
    this.#freeSeen.set(shard, seen);
    return mine < fair || now - seen >= 2 * this.#o.pollMs;
  }

  /** Forgets the shards that are no longer free (`free`: every free shard with work in this scan). */
  seenFree(free: readonly number[]): void {
    for (const shard of [...this.#freeSeen.keys()]) if (!free.includes(shard)) this.#freeSeen.delete(shard);
  }

  /** This instance took the shard. */
  taken(shard: number): void {
    this.#freeSeen.delete(shard);
  }

  /** The workers without long-gone entries, and this instance's entry changed by `own`. */
  #tidy(d: WorkersDoc, now: number, own: (entry: WorkerEntry) => WorkerEntry): Record<string, WorkerEntry> {
    const workers: Record<string, WorkerEntry> = {};
    for (const [id, w] of Object.entries(d.workers)) {
      if (ms(w.expiresAt) > now && !(w.leftAt && ms(w.leftAt) + this.#o.globalHorizonMs < now)) workers[id] = w;
    }
    const { leftAt: _left, ...current } = workers[this.#o.worker] ?? { heartbeatAt: iso(now), expiresAt: iso(now + this.#o.leaseMs) };
    workers[this.#o.worker] = own(current);
    return workers;
  }
}

/** Each live instance's fair share of the shards with work. */
export function fairShare(shardsWithWork: number, liveWorkers: number): number {
  return Math.ceil(shardsWithWork / Math.max(1, liveWorkers));
}

/**
 * The owned shards to give back: drained ones, and those beyond a fair share
 * (the ones taken last). `owned` in the order they were taken; `releasing`:
 * already being given back.
 */
export function shardsToGiveBack(owned: readonly number[], releasing: ReadonlySet<number>, hasWork: (shard: number) => boolean, fair: number): number[] {
  const drained = owned.filter((i) => !hasWork(i));
  const keep = owned.filter((i) => hasWork(i) && !releasing.has(i));
  return [...drained, ...keep.slice(fair)];
}
