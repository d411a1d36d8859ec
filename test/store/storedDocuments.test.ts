import { MemoryStorage } from 'botbuilder';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { acknowledgeEscalation } from '../../src/domain/outage';
import { createLogger } from '../../src/log';
import { JobStore } from '../../src/scheduler/scheduler';
import { ChannelRegistry, CHANNELS_KEY } from '../../src/store/channels';
import { Closures } from '../../src/store/closures';
import { parseList, readDoc, updateDoc, type DocumentLog } from '../../src/store/document';
import { OutageStore } from '../../src/store/outages';
import { ReportStore } from '../../src/store/reports';
import { SUBSCRIPTIONS_KEY, Subscriptions } from '../../src/store/subscriptions';
import { captureLogs, type CapturedLogs } from '../helpers/logs';

/**
 * Every stored document is parsed by its schema on read. What the previous
 * versions wrote still reads; what does not parse is logged (key, entry, zod's
 * paths) and left out, and never takes the rest of the document with it.
 */

const AT = '2026-12-05T18:40:00.000Z';
const ANNA = { key: '00000000-0000-4000-8000-00000000a001', name: 'Anna Jensen' };
const BO = { key: '29:1bo-teams-id', name: 'Bo Hansen' };

let storage: MemoryStorage;
let logs: CapturedLogs;
let log: DocumentLog;

beforeEach(() => {
  storage = new MemoryStorage();
  logs = captureLogs();
  log = createLogger({ logLevel: 'info' }, logs);
});

const errors = () => logs.lines().filter((l) => l['level'] === 'error');

/** An outage as the first version stored it: before the 2-hour rule, owners' contacts, languages and reach. */
const firstVersionOutage = {
  id: 'nexus-202612051840-0a1b2c3d',
  system: 'nexus',
  status: 'active',
  start: AT,
  description: 'Nexus svarer ikke',
  expected: null,
  declaredBy: ANNA,
  owner: { kind: 'person', person: BO, since: AT },
  reports: [{ person: BO, at: AT }],
  worksAgain: [],
  updates: [{ id: 'u1', at: AT, by: ANNA, text: 'KMD arbejder på det' }],
  announcements: [{ conversationId: '19:staff@thread.tacv2', serviceUrl: 'https://smba.trafficmanager.net/emea/', activityId: '1733420400000', kind: 'announcement' }],
  resolved: null,
  timeline: [
    { at: AT, kind: 'reported', by: BO },
    { at: AT, kind: 'declared', by: ANNA, text: 'Nexus svarer ikke' },
  ],
};

describe('document helpers', () => {
  it('a document that does not parse reads as absent, with its key and the paths that failed in the log', async () => {
    await storage.write({ 'doc/1': { n: 'three' } });
    expect(await readDoc(storage, 'doc/1', z.object({ n: z.number() }), log)).toBeUndefined();
    expect(errors()).toEqual([
      expect.objectContaining({ key: 'doc/1', issues: [expect.objectContaining({ path: 'n', code: 'invalid_type' })], msg: 'stored document does not parse: treated as absent' }),
    ]);
  });

  it('a list keeps the entries that parse and names the one left out', () => {
    expect(parseList(z.number(), [1, 'two', 3], log, 'doc/2', 'items')).toEqual([1, 3]);
    expect(errors()).toEqual([expect.objectContaining({ key: 'doc/2', entry: 'items.1', msg: 'stored entry does not parse: left out' })]);
  });

  it('a change never writes over a document that does not parse', async () => {
    await storage.write({ 'doc/3': { n: 'three' } });
    const result = await updateDoc(storage, 'doc/3', z.object({ n: z.number() }), log, () => ({ n: 0 }));
    expect(result).toBeUndefined();
    const items = await storage.read(['doc/3']);
    expect(items['doc/3']).toMatchObject({ n: 'three' });
  });
});

