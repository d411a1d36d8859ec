import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Storage, StoreItems } from 'botbuilder';
import { backoffMs } from '../lib/backoff';
import { isRecord } from '../lib/isRecord';
import { sleep } from '../lib/sleep';
import { ETagConflictError, type CreatesIfAbsent } from './etag.js';

export interface SqliteStorageOptions {
  /** Database file; ':memory:' for a private in-memory database (tests). */
  path: string;
  /** How long a writer waits for another connection's lock (default 5000 ms). */
  busyTimeoutMs?: number;
}

/** Bump with a migration step in `migrate()`; stored in PRAGMA user_version. */
export const SCHEMA_VERSION = 1;

interface Row {
  key: string;
  etag: string;
  value: string;
}

interface PreparedWrite {
  key: string;
  /** undefined = unconditional upsert (no eTag, '' or '*'). */
  expected: string | undefined;
  value: string;
}

/**
 * botbuilder Storage on one SQLite file (better-sqlite3, WAL).
 *
 * eTag semantics follow MemoryStorage and BlobsStorage:
 *   - read returns existing keys only, each a fresh copy with its `eTag` set;
 *   - write with no eTag, '' or '*' is an unconditional upsert;
 *   - write with an eTag succeeds only if it is the stored one, else throws
 *     `Storage: error writing "<key>" due to eTag conflict.`;
 *   - a concrete eTag for a missing key is a conflict, as on Blob (If-Match on a
 *     missing blob gives 412); MemoryStorage would accept it;
 *   - every successful write assigns a new random eTag; `eTag` inside the value is
 *     never stored.
 * A write of several keys is one transaction: all or nothing (MemoryStorage
 * writes the keys that pass; Blob writes them independently).
 *
 * The eTag check-and-set runs inside BEGIN IMMEDIATE, so processes sharing the
 * file cannot both win; a waiting writer blocks (synchronously, better-sqlite3)
 * for up to busyTimeoutMs, then SQLITE_BUSY propagates as an ordinary error.
 */
export class SqliteStorage implements Storage, CreatesIfAbsent {
  readonly path: string;
  readonly #db: Database.Database;
  readonly #select: Database.Statement<[string], Row>;
  readonly #selectETag: Database.Statement<[string], { etag: string }>;
  readonly #upsert: Database.Statement<[string, string, string]>;
  readonly #insertIfAbsent: Database.Statement<[string, string, string]>;
  readonly #delete: Database.Statement<[string]>;
  readonly #ping: Database.Statement<[], unknown>;
  readonly #readTx: (keys: string[]) => StoreItems;
  readonly #writeTx: Database.Transaction<(rows: PreparedWrite[]) => void>;
  readonly #deleteTx: Database.Transaction<(keys: string[]) => void>;

