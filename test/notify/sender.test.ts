import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CloudAdapter } from 'botbuilder';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { loadInstruction } from '../../src/instruction/load';
import { createLogger } from '../../src/log';
import { AdapterSender, SendError, classifyFailure } from '../../src/notify/sender';
import { threadConversationId } from '../../src/teams/addressing';
import { createAdapter } from '../../src/server/adapter';
import { startConnector, type Connector, type ConnectorOptions, type RecordedRequest } from '../support/connector';
import { captureLogs, type CapturedLogs } from '../helpers/logs';

/**
 * Proactive sending against the local Bot Connector, with the real CloudAdapter in
 * development mode (empty app id, as `npm start` runs it locally). One request per
 * call: the outbox retries (test/notify/outbox*.test.ts), neither the sender nor
 * the SDK underneath it.
 */

const CHANNEL = '19:8f1c2d3e4b5a6978@thread.tacv2';
const config = loadConfig({});
const instruction = loadInstruction();

let connector: Connector | undefined;
let logs: CapturedLogs;
let adapter: CloudAdapter;
let turnErrors: number;

beforeAll(() => {
  expect(config.development).toBe(true);
  expect(config.bot.appId).toBe('');
});

afterEach(async () => {
  await connector?.close();
  connector = undefined;
});

async function setUp(respond?: ConnectorOptions['respond'], options: ConstructorParameters<typeof AdapterSender>[3] = {}) {
  connector = await startConnector(respond ? { respond } : {});
  logs = captureLogs();
  const logger = createLogger({ logLevel: 'debug' }, logs);
  adapter = createAdapter(config, logger, instruction);
  turnErrors = 0;
  const onTurnError = adapter.onTurnError;
  adapter.onTurnError = async (ctx, err) => {
    turnErrors++;
    await onTurnError(ctx, err);
  };
  const sender = new AdapterSender(adapter, config.bot.appId, logger, options);
  return { connector, sender, target: { conversationId: CHANNEL, serviceUrl: connector.url, tenantId: 'tenant-test' } };
}

const card = (title: string) => ({
  type: 'message' as const,
  attachments: [
    {
      contentType: 'application/vnd.microsoft.card.adaptive',
      content: { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: title }] },
    },
  ],
});

const posts = (c: Connector): RecordedRequest[] => c.requests.filter((r) => r.method === 'POST');

/** Answers the first `n` matching requests with `status` (and headers), then normally. */
function failFirst(n: number, status: number, headers?: Record<string, string>): ConnectorOptions['respond'] {
  let left = n;
  return ({ method }) => {
    if (method !== 'POST' && method !== 'PUT') return undefined;
    if (left <= 0) return undefined;
    left--;
    return { status, body: { error: { code: status === 429 ? 'Throttled' : 'ServiceError', message: 'try later' } }, ...(headers ? { headers } : {}) };
  };
}

