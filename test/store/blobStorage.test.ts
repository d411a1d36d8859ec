import net from 'node:net';
import type { StoreItems } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobStorage, containerNameProblem } from '../../src/store/blobStorage.js';
import { canCreateIfAbsent, isETagConflict, updateWithRetry } from '../../src/store/etag.js';
import { azuriteConnectionString, startAzurite, type Azurite } from '../support/azurite';
import { storageContract } from './storageContract.js';

/** BlobStorage on Azurite (one per file); each test gets its own container. */

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

let containers = 0;
/** A fresh container name for this file ("blobstore-…"). */
function nextContainer(): string {
  containers += 1;
  return `blobstore-${containers}`;
}

function open(container: string): BlobStorage {
  return new BlobStorage({ connectionString: azurite.connectionString, container });
}

storageContract(
  'BlobStorage (Azurite)',
  async () => {
    const container = nextContainer();
    let storage = open(container);
    return {
      storage,
      reopen: async () => {
        storage.close();
        storage = open(container);
        return storage;
      },
      cleanup: async () => storage.close(),
    };
  },
  { reopens: true },
);

interface Counter {
  count: number;
  by?: string[];
}

describe('BlobStorage specifics', () => {
  let storage: BlobStorage;
  beforeAll(() => {
    storage = open(nextContainer());
  });
  afterAll(() => storage.close());

  it('offers createIfAbsent, and creates only once', async () => {
    expect(canCreateIfAbsent(storage)).toBe(true);
    expect(await storage.createIfAbsent('c:1', { n: 1, eTag: 'ignored' })).toBe(true);
    expect(await storage.createIfAbsent('c:1', { n: 2 })).toBe(false);
    const item = (await storage.read(['c:1']))['c:1'] as Record<string, unknown>;
    expect(item['n']).toBe(1);
    expect(item['eTag']).not.toBe('ignored');
    // What createIfAbsent stored is an ordinary item: eTags work on it.
    await storage.write({ 'c:1': { n: 3, eTag: item['eTag'] } });
    await expect(storage.write({ 'c:1': { n: 4, eTag: item['eTag'] } })).rejects.toSatisfy(isETagConflict);
  });

  it('createIfAbsent and read agree on awkward keys', async () => {
    const keys = [
      'msteams/conversations/19:abc@thread.tacv2;messageid=1700000000000/',
      'msteams/conversations/19:abc@thread.tacv2;messageid=1700000000000',
      '/leading',
      'leading',
      'a//b',
      'a/b',
      'dots.end.',
      'dots.end',
      'Brøndby: æøå ÆØÅ',
      '100%',
      '100%25',
    ];
    for (const [i, key] of keys.entries()) expect(await storage.createIfAbsent(key, { i }), key).toBe(true);
    const read: StoreItems = await storage.read(keys);
    expect(Object.keys(read).sort()).toEqual([...keys].sort());
    for (const [i, key] of keys.entries()) expect(read[key], key).toMatchObject({ i });
    await storage.delete(['a/b', 'leading']);
    expect(Object.keys(await storage.read(['a//b', 'a/b', '/leading', 'leading'])).sort()).toEqual(['/leading', 'a//b']);
  });

  it('20 concurrent creators of one key: exactly one wins', async () => {
    const key = 'race:key;@/æ';
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => storage.createIfAbsent(key, { winner: i })));
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect((await storage.read([key]))[key]).toMatchObject({ winner });
  });

  it('updateWithRetry: 50 concurrent increments of a new counter give 50', async () => {
    const key = 'counter:new;@/ø';
    let conflicts = 0;
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        updateWithRetry<Counter>(
          storage,
          key,
          (current) => ({ count: (current?.count ?? 0) + 1, by: [...(current?.by ?? []), `u${i}`] }),
          { attempts: 200, onConflict: () => conflicts++ },
        ),
      ),
    );
    const stored = (await storage.read([key]))[key] as Counter;
    expect(stored.count).toBe(50);
    expect(new Set(stored.by).size).toBe(50);
    expect(new Set(results.map((r) => r?.count)).size).toBe(50);
    expect(conflicts).toBeGreaterThan(0);
  });

  it('names the caller\'s key in an eTag conflict, not the escaped blob key', async () => {
    await storage.write({ 'x/y.z': { n: 1 } });
    const eTag: unknown = (await storage.read(['x/y.z']))['x/y.z']?.eTag;
    await storage.write({ 'x/y.z': { n: 2, eTag } });
    await expect(storage.write({ 'x/y.z': { n: 3, eTag } })).rejects.toThrow('Storage: error writing "x/y.z" due to eTag conflict.');
    // A concrete eTag for a missing key is a conflict, as on SqliteStorage.
    await expect(storage.write({ 'never/written': { n: 1, eTag } })).rejects.toSatisfy(isETagConflict);
  });

  it("treats eTag '' like no eTag (unconditional)", async () => {
    await storage.write({ empty: { n: 1 } });
    await storage.write({ empty: { n: 2, eTag: '' } });
    expect((await storage.read(['empty']))['empty']).toMatchObject({ n: 2 });
  });

  it('refuses keys it cannot store faithfully instead of truncating them', async () => {
    await expect(storage.read([''])).rejects.toThrow(TypeError);
    await expect(storage.write({ ['k'.repeat(1025)]: { n: 1 } })).rejects.toThrow(RangeError);
    await expect(storage.createIfAbsent('æ'.repeat(200), { n: 1 })).rejects.toThrow(RangeError);
    expect(await storage.createIfAbsent('æ'.repeat(150), { n: 1 })).toBe(true);
  });

  it('pings, creating its container on first use', async () => {
    const fresh = open(nextContainer());
    await expect(fresh.ping()).resolves.toBeUndefined();
    fresh.close();
    await expect(fresh.ping()).rejects.toThrow(/closed/);
    await expect(fresh.read(['k'])).rejects.toThrow(/closed/);
  });

  it('validates the container name and connection string up front', () => {
    expect(containerNameProblem('nedbrud')).toBeUndefined();
    expect(containerNameProblem('Nedbrud')).toBeDefined();
    expect(containerNameProblem('ab')).toBeDefined();
    expect(containerNameProblem('a--b')).toBeDefined();
    expect(containerNameProblem('-ab')).toBeDefined();
    expect(() => open('Bad_Name')).toThrow(/container name/);
    expect(() => new BlobStorage({ connectionString: 'not a connection string', container: 'nedbrud' })).toThrow();
  });
});