  constructor(options: SqliteStorageOptions) {
    const file = options.path;
    if (typeof file !== 'string' || file === '') throw new TypeError('SqliteStorage: path is required');
    this.path = file;
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });

    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    const db = new Database(file, { timeout: busyTimeoutMs });
    try {
      db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
      // Two processes opening one new file at once can find it locked while the other
      // switches it to WAL or migrates it: wait and try again (a constructor cannot await).
      setUpWithRetry(() => {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        migrate(db);
      });
    } catch (err) {
      db.close();
      throw err;
    }
    this.#db = db;

    this.#select = db.prepare<[string], Row>('SELECT key, etag, value FROM items WHERE key = ?');
    this.#selectETag = db.prepare<[string], { etag: string }>('SELECT etag FROM items WHERE key = ?');
    this.#upsert = db.prepare<[string, string, string]>(
      'INSERT INTO items (key, etag, value) VALUES (?, ?, ?) ' +
        'ON CONFLICT(key) DO UPDATE SET etag = excluded.etag, value = excluded.value',
    );
    this.#insertIfAbsent = db.prepare<[string, string, string]>(
      'INSERT INTO items (key, etag, value) VALUES (?, ?, ?) ON CONFLICT(key) DO NOTHING',
    );
    this.#delete = db.prepare<[string]>('DELETE FROM items WHERE key = ?');
    this.#ping = db.prepare<[], unknown>('SELECT 1 FROM items LIMIT 1');

    // One read transaction: a consistent snapshot across the keys.
    this.#readTx = db.transaction((keys: string[]): StoreItems => {
      const result: StoreItems = {};
      for (const key of keys) {
        const row = this.#select.get(key);
        if (row) result[key] = { ...parseValue(row), eTag: row.etag };
      }
      return result;
    });
    this.#writeTx = db.transaction((rows: PreparedWrite[]): void => {
      for (const row of rows) {
        if (row.expected !== undefined) {
          const current = this.#selectETag.get(row.key);
          if (!current || current.etag !== row.expected) throw new ETagConflictError(row.key);
        }
        this.#upsert.run(row.key, newETag(), row.value);
      }
    });
    this.#deleteTx = db.transaction((keys: string[]): void => {
      for (const key of keys) this.#delete.run(key);
    });
  }

  async read(keys: string[]): Promise<StoreItems> {
    if (!Array.isArray(keys)) throw new ReferenceError('Keys are required when reading.');
    checkKeys(keys);
    this.#assertOpen();
    if (keys.length === 0) return {};
    return withBusyRetry(() => this.#readTx(keys));
  }

  async write(changes: StoreItems): Promise<void> {
    if (typeof changes !== 'object' || changes === null) {
      throw new ReferenceError('Changes are required when writing.');
    }
    this.#assertOpen();
    const rows: PreparedWrite[] = [];
    for (const [key, item] of Object.entries(changes) as [string, unknown][]) {
      const { eTag, value } = serialise(key, item);
      rows.push({ key, expected: conditionOf(eTag), value });
    }
    if (rows.length === 0) return;
    await withBusyRetry(() => this.#writeTx.immediate(rows));
  }

  async delete(keys: string[]): Promise<void> {
    if (!Array.isArray(keys)) throw new ReferenceError('Keys are required when deleting.');
    checkKeys(keys);
    this.#assertOpen();
    if (keys.length === 0) return;
    await withBusyRetry(() => this.#deleteTx.immediate(keys));
  }

  /** Atomic create-if-absent (see etag.ts); the item's `eTag` is ignored. */
  async createIfAbsent(key: string, item: object): Promise<boolean> {
    checkKeys([key]);
    this.#assertOpen();
    const { value } = serialise(key, item);
    return withBusyRetry(() => this.#insertIfAbsent.run(key, newETag(), value).changes === 1);
  }

  /** Cheap readiness check: throws if the database is closed or unusable. */
  ping(): void {
    this.#assertOpen();
    this.#ping.get();
  }

  /** Closes the connection; later calls throw. Safe to call twice. */
  close(): void {
    if (this.#db.open) this.#db.close();
  }

  #assertOpen(): void {
    if (!this.#db.open) throw new Error(`SqliteStorage: database ${this.path} is closed`);
  }
}

function migrate(db: Database.Database): void {
  db.transaction(() => {
    const version = Number(db.pragma('user_version', { simple: true }));
    if (version > SCHEMA_VERSION) {
      throw new Error(
        `SqliteStorage: database schema version ${version} is newer than this code supports (${SCHEMA_VERSION})`,
      );
    }
    if (version < 1) {
      db.exec('CREATE TABLE IF NOT EXISTS items (key TEXT PRIMARY KEY, etag TEXT NOT NULL, value TEXT NOT NULL)');
    }
    // Later: if (version < 2) { ... }
    if (version !== SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

function newETag(): string {
  return randomUUID();
}

function checkKeys(keys: unknown[]): void {
  for (const key of keys) {
    if (typeof key !== 'string') throw new TypeError('SqliteStorage: keys must be strings');
  }
}

/** undefined = unconditional, as in MemoryStorage (`!eTag || eTag === '*'`). */
function conditionOf(eTag: unknown): string | undefined {
  if (eTag === undefined || eTag === null || eTag === '' || eTag === '*') return undefined;
  // Storage's eTags are strings; anything else could only match as its text, and an object's is "[object Object]".
  if (typeof eTag !== 'string' && typeof eTag !== 'number') throw new TypeError(`Storage: an eTag is a string, got ${typeof eTag}`);
  return String(eTag);
}

/** Strips `eTag` and serialises the rest; items must be objects, as in Storage. */
function serialise(key: string, item: unknown): { eTag: unknown; value: string } {
  if (!isRecord(item)) throw new TypeError(`SqliteStorage: item "${key}" must be an object`);
  const { eTag, ...rest } = item;
  return { eTag, value: JSON.stringify(rest) };
}

function parseValue(row: Row): Record<string, unknown> {
  const parsed: unknown = JSON.parse(row.value);
  if (!isRecord(parsed)) throw new Error(`SqliteStorage: stored value of "${row.key}" is not an object`);
  return parsed;
}

/**
 * SQLite's busy timeout waits synchronously (the event loop stands still), so it is
 * kept short, and a write that still finds the file locked (another process held
 * it longer, e.g. starved of CPU) is tried again after an asynchronous pause
 * instead of failing the turn: up to about 10 s in all.
 */
function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT' || code === 'SQLITE_LOCKED';
}

function setUpWithRetry(setUp: () => void): void {
  for (let attempt = 1; ; attempt++) {
    try {
      setUp();
      return;
    } catch (err) {
      if (!isBusy(err) || attempt >= 20) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, backoffMs(attempt, { baseMs: 50, capMs: 150, jitter: 'equal' }));
    }
  }
}

async function withBusyRetry<T>(operation: () => T): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return operation();
    } catch (err) {
      if (!isBusy(err) || attempt >= 12) throw err;
      await sleep(backoffMs(attempt, { baseMs: 40, capMs: 1_000, jitter: 'equal' }));
    }
  }
}
