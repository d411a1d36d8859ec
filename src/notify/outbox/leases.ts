import type { Storage } from 'botbuilder';
import type { Logger } from 'pino';
import { SharedDocument } from '../../store/document';
import { shardKey } from './keys';
import type { ShardReader } from './schemas';
import {
  conversationKey,
  EMPTY_SHARD,
  leaseFree,
  leaseHeldBy,
  releaseLease,
  renewLease,
  shardHasWork,
  takeLease,
  type ShardDoc,
  type ShardRules,
} from './shard';
import { ShardWriter } from './shardWriter';
import { ms } from './time';
import { fairShare, shardsToGiveBack, type Workers } from './workers';

/**
 * The shards this instance holds: the last document seen of every shard, the
 * leases it takes, renews and gives back. Each live instance takes a fair share
 * of the shards with work (./workers.ts), renews its leases before they run out,
 * sends again what an unrecorded outcome left `sending`, and gives back what is
 * drained or beyond its share.
 */

export interface LeasesOptions {
  readonly rules: ShardRules;
  readonly logger: Logger;
  readonly now: () => number;
  readonly random: () => number;
  readonly workers: Workers;
  /** This instance's sends in flight (id → shard): their messages are `sending` for a reason. */
  readonly inflight: ReadonlyMap<string, { readonly shard: number }>;
  /** Per-conversation pacing learns a send another instance made from a shard this one takes. */
  readonly seed: (key: string, at: number) => void;
}

export class Leases {
  readonly #o: LeasesOptions;
  #writers: ShardWriter[] = [];
  #snap: (ShardDoc | undefined)[] = [];
  readonly #owned = new Set<number>();
  readonly #releasing = new Set<number>();
  readonly #lastSeeded = new Map<number, number>();

  constructor(options: LeasesOptions) {
    this.#o = options;
  }

