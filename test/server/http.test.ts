import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../../src/index';
import { MAX_BODY_BYTES } from '../../src/server/server';
import { messageActivity, postActivity } from '../helpers/activities';
import { startConnector, type Connector, type SentActivity } from '../support/connector';

/** The whole app in-process, as Teams would reach it, with a local Bot Connector. */

const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

function actionTitles(activity: SentActivity): string[] {
  const titles: string[] = [];
  for (const attachment of activity.attachments ?? []) {
    if (attachment.contentType !== ADAPTIVE_CARD) continue;
    const content: unknown = attachment.content;
    const actions = typeof content === 'object' && content !== null && 'actions' in content ? content.actions : undefined;
    if (!Array.isArray(actions)) continue;
    for (const action of actions as unknown[]) {
      if (typeof action === 'object' && action !== null && 'title' in action && typeof action.title === 'string') titles.push(action.title);
    }
  }
  return titles;
}

function allTitles(activities: readonly SentActivity[]): string[] {
  return activities.flatMap(actionTitles);
}

describe.each([
  ['memory', (): Record<string, string> => ({ STORAGE: 'memory' })],
  ['sqlite', (dir: string): Record<string, string> => ({ STORAGE: 'sqlite', SQLITE_PATH: join(dir, 'data', 'nedbrud.sqlite') })],
] as const)('the app over HTTP (STORAGE=%s)', (_kind, storageEnv) => {
  let app: RunningApp;
  let connector: Connector;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nedbrud-http-'));
    connector = await startConnector();
    app = await startApp({ ...storageEnv(dir), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
  });

  afterAll(async () => {
    await app.close();
    await connector.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('/healthz is 200 ok', async () => {
    const res = await fetch(`${app.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz is 200 when the storage answers', async () => {
    const res = await fetch(`${app.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('a Danish message gets the welcome card, delivered before the POST returns', async () => {
    const conversationId = 'a:1Xy-personal;messageid=1700000000001;x=y';
    const activity = messageActivity({ serviceUrl: connector.url, text: 'hej', conversationId, id: 'inbound-da' });
    const before = connector.requests.length;

    const res = await postActivity(app.url, activity);
    expect([200, 201]).toContain(res.status);

    // Everything the turn sent arrived before the app answered the POST.
    const delivered = connector.requests.slice(before);
    expect(delivered.length).toBeGreaterThan(0);
    for (const r of delivered) {
      expect(r.method).toBe('POST');
      expect(r.conversationId).toBe(conversationId);
      expect(r.activityId).toBe('inbound-da');
      expect(r.path).toContain(encodeURIComponent(conversationId));
    }
    const replies = connector.activities().filter((a) => a.toConversationId === conversationId);
    expect(replies.every((a) => a.kind === 'reply' && a.replyToId === 'inbound-da')).toBe(true);
    expect(allTitles(replies)).toContain('Nexus er nede');
  });

  it('a message written in English gets the English card', async () => {
    const conversationId = 'a:1english';
    const res = await postActivity(app.url, messageActivity({ serviceUrl: connector.url, text: 'hello, what can you do?', locale: 'en-US', conversationId }));
    expect(res.status).toBe(200);
    const titles = allTitles(connector.activities().filter((a) => a.toConversationId === conversationId));
    expect(titles).toContain('Nexus is down');
    expect(titles).not.toContain('Nexus er nede');
  });

  it('a Danish message from an English Teams (locale en-US) gets the Danish card', async () => {
    const conversationId = 'a:1english-teams';
    const from = { id: '29:1english-teams', name: 'Dorte Dansk', aadObjectId: '00000000-0000-4000-8000-0000000000d0' };
    await postActivity(app.url, messageActivity({ serviceUrl: connector.url, text: 'hej', locale: 'en-US', conversationId, from }));
    const titles = allTitles(connector.activities().filter((a) => a.toConversationId === conversationId));
    expect(titles).toContain('Nexus er nede');
    expect(titles).not.toContain('Nexus is down');
  });

  it('a body over 256 KB gets 413 and reaches nobody', async () => {
    const before = connector.requests.length;
    const big = messageActivity({ serviceUrl: connector.url, text: 'x'.repeat(MAX_BODY_BYTES + 1) });
    const res = await postActivity(app.url, big);
    expect(res.status).toBe(413);
    expect(res.text).not.toContain('xxxx');
    expect(connector.requests.length).toBe(before);
  });

  it('a body just under 256 KB is read (the bot answers it)', async () => {
    const conversationId = 'a:1long';
    const activity = messageActivity({ serviceUrl: connector.url, text: '', conversationId });
    const overhead = Buffer.byteLength(JSON.stringify(activity));
    const res = await postActivity(app.url, { ...activity, text: 'y'.repeat(MAX_BODY_BYTES - overhead - 16) });
    expect(res.status).toBe(200);
    expect(connector.activities().some((a) => a.toConversationId === conversationId)).toBe(true);
  });

  it('malformed JSON gets 400 without an echo, and the app answers the next request', async () => {
    const res = await postActivity(app.url, '{"type":"message","text":"010190-1234 ');
    expect(res.status).toBe(400);
    expect(res.text).not.toContain('010190');
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    const next = await postActivity(app.url, messageActivity({ serviceUrl: connector.url, text: 'hej' }));
    expect(next.status).toBe(200);
  });

  it('a JSON body that is not an activity gets 400', async () => {
    expect((await postActivity(app.url, '[1,2]')).status).toBe(400);
    expect((await postActivity(app.url, '{}')).status).toBe(400);
  });
});