describe('BlobStorage when the service is unreachable', () => {
  it('ping and reads fail fast, and the same instance recovers once the service is back', async () => {
    const first = await startAzurite();
    await first.stop();
    const storage = new BlobStorage({ connectionString: first.connectionString, container: 'comes-back', pingTimeoutMs: 1000 });
    try {
      const started = Date.now();
      await expect(storage.ping()).rejects.toThrow();
      await expect(storage.read(['k'])).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(8000);

      // Same port again: BlobsStorage alone would keep its failed first
      // createIfNotExists for ever; BlobStorage tries again.
      const again = await startAzurite({ port: first.port });
      try {
        await expect(storage.ping()).resolves.toBeUndefined();
        await storage.write({ k: { n: 1 } });
        expect((await storage.read(['k']))['k']).toMatchObject({ n: 1 });
      } finally {
        await again.stop();
      }
    } finally {
      storage.close();
    }
  });

  it('ping gives up after pingTimeoutMs when the service accepts but never answers', async () => {
    const sockets = new Set<net.Socket>();
    const blackHole = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const { port } = blackHole.address() as net.AddressInfo;
    const storage = new BlobStorage({ connectionString: azuriteConnectionString(port), container: 'silent', pingTimeoutMs: 300 });
    try {
      const started = Date.now();
      await expect(storage.ping()).rejects.toThrow(/did not answer within 300 ms/);
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      storage.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => blackHole.close(() => resolve()));
    }
  });
});
