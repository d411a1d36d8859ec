import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock';
import { startApp, type RunningApp, type StartOverrides } from '../../src/index';
import type { DevMessage, DevRequest } from '../../src/dev/devConnector';
import { DEFAULT_PERSONAS, PLAYGROUND_ADMIN_ID, PLAYGROUND_BOT, PLAYGROUND_CHANNELS, PLAYGROUND_TENANT_ID } from '../../src/dev/playground';
import { tempDir } from './browser';

/**
 * The playground's server side over HTTP, without a browser: the development
 * connector (Teams' v3 routes, ids with ':' ';' '=' '@'), the event stream, the
 * development clock and the scheduler round after it moves, the channels and the
 * admin persona registered at start.
 */

const apps: RunningApp[] = [];
const removals: (() => void)[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  for (const remove of removals.splice(0)) remove();
});

async function dev(overrides: StartOverrides = {}, sqlitePath?: string): Promise<RunningApp> {
  let path = sqlitePath;
  if (path === undefined) {
    const tmp = tempDir();
    removals.push(tmp.remove);
    path = join(tmp.dir, 'bot.sqlite');
  }
  const app = await startApp({ PORT: '0', LOG_LEVEL: 'silent', SQLITE_PATH: path }, { playground: true, ...overrides });
  apps.push(app);
  return app;
}

