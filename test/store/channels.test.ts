import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CHANNELS_KEY,
  ChannelRegistry,
  UnknownChannelError,
  UnknownChannelRoleError,
  channelFromActivity,
  type ChannelLocation,
} from '../../src/store/channels';
import { SqliteStorage } from '../../src/store/sqliteStorage';
import { messageActivity } from '../helpers/activities';

const SERVICE_URL = 'https://smba.trafficmanager.net/emea/';
const TEAM = '19:team-omsorg@thread.tacv2';
const AT = new Date('2026-12-03T09:00:00.000Z');
const LATER = new Date('2026-12-04T10:30:00.000Z');
const ADMIN = { key: '00000000-0000-4000-8000-00000000a001', name: 'Nexus Admin' };

function channel(n: number | string, extra: Partial<ChannelLocation> = {}): ChannelLocation {
  return { conversationId: `19:channel-${n}@thread.tacv2`, serviceUrl: SERVICE_URL, tenantId: 'tenant-test', teamId: TEAM, ...extra };
}

let dir: string;
let storage: SqliteStorage;
let registry: ChannelRegistry;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nedbrud-channels-'));
  storage = new SqliteStorage({ path: path.join(dir, 'store.db') });
  registry = new ChannelRegistry(storage);
});
afterEach(() => {
  storage.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function eTag(): Promise<string | undefined> {
  const items = await storage.read([CHANNELS_KEY]);
  const doc: unknown = items[CHANNELS_KEY];
  return typeof doc === 'object' && doc !== null && 'eTag' in doc && typeof doc.eTag === 'string' ? doc.eTag : undefined;
}

describe('ChannelRegistry on SQLite', () => {
  it('remembers where a channel is, without roles', async () => {
    await registry.remember(channel(1, { teamName: 'Ældre og Omsorg', channelName: 'Nexus' }), AT);
    expect(await registry.list()).toEqual([
      {
        conversationId: '19:channel-1@thread.tacv2',
        serviceUrl: SERVICE_URL,
        tenantId: 'tenant-test',
        teamId: TEAM,
        teamName: 'Ældre og Omsorg',
        channelName: 'Nexus',
        roles: [],
        updatedAt: AT.toISOString(),
      },
    ]);
  });

  it('stores the channel id, not a thread id', async () => {
    await registry.remember(channel(1, { conversationId: `${channel(1).conversationId};messageid=1700000000123` }), AT);
    expect((await registry.list()).map((c) => c.conversationId)).toEqual(['19:channel-1@thread.tacv2']);
  });

  it('sets several roles; withRole and teamsWithRole find the channel', async () => {
    await registry.remember(channel(1), AT);
    const record = await registry.setRoles(channel(1).conversationId, ['nexusteam', 'staff', 'staff'], ADMIN, LATER);
    expect(record.roles).toEqual(['staff', 'nexusteam']);
    expect(record.registeredBy).toEqual(ADMIN);
    expect(record.updatedAt).toBe(LATER.toISOString());

    expect((await registry.withRole('staff')).map((c) => c.conversationId)).toEqual([channel(1).conversationId]);
    expect((await registry.withRole('nexusteam')).map((c) => c.conversationId)).toEqual([channel(1).conversationId]);
    expect(await registry.withRole('homecare')).toEqual([]);
    expect(await registry.teamsWithRole('nexusteam')).toEqual([TEAM]);
  });

  it('registers a channel it has never seen when told where it is', async () => {
    const record = await registry.setRoles(channel(7).conversationId, ['homecare'], ADMIN, AT, channel(7, { channelName: 'Hjemmepleje' }));
    expect(record).toMatchObject({ conversationId: channel(7).conversationId, channelName: 'Hjemmepleje', roles: ['homecare'] });
    await expect(registry.setRoles(channel(8).conversationId, ['staff'], ADMIN, AT)).rejects.toBeInstanceOf(UnknownChannelError);
  });

  it('lists registered channels first', async () => {
    await registry.remember(channel('a', { channelName: 'Almindelig' }), AT);
    await registry.remember(channel('b', { channelName: 'Bekey' }), AT);
    await registry.setRoles(channel('b').conversationId, ['staff'], ADMIN, AT);
    expect((await registry.list()).map((c) => c.channelName)).toEqual(['Bekey', 'Almindelig']);
  });

  it('removes a channel: its roles are gone, and a later message makes it known again without roles', async () => {
    await registry.setRoles(channel(1).conversationId, ['staff'], ADMIN, AT, channel(1));
    await registry.remember(channel(2), AT);
    await registry.remove(`${channel(1).conversationId};messageid=99`);

    expect(await registry.withRole('staff')).toEqual([]);
    expect((await registry.list()).map((c) => c.conversationId)).toEqual([channel(2).conversationId]);
    await registry.remember(channel(1), LATER);
    expect((await registry.get(channel(1).conversationId))?.roles).toEqual([]);
  });

  it('forgets every channel of a team the bot left', async () => {
    await registry.setRoles(channel(1).conversationId, ['staff'], ADMIN, AT, channel(1));
    await registry.remember(channel(2, { teamId: '19:other-team@thread.tacv2' }), AT);
    await registry.removeTeam(TEAM);
    expect((await registry.list()).map((c) => c.conversationId)).toEqual([channel(2).conversationId]);
  });

  it('remember keeps the roles, and a name the activity lacks', async () => {
    await registry.setRoles(channel(1).conversationId, ['staff', 'providers'], ADMIN, AT, channel(1, { teamName: 'Omsorg', channelName: 'Nexus' }));
    await registry.remember(channel(1, { serviceUrl: 'https://smba.trafficmanager.net/emea-2/' }), LATER);

    const record = await registry.get(channel(1).conversationId);
    expect(record).toMatchObject({
      roles: ['staff', 'providers'],
      registeredBy: ADMIN,
      serviceUrl: 'https://smba.trafficmanager.net/emea-2/',
      teamName: 'Omsorg',
      channelName: 'Nexus',
      updatedAt: LATER.toISOString(),
    });
  });

  it('remember writes nothing when nothing changed (the eTag stays the same)', async () => {
    await registry.setRoles(channel(1).conversationId, ['staff'], ADMIN, AT, channel(1, { teamName: 'Omsorg', channelName: 'Nexus' }));
    const before = await eTag();
    expect(before).toBeDefined();

    await registry.remember(channel(1), LATER); // a message: no names in it
    await registry.remember(channel(1, { conversationId: `${channel(1).conversationId};messageid=5`, teamName: 'Omsorg' }), LATER);
    await registry.setRoles(channel(1).conversationId, ['staff'], ADMIN, LATER); // same roles again

    expect(await eTag()).toBe(before);
    expect((await registry.get(channel(1).conversationId))?.updatedAt).toBe(AT.toISOString());
  });

  it('loses no update when 20 channels are registered at once', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => registry.setRoles(channel(i).conversationId, ['staff'], ADMIN, AT, channel(i))),
    );
    const staff = await registry.withRole('staff');
    expect(staff).toHaveLength(20);
    expect(new Set(staff.map((c) => c.conversationId)).size).toBe(20);
  });

  it('loses no update when two registries on the same file race', async () => {
    const other = new SqliteStorage({ path: storage.path });
    try {
      const second = new ChannelRegistry(other);
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 === 0 ? registry : second).setRoles(channel(i).conversationId, ['homecare'], ADMIN, AT, channel(i)),
        ),
      );
      expect(await registry.withRole('homecare')).toHaveLength(10);
    } finally {
      other.close();
    }
  });

  it('rejects an unknown role with a typed error, and changes nothing', async () => {
    await registry.remember(channel(1), AT);
    const before = await eTag();
    const error = await registry.setRoles(channel(1).conversationId, ['staff', 'ledelse'], ADMIN, LATER).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownChannelRoleError);
    expect(error).toMatchObject({ role: 'ledelse' });
    expect(await eTag()).toBe(before);
  });

  it('survives a damaged stored record (it is dropped, the rest stays usable)', async () => {
    await registry.remember(channel(1), AT);
    const items = await storage.read([CHANNELS_KEY]);
    const doc = items[CHANNELS_KEY] as { channels: Record<string, unknown>; eTag: string };
    await storage.write({ [CHANNELS_KEY]: { ...doc, channels: { ...doc.channels, broken: { conversationId: 42 } } } });
    expect((await registry.list()).map((c) => c.conversationId)).toEqual([channel(1).conversationId]);
  });
});

