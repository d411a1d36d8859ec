import type { Logger } from 'pino';
import { isFinished, type ShardDoc } from './shard';
import { ms } from './time';
import type { OutboxOptions, OutboxRecord } from './types';

/**
 * The hooks: delivered messages are handed to `onDelivered` (one by one, right
 * after the delivery is recorded), failed ones to `onFailed` in batches (for the
 * Nexusteam's report). Both after the record is written, and at least once: a
 * record is marked `notified` only after its hook ran, so a hook that did not
 * finish runs again (after a failure a second later, doubling, up to five tries;
 * after a restart by whoever owns the shard). Hooks must therefore be idempotent.
 */

export interface HooksOptions {
  readonly onDelivered: OutboxOptions['onDelivered'];
  readonly onFailed: OutboxOptions['onFailed'];
  readonly logger: Logger;
  readonly now: () => number;
  /** Failures are reported once the oldest unreported one is this old (or nothing else is pending). */
  readonly failureBatchMs: number;
  /** Writes `notified` on these finished records of a shard. */
  readonly markNotified: (shard: number, ids: ReadonlySet<string>) => Promise<void>;
}

const MAX_TRIES = 5;
const FAILED_BATCH = 'failed-batch';

export class Hooks {
  readonly #o: HooksOptions;
  readonly #tries = new Map<string, number>();
  /** Ids whose onDelivered is running now (not started twice by this instance). */
  readonly #running = new Set<string>();
  /** After a hook failed, hooks wait until then (a second, doubling per failure). */
  #notBefore = Number.NEGATIVE_INFINITY;
  #batch: Promise<void> | undefined;

  constructor(options: HooksOptions) {
    this.#o = options;
  }

  /** Final states that have no hook are marked notified when they are recorded. */
  get notifiedWithoutHook(): { delivered: boolean; failed: boolean } {
    return { delivered: this.#o.onDelivered === undefined, failed: this.#o.onFailed === undefined };
  }

  /** Runs onDelivered for a delivered record (unless it is running already), then marks it notified. */
  async delivered(shard: number, record: OutboxRecord): Promise<void> {
    const hook = this.#o.onDelivered;
    if (!hook || record.notified === true || this.#running.has(record.id)) return;
    this.#running.add(record.id);
    try {
      try {
        await hook(record, record.sentActivityId ?? '');
      } catch (err) {
        if (this.#again(record.id, err, { id: record.id }, 'onDelivered')) return;
      }
      this.#tries.delete(record.id);
      await this.#o.markNotified(shard, new Set([record.id]));
    } finally {
      this.#running.delete(record.id);
    }
  }

  /**
   * Runs the hooks that are due in these (owned) shards: failures in batches,
   * deliveries left over from before a restart. `inflight`: a send of this id is
   * under way (its outcome is not final yet).
   */
  start(shards: readonly { shard: number; doc: ShardDoc }[], inflight: (id: string) => boolean): void {
    if (this.#batch) return;
    const now = this.#o.now();
    if (now < this.#notBefore) return;
    const failed: { shard: number; record: OutboxRecord }[] = [];
    const delivered: { shard: number; record: OutboxRecord }[] = [];
    for (const { shard, doc } of shards) {
      for (const r of doc.messages) {
        if (r.notified === true || inflight(r.id) || this.#running.has(r.id)) continue;
        if (r.state === 'failed') failed.push({ shard, record: r });
        else if (r.state === 'delivered') delivered.push({ shard, record: r });
      }
    }
    const oldestFailure = Math.min(...failed.map((f) => ms(f.record.finishedAt)));
    const pending = shards.some(({ doc }) => doc.messages.some((r) => !isFinished(r)));
    const reportFailures = failed.length > 0 && (now - oldestFailure >= this.#o.failureBatchMs || !pending);
    if (!reportFailures && delivered.length === 0) return;
    this.#batch = (async () => {
      for (const d of delivered) await this.delivered(d.shard, d.record);
      if (reportFailures) await this.#failed(failed);
    })()
      .catch((err: unknown) => this.#o.logger.error({ err }, 'outbox: hooks failed'))
      .finally(() => {
        this.#batch = undefined;
      });
  }

  /** Resolves when the hooks started by `start` have run. */
  async settled(): Promise<void> {
    await this.#batch?.catch(() => undefined);
  }

  async #failed(failed: readonly { shard: number; record: OutboxRecord }[]): Promise<void> {
    const hook = this.#o.onFailed;
    if (hook) {
      try {
        await hook(failed.map((f) => f.record));
      } catch (err) {
        if (this.#again(FAILED_BATCH, err, { count: failed.length }, 'onFailed')) return;
      }
      this.#tries.delete(FAILED_BATCH);
    }
    const byShard = new Map<number, Set<string>>();
    for (const f of failed) byShard.set(f.shard, (byShard.get(f.shard) ?? new Set<string>()).add(f.record.id));
    for (const [shard, ids] of byShard) await this.#o.markNotified(shard, ids);
  }

  /** A hook failed: true when it runs again later, false when it is given up (and its records are marked). */
  #again(key: string, err: unknown, log: Record<string, unknown>, hook: string): boolean {
    const tries = (this.#tries.get(key) ?? 0) + 1;
    if (tries < MAX_TRIES) {
      this.#tries.set(key, tries);
      this.#notBefore = this.#o.now() + 1_000 * 2 ** (tries - 1);
      this.#o.logger.warn({ err, ...log, tries }, `outbox: ${hook} failed; it runs again later`);
      return true;
    }
    this.#o.logger.error({ err, ...log, tries }, `outbox: ${hook} keeps failing; giving up on it`);
    return false;
  }
}
