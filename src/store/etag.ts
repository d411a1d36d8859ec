import type { Storage } from 'botbuilder';
import { backoffMs } from '../lib/backoff';
import { sleep } from '../lib/sleep';

/**
 * Optimistic concurrency helpers shared by every Storage backend.
 *
 * Creating a key race-safely
 * --------------------------
 * botbuilder's Storage interface has no "create if absent": a write without an
 * eTag (or with '*') is an unconditional upsert on every backend, so two writers
 * that both read "absent" and both write would silently lose one update. A
 * conditional write cannot help either, because the backends disagree on a
 * concrete eTag for a missing key:
 *   - MemoryStorage: succeeds (treated as unconditional);
 *   - BlobsStorage: sends If-Match, Azure answers 412 for a missing blob (conflict);
 *   - SqliteStorage: follows Blob (conflict).
 * No generic sequence of read/write/delete closes that race (an unconditional
 * "seed" write can always overwrite a seed that was already updated), so:
 *
 * Rule: creation goes through the optional `createIfAbsent` capability
 * (`CreatesIfAbsent`), which a backend implements atomically: SqliteStorage with
 * INSERT .. ON CONFLICT DO NOTHING; a Blob adapter would upload with
 * `conditions: { ifNoneMatch: '*' }` and map 409/412 to `false`. Existing keys are
 * always updated with the eTag that was read.
 *
 * A backend without the capability (MemoryStorage, plain BlobsStorage) falls back
 * to a per-process creation lock: re-read under the lock, create only if still
 * absent. That is sound for MemoryStorage (one process by nature) but NOT across
 * processes: plain BlobsStorage shared by several bot instances must be wrapped
 * with `createIfAbsent` before `updateWithRetry` can create keys safely there.
 * Deletes that race with updates are outside this guarantee on every backend.
 */

/** Same wording as MemoryStorage and BlobsStorage, so one pattern matches all. */
export class ETagConflictError extends Error {
  readonly key: string;
  constructor(key: string) {
    super(`Storage: error writing "${key}" due to eTag conflict.`);
    this.name = 'ETagConflictError';
    this.key = key;
  }
}

/**
 * True for an optimistic-concurrency failure from any backend we use:
 * MemoryStorage / SqliteStorage / newer BlobsStorage ("... due to eTag conflict."),
 * and raw Azure errors (HTTP 412, code ConditionNotMet, "The condition specified
 * using HTTP conditional header(s) is not met.").
 */
export function isETagConflict(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { statusCode?: unknown; code?: unknown; message?: unknown };
  if (e.statusCode === 412 || e.code === 'ConditionNotMet') return true;
  if (typeof e.message !== 'string') return false;
  return e.message.includes('eTag conflict') || e.message.includes('condition specified using HTTP conditional header');
}

/** Optional backend capability: atomic create-if-absent. */
export interface CreatesIfAbsent {
  /**
   * Stores `item` (its `eTag` field ignored) under `key` only if the key does not
   * exist. Resolves true if it was created, false if the key already existed.
   */
  createIfAbsent(key: string, item: object): Promise<boolean>;
}

export function canCreateIfAbsent(storage: Storage): storage is Storage & CreatesIfAbsent {
  return typeof (storage as Partial<CreatesIfAbsent>).createIfAbsent === 'function';
}

export interface UpdateOptions {
  /** Total tries, including the first (default 20). */
  attempts?: number;
  /** Called after each eTag conflict (for metrics and tests). */
  onConflict?: (attempt: number) => void;
}

type Outcome<T> = { done: true; value: T | undefined } | { done: false };

const CONFLICT: { done: false } = { done: false };

/** Per-process creation locks for backends without `createIfAbsent`. */
const creationLocks = new WeakMap<Storage, Map<string, Promise<unknown>>>();

async function withCreationLock<R>(storage: Storage, key: string, fn: () => Promise<R>): Promise<R> {
  let locks = creationLocks.get(storage);
  if (!locks) {
    locks = new Map();
    creationLocks.set(storage, locks);
  }
  const previous = locks.get(key) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const tail = run.catch(() => undefined);
  locks.set(key, tail);
  try {
    return await run;
  } finally {
    if (locks.get(key) === tail) locks.delete(key);
  }
}

/** After a conflict another writer has just succeeded: retry soon, spread out (0..min(25, 2^attempt) ms). */
const CONFLICT_BACKOFF = { baseMs: 2, capMs: 25, jitter: 'full' } as const;

/** Splits a stored item into its document (a copy without eTag) and its eTag. */
function splitItem<T>(item: unknown): { doc: T; eTag: string | undefined } {
  const { eTag, ...doc } = item as Record<string, unknown>;
  return { doc: doc as T, eTag: typeof eTag === 'string' ? eTag : undefined };
}

async function attemptOnce<T extends object>(
  storage: Storage,
  key: string,
  update: (current: T | undefined) => T | undefined | Promise<T | undefined>,
): Promise<Outcome<T>> {
  const items = (await storage.read([key])) as Record<string, unknown>;
  const stored = items[key];

  if (stored !== undefined && stored !== null) {
    const { doc, eTag } = splitItem<T>(stored);
    const next = await update(doc);
    if (next === undefined) return { done: true, value: doc };
    if (eTag === undefined) {
      // Writing without one would be an unconditional overwrite: refuse.
      throw new Error(`updateWithRetry: storage returned "${key}" without an eTag`);
    }
    try {
      await storage.write({ [key]: { ...next, eTag } });
    } catch (err) {
      if (isETagConflict(err)) return CONFLICT;
      throw err;
    }
    return { done: true, value: next };
  }

  const next = await update(undefined);
  if (next === undefined) return { done: true, value: undefined };
  const fresh: Record<string, unknown> = { ...(next as Record<string, unknown>) };
  delete fresh['eTag'];

  if (canCreateIfAbsent(storage)) {
    return (await storage.createIfAbsent(key, fresh)) ? { done: true, value: next } : CONFLICT;
  }

  // In-process fallback; see the module comment for its limits.
  return withCreationLock(storage, key, async (): Promise<Outcome<T>> => {
    const again = (await storage.read([key])) as Record<string, unknown>;
    if (again[key] !== undefined && again[key] !== null) return CONFLICT;
    await storage.write({ [key]: fresh });
    return { done: true, value: next };
  });
}

/**
 * Read-modify-write of one document with eTag retry.
 *
 * `update` gets a copy of the current document (without `eTag`), or undefined if
 * the key is absent, and returns the new document, or undefined for "no change"
 * (nothing is written). It may run several times, so keep it free of side effects.
 * Resolves to the document as stored afterwards (unchanged one, or undefined if it
 * stayed absent). eTag conflicts are retried up to `attempts` times with a few
 * milliseconds of random backoff; any other error propagates at once.
 */
export async function updateWithRetry<T extends object>(
  storage: Storage,
  key: string,
  update: (current: T | undefined) => T | undefined | Promise<T | undefined>,
  opts: UpdateOptions = {},
): Promise<T | undefined> {
  const attempts = opts.attempts ?? 20;
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new RangeError(`updateWithRetry: attempts must be a positive integer, got ${attempts}`);
  }
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const outcome = await attemptOnce(storage, key, update);
    if (outcome.done) return outcome.value;
    opts.onConflict?.(attempt);
    if (attempt < attempts) await sleep(backoffMs(attempt, CONFLICT_BACKOFF));
  }
  throw new Error(`updateWithRetry: gave up on "${key}" after ${attempts} attempts (eTag conflict every time)`);
}
