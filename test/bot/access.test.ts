import { MemoryStorage } from 'botbuilder';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NexusteamDirectory, TeamsMemberLookup, MembershipLookupError, tenantAllowed, turnAccess, type MemberLookup } from '../../src/bot/access';
import { loadConfig } from '../../src/config';
import { ManualClock } from '../../src/domain/clock';
import { loadInstruction } from '../../src/instruction/load';
import { createLogger } from '../../src/log';
import { createAdapter } from '../../src/server/adapter';
import { ChannelRegistry, type ChannelLocation } from '../../src/store/channels';
import { messageActivity } from '../helpers/activities';
import { DEFAULT_ROSTER, startConnector, type Connector } from '../support/connector';

const ADMIN_ID = '0000AAAA-0000-4000-8000-000000000a01';
const SERVICE_URL = 'https://smba.trafficmanager.net/emea/';
const NEXUS_TEAM = '19:nexusteam-team@thread.tacv2';
const CARE_TEAM = '19:care-team@thread.tacv2';
const WHERE = { serviceUrl: SERVICE_URL, tenantId: 'tenant-test' };
const T0 = '2026-12-03T09:00:00.000Z';

const admin = { id: '29:admin', aadObjectId: ADMIN_ID };
const teamMember = { id: '29:support', aadObjectId: '11111111-0000-4000-8000-000000000001' };
const careWorker = { id: '29:care', aadObjectId: '22222222-0000-4000-8000-000000000002' };

function location(conversationId: string, teamId: string, tenantId = 'tenant-test'): ChannelLocation {
  return { conversationId, serviceUrl: SERVICE_URL, tenantId, teamId };
}

/** A Teams roster in memory that counts how often it is asked. */
class FakeMembers implements MemberLookup {
  calls: { teamId: string; userId: string }[] = [];
  failing = false;
  constructor(private readonly members: Record<string, readonly string[]>) {}
  async isMember(teamId: string, userId: string): Promise<boolean> {
    this.calls.push({ teamId, userId });
    if (this.failing) throw Object.assign(new Error('throttled'), { statusCode: 429 });
    return this.members[teamId]?.includes(userId) ?? false;
  }
}

let clock: ManualClock;
let channels: ChannelRegistry;
let members: FakeMembers;
let directory: NexusteamDirectory;

beforeEach(async () => {
  clock = new ManualClock(T0);
  channels = new ChannelRegistry(new MemoryStorage());
  members = new FakeMembers({
    [NEXUS_TEAM]: [teamMember.aadObjectId],
    [CARE_TEAM]: [careWorker.aadObjectId, teamMember.aadObjectId],
  });
  const config = loadConfig({ NEXUSTEAM_IDS: ADMIN_ID.toLowerCase() });
  directory = new NexusteamDirectory({ config, channels, members, clock });
  // The admin registered the Nexusteam's channel; the care team's channel is for staff only.
  await channels.setRoles('19:nexus-channel@thread.tacv2', ['nexusteam'], { key: ADMIN_ID, name: 'Admin' }, clock.now(), location('19:nexus-channel@thread.tacv2', NEXUS_TEAM));
  await channels.setRoles('19:care-channel@thread.tacv2', ['staff'], { key: ADMIN_ID, name: 'Admin' }, clock.now(), location('19:care-channel@thread.tacv2', CARE_TEAM));
});

