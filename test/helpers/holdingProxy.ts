import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listenLocal, readBody } from '../support/stubServer';

/**
 * A tiny HTTP proxy in front of the local connector (test/support/connector.ts)
 * that can hold ONE request without answering: the bot's send stays "in flight"
 * for as long as the test wants (e.g. until it SIGKILLs the bot process).
 *
 * - `forwardHeld: true`: the held request is first forwarded, so the connector
 *   records it and answers 201 (Teams accepted the message), and only the answer
 *   back to the bot is withheld: a kill then falls between "Teams accepted" and
 *   "the bot recorded it".
 * - `forwardHeld: false`: the held request never reaches the connector (Teams had
 *   not accepted it when the bot died).
 *
 * Every other request (and every request after the held one) is passed through.
 */

export interface ProxiedRequest {
  readonly method: string;
  /** Raw path as received, without the query. */
  readonly path: string;
  readonly body: string;
}

export interface HeldRequest extends ProxiedRequest {
  /** Date.now() when the proxy had it (after forwarding, with forwardHeld). */
  readonly heldAt: number;
  /** The connector's status for it (forwardHeld), else undefined. */
  readonly upstreamStatus: number | undefined;
  /** Resolves with Date.now() when the bot's side of the connection closed (e.g. the process died). */
  readonly clientGone: Promise<number>;
}

export interface HoldingProxyOptions {
  /** The connector's base url. */
  readonly target: string;
  /** Which request to hold (only the first match is held). */
  readonly hold: (request: ProxiedRequest) => boolean;
  readonly forwardHeld: boolean;
}

export interface HoldingProxy {
  /** Base url to give the bot as serviceUrl. */
  readonly url: string;
  /** Resolves once the request to hold has arrived (and was forwarded, with forwardHeld). */
  held(timeoutMs: number): Promise<HeldRequest>;
  close(): Promise<void>;
}

export async function startHoldingProxy(opts: HoldingProxyOptions): Promise<HoldingProxy> {
  let heldOne: HeldRequest | undefined;
  let onHeld: ((h: HeldRequest) => void) | undefined;
  const pending = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(502).end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const request: ProxiedRequest = { method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0] ?? '/', body };
    if (heldOne === undefined && opts.hold(request)) {
      const clientGone = new Promise<number>((resolve) => res.once('close', () => resolve(Date.now())));
      pending.add(res);
      const upstream = opts.forwardHeld ? await forward(req, body) : undefined;
      heldOne = { ...request, heldAt: Date.now(), upstreamStatus: upstream?.status, clientGone };
      onHeld?.(heldOne);
      return; // never answered
    }
    const upstream = await forward(req, body);
    res.writeHead(upstream.status, { 'content-type': upstream.contentType });
    res.end(upstream.text);
  }

  async function forward(req: IncomingMessage, body: string): Promise<{ status: number; contentType: string; text: string }> {
    const method = req.method ?? 'GET';
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'authorization', 'accept']) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const response = await fetch(`${opts.target}${req.url ?? '/'}`, {
      method,
      headers,
      ...(method === 'GET' || method === 'HEAD' || body === '' ? {} : { body }),
    });
    return { status: response.status, contentType: response.headers.get('content-type') ?? 'application/json', text: await response.text() };
  }

  const url = await listenLocal(server);

  return {
    url,
    held: (timeoutMs) =>
      heldOne
        ? Promise.resolve(heldOne)
        : new Promise<HeldRequest>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`proxy: nothing to hold arrived within ${timeoutMs} ms`)), timeoutMs);
            onHeld = (h) => {
              clearTimeout(timer);
              resolve(h);
            };
          }),
    close: () => {
      for (const res of pending) res.destroy();
      return closeServer(server);
    },
  };
}
