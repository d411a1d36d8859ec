import { ActivityHandler, MemoryStorage, type Storage, type StoreItems } from 'botbuilder';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { loadInstruction } from '../../src/instruction/load';
import { createLogger } from '../../src/log';
import { createAdapter } from '../../src/server/adapter';
import { createServer, type AppServer } from '../../src/server/server';
import { messageActivity, postActivity } from '../helpers/activities';
import { startConnector, type Connector } from '../support/connector';
import { captureLogs } from '../helpers/logs';

/**
 * The server with a stand-in bot, for what the whole app cannot show easily:
 * a slow turn during close, a failing turn, a storage that does not answer.
 */

const config = loadConfig({ STORAGE: 'memory', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
const instruction = loadInstruction();

interface Harness {
  server: AppServer;
  url: string;
  connector: Connector;
}

const open: Harness[] = [];

afterEach(async () => {
  for (const h of open.splice(0)) {
    await h.server.close();
    await h.connector.close();
  }
});

async function start(bot: ActivityHandler, storage: Pick<Storage, 'read'> = new MemoryStorage(), logs = captureLogs()): Promise<Harness> {
  const logger = createLogger({ logLevel: 'debug' }, logs);
  const adapter = createAdapter(config, logger, instruction);
  const server = createServer({ config, adapter, bot, storage, logger, readyTimeoutMs: 200, drainTimeoutMs: 5000 });
  const { port } = await server.listen();
  const connector = await startConnector();
  const h = { server, url: `http://127.0.0.1:${port}`, connector };
  open.push(h);
  return h;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('createServer', () => {
  it('close() waits for a turn in flight, which still delivers its reply', async () => {
    const entered = deferred();
    const release = deferred();
    const bot = new ActivityHandler();
    bot.onMessage(async (context, next) => {
      entered.resolve();
      await release.promise;
      await context.sendActivity('done');
      await next();
    });
    const h = await start(bot);

    const post = postActivity(h.url, messageActivity({ serviceUrl: h.connector.url, text: 'hej' }));
    await entered.promise;
    let closed = false;
    const closing = h.server.close().then(() => {
      closed = true;
    });
    // A new connection is refused while the old turn finishes; by the time the refusal is back, a close
    // that did not wait for the turn would have resolved.
    await expect(fetch(`${h.url}/healthz`)).rejects.toThrow();
    expect(closed).toBe(false);

    release.resolve();
    expect((await post).status).toBe(200);
    await closing;
    expect(closed).toBe(true);
    expect(h.connector.activities().map((a) => a.text)).toEqual(['done']);
  });

  it('a failing turn gets the kind Danish message with the numbers from the instruction, and 200', async () => {
    const logs = captureLogs();
    const bot = new ActivityHandler();
    bot.onMessage(async () => {
      throw new Error('boom for 010190-1234');
    });
    const h = await start(bot, new MemoryStorage(), logs);

    const res = await postActivity(h.url, messageActivity({ serviceUrl: h.connector.url, text: 'hej' }));
    expect(res.status).toBe(200);
    const [reply] = h.connector.activities();
    expect(reply?.text).toBe(
      'Beklager, noget gik galt hos mig. Prøv igen om lidt. Haster det, så ring til Nexusteamet: 4328 2020 (eller KMD-support: 4460 5040 uden for åbningstid).',
    );
    expect(reply?.text).not.toMatch(/source code/i);

    const failure = logs.lines().find((l) => l['msg'] === 'turn failed');
    expect(failure).toMatchObject({ level: 'error', conversationId: expect.stringMatching(/^a:/), activityId: expect.any(String) });
    expect(JSON.stringify(failure)).toContain('boom for ******-****');
    expect(logs.text()).not.toContain('010190-1234');
  });

  it('a failing turn written in English gets the English message; Danish from an English Teams gets Danish', async () => {
    const bot = new ActivityHandler();
    bot.onMessage(async () => {
      throw new Error('boom');
    });
    const h = await start(bot);
    await postActivity(h.url, messageActivity({ serviceUrl: h.connector.url, text: 'Nexus is down', locale: 'en-GB' }));
    expect(h.connector.activities()[0]?.text).toMatch(/^Sorry, something went wrong on my side\. .*4328 2020.*4460 5040/);
    await postActivity(h.url, messageActivity({ serviceUrl: h.connector.url, text: 'Nexus er nede', locale: 'en-GB' }));
    expect(h.connector.activities()[1]?.text).toMatch(/^Beklager, noget gik galt hos mig\./);
  });

  it('/readyz is 503 when the storage fails or does not answer in time', async () => {
    const failing: Pick<Storage, 'read'> = { read: async () => Promise.reject(new Error('disk gone')) };
    const h1 = await start(new ActivityHandler(), failing);
    expect((await fetch(`${h1.url}/readyz`)).status).toBe(503);

    const hanging: Pick<Storage, 'read'> = { read: () => new Promise<StoreItems>(() => undefined) };
    const h2 = await start(new ActivityHandler(), hanging);
    const res = await fetch(`${h2.url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'unavailable', reason: 'storage' });
  });

  it('logs each request at debug with method, path, status and duration, without bodies', async () => {
    const logs = captureLogs();
    const h = await start(new ActivityHandler(), new MemoryStorage(), logs);
    await fetch(`${h.url}/healthz?x=1`);
    await postActivity(h.url, messageActivity({ serviceUrl: h.connector.url, text: 'en tekst der ikke må logges' }));
    await h.server.close();
    const requests = logs.lines().filter((l) => l['msg'] === 'request');
    expect(requests).toEqual([
      expect.objectContaining({ level: 'debug', method: 'GET', path: '/healthz', status: 200, durationMs: expect.any(Number) }),
      expect.objectContaining({ level: 'debug', method: 'POST', path: '/api/messages', status: 200 }),
    ]);
    expect(logs.text()).not.toContain('en tekst der ikke må logges');
    const received = logs.lines().find((l) => l['msg'] === 'activity received');
    expect(received?.['activity']).toMatchObject({ type: 'message', textLength: 27, channelId: 'msteams' });
  });

  it('unknown paths are 404 and GET /api/messages is not allowed', async () => {
    const h = await start(new ActivityHandler());
    expect((await fetch(`${h.url}/nope`)).status).toBe(404);
    expect((await fetch(`${h.url}/api/messages`)).status).toBe(405);
  });
});