describe('outages', () => {
  it('an open outage stored by the first version reads, and the 2-hour rule starts from no escalation', async () => {
    await storage.write({ 'outages/live': { open: { nexus: firstVersionOutage }, pending: {}, handled: [] } });
    const store = new OutageStore(storage, undefined, log);
    const open = await store.openFor('nexus');
    expect(open).toMatchObject({ id: firstVersionOutage.id, owner: { kind: 'person', person: BO }, escalation: { rounds: 0, acknowledged: null } });
    // The domain works on it as on any other: the acknowledgement is recorded.
    const acked = acknowledgeEscalation(open!, ANNA, new Date(AT));
    expect(acked.first).toBe(true);
    expect(errors()).toEqual([]);
  });

  it('an open outage that does not parse is left out; the other system’s outage stays open and is written back whole', async () => {
    const damaged = { ...firstVersionOutage, id: 'bekey-1', system: 'bekey', owner: { kind: 'someone', since: AT } };
    await storage.write({ 'outages/live': { open: { nexus: firstVersionOutage, bekey: damaged }, pending: { bekey: [{ person: BO, at: AT }] }, handled: ['s1'] } });
    const store = new OutageStore(storage, undefined, log);
    expect(await store.openFor('bekey')).toBeNull();
    expect((await store.openFor('nexus'))?.id).toBe(firstVersionOutage.id);
    // Each read that meets it says so (here two), until the next write leaves it out.
    expect(errors()).toHaveLength(2);
    expect(errors()[0]).toMatchObject({ key: 'outages/live', entry: 'open.bekey', issues: [{ path: 'owner.kind' }] });

    await store.change((doc) => ({ doc: { ...doc, handled: [...doc.handled, 's2'] }, result: undefined }));
    const live = await store.live();
    expect(live.open.nexus).toMatchObject({ id: firstVersionOutage.id, updates: firstVersionOutage.updates, announcements: firstVersionOutage.announcements });
    expect(live.pending.bekey).toEqual([{ person: BO, at: AT }]);
    expect(live.handled).toEqual(['s1', 's2']);
  });

  it('an archived outage that does not parse is not found, is not written over, and leaves the history readable', async () => {
    await storage.write({
      'outage/old-1': { ...firstVersionOutage, id: 'old-1', timeline: 'lost' },
      'outages/history': { entries: [{ id: 'old-1', system: 'nexus', start: AT, resolvedAt: AT }, { id: 42 }] },
    });
    const store = new OutageStore(storage, undefined, log);
    expect(await store.get('old-1')).toBeNull();
    expect(await store.updateArchived('old-1', (o) => ({ ...o, description: 'changed' }))).toBeNull();
    expect((await storage.read(['outage/old-1']))['outage/old-1']).toMatchObject({ timeline: 'lost' });
    expect((await store.history()).map((e) => e.id)).toEqual(['old-1']);
    expect(errors().map((e) => [e['key'], e['entry']])).toEqual(
      expect.arrayContaining([
        ['outage/old-1', undefined],
        ['outages/history', 'entries.1'],
      ]),
    );
  });
});

describe('subscriptions, jobs, closures, channels, reports', () => {
  it('a subscriber that does not parse is left out; the others still get their alerts (an old one in Danish)', async () => {
    const reach = { conversationId: 'a:1chat', serviceUrl: 'https://smba.trafficmanager.net/emea/' };
    await storage.write({
      [SUBSCRIPTIONS_KEY]: {
        subscribers: [
          { key: ANNA.key, name: ANNA.name, reach, system: null, since: AT },
          { key: BO.key, name: BO.name, reach: null, system: 'nexus', since: AT, lang: 'en' },
        ],
      },
    });
    const subs = new Subscriptions(storage, log);
    expect(await subs.forSystem('nexus')).toEqual([{ key: ANNA.key, name: ANNA.name, reach, system: null, since: AT, lang: 'da' }]);
    expect(errors()).toEqual([expect.objectContaining({ key: SUBSCRIPTIONS_KEY, entry: 'subscribers.1', issues: [expect.objectContaining({ path: 'reach' })] })]);
  });

  it('a job that does not parse never runs; the others do', async () => {
    const due = { dueAt: AT, state: 'pending', attempts: 0 };
    await storage.write({ jobs: { jobs: [{ id: 'a', ...due, payload: { kind: 'launchRockets' } }, { id: 'b', ...due, payload: { kind: 'homecare' } }] } });
    const jobs = new JobStore(storage, log);
    expect((await jobs.list()).jobs.map((j) => j.id)).toEqual(['b']);
    expect(errors()).toEqual([expect.objectContaining({ key: 'jobs', entry: 'jobs.0' })]);
  });

  it('a closure that does not parse is left out; the other still closes the Nexusteam', async () => {
    const reason = { da: 'Kursus', en: 'Course' };
    await storage.write({ closures: { closures: [{ id: 'c1', addedBy: ANNA.key, from: '2026-12-08', reason }, { id: 'c2', addedBy: ANNA.key, from: '8/12', reason }] } });
    const closures = new Closures(storage, undefined, log);
    expect((await closures.list()).map((c) => c.id)).toEqual(['c1']);
    expect(errors()).toEqual([expect.objectContaining({ key: 'closures', entry: 'closures.1', issues: expect.arrayContaining([expect.objectContaining({ path: 'from' })]) })]);
  });

  it('a channel record that does not parse is left out and logged; a role a later version added is dropped, not the channel', async () => {
    const channel = { conversationId: '19:staff@thread.tacv2', serviceUrl: 'https://smba.trafficmanager.net/emea/', tenantId: 't', teamId: '19:team@thread.tacv2', updatedAt: AT };
    await storage.write({ [CHANNELS_KEY]: { schema: 1, channels: { a: { ...channel, roles: ['staff', 'pharmacy'] }, b: { ...channel, conversationId: 7, roles: [] } } } });
    const registry = new ChannelRegistry(storage, log);
    expect((await registry.withRole('staff')).map((c) => c.conversationId)).toEqual([channel.conversationId]);
    expect(errors()).toEqual([expect.objectContaining({ key: CHANNELS_KEY, entry: 'channels.b', issues: [expect.objectContaining({ path: 'conversationId' })] })]);
  });

  it('a report that does not parse is skipped; the others are read', async () => {
    const reports = new ReportStore(storage, undefined, log);
    await reports.add('o1', ANNA, new Date(AT));
    await reports.add('o1', BO, new Date(AT));
    const [first] = await reports.all('o1');
    await storage.write({ [first!.key]: { person: 'nobody', at: AT } });
    expect((await reports.all('o1')).map((r) => r.person.key)).toHaveLength(1);
    expect(await reports.count('o1')).toBe(2);
    expect(errors()).toEqual([expect.objectContaining({ key: first!.key, issues: [expect.objectContaining({ path: 'person' })] })]);
  });
});