describe('who is Nexusteam', () => {
  it('a configured Entra id is, whatever its case, without asking Teams', async () => {
    expect(directory.isConfiguredAdmin(ADMIN_ID)).toBe(true);
    expect(await directory.isNexusteam(admin, WHERE)).toBe(true);
    expect(members.calls).toEqual([]);
  });

  it('a member of the team with a nexusteam channel is', async () => {
    expect(directory.isConfiguredAdmin(teamMember.aadObjectId)).toBe(false);
    expect(await directory.isNexusteam(teamMember, WHERE)).toBe(true);
    expect(members.calls).toEqual([{ teamId: NEXUS_TEAM, userId: teamMember.aadObjectId }]);
  });

  it('the answer is cached for 10 minutes, then Teams is asked again', async () => {
    await directory.isNexusteam(teamMember, WHERE);
    clock.advance(9 * 60_000);
    expect(await directory.isNexusteam(teamMember, WHERE)).toBe(true);
    expect(members.calls).toHaveLength(1);

    clock.advance(2 * 60_000);
    expect(await directory.isNexusteam(teamMember, WHERE)).toBe(true);
    expect(members.calls).toHaveLength(2);
  });

  it('a non-member is not, and the "no" is cached too', async () => {
    const stranger = { id: '29:stranger', aadObjectId: '33333333-0000-4000-8000-000000000003' };
    expect(await directory.isNexusteam(stranger, WHERE)).toBe(false);
    expect(await directory.isNexusteam(stranger, WHERE)).toBe(false);
    expect(members.calls).toHaveLength(1);
  });

  it('a team whose channel has only the staff role does not make its members Nexusteam', async () => {
    expect(await directory.isNexusteam(careWorker, WHERE)).toBe(false);
    expect(members.calls.map((c) => c.teamId)).toEqual([NEXUS_TEAM]);
  });

  it('taking the nexusteam role away works at once, cache or not', async () => {
    expect(await directory.isNexusteam(teamMember, WHERE)).toBe(true);
    await channels.setRoles('19:nexus-channel@thread.tacv2', ['staff'], { key: ADMIN_ID, name: 'Admin' }, clock.now());
    expect(await directory.isNexusteam(teamMember, WHERE)).toBe(false);
  });

  it('uses the Teams id when the user has no Entra id', async () => {
    const guest = { id: '29:guest' };
    await directory.isNexusteam(guest, WHERE);
    expect(members.calls).toEqual([{ teamId: NEXUS_TEAM, userId: '29:guest' }]);
  });

  it('does not ask about a team in another tenant', async () => {
    await directory.isNexusteam(teamMember, { serviceUrl: SERVICE_URL, tenantId: 'another-tenant' });
    expect(members.calls).toEqual([]);
  });

  it('a failed lookup is "unknown" (an error), not "no", and is not cached', async () => {
    members.failing = true;
    await expect(directory.isNexusteam(teamMember, WHERE)).rejects.toBeInstanceOf(MembershipLookupError);
    members.failing = false;
    expect(await directory.isNexusteam(teamMember, WHERE)).toBe(true);
  });
});

describe('who may register channels', () => {
  it('only a configured admin may give the nexusteam role, even to a member of the Nexusteam team', async () => {
    expect(await directory.mayRegister(['nexusteam'], admin, WHERE)).toEqual({ allowed: true });
    expect(await directory.mayRegister(['nexusteam'], teamMember, WHERE)).toEqual({ allowed: false, reason: 'configured-admin-only' });
    expect(await directory.mayRegister(['staff', 'nexusteam'], teamMember, WHERE)).toEqual({ allowed: false, reason: 'configured-admin-only' });
  });

  it('a member of the Nexusteam team may register other roles', async () => {
    expect(await directory.mayRegister(['staff'], teamMember, WHERE)).toEqual({ allowed: true });
    expect(await directory.mayRegister(['homecare', 'providers'], teamMember, WHERE)).toEqual({ allowed: true });
  });

  it('someone outside the Nexusteam may register nothing', async () => {
    expect(await directory.mayRegister(['staff'], careWorker, WHERE)).toEqual({ allowed: false, reason: 'nexusteam-only' });
  });

  it('taking the nexusteam role away is also for a configured admin only', async () => {
    expect(await directory.mayChangeRoles(['nexusteam', 'staff'], ['staff'], teamMember, WHERE)).toEqual({ allowed: false, reason: 'configured-admin-only' });
    expect(await directory.mayChangeRoles(['nexusteam', 'staff'], ['nexusteam'], teamMember, WHERE)).toEqual({ allowed: true });
    expect(await directory.mayChangeRoles(['nexusteam'], [], admin, WHERE)).toEqual({ allowed: true });
  });
});

