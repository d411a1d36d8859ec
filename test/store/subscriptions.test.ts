import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStorage } from '../../src/store/sqliteStorage';
import { SUBSCRIPTIONS_KEY, Subscriptions, type Reach } from '../../src/store/subscriptions';

const AT = new Date('2026-12-07T08:00:00.000Z');
const LATER = new Date('2026-12-07T09:00:00.000Z');
const ANNA = { key: '00000000-0000-4000-8000-00000000a001', name: 'Anna Jensen' };
const BO = { key: '29:1bo-teams-id', name: 'Bo Hansen' };
const CARL = { key: '00000000-0000-4000-8000-00000000c003', name: 'Carl Nielsen' };
const reach = (n: string): Reach => ({ conversationId: `a:1chat-${n}`, serviceUrl: 'https://smba.trafficmanager.net/emea/', tenantId: 'tenant-test' });

let dir: string;
let storage: SqliteStorage;
let subs: Subscriptions;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nedbrud-subs-'));
  storage = new SqliteStorage({ path: path.join(dir, 'store.db') });
  subs = new Subscriptions(storage);
});
afterEach(() => {
  storage.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function raw(key: string): Promise<string> {
  const items = await storage.read([key]);
  return JSON.stringify(items[key] ?? null);
}

describe('Subscriptions', () => {
  it('subscribes to all systems or one, and lists by system', async () => {
    expect((await subs.subscribe(ANNA, reach('anna'), null, AT)).kind).toBe('new');
    expect((await subs.subscribe(BO, reach('bo'), 'nexus', AT)).kind).toBe('new');
    expect((await subs.subscribe(CARL, reach('carl'), 'bekey', AT)).kind).toBe('new');
    expect((await subs.forSystem('nexus')).map((s) => s.key)).toEqual([ANNA.key, BO.key]);
    expect((await subs.forSystem('bekey')).map((s) => s.key)).toEqual([ANNA.key, CARL.key]);
    expect((await subs.forSystem('internet')).map((s) => s.key)).toEqual([ANNA.key]);
    expect(await subs.get(BO.key)).toEqual({ key: BO.key, name: BO.name, reach: reach('bo'), system: 'nexus', since: AT.toISOString(), lang: 'da' });
  });

  it('keeps the language the alerts are written in: given at subscribe, refreshed on resubscribe and when it changes', async () => {
    await subs.subscribe({ ...ANNA, lang: 'en' }, reach('anna'), null, AT);
    expect((await subs.get(ANNA.key))?.lang).toBe('en');
    // Subscribing again after writing Danish: same subscription, Danish alerts.
    expect(await subs.subscribe({ ...ANNA, lang: 'da' }, reach('anna'), null, LATER)).toMatchObject({ kind: 'same', subscription: { lang: 'da', since: AT.toISOString() } });
    expect((await subs.get(ANNA.key))?.lang).toBe('da');
    // "english" later: the subscription follows; someone who does not follow gets no record.
    expect(await subs.setLanguage(ANNA.key, 'en')).toBe(true);
    expect(await subs.setLanguage(ANNA.key, 'en')).toBe(false);
    expect(await subs.setLanguage(BO.key, 'en')).toBe(false);
    expect((await subs.get(ANNA.key))?.lang).toBe('en');
    expect(await subs.get(BO.key)).toBeNull();
  });

  it('reads a subscription stored before the language was kept as Danish', async () => {
    const { lang: _lang, ...old } = { key: BO.key, name: BO.name, reach: reach('bo'), system: 'nexus', since: AT.toISOString(), lang: 'da' };
    await storage.write({ [SUBSCRIPTIONS_KEY]: { subscribers: [old] } });
    expect((await subs.forSystem('nexus')).map((s) => s.lang)).toEqual(['da']);
  });

  it('the latest choice wins; subscribing again refreshes the chat, not the start', async () => {
    await subs.subscribe(ANNA, reach('anna'), null, AT);
    expect(await subs.subscribe(ANNA, reach('anna'), null, LATER)).toMatchObject({ kind: 'same', subscription: { since: AT.toISOString() } });
    const changed = await subs.subscribe(ANNA, reach('anna'), 'bekey', LATER);
    expect(changed).toMatchObject({ kind: 'changed', previous: null, subscription: { system: 'bekey', since: LATER.toISOString() } });
    expect(await subs.forSystem('nexus')).toEqual([]);
    const moved = { ...reach('anna'), conversationId: 'a:1chat-anna-new' };
    await subs.subscribe(ANNA, moved, 'bekey', LATER);
    expect((await subs.get(ANNA.key))?.reach).toEqual(moved);
    expect(await subs.all()).toHaveLength(1);
  });

  it('unsubscribe deletes the record entirely (nothing of the person stays)', async () => {
    await subs.subscribe(ANNA, reach('anna'), null, AT);
    await subs.subscribe(BO, reach('bo'), 'nexus', AT);
    expect(await subs.unsubscribe(ANNA.key)).toBe(true);
    expect(await subs.unsubscribe(ANNA.key)).toBe(false);
    expect(await subs.get(ANNA.key)).toBeNull();
    const doc = await raw(SUBSCRIPTIONS_KEY);
    expect(doc).not.toContain(ANNA.key);
    expect(doc).not.toContain(ANNA.name);
    expect(doc).not.toContain('chat-anna');
    expect(doc).toContain(BO.key);
    expect(await subs.remove(BO.key)).toBe(true);
    expect(await subs.all()).toEqual([]);
  });

  it('survives a restart (a new instance on the same file)', async () => {
    await subs.subscribe(ANNA, reach('anna'), 'nexus', AT);
    const again = new Subscriptions(storage);
    expect((await again.forSystem('nexus')).map((s) => s.name)).toEqual([ANNA.name]);
  });
});
