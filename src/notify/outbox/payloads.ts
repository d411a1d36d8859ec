import { createHash } from 'node:crypto';
import type { Activity, Storage } from 'botbuilder';
import type { Logger } from 'pino';
import type { SharedDocument } from '../../store/document';
import { payloadKey, type PayloadsDoc } from './keys';
import { parseBody } from './schemas';
import { iso, ms } from './time';

/**
 * Message bodies, content-addressed: `outbox/payload/<sha256>` holds the
 * activity once however many recipients share it (one announcement card for
 * 1,520 recipients); `outbox/payloads` records when each was last enqueued, for
 * the hourly retention sweep. A few recent bodies are cached in memory.
 */


/** The hash a body is stored under, and its JSON. */
export function contentAddress(activity: Partial<Activity>): { hash: string; json: string } {
  const json = JSON.stringify(activity);
  return { hash: createHash('sha256').update(json).digest('hex'), json };
}

const CACHED = 64;
const SWEEP_EVERY_MS = 3_600_000;

export class Payloads {
  readonly #storage: Storage;
  readonly #index: SharedDocument<PayloadsDoc>;
  readonly #keepMs: number;
  readonly #logger: Logger;
  readonly #cache = new Map<string, Partial<Activity>>();
  #lastSweep = Number.NEGATIVE_INFINITY;

  /** `keepFinishedMs`: how long finished records are kept (a body outlives them by a day). */
  constructor(storage: Storage, index: SharedDocument<PayloadsDoc>, keepFinishedMs: number, logger: Logger) {
    this.#storage = storage;
    this.#index = index;
    this.#keepMs = keepFinishedMs;
    this.#logger = logger;
  }

  /**
   * Stores bodies before the messages that use them, so a stored message never
   * points at a missing body. Marked as used before they are written (the sweep
   * deletes only long-unused ones), and content-addressed, so an unconditional
   * write is safe.
   */
  async store(bodies: ReadonlyMap<string, Partial<Activity>>, at: string): Promise<void> {
    await this.#index.change((doc) => {
      const used = { ...doc.used };
      for (const hash of bodies.keys()) used[hash] = at;
      return { doc: { ...doc, used }, result: undefined };
    });
    const writes: Record<string, object> = {};
    for (const [hash, activity] of bodies) writes[payloadKey(hash)] = { activity };
    await this.#storage.write(writes);
  }

  /** The body stored under `hash`, or undefined when it is gone (swept). */
  async get(hash: string): Promise<Partial<Activity> | undefined> {
    const cached = this.#cache.get(hash);
    if (cached) return cached;
    const items = (await this.#storage.read([payloadKey(hash)])) as Record<string, unknown>;
    const value = parseBody(items[payloadKey(hash)]);
    if (!value) return undefined;
    this.#cache.set(hash, value);
    if (this.#cache.size > CACHED) {
      const oldest = this.#cache.keys().next();
      if (!oldest.done) this.#cache.delete(oldest.value);
    }
    return value;
  }

  /**
   * Deletes bodies no message has used for the retention (finished records are
   * pruned after keepFinishedMs; a day more for safety). Hourly, by whichever
   * instance comes first. A body enqueued again in the very moment it is swept
   * would be lost (its message fails, reported): content this old is not sent
   * again in practice.
   */
  async sweep(now: number): Promise<void> {
    if (now - this.#lastSweep < SWEEP_EVERY_MS) return;
    this.#lastSweep = now;
    const cutoff = now - this.#keepMs - 24 * 3_600_000;
    const gone = await this.#index.change((doc) => {
      if (ms(doc.sweptAt) > now - SWEEP_EVERY_MS) return { result: [] as string[] };
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
}
