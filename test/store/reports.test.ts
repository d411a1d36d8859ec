import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryStorage, type Storage, type StoreItems } from 'botbuilder';
import { afterAll, describe, expect, it } from 'vitest';
import { FIRST_REPORTS, newOutage } from '../../src/domain/outage';
import { ReportStore, SHARDS } from '../../src/store/reports';
import { SqliteStorage } from '../../src/store/sqliteStorage';
import { person, SATURDAY_EVENING, testServices } from '../helpers/bot';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nedbrud-reports-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const staff = (n: number) => {
  const p = person(n);
  return { key: p.aadObjectId, name: p.name, reach: { conversationId: `a:1personal-${p.id}`, serviceUrl: 'http://connector.test' } };
};
const AT = new Date('2026-12-05T18:40:00Z');

describe('ReportStore on SQLite (on disk)', () => {
  const storage = new SqliteStorage({ path: path.join(dir, 'reports.sqlite') });
  afterAll(() => storage.close());
  const reports = new ReportStore(storage);

  it('counts each person once, however often and however concurrently they report', async () => {
    const results = await Promise.all([1, 2, 3, 1, 2, 1, 4].map((n) => reports.add('o-1', staff(n), AT)));
    expect(results.filter((r) => r.counted)).toHaveLength(4);
    expect(await reports.count('o-1')).toBe(4);
    expect((await reports.all('o-1')).map((r) => r.person.key).sort()).toEqual([1, 2, 3, 4].map((n) => staff(n).key).sort());
    expect(await reports.has('o-1', staff(3).key)).toBe(true);
    expect(await reports.has('o-1', staff(9).key)).toBe(false);
    // Another outage is another count
    expect(await reports.count('o-2')).toBe(0);
  });

  it('reads every report a page at a time, and remembers the claim cards sent to each', async () => {
    for (let n = 10; n < 60; n++) await reports.add('o-3', staff(n), AT);
    const pages: number[] = [];
    for await (const page of reports.pages('o-3', 20)) pages.push(page.length);
    expect(pages).toEqual([20, 20, 10]);
    const [first] = await reports.all('o-3');
    const post = { conversationId: first!.person.reach!.conversationId, serviceUrl: 'http://connector.test', activityId: 'a-1', kind: 'claim' as const };
    await reports.addClaim(first!, post);
    await reports.addClaim(first!, post);
    expect((await reports.all('o-3')).find((r) => r.key === first!.key)?.claims).toEqual([post]);
  });

  it('removes every report of an outage (retention), and nothing of another', async () => {
    expect(await reports.remove('o-3')).toBe(50);
    expect(await reports.count('o-3')).toBe(0);
    expect(await reports.all('o-3')).toEqual([]);
    expect(await reports.has('o-3', staff(10).key)).toBe(false);
    expect(await reports.count('o-1')).toBe(4);
  });
});

/** Counts what each call reads and writes: documents and bytes. */
class CountingStorage implements Storage {
  reads = 0;
  readKeys = 0;
  writes = 0;
  bytesRead = 0;
  bytesWritten = 0;
  constructor(private readonly inner: Storage) {}
  async read(keys: string[]): Promise<StoreItems> {
    const items = await this.inner.read(keys);
    this.reads++;
    this.readKeys += keys.length;
    this.bytesRead += JSON.stringify(items).length;
    return items;
  }
  async write(changes: StoreItems): Promise<void> {
    this.writes += Object.keys(changes).length;
    this.bytesWritten += JSON.stringify(changes).length;
    await this.inner.write(changes);
  }
  delete(keys: string[]): Promise<void> {
    return this.inner.delete(keys);
  }
  reset() {
    this.reads = this.readKeys = this.writes = this.bytesRead = this.bytesWritten = 0;
  }
}

describe('a report costs the same whatever came before it', () => {
  // (The first report in each of the 16 shards also creates its counter: one read more, once. By the 60th every shard has one.)
  it('the 300th report of an outage reads and writes what the 60th did', async () => {
    const storage = new CountingStorage(new MemoryStorage());
    const w = testServices(SATURDAY_EVENING, { storage });
    const cost = async (n: number) => {
      storage.reset();
      const result = await w.outages.reportGeneral('nexus', staff(n));
      expect(result.counted).toBe(true);
      return { reads: storage.reads, readKeys: storage.readKeys, writes: storage.writes, bytesRead: storage.bytesRead, bytesWritten: storage.bytesWritten };
    };
    for (let n = 1; n < 60; n++) await w.outages.reportGeneral('nexus', staff(n));
    const early = await cost(60);
    for (let n = 61; n < 300; n++) await w.outages.reportGeneral('nexus', staff(n));
    const late = await cost(300);
    expect(late.reads).toBe(early.reads);
    expect(late.readKeys).toBe(early.readKeys);
    expect(late.writes).toBe(early.writes);
    // The same documents, give or take a digit in a counter or a slot's key
    expect(Math.abs(late.bytesRead - early.bytesRead)).toBeLessThan(2 * SHARDS);
    expect(Math.abs(late.bytesWritten - early.bytesWritten)).toBeLessThan(16);
    // And the live document stayed small
    const live = JSON.stringify((await storage.read(['outages/live']))['outages/live']);
    expect(live.length).toBeLessThan(16 * 1024);
    expect(await w.outages.reportCount((await w.outages.known('nexus'))!.id)).toBe(300);
  });
});

describe('an outage recorded before reports had keys of their own (an upgrade during an outage)', () => {
  it('gets every report stored under its keys at start, and its record trimmed to the first few', async () => {
    const w = testServices(SATURDAY_EVENING);
    const reports = Array.from({ length: 40 }, (_, i) => ({ person: staff(i + 1), at: AT.toISOString() }));
    const old = newOutage({ id: 'nexus-old', system: 'nexus', status: 'suspected', start: AT, at: AT, reports });
    expect(old.reports).toHaveLength(40);
    await w.storage.write({ 'outages/live': { open: { nexus: old }, pending: {}, handled: [] } });
    expect(await w.outages.adoptReports()).toBe(40);
    expect(await w.outages.reportCount('nexus-old')).toBe(40);
    expect(await w.outages.isReporter('nexus-old', staff(33).key)).toBe(true);
    const trimmed = (await w.outages.known('nexus'))!;
    expect(trimmed.reports).toHaveLength(FIRST_REPORTS);
    expect(trimmed.timeline.filter((e) => e.kind === 'reported')).toHaveLength(FIRST_REPORTS);
    // Again: nothing more to do, nothing counted twice
    await w.outages.adoptReports();
    expect(await w.outages.reportCount('nexus-old')).toBe(40);
  });
});
