import type { Storage, StoreItems } from 'botbuilder';
import { BlobsStorage, type BlobsStorageOptions } from 'botbuilder-azure-blobs';
import { isRecord } from '../lib/isRecord';
import { ETagConflictError, isETagConflict, type CreatesIfAbsent } from './etag.js';

type RetryOptions = NonNullable<NonNullable<BlobsStorageOptions['storagePipelineOptions']>['retryOptions']>;

export interface BlobStorageOptions {
  /** Storage account connection string (`UseDevelopmentStorage=true` for Azurite on its default port). */
  connectionString: string;
  /** Container name (3–63 of a-z, 0-9 and single hyphens); created on first use. */
  container: string;
  /** How long ping() waits for the service (default 2000 ms). */
  pingTimeoutMs?: number;
  /**
   * The Azure SDK's retry of one request (network errors, 5xx, timeouts; never
   * 409/412). Default: 4 tries, 200 ms doubling up to 2 s, 15 s per try, so an
   * unreachable account fails within a few seconds instead of minutes.
   */
  retryOptions?: RetryOptions;
}

export const DEFAULT_RETRY_OPTIONS: RetryOptions = {
  maxTries: 4,
  retryDelayInMs: 200,
  maxRetryDelayInMs: 2000,
  tryTimeoutInMs: 15_000,
};

/** Azure's limit on a blob name, in characters. */
const MAX_BLOB_NAME = 1024;

/** The part of @azure/storage-blob's ContainerClient this class uses (reached through BlobsStorage). */
interface ContainerClientLike {
  exists(options?: { abortSignal?: AbortSignal }): Promise<boolean>;
  getBlockBlobClient(blobName: string): {
    upload(
      body: string,
      contentLength: number,
      options?: { conditions?: { ifNoneMatch?: string }; blobHTTPHeaders?: { blobContentType?: string } },
    ): Promise<unknown>;
  };
}

/**
 * botbuilder Storage on one Azure Blob container, through botbuilder-azure-blobs'
 * BlobsStorage (one JSON blob per key), with what this project needs on top.
 *
 * eTag semantics are those of the storage contract (test/store/storageContract.ts)
 * and SqliteStorage:
 *   - read returns existing keys only, each a fresh copy with its `eTag` (Azure's
 *     ETag, quotes included);
 *   - write with no eTag, '' or '*' is an unconditional upsert (sent without
 *     If-Match; BlobsStorage would send an empty one for a missing eTag);
 *   - write with an eTag is If-Match: a stale one, or one for a missing key, throws
 *     `Storage: error writing "<key>" due to eTag conflict.` (ETagConflictError
 *     with the caller's key);
 *   - `createIfAbsent` uploads with If-None-Match: * and maps 409/412 to false:
 *     atomic on the service, so safe across processes (see etag.ts).
 * A write of several keys writes them independently and in parallel, as Blob
 * must: on an error some of the others may have been written.
 *
 * Keys: BlobsStorage URL-encodes a key but first drops empty path segments, so
 * "a/", "/a" and "a" would share one blob. Keys are therefore escaped before they
 * reach it ('%' → %25, '/' → %2F, '.' → %2E, so no segments, no trailing dot):
 * every non-empty string is its own blob. Keys whose blob name would exceed
 * Azure's 1024 characters are refused instead of truncated into a collision.
 *
 * Container creation: BlobsStorage caches its first createIfNotExists forever,
 * including a failure. The first use here runs that step explicitly and, if it
 * fails (service unreachable), replaces the BlobsStorage so the next call tries
 * again instead of failing for the life of the process.
 */
export class BlobStorage implements Storage, CreatesIfAbsent {
  readonly container: string;
  readonly #connectionString: string;
  readonly #pipeline: NonNullable<BlobsStorageOptions['storagePipelineOptions']>;
  readonly #pingTimeoutMs: number;
  #blobs: BlobsStorage;
  #ready: Promise<BlobsStorage> | undefined;
  #closed = false;

