import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock';
import { addReport, addUpdate, declare, newOutage, resolve, type Outage, type Person } from '../../src/domain/outage';
import { OutageStore } from '../../src/store/outages';
import { purgeOlderThan, retentionCutoff } from '../../src/store/retention';
import { SqliteStorage } from '../../src/store/sqliteStorage';
import { alertsKey } from '../../src/store/subscriptions';

const DAY = 86_400_000;
const NOW = new Date('2026-12-07T09:00:00.000Z');
const admin: Person = { key: 'admin', name: 'Nexus Admin' };

let dir: string;
let file: string;
let storage: SqliteStorage;
let store: OutageStore;
let clock: ManualClock;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nedbrud-retention-'));
  file = path.join(dir, 'store.db');
  storage = new SqliteStorage({ path: file });
  store = new OutageStore(storage);
  clock = new ManualClock(NOW);
});
afterEach(() => {
  storage.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** An outage that ran for an hour and was resolved `daysAgo` days before NOW, with a named reporter. */
function resolvedOutage(id: string, daysAgo: number, reporter: Person): Outage {
  const end = new Date(NOW.getTime() - daysAgo * DAY);
  const start = new Date(end.getTime() - 3_600_000);
  let o = newOutage({ id, system: 'nexus', status: 'active', start, at: start });
  o = addReport(o, reporter, start).outage;
  o = declare(o, { description: `Nedbrud ${id}`, start, expected: null, by: admin, at: start });
  o = addUpdate(o, { id: `${id}-u1`, at: start.toISOString(), by: admin, text: 'KMD arbejder på det' });
  return resolve(o, admin, end);
}

/** Every stored value, as the SQLite file holds it. */
function everything(): string {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT key, value FROM items').all() as { key: string; value: string }[]).map((r) => `${r.key} ${r.value}`).join('\n');
  } finally {
    db.close();
  }
}

/** The delivery record the first version kept per outage (alerts/<id>): what an upgraded installation still has. */
async function legacyAlerts(outageId: string, subscriber: string): Promise<void> {
  await storage.write({ [alertsKey(outageId)]: { messages: [{ key: 'announcement', delivered: [subscriber], claims: [] }] } });
}

async function seed(): Promise<{ old: Outage; recent: Outage; open: Outage }> {
  const old = resolvedOutage('nexus-old', 91, { key: 'old-reporter', name: 'Olga Gammel' });
  const recent = resolvedOutage('nexus-recent', 89, { key: 'new-reporter', name: 'Nina Ny' });
  // The clock moves forward through the scenario: each outage is archived "when it was resolved".
  clock.set(old.resolved?.at ?? NOW);
  await store.archive(old);
  await legacyAlerts(old.id, 'old-subscriber');
  clock.set(recent.resolved?.at ?? NOW);
  await store.archive(recent);
  await legacyAlerts(recent.id, 'recent-subscriber');
  // An outage opened 200 days ago and still open: never purged.
  const openStart = new Date(NOW.getTime() - 200 * DAY);
  const open = addReport(newOutage({ id: 'bekey-open', system: 'bekey', status: 'active', start: openStart, at: openStart }), { key: 'p', name: 'Per Åben' }, openStart).outage;
  await legacyAlerts(open.id, 'open-subscriber');
  await store.change((doc) => ({
    doc: {
      ...doc,
      open: { ...doc.open, bekey: open },
      pending: {
        internet: [
          { person: { key: 'x', name: 'Xenia Forældet' }, at: new Date(NOW.getTime() - 95 * DAY).toISOString() },
          { person: { key: 'y', name: 'Yrsa Frisk' }, at: new Date(NOW.getTime() - 1 * DAY).toISOString() },
        ],
      },
    },
    result: undefined,
  }));
  clock.set(NOW);
  return { old, recent, open };
}

describe('purgeOlderThan (SQLite)', () => {
  it('deletes an outage resolved 91 days ago with its reports, alerts and history entry; keeps one from 89 days ago and an open one', async () => {
    const { old, recent, open } = await seed();
    expect(everything()).toContain('Olga Gammel');

    const result = await purgeOlderThan(storage, store, clock.now(), 90);
    expect(result).toEqual({ purged: [old.id], pendingReports: 1 });

    expect(await store.get(old.id)).toBeNull();
    expect((await storage.read([alertsKey(old.id)]))[alertsKey(old.id)]).toBeUndefined();
    expect((await store.history()).map((e) => e.id)).toEqual([recent.id]);
    const stored = everything();
    expect(stored).not.toContain('Olga Gammel');
    expect(stored).not.toContain('old-reporter');
    expect(stored).not.toContain('old-subscriber');
    expect(stored).not.toContain(old.id);
    expect(stored).not.toContain('Xenia Forældet');

    expect(await store.get(recent.id)).toMatchObject({ id: recent.id, status: 'resolved' });
    expect(JSON.stringify(await storage.read([alertsKey(recent.id)]))).toContain('recent-subscriber');
    expect((await store.openFor('bekey'))?.id).toBe(open.id);
    expect(JSON.stringify(await storage.read([alertsKey(open.id)]))).toContain('open-subscriber');
    expect((await store.live()).pending.internet?.map((r) => r.person.name)).toEqual(['Yrsa Frisk']);
  });

  it('is idempotent, and takes the next one once the clock passes its retention', async () => {
    const { recent } = await seed();
    await purgeOlderThan(storage, store, clock.now(), 90);
    expect(await purgeOlderThan(storage, store, clock.now(), 90)).toEqual({ purged: [], pendingReports: 0 });

    clock.advance(1 * DAY - 60_000); // 89 days + 23:59 after the all-clear: still kept
    expect((await purgeOlderThan(storage, store, clock.now(), 90)).purged).toEqual([]);
    clock.advance(2 * 60_000); // past 90 days
    expect((await purgeOlderThan(storage, store, clock.now(), 90)).purged).toEqual([recent.id]);
    expect(await store.history()).toEqual([]);
    expect(await store.openFor('bekey')).not.toBeNull();
  });

  it('also purges an old outage a crash left resolved but unarchived in the live document', async () => {
    const leftover = resolvedOutage('nexus-leftover', 120, { key: 'l', name: 'Lars Rest' });
    await store.change((doc) => ({ doc: { ...doc, resolved: [...(doc.resolved ?? []), leftover] }, result: undefined }));
    const result = await purgeOlderThan(storage, store, NOW, 90);
    expect(result.purged).toEqual([leftover.id]);
    expect((await store.live()).resolved).toEqual([]);
    expect(everything()).not.toContain('Lars Rest');
  });

  it('an outage never resolved but no longer open counts from its start', async () => {
    const start = new Date(NOW.getTime() - 100 * DAY);
    const o = newOutage({ id: 'internet-unresolved', system: 'internet', status: 'active', start, at: start });
    await store.archive(o);
    expect((await purgeOlderThan(storage, store, NOW, 90)).purged).toEqual([o.id]);
    expect(await store.get(o.id)).toBeNull();
  });

  it('deletes related documents the caller names, and honours a shorter retention', async () => {
    const o = resolvedOutage('nexus-short', 10, { key: 'k', name: 'Kim Kort' });
    await store.archive(o);
    await storage.write({ [`extra/${o.id}`]: { note: 'per-outage' } });
    expect((await purgeOlderThan(storage, store, NOW, 30)).purged).toEqual([]);
    const result = await purgeOlderThan(storage, store, NOW, 7, { relatedKeys: (id) => [`extra/${id}`] });
    expect(result.purged).toEqual([o.id]);
    expect((await storage.read([`extra/${o.id}`]))[`extra/${o.id}`]).toBeUndefined();
  });

  it('rejects a retention that is not positive', () => {
    expect(() => retentionCutoff(NOW, 0)).toThrow(RangeError);
    expect(retentionCutoff(NOW, 90).toISOString()).toBe('2026-09-08T09:00:00.000Z');
  });
});