describe('tenants', () => {
  it('any tenant when none is configured (development), else only the listed ones', () => {
    expect(tenantAllowed({ allowedTenantIds: [] }, undefined)).toBe(true);
    expect(tenantAllowed({ allowedTenantIds: [] }, 'whatever')).toBe(true);
    expect(tenantAllowed({ allowedTenantIds: ['brondby'] }, 'brondby')).toBe(true);
    expect(tenantAllowed({ allowedTenantIds: ['brondby'] }, 'elsewhere')).toBe(false);
    expect(tenantAllowed({ allowedTenantIds: ['brondby'] }, undefined)).toBe(false);
  });

  it('the per-turn check reads the sender and tenant of the activity', async () => {
    const activity = messageActivity({ serviceUrl: SERVICE_URL, from: { id: teamMember.id, name: 'Support', aadObjectId: teamMember.aadObjectId } });
    const context = { activity };
    const access = turnAccess(directory, { allowedTenantIds: ['tenant-test'] });
    expect(await access.isNexusteam(context)).toBe(true);
    expect(access.tenantAllowed(context)).toBe(true);
    expect(turnAccess(directory, { allowedTenantIds: ['other'] }).tenantAllowed(context)).toBe(false);
  });
});

describe('TeamsMemberLookup against the local connector', () => {
  let connector: Connector;
  let lookup: TeamsMemberLookup;

  beforeEach(async () => {
    connector = await startConnector();
    const config = loadConfig({});
    const logger = createLogger({ logLevel: 'silent' });
    lookup = new TeamsMemberLookup(createAdapter(config, logger, loadInstruction()), config.bot.appId, logger);
  });
  afterEach(async () => {
    await connector.close();
  });

  it('finds a member of the roster by Entra id and by Teams id', async () => {
    const [person] = DEFAULT_ROSTER;
    expect(person).toBeDefined();
    if (!person) return;
    expect(await lookup.isMember(NEXUS_TEAM, person.aadObjectId, { serviceUrl: connector.url })).toBe(true);
    expect(await lookup.isMember(NEXUS_TEAM, person.id, { serviceUrl: connector.url })).toBe(true);
    const asked = connector.requests.at(-1);
    expect(asked?.method).toBe('GET');
    expect(asked?.conversationId).toBe(NEXUS_TEAM);
  });

  it('an unknown user is not a member (404)', async () => {
    expect(await lookup.isMember(NEXUS_TEAM, '29:nobody', { serviceUrl: connector.url, tenantId: 'tenant-test' })).toBe(false);
    expect(connector.requests.at(-1)?.status).toBe(404);
  });

  it('works end to end in the directory', async () => {
    const [person] = DEFAULT_ROSTER;
    if (!person) throw new Error('no roster');
    const registry = new ChannelRegistry(new MemoryStorage());
    await registry.setRoles('19:nx@thread.tacv2', ['nexusteam'], { key: ADMIN_ID, name: 'Admin' }, clock.now(), {
      conversationId: '19:nx@thread.tacv2',
      serviceUrl: connector.url,
      tenantId: 'tenant-test',
      teamId: NEXUS_TEAM,
    });
    const real = new NexusteamDirectory({ config: loadConfig({}), channels: registry, members: lookup, clock });
    expect(await real.isNexusteam({ id: person.id, aadObjectId: person.aadObjectId }, { serviceUrl: connector.url, tenantId: 'tenant-test' })).toBe(true);
    expect(await real.isNexusteam({ id: '29:nobody' }, { serviceUrl: connector.url, tenantId: 'tenant-test' })).toBe(false);
  });
});
