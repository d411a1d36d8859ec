import type { CloudAdapter, Storage, TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import {
  createServer as createRestifyServer,
  plugins,
  type Next,
  type Request,
  type Response,
  type Server,
  type ServerOptions,
} from 'restify';
import type { Config } from '../config';
import { isRecord } from '../lib/isRecord';
import { redactActivity } from '../log';

/** DESIGN.md ruling: bodies up to 256 KB are read; larger ones get 413. */
export const MAX_BODY_BYTES = 256 * 1024;

export interface ServerDeps {
  readonly config: Pick<Config, 'port' | 'host'>;
  readonly adapter: CloudAdapter;
  readonly bot: { run(context: TurnContext): Promise<void> };
  /** Read by /readyz (`read(['readyz'])`). */
  readonly storage: Pick<Storage, 'read'>;
  readonly logger: Logger;
  /** How long /readyz waits for the storage (default 2000 ms). */
  readonly readyTimeoutMs?: number;
  /** How long close() waits for in-flight requests before cutting connections (default 8000 ms). */
  readonly drainTimeoutMs?: number;
}

export interface AppServer {
  readonly server: Server;
  /** Listens on config.port (0 = any free port) and config.host; resolves with the bound port. */
  listen(): Promise<{ port: number }>;
  /** Stops accepting, waits for in-flight requests and turns, then resolves. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * restify 12 (DESIGN.md: declares Node ≥ 22, runs on Node 20):
 *   POST /api/messages  Bot Framework activities → adapter → bot
 *   GET  /healthz       the process is up
 *   GET  /readyz        the storage answers
 * Request logs carry method, path, status and duration, never bodies.
 */
export function createServer(deps: ServerDeps): AppServer {
  const { adapter, bot, storage, logger, config } = deps;
  const readyTimeoutMs = deps.readyTimeoutMs ?? 2000;
  const drainTimeoutMs = deps.drainTimeoutMs ?? 8000;
  const httpLog = logger.child({ component: 'http' });

  const server = createRestifyServer({
    name: 'nedbrud',
    // restify 12 logs through pino (its type definitions still say bunyan);
    // hand it ours so anything it logs is masked and levelled like the rest.
    log: logger.child({ component: 'restify' }) as unknown as ServerOptions['log'],
    ignoreTrailingSlash: true,
    handleUncaughtExceptions: false,
  });

  // In-flight accounting for a graceful close.
  let closing = false;
  let openRequests = 0;
  const turns = new Set<Promise<void>>();
  let drained: (() => void) | undefined;
  const checkDrained = (): void => {
    if (closing && openRequests === 0 && turns.size === 0) drained?.();
  };

  server.pre(function track(req: Request, res: Response, next: Next) {
    const started = process.hrtime.bigint();
    openRequests += 1;
    if (closing) res.setHeader('Connection', 'close');
    res.once('close', () => {
      openRequests -= 1;
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      httpLog.debug(
        {
          method: req.method,
          path: req.getPath(),
          status: res.statusCode,
          durationMs: Math.round(durationMs * 10) / 10,
          ...(res.writableFinished ? {} : { aborted: true }),
        },
        'request',
      );
      checkDrained();
    });
    next();
  });

  server.use(plugins.bodyReader({ maxBodySize: MAX_BODY_BYTES }));
  server.use(plugins.jsonBodyParser({ bodyReader: true, mapParams: false }));

  // Body errors: a plain explanation, never an echo of the body (Node's JSON.parse
  // message quotes part of the input).
  server.on('restifyError', (_req: Request, _res: Response, err: unknown, callback: () => void) => {
    if (err instanceof Error) {
      const status = 'statusCode' in err ? err.statusCode : undefined;
      if (status === 400 && err.name === 'InvalidContentError') {
        Object.assign(err, { toJSON: () => ({ code: 'InvalidContent', message: 'The request body is not valid JSON.' }) });
      } else if (status === 413) {
        Object.assign(err, {
          toJSON: () => ({ code: 'PayloadTooLarge', message: `The request body is larger than ${MAX_BODY_BYTES / 1024} KB.` }),
        });
      }
    }
    callback();
  });

  server.post('/api/messages', async function messages(req: Request, res: Response) {
    httpLog.debug({ activity: redactActivity(req.body) }, 'activity received');
    if (!isActivityLike(req.body)) {
      // The adapter would throw (500) on a body without a type; it is the sender's fault.
      res.send(400, { code: 'BadRequest', message: 'The body is not a Bot Framework activity (an object with a "type", a "serviceUrl" and a "conversation").' });
      return;
    }
    const turn = adapter.process(req, res, (context) => bot.run(context));
    const tracked = turn.then(
      () => undefined,
      () => undefined,
    );
    turns.add(tracked);
    void tracked.finally(() => {
      turns.delete(tracked);
      checkDrained();
    });
    try {
      await turn;
    } catch (err) {
      // The adapter answers auth and turn errors itself; this is anything else.
      httpLog.error({ err, activity: redactActivity(req.body) }, 'activity could not be processed');
      if (!res.headersSent) res.send(500, { code: 'InternalError', message: 'The activity could not be processed.' });
    }
  });

  server.get('/healthz', async function healthz(_req: Request, res: Response) {
    res.send(200, { status: 'ok' });
  });

  server.get('/readyz', async function readyz(_req: Request, res: Response) {
    if (closing) {
      res.send(503, { status: 'closing' });
      return;
    }
    try {
      await withTimeout(storage.read(['readyz']), readyTimeoutMs, 'storage did not answer in time');
      res.send(200, { status: 'ok' });
    } catch (err) {
      httpLog.warn({ err }, 'not ready: storage does not answer');
      res.send(503, { status: 'unavailable', reason: 'storage' });
    }
  });

  let closed: Promise<void> | undefined;

  return {
    server,
    listen: () =>
      new Promise<{ port: number }>((resolve, reject) => {
        const http = server.server;
        const onError = (err: Error): void => reject(err);
        http.once('error', onError);
        const onListening = (): void => {
          http.off('error', onError);
          const address = http.address();
          resolve({ port: typeof address === 'object' && address !== null ? address.port : config.port });
        };
        if (config.host) server.listen(config.port, config.host, onListening);
        else server.listen(config.port, onListening);
      }),
    close: () => {
      closed ??= (async () => {
        closing = true;
        const http = server.server;
        const stopped = new Promise<void>((resolve) => {
          if (!http.listening) return resolve();
          http.close(() => resolve());
        });
        http.closeIdleConnections();
        const idle = new Promise<void>((resolve) => {
          drained = resolve;
          checkDrained();
        });
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), drainTimeoutMs);
        });
        const outcome = await Promise.race([idle.then(() => 'drained' as const), timedOut]);
        clearTimeout(timer);
        if (outcome === 'timeout') {
          httpLog.warn({ openRequests, turns: turns.size }, 'closing with requests still in flight');
          http.closeAllConnections();
        } else {
          http.closeIdleConnections();
        }
        await stopped;
      })();
      return closed;
    },
  };
}

function isActivityLike(body: unknown): boolean {
  if (!isRecord(body)) return false;
  // Without a service URL or a conversation the bot cannot answer anyone (and would wait on an unreachable host).
  const conversationId = isRecord(body['conversation']) ? body['conversation']['id'] : undefined;
  const serviceUrl = body['serviceUrl'];
  return typeof body['type'] === 'string' && typeof serviceUrl === 'string' && serviceUrl !== '' && typeof conversationId === 'string' && conversationId !== '';
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