  constructor(options: BlobStorageOptions) {
    const { connectionString, container } = options;
    if (typeof connectionString !== 'string' || connectionString.trim() === '') {
      throw new TypeError('BlobStorage: connectionString is required');
    }
    const problem = containerNameProblem(container);
    if (problem) throw new TypeError(`BlobStorage: container name "${container}" ${problem}`);
    this.container = container;
    this.#connectionString = connectionString;
    this.#pipeline = { retryOptions: { ...DEFAULT_RETRY_OPTIONS, ...options.retryOptions } };
    this.#pingTimeoutMs = options.pingTimeoutMs ?? 2000;
    // Builds the SDK client now, so a malformed connection string fails at start-up.
    this.#blobs = this.#newBlobs();
    containerClientOf(this.#blobs);
  }

  async read(keys: string[]): Promise<StoreItems> {
    if (!Array.isArray(keys)) throw new ReferenceError('Keys are required when reading.');
    this.#assertOpen();
    const names = keys.map(escapeKey);
    if (keys.length === 0) return {};
    const blobs = await this.#initialised();
    const found = await blobs.read(names);
    const result: StoreItems = {};
    keys.forEach((key, i) => {
      const item: unknown = found[names[i] as string];
      if (item !== undefined) result[key] = item;
    });
    return result;
  }

  async write(changes: StoreItems): Promise<void> {
    if (typeof changes !== 'object' || changes === null) {
      throw new ReferenceError('Changes are required when writing.');
    }
    this.#assertOpen();
    // Snapshot now: the caller may change its objects while the upload waits.
    const writes = (Object.entries(changes) as [string, unknown][]).map(([key, item]) => {
      const { eTag, doc } = snapshot(key, item);
      return { key, name: escapeKey(key), item: { ...doc, eTag: conditionOf(eTag) ?? '*' } };
    });
    if (writes.length === 0) return;
    const blobs = await this.#initialised();
    const outcomes = await Promise.allSettled(writes.map(({ name, item }) => blobs.write({ [name]: item })));
    const failed = outcomes.findIndex((o) => o.status === 'rejected');
    if (failed < 0) return;
    const outcome = outcomes[failed] as PromiseRejectedResult;
    const err: unknown = outcome.reason;
    if (isETagConflict(err)) throw new ETagConflictError((writes[failed] as { key: string }).key);
    throw err;
  }

  async delete(keys: string[]): Promise<void> {
    if (!Array.isArray(keys)) throw new ReferenceError('Keys are required when deleting.');
    this.#assertOpen();
    const names = keys.map(escapeKey);
    if (names.length === 0) return;
    const blobs = await this.#initialised();
    await blobs.delete(names);
  }

  /** Atomic create-if-absent (see etag.ts): If-None-Match: *; the item's `eTag` is ignored. */
  async createIfAbsent(key: string, item: object): Promise<boolean> {
    this.#assertOpen();
    const name = blobNameOf(escapeKey(key));
    const { doc } = snapshot(key, item);
    const body = JSON.stringify(doc);
    const blobs = await this.#initialised();
    try {
      await containerClientOf(blobs)
        .getBlockBlobClient(name)
        .upload(body, Buffer.byteLength(body), {
          conditions: { ifNoneMatch: '*' },
          blobHTTPHeaders: { blobContentType: 'application/json' },
        });
      return true;
    } catch (err) {
      const status = (err as { statusCode?: unknown } | null)?.statusCode;
      if (status === 409 || status === 412) return false;
      throw err;
    }
  }

  /**
   * Readiness: the account answers and the container exists (it is created on the
   * first call), within pingTimeoutMs. Rejects otherwise.
   */
  async ping(): Promise<void> {
    this.#assertOpen();
    const deadline = Date.now() + this.#pingTimeoutMs;
    const blobs = await withTimeout(this.#initialised(), this.#pingTimeoutMs, this.#timeoutMessage());
    const remaining = Math.max(1, deadline - Date.now());
    let exists: boolean;
    try {
      exists = await containerClientOf(blobs).exists({ abortSignal: AbortSignal.timeout(remaining) });
    } catch (err) {
      if ((err as { name?: unknown } | null)?.name === 'AbortError') throw new Error(this.#timeoutMessage(), { cause: err });
      throw err;
    }
    if (!exists) throw new Error(`BlobStorage: container "${this.container}" does not exist`);
  }

  /** Later calls throw; requests in flight finish. Holds no sockets open. Safe to call twice. */
  close(): void {
    this.#closed = true;
  }

  #newBlobs(): BlobsStorage {
    return new BlobsStorage(this.#connectionString, this.container, { storagePipelineOptions: this.#pipeline });
  }

  /** BlobsStorage after its container step succeeded once (read([]) runs only that step). */
  #initialised(): Promise<BlobsStorage> {
    this.#ready ??= (async () => {
      const blobs = this.#blobs;
      try {
        await blobs.read([]);
        return blobs;
      } catch (err) {
        this.#blobs = this.#newBlobs();
        this.#ready = undefined;
        throw err;
      }
    })();
    return this.#ready;
  }