async function json<T>(app: RunningApp, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${app.url}${path}`, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

interface ClockState {
  readonly now: string;
  readonly offsetMs: number;
  readonly local: string;
  readonly localInput: string;
  readonly movable: boolean;
  readonly ran?: number | null;
}

const connectorPath = (conversationId: string, ...rest: string[]) =>
  `/dev/connector/v3/conversations/${encodeURIComponent(conversationId)}${rest.map((r) => `/${encodeURIComponent(r)}`).join('')}`;

const ANNA = DEFAULT_PERSONAS[0]!;
const HEIDI = DEFAULT_PERSONAS[1]!;
const STAFF = PLAYGROUND_CHANNELS[0]!;
const NEXUS = PLAYGROUND_CHANNELS[1]!;

/** A 1:1 message as the page sends it. */
function personal(serviceUrl: string, who: typeof ANNA, input: { text?: string; value?: Record<string, unknown> }, id = `${Date.now()}${Math.random()}`) {
  return {
    type: 'message',
    id,
    channelId: 'msteams',
    serviceUrl,
    from: { id: who.id, name: who.name, aadObjectId: who.aadObjectId, role: 'user' },
    recipient: { ...PLAYGROUND_BOT, role: 'bot' },
    conversation: { id: `a:1playground-${who.id.replace(/[^A-Za-z0-9-]/g, '-')}`, conversationType: 'personal', tenantId: PLAYGROUND_TENANT_ID },
    channelData: { tenant: { id: PLAYGROUND_TENANT_ID } },
    locale: 'da-DK',
    ...input,
  };
}

async function serviceUrl(app: RunningApp): Promise<string> {
  const state = await json<{ serviceUrl: string }>(app, 'GET', '/dev/state');
  return state.body.serviceUrl;
}

const readable = (m: DevMessage): string => [m.text ?? '', ...m.attachments.map((a) => JSON.stringify(a.content ?? ''))].join('\n');

describe('the development connector', () => {
  it('answers Teams’ v3 routes with encoded ids, keeps threads apart, and replaces a message in place', async () => {
    const app = await dev();
    const thread = `${STAFF.conversationId};messageid=1700000000001`;
    const posted = await json<{ id: string }>(app, 'POST', connectorPath(thread, 'activities'), { type: 'message', text: 'i tråden' });
    expect(posted.status).toBe(201);
    const root = await json<{ id: string }>(app, 'POST', connectorPath(STAFF.conversationId, 'activities'), { type: 'message', text: 'nyt opslag' });
    const reply = await json<{ id: string }>(app, 'POST', connectorPath(STAFF.conversationId, 'activities', root.body.id), { type: 'message', text: 'svar' });
    const put = await json<{ id: string }>(app, 'PUT', connectorPath(STAFF.conversationId, 'activities', root.body.id), { type: 'message', text: 'rettet' });
    expect(put).toEqual({ status: 200, body: { id: root.body.id } });
    await json(app, 'POST', connectorPath(STAFF.conversationId, 'activities'), { type: 'typing' }); // logged, not shown

    const messages = (await json<DevMessage[]>(app, 'GET', '/dev/messages')).body;
    expect(messages.map((m) => [m.conversationId, m.threadId, m.text, m.version])).toEqual([
      [STAFF.conversationId, '1700000000001', 'i tråden', 0],
      [STAFF.conversationId, null, 'rettet', 1], // same place, new content
      [STAFF.conversationId, root.body.id, 'svar', 0],
    ]);
    expect(messages[1]?.id).toBe(root.body.id);

    const del = await json(app, 'DELETE', connectorPath(STAFF.conversationId, 'activities', reply.body.id));
    expect(del.status).toBe(200);
    expect((await json<DevMessage[]>(app, 'GET', '/dev/messages')).body[2]).toMatchObject({ id: reply.body.id, deleted: true, text: '' });

    const log = (await json<DevRequest[]>(app, 'GET', '/dev/log')).body;
    expect(log.find((r) => r.assignedId === posted.body.id)).toMatchObject({
      via: 'connector',
      method: 'POST',
      path: `/v3/conversations/${encodeURIComponent(thread)}/activities`,
      conversationId: thread,
      status: 201,
    });
    expect(log.filter((r) => r.method === 'PUT')).toEqual([expect.objectContaining({ conversationId: STAFF.conversationId, activityId: root.body.id, status: 200 })]);
    expect(log.some((r) => r.activityType === 'typing')).toBe(true);
  });

  it('knows who is in which team: the Nexusteam persona in both teams, the member of staff only in the care team', async () => {
    const app = await dev();
    const member = (team: string, user: string) => json<{ name?: string }>(app, 'GET', connectorPath(team, 'members', user));
    expect((await member(NEXUS.teamId, HEIDI.aadObjectId)).body.name).toBe(HEIDI.name);
    expect((await member(NEXUS.teamId, HEIDI.id)).status).toBe(200);
    expect((await member(NEXUS.teamId, ANNA.id)).status).toBe(404);
    expect((await member(STAFF.teamId, ANNA.aadObjectId)).status).toBe(200);
    expect((await member('19:unknown@thread.tacv2', ANNA.id)).status).toBe(404);
    const roster = await json<{ id: string }[]>(app, 'GET', connectorPath(NEXUS.teamId, 'members'));
    expect(roster.body.map((m) => m.id)).toEqual([HEIDI.id]);

    // The page says who its personas are; membership follows their kind.
    const kaj = { kind: 'nexusteam', id: '29:kaj', name: 'Kaj', aadObjectId: 'kaj-aad' };
    expect((await json(app, 'PUT', '/dev/personas', [...DEFAULT_PERSONAS, kaj])).status).toBe(200);
    expect((await member(NEXUS.teamId, 'kaj-aad')).status).toBe(200);
    expect((await json(app, 'PUT', '/dev/personas', [{ kind: 'boss', id: 'x', name: 'x', aadObjectId: '' }])).status).toBe(400);
  });

  it('POST /v3/conversations: a new thread in a channel, or a 1:1 chat with a persona', async () => {
    const app = await dev();
    const thread = await json<{ id: string; activityId: string }>(app, 'POST', '/dev/connector/v3/conversations', {
      isGroup: true,
      channelData: { channel: { id: STAFF.conversationId } },
      activity: { type: 'message', text: 'ny tråd' },
    });
    expect(thread.status).toBe(201);
    expect(thread.body.id).toBe(`${STAFF.conversationId};messageid=${thread.body.activityId}`);
    const chat = await json<{ id: string }>(app, 'POST', '/dev/connector/v3/conversations', { members: [{ id: ANNA.aadObjectId }], tenantId: PLAYGROUND_TENANT_ID });
    expect(chat.body.id).toBe('a:1playground-29-playground-anna');
    const messages = (await json<DevMessage[]>(app, 'GET', '/dev/messages')).body;
    expect(messages).toEqual([expect.objectContaining({ id: thread.body.activityId, conversationId: STAFF.conversationId, threadId: null, text: 'ny tråd' })]);
  });

  it('streams every new and replaced message as Server-Sent Events', async () => {
    const app = await dev();
    const controller = new AbortController();
    const res = await fetch(`${app.url}/dev/events`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    const nextEvent = async (): Promise<{ event: string; data: unknown }> => {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (event && data) return { event, data: JSON.parse(data) as unknown };
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += value;
      }
    };
    try {
      expect((await nextEvent()).event).toBe('snapshot');
      const posted = await json<{ id: string }>(app, 'POST', connectorPath('a:1x', 'activities'), { type: 'message', text: 'hej' });
      expect(await nextEvent()).toEqual({ event: 'message', data: expect.objectContaining({ id: posted.body.id, text: 'hej', version: 0 }) });
      await json(app, 'PUT', connectorPath('a:1x', 'activities', posted.body.id), { type: 'message', text: 'hej igen' });
      expect(await nextEvent()).toEqual({ event: 'message', data: expect.objectContaining({ id: posted.body.id, text: 'hej igen', version: 1 }) });
      await json(app, 'POST', '/dev/clock', { advanceMs: 60_000 });
      expect((await nextEvent()).event).toBe('clock');
    } finally {
      controller.abort();
    }
  });

  it('closes promptly with a page still listening', async () => {
    const app = await dev();
    const controller = new AbortController();
    const res = await fetch(`${app.url}/dev/events`, { signal: controller.signal });
    expect(res.status).toBe(200);
    const started = Date.now();
    await app.close();
    expect(Date.now() - started).toBeLessThan(2000);
    controller.abort();
  });
});

describe('the page’s activities through /api/messages', () => {
  it('are logged with the answer’s status, shown with CPR-like numbers masked, and the bot answers through the connector', async () => {
    const app = await dev();
    const url = await serviceUrl(app);
    const activity = personal(url, ANNA, { text: 'Nexus er nede hos 010203-1234' });
    const res = await fetch(`${app.url}/api/messages`, { method: 'POST', body: JSON.stringify(activity), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    const log = (await json<DevRequest[]>(app, 'GET', '/dev/log')).body;
    expect(log.find((r) => r.via === 'api')).toMatchObject({ method: 'POST', path: '/api/messages', activityId: activity.id, status: 200 });
    const messages = (await json<DevMessage[]>(app, 'GET', '/dev/messages')).body;
    const mine = messages.find((m) => m.id === activity.id);
    expect(mine?.text).not.toContain('010203-1234');
    expect(mine?.role).toBe('user');
    const replies = messages.filter((m) => m.role === 'bot' && m.conversationId === activity.conversation.id);
    expect(replies.length).toBeGreaterThan(0);
    for (const r of replies) expect(log.some((x) => x.via === 'connector' && x.assignedId === r.id && x.activityId === activity.id)).toBe(true);
  });

  it('the Nexusteam persona is an admin (declare form); the member of staff is not', async () => {
    const app = await dev();
    const url = await serviceUrl(app);
    const say = async (who: typeof ANNA, text: string) => {
      const activity = personal(url, who, { text });
      await fetch(`${app.url}/api/messages`, { method: 'POST', body: JSON.stringify(activity), headers: { 'content-type': 'application/json' } });
      const log = (await json<DevRequest[]>(app, 'GET', '/dev/log')).body;
      const ids = new Set(log.filter((r) => r.activityId === activity.id && r.via === 'connector').map((r) => r.assignedId));
      return (await json<DevMessage[]>(app, 'GET', '/dev/messages')).body.filter((m) => ids.has(m.id)).map(readable).join('\n');
    };
    expect(HEIDI.aadObjectId).toBe(PLAYGROUND_ADMIN_ID);
    expect(await say(HEIDI, 'meld nedbrud')).toContain('Vis udkast');
    expect(await say(ANNA, 'meld nedbrud')).not.toContain('Vis udkast');
  });
});

describe('channels registered at start', () => {
  it('staff, Nexusteam and home-care channels at the connector’s url; roles added to, never taken, on a restart', async () => {
    const tmp = tempDir();
    removals.push(tmp.remove);
    const path = join(tmp.dir, 'bot.sqlite');
    const first = await dev({}, path);
    const channels = async (app: RunningApp) =>
      (await json<{ conversationId: string; roles: string[]; teamName: string; channelName: string }[]>(app, 'GET', '/dev/channels')).body;
    expect((await channels(first)).map((c) => [c.channelName, c.roles])).toEqual([
      ['Drift', ['nexusteam']],
      ['Hjemmeplejen', ['homecare']],
      ['Personale', ['staff']],
    ]);
    await first.close();
    const second = await dev({}, path);
    expect(await channels(second)).toHaveLength(3);
    expect(await serviceUrl(second)).toBe(`${second.url}/dev/connector`);
  });
});

describe('the development clock', () => {
  it('moves the bot’s clock by an offset, to a Copenhagen wall time, or back to now', async () => {
    const app = await dev();
    const initial = (await json<ClockState>(app, 'GET', '/dev/clock')).body;
    expect(initial.movable).toBe(true);
    expect(Math.abs(initial.offsetMs)).toBeLessThan(1000);

    const saturday = (await json<ClockState>(app, 'POST', '/dev/clock', { at: '2026-12-05T19:40' })).body;
    expect(Math.abs(Date.parse(saturday.now) - Date.parse('2026-12-05T19:40:00+01:00'))).toBeLessThan(2000);
    expect(saturday.local).toBe('lørdag 5. december 2026 kl. 19.40');
    expect(saturday.localInput).toBe('2026-12-05T19:40');
    expect(typeof saturday.ran).toBe('number');

    const later = (await json<ClockState>(app, 'POST', '/dev/clock', { advanceMs: 2 * 3_600_000 })).body;
    expect(later.local).toBe('lørdag 5. december 2026 kl. 21.40');
    expect((await json<ClockState>(app, 'POST', '/dev/clock', { at: '2026-06-01T10:00:00Z' })).body.local).toBe('mandag 1. juni 2026 kl. 12.00');
    const back = (await json<ClockState>(app, 'POST', '/dev/clock', { offsetMs: 0 })).body;
    expect(Math.abs(back.offsetMs)).toBe(0);

    for (const bad of [{}, { at: 'i morgen' }, { at: '2026-03-29T02:30' }, { offsetMs: 'x' }, { offsetMs: 1, at: '2026-12-05T19:40' }]) {
      expect((await json(app, 'POST', '/dev/clock', bad)).status, JSON.stringify(bad)).toBe(400);
    }
  });

  it('runs the scheduler at once: the owner’s 2-hour reminder arrives as soon as the clock passes it', async () => {
    const app = await dev();
    const url = await serviceUrl(app);
    await json(app, 'POST', '/dev/clock', { at: '2026-12-05T19:40' });
    // Out of hours, whoever called KMD owns the outage and carries the 2-hour rule.
    const report = personal(url, ANNA, { value: { action: 'calledKmd', system: 'nexus' } });
    expect((await fetch(`${app.url}/api/messages`, { method: 'POST', body: JSON.stringify(report), headers: { 'content-type': 'application/json' } })).status).toBe(200);
    const escalations = async () =>
      (await json<DevMessage[]>(app, 'GET', '/dev/messages')).body.filter((m) => m.role === 'bot' && readable(m).includes('Nexus har været nede i over'));
    expect(await escalations()).toEqual([]);

    const moved = (await json<ClockState>(app, 'POST', '/dev/clock', { advanceMs: 2 * 3_600_000 + 60_000 })).body;
    expect(moved.ran).toBeGreaterThanOrEqual(1);
    // The answer comes after the round: the card is there already, in the owner's chat.
    const sent = await escalations();
    expect(sent.map((m) => m.conversationId)).toEqual([report.conversation.id]);
  });

  it('a ManualClock passed in is set and moved the same way', async () => {
    const clock = new ManualClock('2026-12-07T09:00:00+01:00');
    const app = await dev({ clock });
    expect((await json<ClockState>(app, 'GET', '/dev/clock')).body.local).toBe('mandag 7. december 2026 kl. 9.00');
    await json(app, 'POST', '/dev/clock', { advanceMs: 15 * 60_000 });
    expect(clock.now().toISOString()).toBe('2026-12-07T08:15:00.000Z');
    await json(app, 'POST', '/dev/clock', { at: '2026-12-24T18:00' });
    expect(clock.now().toISOString()).toBe('2026-12-24T17:00:00.000Z');
  });

  it('a clock of another kind is shown but cannot be moved (409)', async () => {
    const app = await dev({ clock: { now: () => new Date('2026-12-07T08:00:00Z') } });
    const state = (await json<ClockState>(app, 'GET', '/dev/clock')).body;
    expect(state).toMatchObject({ movable: false, local: 'mandag 7. december 2026 kl. 9.00' });
    expect((await json(app, 'POST', '/dev/clock', { advanceMs: 1 })).status).toBe(409);
  });
});
