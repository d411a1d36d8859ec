import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage, StoreItems } from 'botbuilder';
import { isETagConflict } from '../../src/store/etag.js';

export interface StorageUnderTest {
  storage: Storage;
  /** Close and open the same backing store again; resolves to the new handle. */
  reopen?: () => Promise<Storage>;
  cleanup: () => Promise<void>;
}

/**
 * The behaviour every botbuilder Storage backend in this project must share with
 * MemoryStorage (the reference) and BlobsStorage. Behaviour where those two
 * differ (a concrete eTag for a missing key, partial multi-key writes) is left out.
 */
export function storageContract(name: string, factory: () => Promise<StorageUnderTest>, options: { reopens?: boolean } = {}): void {
  describe(`Storage contract: ${name}`, () => {
    let sut: StorageUnderTest;
    let storage: Storage;

    beforeEach(async () => {
      sut = await factory();
      storage = sut.storage;
    });
    afterEach(async () => {
      await sut.cleanup();
    });

    async function readOne(key: string): Promise<Record<string, unknown> | undefined> {
      const items: StoreItems = await storage.read([key]);
      return items[key] as Record<string, unknown> | undefined;
    }

    async function eTagOf(key: string): Promise<string> {
      const item = await readOne(key);
      const eTag = item?.['eTag'];
      if (typeof eTag !== 'string') throw new Error(`no string eTag for ${key}`);
      return eTag;
    }

    it('reads a missing key as absent', async () => {
      expect(await storage.read(['missing'])).toEqual({});
      expect(await storage.read([])).toEqual({});
    });

    it('round-trips nested values', async () => {
      const doc = {
        title: 'Nexus er nede',
        count: 3,
        active: true,
        none: null,
        nested: { list: [1, 'two', { three: 3 }], deep: { deeper: { deepest: 'x' } } },
      };
      await storage.write({ doc });
      const { eTag, ...rest } = (await readOne('doc')) ?? {};
      expect(rest).toEqual(doc);
      expect(typeof eTag).toBe('string');
    });

    it('assigns an eTag and changes it on every write', async () => {
      await storage.write({ k: { n: 1 } });
      const first = await eTagOf('k');
      expect(first.length).toBeGreaterThan(0);
      await storage.write({ k: { n: 2, eTag: first } });
      const second = await eTagOf('k');
      await storage.write({ k: { n: 3 } });
      const third = await eTagOf('k');
      expect(new Set([first, second, third]).size).toBe(3);
      expect((await readOne('k'))?.['n']).toBe(3);
    });

    it('overwrites an existing key when the write has no eTag', async () => {
      await storage.write({ k: { n: 1 } });
      await storage.write({ k: { n: 2 } });
      expect((await readOne('k'))?.['n']).toBe(2);
    });

    it("overwrites an existing key when the eTag is '*'", async () => {
      await storage.write({ k: { n: 1 } });
      const before = await eTagOf('k');
      await storage.write({ k: { n: 2, eTag: '*' } });
      expect((await readOne('k'))?.['n']).toBe(2);
      expect(await eTagOf('k')).not.toBe(before);
    });

    it('accepts a write with the current eTag', async () => {
      await storage.write({ k: { n: 1 } });
      const item = await readOne('k');
      await storage.write({ k: { ...item, n: 2 } });
      expect((await readOne('k'))?.['n']).toBe(2);
    });

    it('rejects a write with a stale eTag and keeps the stored value', async () => {
      await storage.write({ k: { n: 1 } });
      const stale = await eTagOf('k');
      await storage.write({ k: { n: 2, eTag: stale } });
      const current = await eTagOf('k');

      const error: unknown = await storage.write({ k: { n: 99, eTag: stale } }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(Error);
      expect(isETagConflict(error)).toBe(true);
      expect((error as Error).message).toContain('"k"');

      expect(await readOne('k')).toEqual({ n: 2, eTag: current });
    });

    it('deletes a key', async () => {
      await storage.write({ a: { n: 1 }, b: { n: 2 } });
      await storage.delete(['a']);
      expect(await storage.read(['a', 'b'])).toEqual({ b: { n: 2, eTag: await eTagOf('b') } });
      // A deleted key can be written again.
      await storage.write({ a: { n: 3 } });
      expect((await readOne('a'))?.['n']).toBe(3);
    });

    it('deletes a missing key without error', async () => {
      await storage.write({ keep: { n: 1 } });
      await expect(storage.delete(['never-written'])).resolves.toBeUndefined();
      expect((await readOne('keep'))?.['n']).toBe(1);
    });

    it('keeps keys with Teams punctuation and Danish letters apart', async () => {
      const keys = [
        'msteams/conversations/19:abc@thread.tacv2;messageid=1700000000000/',
        '19:abc@thread.tacv2',
        'a:b;c@d/e',
        'a/b;c@d:e',
        'Brøndby: æøå ÆØÅ',
        'brøndby: æøå æøå',
        'a%3Ab',
        'a b',
      ];
      const changes: StoreItems = {};
      keys.forEach((key, i) => (changes[key] = { i, key }));
      await storage.write(changes);
      const read = await storage.read([...keys, 'a:b']);
      expect(Object.keys(read).sort()).toEqual([...keys].sort());
      keys.forEach((key, i) => {
        expect(read[key]).toMatchObject({ i, key });
      });
    });

    it('returns copies: mutating what was read or written does not change storage', async () => {
      const original = { nested: { list: [1, 2, 3] } };
      await storage.write({ k: original });
      original.nested.list.push(4);

      const first = (await readOne('k')) as { nested: { list: number[] } };
      expect(first.nested.list).toEqual([1, 2, 3]);
      first.nested.list.push(5);
      first.nested = { list: [] };

      const second = (await readOne('k')) as { nested: { list: number[] } };
      expect(second.nested.list).toEqual([1, 2, 3]);
      expect(second).not.toBe(first);
    });

    it('writes and reads several keys in one call', async () => {
      await storage.write({ a: { v: 'a' }, b: { v: 'b' }, c: { v: 'c' } });
      const read = await storage.read(['a', 'c', 'missing']);
      expect(Object.keys(read).sort()).toEqual(['a', 'c']);
      expect(read['a']).toMatchObject({ v: 'a' });
      expect(read['c']).toMatchObject({ v: 'c' });
      expect(read['a'].eTag).not.toBe(read['c'].eTag);
    });

    // Only backends that persist get this case (registered, never skipped).
    if (options.reopens) it('keeps data across a reopen', async () => {
      if (!sut.reopen) throw new Error(`${name}: declared reopens but the factory gave no reopen()`);
      await storage.write({ 'x:1': { v: { deep: ['æ'] } } });
      const before = await readOne('x:1');
      storage = await sut.reopen();
      expect(await readOne('x:1')).toEqual(before);
      // The reopened store still enforces eTags.
      await storage.write({ 'x:1': { v: 2, eTag: before?.['eTag'] } });
      await expect(storage.write({ 'x:1': { v: 3, eTag: before?.['eTag'] } })).rejects.toSatisfy(isETagConflict);
    });
  });
}