describe('AdapterSender against the local connector', () => {
  it('posts a new message to a channel and returns the id Teams gave it', async () => {
    const { connector, sender, target } = await setUp();
    const result = await sender.send(target, { type: 'message', text: 'Nexus er nede' });

    const [post] = posts(connector);
    expect(post?.path).toBe(`/v3/conversations/${encodeURIComponent(CHANNEL)}/activities`);
    expect(post?.conversationId).toBe(CHANNEL);
    expect(post?.activityId).toBeUndefined(); // a new top-level post, not a reply to anything
    expect(post?.headers.authorization).toBeUndefined(); // development: no token
    expect(result.activityId).toBe(post?.assignedId);
    expect(connector.activities()).toHaveLength(1);
    expect(connector.activities()[0]?.text).toBe('Nexus er nede');
  });

  it('replies in the thread of a channel post: conversation `<channel>;messageid=<root>`', async () => {
    const { connector, sender, target } = await setUp();
    const { activityId: root } = await sender.send(target, card('Nedbrud'));
    const reply = await sender.reply(target, root, { type: 'message', text: 'Opdatering kl. 10.15' });

    const last = posts(connector).at(-1);
    expect(last?.conversationId).toBe(`${CHANNEL};messageid=${root}`);
    expect(last?.path).toBe(`/v3/conversations/${encodeURIComponent(`${CHANNEL};messageid=${root}`)}/activities`);
    expect(reply.activityId).toBe(last?.assignedId);
    expect(reply.activityId).not.toBe(root);
  });

  it('replies in the same thread when given a thread id already', async () => {
    const { connector, sender, target } = await setUp();
    await sender.reply({ ...target, conversationId: `${CHANNEL};messageid=111` }, '222', { type: 'message', text: 'x' });
    expect(posts(connector).at(-1)?.conversationId).toBe(`${CHANNEL};messageid=222`);
  });

  it('replaces an earlier message with PUT …/activities/{id} and the new card', async () => {
    const { connector, sender, target } = await setUp();
    const { activityId } = await sender.send(target, card('Nexus er nede'));
    await sender.update(target, activityId, card('Løst: Nexus virker igen'));

    const put = connector.requests.find((r) => r.method === 'PUT');
    expect(put?.conversationId).toBe(CHANNEL);
    expect(put?.activityId).toBe(activityId);
    const updated = connector.activities().find((a) => a.kind === 'update');
    expect(updated?.assignedId).toBe(activityId);
    expect(JSON.stringify(updated?.attachments)).toContain('Løst: Nexus virker igen');
    expect(updated?.replyToId).toBeUndefined();
  });

  it('makes one request for a 502 (the SDK does not retry either): a retryable SendError; the next call is a new request', async () => {
    const { connector, sender, target } = await setUp(failFirst(1, 502));
    const error = await sender.send(target, { type: 'message', text: 'x' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SendError);
    expect(error).toMatchObject({ statusCode: 502, code: 'ServiceError', retryable: true });
    expect(posts(connector).map((r) => r.status)).toEqual([502]);
    expect(turnErrors).toBe(0); // failures never reach the adapter's "turn failed" handler

    const result = await sender.send(target, { type: 'message', text: 'x' });
    expect(posts(connector).map((r) => r.status)).toEqual([502, 201]);
    expect(result.activityId).toBe(connector.activities()[0]?.assignedId);
  });

  it('does not wait out a 429, however short its Retry-After: one request, the wait in the SendError', async () => {
    const { connector, sender, target } = await setUp(failFirst(1, 429, { 'Retry-After': '1' }));
    const started = performance.now();
    const error = await sender.send(target, { type: 'message', text: 'x' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SendError);
    expect(error).toMatchObject({ statusCode: 429, code: 'Throttled', retryable: true, retryAfterMs: 1_000 });
    expect(posts(connector)).toHaveLength(1);
    // The SDK's throttling retry would have waited the second out and tried again.
    expect(performance.now() - started).toBeLessThan(900);
    expect(connector.activities()).toHaveLength(0);
  });

  it('says how long a long Retry-After asks to wait', async () => {
    const { connector, sender, target } = await setUp(failFirst(1, 429, { 'Retry-After': '120' }));
    const error = await sender.send(target, { type: 'message', text: 'x' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ statusCode: 429, retryable: true, retryAfterMs: 120_000 });
    expect(posts(connector)).toHaveLength(1);
  });

  it('does not retry a 403 (bot removed from the team): SendError(403), not retryable', async () => {
    const { connector, sender, target } = await setUp(() => ({
      status: 403,
      body: { error: { code: 'BotNotInConversationRoster', message: 'The bot is not part of the conversation roster.' } },
    }));
    const error = await sender.send(target, { type: 'message', text: 'x' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SendError);
    expect(error).toMatchObject({ statusCode: 403, code: 'BotNotInConversationRoster', retryable: false });
    expect(posts(connector)).toHaveLength(1);
    expect(turnErrors).toBe(0);
  });

  it('does not retry a 404 on update (the message is gone)', async () => {
    const { connector, sender, target } = await setUp(({ method }) =>
      method === 'PUT' ? { status: 404, body: { error: { code: 'ActivityNotFoundInConversation', message: 'gone' } } } : undefined,
    );
    const error = await sender.update(target, '1700000000001', card('Løst')).catch((e: unknown) => e);
    expect(error).toMatchObject({ statusCode: 404, retryable: false });
    expect(connector.requests.filter((r) => r.method === 'PUT')).toHaveLength(1);
  });

  it('reports a connector that cannot be reached as a retryable network failure', async () => {
    const { sender, target } = await setUp();
    await connector?.close();
    const error = await sender.send(target, { type: 'message', text: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SendError);
    expect(error).toMatchObject({ statusCode: undefined, code: 'ECONNREFUSED', retryable: true });
  });

  it('gives up on a request Teams never answers after requestTimeoutMs: a retryable ETIMEDOUT', async () => {
    const { sender, target } = await setUp(undefined, { requestTimeoutMs: 300 });
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const serviceUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`;
      const started = performance.now();
      const error = await sender.send({ ...target, serviceUrl }, { type: 'message', text: 'x' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SendError);
      expect(error).toMatchObject({ statusCode: undefined, code: 'ETIMEDOUT', retryable: true });
      expect(performance.now() - started).toBeLessThan(2_000);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('logs each send at debug with ids, never the text', async () => {
    const { sender, target } = await setUp(failFirst(1, 502));
    await sender.send(target, { type: 'message', text: 'Hemmelig tekst 0101' }).catch(() => undefined);
    await sender.send(target, { type: 'message', text: 'Hemmelig tekst 0101' });

    const lines = logs.lines();
    expect(logs.text()).not.toContain('Hemmelig tekst');
    expect(lines).toContainEqual(expect.objectContaining({ level: 'debug', operation: 'send', conversationId: CHANNEL, statusCode: 502, retryable: true }));
    expect(lines).toContainEqual(expect.objectContaining({ level: 'debug', operation: 'send', conversationId: CHANNEL, activityId: expect.any(String) }));
  });
});

describe('conversation addressing', () => {
  it('builds a thread id from a channel id, replacing an existing messageid', () => {
    expect(threadConversationId(CHANNEL, '1700000000123')).toBe(`${CHANNEL};messageid=1700000000123`);
    expect(threadConversationId(`${CHANNEL};messageid=1`, '2')).toBe(`${CHANNEL};messageid=2`);
    expect(() => threadConversationId(CHANNEL, '')).toThrow(TypeError);
  });
});

describe('what a failure means (SendError.retryable, retryAfterMs)', () => {
  const now = new Date('2026-12-03T09:00:00Z');
  const headers = (h: Record<string, string>) => ({ get: (name: string) => h[name.toLowerCase()] });

  it.each([
    [{ statusCode: 429 }, true],
    [{ statusCode: 412 }, true],
    [{ statusCode: 500 }, true],
    [{ statusCode: 502 }, true],
    [{ statusCode: 503 }, true],
    [{ statusCode: 504 }, true],
    [{ statusCode: 400 }, false],
    [{ statusCode: 401 }, false],
    [{ statusCode: 403, code: 'ConversationBlockedByUser' }, false],
    [{ statusCode: 404 }, false],
    [{ statusCode: 413 }, false],
    [{ code: 'ECONNRESET' }, true],
    [{ code: 'ETIMEDOUT' }, true],
    [{ code: 'ENOTFOUND' }, false],
    [new TypeError('bug'), false],
  ])('%o → retryable %s', (err, retryable) => {
    expect(classifyFailure(err, now).retryable).toBe(retryable);
  });

  it('reads Retry-After as seconds or as a date, and retry-after-ms', () => {
    expect(classifyFailure({ statusCode: 429, response: { headers: headers({ 'retry-after': '2' }) } }, now).retryAfterMs).toBe(2000);
    expect(
      classifyFailure({ statusCode: 503, response: { headers: headers({ 'retry-after': 'Thu, 03 Dec 2026 09:00:05 GMT' }) } }, now).retryAfterMs,
    ).toBe(5000);
    expect(classifyFailure({ statusCode: 429, response: { headers: headers({ 'retry-after-ms': '250' }) } }, now).retryAfterMs).toBe(250);
    expect(classifyFailure({ statusCode: 429 }, now).retryAfterMs).toBeUndefined();
  });

});
