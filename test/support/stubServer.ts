import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * What every local stand-in for a service the bot calls over HTTP needs (the
 * connectors here, the tests' holding proxy): listen on a free loopback port,
 * read a body, answer JSON, decode Bot Connector paths, and close without
 * waiting for kept-alive connections.
 */

/** Listens on 127.0.0.1, any free port; resolves with the base url (no trailing slash). */
export async function listenLocal(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return `http://127.0.0.1:${port}`;
}

/** Stops listening and drops every open connection (the bot keeps connections alive). */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** The whole request body as text (what arrived, if the request broke off). */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** Answers with a JSON body (none when `body` is undefined). */
export function sendJson(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The body as JSON, or undefined when it is empty or not JSON. */
export function parseJson(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

/** The path's segments below the host, each URL-decoded on its own (Teams conversation ids hold ':' ';' '=' and '@'). */
export function pathSegments(url: string): string[] {
  return (url.split('?')[0] ?? '').split('/').filter(Boolean).map(safeDecode);
}

/**
 * A Bot Connector activity path, `/v3/conversations/{id}/activities[/{activityId}]`
 * (a send, a reply or an update), decoded; undefined for any other path.
 */
export function activityPath(url: string): { conversationId: string; activityId: string | undefined } | undefined {
  const [v3, conversations, conversationId, activities, activityId, ...more] = pathSegments(url);
  if (v3 !== 'v3' || conversations !== 'conversations' || conversationId === undefined || activities !== 'activities' || more.length > 0) return undefined;
  return { conversationId, activityId };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