  #timeoutMessage(): string {
    return `BlobStorage: container "${this.container}" did not answer within ${this.#pingTimeoutMs} ms`;
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error(`BlobStorage: storage for container "${this.container}" is closed`);
  }
}

/** Azure's container naming rules; undefined if `name` is valid. */
export function containerNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name.length < 3 || name.length > 63) return 'must be 3 to 63 characters long';
  if (!/^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*$/.test(name)) {
    return 'may hold only lowercase letters, digits and single hyphens, and must start and end with a letter or digit';
  }
  return undefined;
}

/** Injective key → BlobsStorage key without '/' segments or dots (see the class comment). */
function escapeKey(key: unknown): string {
  if (typeof key !== 'string' || key === '') throw new TypeError('BlobStorage: keys must be non-empty strings');
  const escaped = key.replace(/%/g, '%25').replace(/\//g, '%2F').replace(/\./g, '%2E');
  blobNameOf(escaped, key);
  return escaped;
}

/** The blob name BlobsStorage derives from an escaped key (its sanitizeBlobKey, minus truncation). */
function blobNameOf(escaped: string, key: string = escaped): string {
  let name: string;
  try {
    name = encodeURIComponent(escaped);
  } catch {
    throw new TypeError('BlobStorage: keys must be well-formed Unicode strings');
  }
  if (name.length > MAX_BLOB_NAME) {
    throw new RangeError(`BlobStorage: key "${key.slice(0, 60)}…" is too long for a blob name (${name.length} > ${MAX_BLOB_NAME} characters encoded)`);
  }
  return name;
}

/** undefined = unconditional, as in MemoryStorage (`!eTag || eTag === '*'`). */
function conditionOf(eTag: unknown): string | undefined {
  if (eTag === undefined || eTag === null || eTag === '' || eTag === '*') return undefined;
  // Storage's eTags are strings; anything else could only match as its text, and an object's is "[object Object]".
  if (typeof eTag !== 'string' && typeof eTag !== 'number') throw new TypeError(`Storage: an eTag is a string, got ${typeof eTag}`);
  return String(eTag);
}

/** A deep copy of the item without `eTag`; items must be objects, as in Storage. */
function snapshot(key: string, item: unknown): { eTag: unknown; doc: Record<string, unknown> } {
  if (!isRecord(item)) throw new TypeError(`BlobStorage: item "${key}" must be an object`);
  const { eTag, ...rest } = item;
  return { eTag, doc: JSON.parse(JSON.stringify(rest)) as Record<string, unknown> };
}

function containerClientOf(blobs: BlobsStorage): ContainerClientLike {
  const client: unknown = Reflect.get(blobs, '_containerClient');
  const candidate = client as Partial<Record<keyof ContainerClientLike, unknown>> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.exists !== 'function' ||
    typeof candidate.getBlockBlobClient !== 'function'
  ) {
    throw new Error(
      'BlobStorage: this botbuilder-azure-blobs no longer exposes its ContainerClient as _containerClient ' +
        '(written against 4.23.3); build the client from @azure/storage-blob instead',
    );
  }
  return client as ContainerClientLike;
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