describe('channelFromActivity', () => {
  const inChannel = (extra: Record<string, unknown>, conversationId = '19:general@thread.tacv2;messageid=1700000000001') =>
    messageActivity({
      serviceUrl: SERVICE_URL,
      conversationId,
      conversationType: 'channel',
      channelData: { team: { id: TEAM, name: 'Omsorg' }, ...extra },
    });

  it('reads team, channel, tenant and the channel id of a message in a thread', () => {
    expect(channelFromActivity(inChannel({ channel: { id: '19:general@thread.tacv2', name: 'Nexus' } }))).toEqual({
      conversationId: '19:general@thread.tacv2',
      serviceUrl: SERVICE_URL,
      tenantId: 'tenant-test',
      teamId: TEAM,
      teamName: 'Omsorg',
      channelName: 'Nexus',
    });
  });

  it('takes the channel created or renamed, not the General channel the event arrives in', () => {
    const activity = {
      ...inChannel({ eventType: 'channelRenamed', channel: { id: '19:new@thread.tacv2', name: 'Nedbrud' } }, TEAM),
      type: 'conversationUpdate',
    };
    expect(channelFromActivity(activity)).toMatchObject({ conversationId: '19:new@thread.tacv2', channelName: 'Nedbrud', teamId: TEAM });
  });

  it('does not give the General channel the name of another channel', () => {
    const found = channelFromActivity(inChannel({ channel: { id: '19:other@thread.tacv2', name: 'Andet' } }));
    expect(found?.conversationId).toBe('19:general@thread.tacv2');
    expect(found?.channelName).toBeUndefined();
  });

  it('falls back to channelData.tenant for the tenant', () => {
    const activity = inChannel({});
    const { tenantId: _dropped, ...conversation } = activity.conversation;
    expect(channelFromActivity({ ...activity, conversation })?.tenantId).toBe('tenant-test');
  });

  it('is null outside a team (1:1 chat) or without a tenant', () => {
    expect(channelFromActivity(messageActivity({ serviceUrl: SERVICE_URL }))).toBeNull();
    expect(channelFromActivity({ serviceUrl: SERVICE_URL, conversation: { id: 'x' }, channelData: { team: { id: TEAM } } })).toBeNull();
  });
});
