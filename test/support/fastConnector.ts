import http from 'node:http';
import { activityPath, closeServer, listenLocal, readBody, sendJson } from './stubServer';

/**
 * A fast stand-in for Teams' Bot Connector, the HTTP bench's (bench/http.ts):
 * answers every send or reply at once (201 with an id), counts deliveries, and
 * keeps the raw bodies delivered to each watched conversation until the walker
 * takes them. Unlike the tests' recording connector (connector.ts) it keeps
 * nothing else and parses no JSON, so a burst of thousands of staff costs the
 * bench little next to the bot it measures: the walker reads replies by substring.
 */
export class FastConnector {
  deliveries = 0;
  /** Requests that were not a send or reply to a conversation (member lookups, …). */
  other = 0;
  readonly #inbox = new Map<string, string[]>();
  #ids = 0;
  readonly #server: http.Server;
  #url = '';

  constructor() {
    this.#server = http.createServer((req, res) => {
      void readBody(req).then((body) => {
        const route = activityPath(req.url ?? '/');
        if (req.method === 'POST' && route !== undefined) {
          this.deliveries += 1;
          this.#inbox.get(route.conversationId)?.push(body);
          sendJson(res, 201, { id: `bench-${++this.#ids}` });
          return;
        }
        this.other += 1;
        sendJson(res, 404, { error: { code: 'NotFound', message: 'Not handled by the bench connector.' } });
      });
    });
    this.#server.keepAliveTimeout = 60_000;
  }

  async start(): Promise<string> {
    this.#url = await listenLocal(this.#server);
    return this.#url;
  }

  get url(): string {
    return this.#url;
  }

  /** Starts keeping the bodies delivered to this conversation. */
  watch(conversationId: string): void {
    if (!this.#inbox.has(conversationId)) this.#inbox.set(conversationId, []);
  }

  /** The bodies delivered since the last take (and keeps watching). */
  take(conversationId: string): string[] {
    const box = this.#inbox.get(conversationId);
    if (!box || box.length === 0) return [];
    this.#inbox.set(conversationId, []);
    return box;
  }

  forget(conversationId: string): void {
    this.#inbox.delete(conversationId);
  }

  close(): Promise<void> {
    return closeServer(this.#server);
  }
}
