import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MemoryStorage } from 'botbuilder';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isETagConflict } from '../../src/store/etag.js';
import { SCHEMA_VERSION, SqliteStorage } from '../../src/store/sqliteStorage.js';
import { storageContract } from './storageContract.js';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'nedbrud-sqlite-'));
}

storageContract('MemoryStorage (reference)', async () => ({
  storage: new MemoryStorage(),
  cleanup: async () => undefined,
}));

storageContract('SqliteStorage (file)', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'store.db');
  let current = new SqliteStorage({ path: file });
  return {
    storage: current,
    reopen: async () => {
      current.close();
      current = new SqliteStorage({ path: file });
      return current;
    },
    cleanup: async () => {
      current.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}, { reopens: true });

storageContract('SqliteStorage (:memory:)', async () => {
  const storage = new SqliteStorage({ path: ':memory:' });
  return { storage, cleanup: async () => storage.close() };
});

describe('SqliteStorage specifics', () => {
  let dir: string;
  let file: string;
  let storage: SqliteStorage;

  beforeEach(() => {
    dir = tempDir();
    file = path.join(dir, 'nested', 'deeper', 'store.db');
    storage = new SqliteStorage({ path: file });
  });
  afterEach(() => {
    storage.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function raw(): Database.Database {
    return new Database(file, { readonly: true });
  }

  it('creates the parent directory, uses WAL and records the schema version', () => {
    expect(fs.existsSync(file)).toBe(true);
    const db = raw();
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      const columns = db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('items')").all();
      expect(columns.map((c) => c.name)).toEqual(['key', 'etag', 'value']);
    } finally {
      db.close();
    }
  });

  it('refuses a database from a newer schema version', () => {
    storage.close();
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => new SqliteStorage({ path: file })).toThrow(/schema version/);
  });

  it('ping works while open and throws after close; close is idempotent', async () => {
    expect(() => storage.ping()).not.toThrow();
    storage.close();
    expect(() => storage.ping()).toThrow(/closed/);
    expect(() => storage.close()).not.toThrow();
    await expect(storage.read(['k'])).rejects.toThrow(/closed/);
    await expect(storage.write({ k: { n: 1 } })).rejects.toThrow(/closed/);
  });

  it('stores the value without its eTag field', async () => {
    await storage.write({ k: { n: 1, eTag: '*' } });
    const db = raw();
    try {
      const row = db.prepare<[string], { etag: string; value: string }>('SELECT etag, value FROM items WHERE key = ?').get('k');
      expect(row?.value).toBe('{"n":1}');
      expect(row?.etag).not.toBe('*');
      expect((await storage.read(['k']))['k']).toEqual({ n: 1, eTag: row?.etag });
    } finally {
      db.close();
    }
  });

  it('treats a concrete eTag for a missing key as a conflict, like Blob storage', async () => {
    const error: unknown = await storage.write({ fresh: { n: 1, eTag: 'invented' } }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isETagConflict(error)).toBe(true);
    expect(await storage.read(['fresh'])).toEqual({});
  });

  it('writes several keys all or nothing', async () => {
    await storage.write({ a: { n: 1 }, b: { n: 1 } });
    const before = await storage.read(['a', 'b']);
    await expect(
      storage.write({ a: { n: 2, eTag: before['a'].eTag }, b: { n: 2, eTag: 'stale' }, c: { n: 2 } }),
    ).rejects.toSatisfy(isETagConflict);
    expect(await storage.read(['a', 'b', 'c'])).toEqual(before);
  });

  it('createIfAbsent creates once and never overwrites', async () => {
    expect(await storage.createIfAbsent('k', { n: 1, eTag: 'ignored' })).toBe(true);
    const first = (await storage.read(['k']))['k'];
    expect(first).toMatchObject({ n: 1 });
    expect(first.eTag).not.toBe('ignored');
    expect(await storage.createIfAbsent('k', { n: 2 })).toBe(false);
    expect((await storage.read(['k']))['k']).toEqual(first);
  });

  it('rejects items that are not objects', async () => {
    await expect(storage.write({ k: 'text' })).rejects.toThrow(TypeError);
    await expect(storage.write({ k: [1, 2] })).rejects.toThrow(TypeError);
    await expect(storage.write({ k: null })).rejects.toThrow(TypeError);
    expect(await storage.read(['k'])).toEqual({});
  });

  it('shares data and eTags between two connections to one file', async () => {
    const other = new SqliteStorage({ path: file });
    try {
      await storage.write({ k: { n: 1 } });
      const seen = (await other.read(['k']))['k'];
      expect(seen).toMatchObject({ n: 1 });
      await other.write({ k: { n: 2, eTag: seen.eTag } });
      await expect(storage.write({ k: { n: 3, eTag: seen.eTag } })).rejects.toSatisfy(isETagConflict);
      expect((await storage.read(['k']))['k']).toMatchObject({ n: 2 });
    } finally {
      other.close();
    }
  });
});
