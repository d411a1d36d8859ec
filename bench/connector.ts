import http from 'node:http';

/**
 * A fast stand-in for Teams' Bot Connector: answers every send or reply at once
 * (201 with an id), counts deliveries, and keeps the raw bodies delivered to each
 * conversation until the walker takes them. No JSON parsing on the hot path: the
 * walker reads replies by substring.
 */
export class FastConnector {
  deliveries = 0;
  /** Requests that were not a send or reply to a conversation (member lookups, …). */
  other = 0;
  readonly #inbox = new Map<string, string[]>();
  #ids = 0;
  readonly #server: http.Server;
  #port = 0;

  constructor() {
    this.#server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const url = req.url ?? '/';
        // /v3/conversations/<id>/activities[/<replyToId>]
        const match = /^\/v3\/conversations\/([^/?]+)\/activities(?:\/[^/?]*)?(?:\?.*)?$/.exec(url);
        if (req.method === 'POST' && match?.[1] !== undefined) {
          this.deliveries += 1;
          const conversationId = safeDecode(match[1]);
          const box = this.#inbox.get(conversationId);
          if (box) box.push(Buffer.concat(chunks).toString('utf8'));
          const body = `{"id":"bench-${++this.#ids}"}`;
          res.writeHead(201, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
          res.end(body);
          return;
        }
        this.other += 1;
        const body = '{"error":{"code":"NotFound","message":"Not handled by the bench connector."}}';
        res.writeHead(404, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
    });
    this.#server.keepAliveTimeout = 60_000;
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    const address = this.#server.address();
    this.#port = typeof address === 'object' && address !== null ? address.port : 0;
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
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
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
