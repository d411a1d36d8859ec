import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryStorage, type Storage, type StoreItems } from 'botbuilder';
import { afterEach, describe, expect, it } from 'vitest';
import { ETagConflictError, canCreateIfAbsent, isETagConflict, updateWithRetry } from '../../src/store/etag.js';
import { SqliteStorage } from '../../src/store/sqliteStorage.js';

interface Counter {
  count: number;
  by?: string[];
}

const increment = (current: Counter | undefined): Counter => ({ count: (current?.count ?? 0) + 1 });

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

function sqliteOnFile(): SqliteStorage {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nedbrud-etag-'));
  const storage = new SqliteStorage({ path: path.join(dir, 'store.db') });
  cleanups.push(() => {
    storage.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return storage;
}

const backends: Array<[string, () => Storage]> = [
  ['SqliteStorage', sqliteOnFile],
  ['MemoryStorage', () => new MemoryStorage()],
];

async function countOf(storage: Storage, key: string): Promise<unknown> {
  const items: StoreItems = await storage.read([key]);
  return (items[key] as Counter | undefined)?.count;
}

describe.each(backends)('updateWithRetry on %s', (_name, make) => {
  it('50 concurrent increments of an existing counter lose nothing', async () => {
    const storage = make();
    await storage.write({ counter: { count: 0 } });
    let conflicts = 0;
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        updateWithRetry<Counter>(storage, 'counter', increment, { onConflict: () => conflicts++ }),
      ),
    );
    expect(await countOf(storage, 'counter')).toBe(50);
    // Every call saw a distinct value: no two updates were based on the same read.
    expect(new Set(results.map((r) => r?.count)).size).toBe(50);
    // All 50 read before anyone wrote, so the retry path really ran.
    expect(conflicts).toBeGreaterThan(0);
  });

  it('20 concurrent updaters creating a new key lose nothing', async () => {
    const storage = make();
    const ids = Array.from({ length: 20 }, (_, i) => `u${i}`);
    await Promise.all(
      ids.map((id) =>
        updateWithRetry<Counter>(storage, 'fresh:key;@/æ', (current) => ({
          count: (current?.count ?? 0) + 1,
          by: [...(current?.by ?? []), id],
        })),
      ),
    );
    const stored = (await storage.read(['fresh:key;@/æ']))['fresh:key;@/æ'] as Counter;
    expect(stored.count).toBe(20);
    expect([...(stored.by ?? [])].sort()).toEqual([...ids].sort());
  });

  it('writes nothing when the update returns undefined', async () => {
    const storage = make();
    await storage.write({ k: { count: 7 } });
    const eTag: unknown = (await storage.read(['k']))['k'].eTag;
    const result = await updateWithRetry<Counter>(storage, 'k', () => undefined);
    expect(result).toEqual({ count: 7 });
    expect((await storage.read(['k']))['k']).toEqual({ count: 7, eTag });

    expect(await updateWithRetry<Counter>(storage, 'absent', () => undefined)).toBeUndefined();
    expect(await storage.read(['absent'])).toEqual({});
  });

  it('hands the update a copy without the eTag and returns the new document', async () => {
    const storage = make();
    await storage.write({ k: { count: 1 } });
    let seen: unknown;
    const result = await updateWithRetry<Counter>(storage, 'k', (current) => {
      seen = current;
      return increment(current);
    });
    expect(seen).toEqual({ count: 1 });
    expect(result).toEqual({ count: 2 });
  });
});

/** A storage whose writes fail in a chosen way; counts the attempts. */
class FailingStorage implements Storage {
  writes = 0;
  readonly inner = new MemoryStorage();
  constructor(private readonly failure: (key: string) => Error) {}
  read(keys: string[]): Promise<StoreItems> {
    return this.inner.read(keys);
  }
  async write(changes: StoreItems): Promise<void> {
    this.writes++;
    throw this.failure(Object.keys(changes)[0] ?? '');
  }
  delete(keys: string[]): Promise<void> {
    return this.inner.delete(keys);
  }
}

describe('updateWithRetry failure handling', () => {
  it('gives up after the configured number of conflicts and says so', async () => {
    const storage = new FailingStorage((key) => new ETagConflictError(key));
    await storage.inner.write({ k: { count: 0 } });
    const conflicts: number[] = [];
    await expect(
      updateWithRetry<Counter>(storage, 'k', increment, { attempts: 3, onConflict: (n) => conflicts.push(n) }),
    ).rejects.toThrow(/gave up on "k" after 3 attempts/);
    expect(storage.writes).toBe(3);
    expect(conflicts).toEqual([1, 2, 3]);
  });

  it('propagates other errors at once', async () => {
    const storage = new FailingStorage(() => Object.assign(new Error('disk full'), { code: 'SQLITE_FULL' }));
    await storage.inner.write({ k: { count: 0 } });
    await expect(updateWithRetry<Counter>(storage, 'k', increment)).rejects.toThrow('disk full');
    expect(storage.writes).toBe(1);
  });

  it('propagates an error thrown by the update function without writing', async () => {
    const storage = new FailingStorage(() => new Error('unreachable'));
    await storage.inner.write({ k: { count: 0 } });
    await expect(
      updateWithRetry<Counter>(storage, 'k', () => {
        throw new Error('bad input');
      }),
    ).rejects.toThrow('bad input');
    expect(storage.writes).toBe(0);
  });

  it('rejects a non-positive attempt count', async () => {
    await expect(updateWithRetry<Counter>(new MemoryStorage(), 'k', increment, { attempts: 0 })).rejects.toThrow(
      RangeError,
    );
  });

  it('creates through createIfAbsent when the backend offers it', async () => {
    const storage = new SqliteStorage({ path: ':memory:' });
    cleanups.push(() => storage.close());
    expect(canCreateIfAbsent(storage)).toBe(true);
    expect(canCreateIfAbsent(new MemoryStorage())).toBe(false);
    let creations = 0;
    const original = storage.createIfAbsent.bind(storage);
    storage.createIfAbsent = async (key, item) => {
      creations++;
      return original(key, item);
    };
    await updateWithRetry<Counter>(storage, 'k', increment);
    await updateWithRetry<Counter>(storage, 'k', increment);
    expect(creations).toBe(1);
    expect(await countOf(storage, 'k')).toBe(2);
  });
});

describe('isETagConflict', () => {
  it('recognises the conflicts of every backend', async () => {
    const memory = new MemoryStorage();
    await memory.write({ k: { n: 1 } });
    const memoryError: unknown = await memory.write({ k: { n: 2, eTag: 'stale' } }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isETagConflict(memoryError)).toBe(true);
    expect(isETagConflict(new ETagConflictError('k'))).toBe(true);
    // Shapes of @azure/storage-blob RestError for a failed If-Match.
    expect(isETagConflict(Object.assign(new Error('x'), { statusCode: 412 }))).toBe(true);
    expect(isETagConflict(Object.assign(new Error('x'), { code: 'ConditionNotMet' }))).toBe(true);
    expect(
      isETagConflict(new Error('The condition specified using HTTP conditional header(s) is not met.')),
    ).toBe(true);
  });

  it('does not mistake other errors for conflicts', () => {
    expect(isETagConflict(new Error('SQLITE_BUSY: database is locked'))).toBe(false);
    expect(isETagConflict(Object.assign(new Error('x'), { statusCode: 404 }))).toBe(false);
    expect(isETagConflict('eTag conflict')).toBe(false);
    expect(isETagConflict(null)).toBe(false);
    expect(isETagConflict(undefined)).toBe(false);
  });
});