  /** Opens the shards of a storage (once, when the shard count is known), each read back by its reader. */
  open(storage: Storage, readers: readonly ShardReader[]): void {
    this.#writers = readers.map((reader, i) => {
      const doc = new SharedDocument<ShardDoc>(storage, shardKey(i), (stored) => reader.read(stored));
      return new ShardWriter(doc, (written) => {
        reader.wrote(written);
        this.seen(i, written);
      });
    });
    this.#snap = readers.map(() => undefined);
  }

  writer(shard: number): ShardWriter {
    const w = this.#writers[shard];
    if (!w) throw new Error(`outbox: no shard ${shard}`);
    return w;
  }

  snapshot(shard: number): ShardDoc | undefined {
    return this.#snap[shard];
  }

  /** Shards held now. */
  get held(): number {
    return this.#owned.size;
  }

  /** The shards held, with their last document: `sending` leaves out those being given back. */
  owned(which: 'all' | 'sending'): { shard: number; doc: ShardDoc }[] {
    const out: { shard: number; doc: ShardDoc }[] = [];
    for (const shard of this.#owned) {
      const doc = this.#snap[shard];
      if (doc && !(which === 'sending' && this.#releasing.has(shard))) out.push({ shard, doc });
    }
    return out;
  }

  /** A document of a shard read or written: newer than the last one seen, it replaces it. */
  seen(shard: number, doc: ShardDoc): void {
    const known = this.#snap[shard];
    if (known && doc.rev < known.rev) return;
    this.#snap[shard] = doc;
    if (this.#owned.has(shard) && !leaseHeldBy(doc, this.#o.rules.worker, this.#o.now())) {
      this.#owned.delete(shard);
      this.#releasing.delete(shard);
      this.#o.logger.warn({ shard, owner: doc.owner }, 'outbox: lost the lease of a shard');
    }
  }

  /**
   * After a scan: gives back, renews and takes shards. Returns whether any shard
   * has work (an instance without shards then keeps scanning every poll).
   */
  async rebalance(now: number, stopping: boolean): Promise<boolean> {
    const withWork = this.#snap.flatMap((doc, i) => (doc && shardHasWork(doc) ? [i] : []));
    const fair = fairShare(withWork.length, this.#o.workers.live(now));
    const hasWork = (i: number) => withWork.includes(i);

    // Give back: drained shards, and shards beyond a fair share (once nothing of theirs is in flight).
    for (const shard of shardsToGiveBack([...this.#owned], this.#releasing, hasWork, fair)) this.#releasing.add(shard);
    for (const shard of [...this.#releasing]) {
      if (!this.#owned.has(shard)) {
        this.#releasing.delete(shard);
        continue;
      }
      if (this.#inflightIn(shard) > 0) continue;
      await this.release(shard);
    }

    // Renew what we keep; send again what an unrecorded outcome left `sending`.
    const { rules, inflight } = this.#o;
    for (const shard of this.#owned) {
      const doc = this.#snap[shard];
      if (!doc || this.#releasing.has(shard)) continue;
      const orphans = new Set(
        doc.messages.filter((r) => r.state === 'sending' && !inflight.has(r.id) && ms(r.tries.at(-1)?.at) < now - rules.leaseMs).map((r) => r.id),
      );
      if (orphans.size > 0 || ms(doc.leaseUntil) - now < (rules.leaseMs * 2) / 3) {
        await this.writer(shard).run((d) => renewLease(d, rules, now, orphans, (id) => inflight.has(id)));
        if (orphans.size > 0) this.#o.logger.warn({ shard, count: orphans.size }, 'outbox: sending again messages whose outcome was never recorded');
      }
    }

    // Take free (or expired) shards with work, up to a fair share, in random order;
    // beyond it a shard nobody else took within two polls.
    if (!stopping) {
      const workers = this.#o.workers;
      const free = withWork.filter((i) => !this.#owned.has(i) && leaseFree(this.#snap[i] ?? EMPTY_SHARD, now));
      workers.seenFree(free);
      for (const shard of shuffle(free, this.#o.random)) {
        const mine = [...this.#owned].filter((i) => hasWork(i) && !this.#releasing.has(i)).length;
        if (!workers.mayTake(shard, mine, fair, now)) continue;
        await this.#acquire(shard, now);
        workers.taken(shard);
      }
    }
    return withWork.length > 0;
  }

  async #acquire(shard: number, now: number): Promise<void> {
    const { rules, inflight } = this.#o;
    const mine = new Set([...inflight].filter(([, v]) => v.shard === shard).map(([id]) => id));
    const taken = await this.writer(shard).run((doc) => takeLease(doc, rules, now, mine));
    if (!taken) return;
    this.#owned.add(shard);
    this.#releasing.delete(shard);
    // Seed per-conversation pacing with the sends other instances made from this shard lately.
    const since = Math.max(this.#lastSeeded.get(shard) ?? Number.NEGATIVE_INFINITY, now - 3_600_000 - 60_000);
    let seeded = 0;
    for (const r of taken.doc.messages) {
      for (const t of r.tries) {
        const at = ms(t.at);
        if (t.by !== rules.worker && at > since && at <= now) {
          this.#o.seed(conversationKey(r.target), at);
          seeded++;
        }
      }
    }
    this.#lastSeeded.set(shard, now);
    this.#o.logger.debug({ shard, previous: taken.previous, reset: taken.reset, seeded }, 'outbox: took a shard');
    if (taken.reset > 0) this.#o.logger.info({ shard, previous: taken.previous, reset: taken.reset }, 'outbox: took over a shard with interrupted sends; sending them again');
  }

  async release(shard: number): Promise<void> {
    this.#owned.delete(shard);
    this.#releasing.delete(shard);
    await this.writer(shard).run((doc) => releaseLease(doc, this.#o.rules, this.#o.now()));
    this.#o.logger.debug({ shard }, 'outbox: gave a shard back');
  }

  /** Gives every shard back (stopping: another instance, or this one restarted, carries on at once). */
  async releaseAll(): Promise<void> {
    for (const shard of [...this.#owned]) await this.release(shard).catch((err: unknown) => this.#o.logger.warn({ err, shard }, 'outbox: could not give a shard back'));
  }

  #inflightIn(shard: number): number {
    let n = 0;
    for (const v of this.#o.inflight.values()) if (v.shard === shard) n++;
    return n;
  }
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
