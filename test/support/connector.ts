import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { Activity } from 'botbuilder';
import { isRecord } from '../../src/lib/isRecord';
import { closeServer, listenLocal, parseJson, pathSegments, readBody, sendJson } from './stubServer';

/**
 * A local stand-in for Teams' Bot Connector (DESIGN.md, "Local end-to-end"): the
 * app is given `serviceUrl` = this server's url, and everything the bot sends
 * arrives here and is recorded. No network, port 0.
 */

export interface Member {
  readonly id: string;
  readonly name: string;
  readonly aadObjectId: string;
  readonly tenantId?: string;
  readonly userPrincipalName?: string;
  readonly email?: string;
}

export interface RecordedRequest {
  readonly method: string;
  /** The raw path as received (URL-encoded), without the query. */
  readonly path: string;
  /** URL-decoded: Teams conversation ids hold ':' ';' and '='. */
  readonly conversationId: string | undefined;
  /** URL-decoded: the activity replied to or updated, when the path has one. */
  readonly activityId: string | undefined;
  readonly headers: IncomingMessage['headers'];
  /** Parsed JSON body, or the raw text when it was not JSON, or undefined. */
  readonly body: unknown;
  /** What the connector answered. */
  readonly status: number;
  /** The id the connector gave a new activity or conversation. */
  readonly assignedId: string | undefined;
}

/** One outgoing activity of the bot: the body of a send, reply or update. */
export type SentActivity = Partial<Activity> & {
  readonly kind: 'send' | 'reply' | 'update';
  /** Where it went (URL-decoded). */
  readonly toConversationId: string;
  /** The id the connector assigned (send/reply) or the id updated. */
  readonly assignedId: string;
};

export interface ConnectorOptions {
  /** Members returned by GET …/members (default: one member, Test Person). */
  readonly roster?: readonly Member[];
  /**
   * Answer a request differently (failures, throttling): return a status and body,
   * or undefined for the normal answer. The request is recorded either way.
   */
  readonly respond?: (request: { method: string; path: string; conversationId: string | undefined; body: unknown }) =>
    | { status: number; body?: unknown; headers?: Record<string, string> }
    | undefined;
}

export interface Connector {
  /** Base url to use as the activity's serviceUrl (no trailing slash). */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** The bot's outgoing activities (sends, replies, updates) in order. */
  activities(): SentActivity[];
  /** The first request, already received or yet to come, that matches; rejects after timeoutMs. */
  waitFor(predicate: (request: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  close(): Promise<void>;
}

export const DEFAULT_ROSTER: readonly Member[] = [
  {
    id: '29:1test-person',
    name: 'Test Person',
    aadObjectId: '00000000-0000-4000-8000-000000000001',
    tenantId: 'tenant-test',
    userPrincipalName: 'test.person@example.org',
    email: 'test.person@example.org',
  },
];

export async function startConnector(opts: ConnectorOptions = {}): Promise<Connector> {
  const roster = opts.roster ?? DEFAULT_ROSTER;
  const requests: RecordedRequest[] = [];
  const sent: SentActivity[] = [];
  const waiters = new Set<{ predicate: (r: RecordedRequest) => boolean; resolve: (r: RecordedRequest) => void }>();
  let counter = 0;
  const newId = (prefix: string): string => `${prefix}-${++counter}-${randomUUID().slice(0, 8)}`;

  const server = createServer((req, res) => {
    void readBody(req).then((raw) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const segments = pathSegments(path);
      const method = req.method ?? 'GET';
      const parsed = parseJson(raw);
      const body = parsed === undefined && raw !== '' ? raw : parsed;
      const answer = route(method, segments);
      const override = opts.respond?.({ method, path, conversationId: answer.conversationId, body });
      const status = override?.status ?? answer.status;
      const replyBody = override ? override.body : answer.body;
      const record: RecordedRequest = {
        method,
        path,
        conversationId: answer.conversationId,
        activityId: answer.activityId,
        headers: req.headers,
        body,
        status,
        assignedId: override ? undefined : answer.assignedId,
      };
      if (!override && answer.sent && isRecord(body)) {
        sent.push({ ...(body as Partial<Activity>), ...answer.sent });
      }
      requests.push(record);
      for (const w of waiters) {
        if (w.predicate(record)) {
          waiters.delete(w);
          w.resolve(record);
        }
      }
      sendJson(res, status, replyBody, override?.headers);
    });
  });

  interface Answer {
    status: number;
    body?: unknown;
    conversationId?: string;
    activityId?: string;
    assignedId?: string;
    sent?: { kind: SentActivity['kind']; toConversationId: string; assignedId: string };
  }

  function route(method: string, s: string[]): Answer {
    if (s[0] !== 'v3') return { status: 404, body: notFound() };
    // /v3/conversations
    if (s[1] === 'conversations' && s.length === 2 && method === 'POST') {
      const id = newId('a:conversation');
      const activityId = newId('activity');
      return { status: 201, body: { id, activityId }, conversationId: id, assignedId: id };
    }
    if (s[1] === 'conversations' && s[2] !== undefined) {
      const conversationId = s[2];
      const rest = s.slice(3);
      // /v3/conversations/:id/activities[/:activityId]
      if (rest[0] === 'activities') {
        const activityId = rest[1];
        if (method === 'POST' && rest.length === 1) {
          const id = newId('activity');
          return { status: 201, body: { id }, conversationId, assignedId: id, sent: { kind: 'send', toConversationId: conversationId, assignedId: id } };
        }
        if (method === 'POST' && activityId !== undefined && rest.length === 2) {
          const id = newId('activity');
          return {
            status: 201,
            body: { id },
            conversationId,
            activityId,
            assignedId: id,
            sent: { kind: 'reply', toConversationId: conversationId, assignedId: id },
          };
        }
        if (method === 'PUT' && activityId !== undefined && rest.length === 2) {
          return {
            status: 200,
            body: { id: activityId },
            conversationId,
            activityId,
            assignedId: activityId,
            sent: { kind: 'update', toConversationId: conversationId, assignedId: activityId },
          };
        }
        if (method === 'DELETE' && activityId !== undefined) return { status: 200, body: {}, conversationId, activityId };
      }
      // /v3/conversations/:id/members[/:userId], /pagedmembers
      if (rest[0] === 'members' && method === 'GET') {
        if (rest[1] === undefined) return { status: 200, body: roster, conversationId };
        const member = roster.find((m) => m.id === rest[1] || m.aadObjectId === rest[1]);
        return member
          ? { status: 200, body: member, conversationId }
          : { status: 404, body: { error: { code: 'MemberNotFoundInConversation', message: 'The member was not found.' } }, conversationId };
      }
      if (rest[0] === 'pagedmembers' && method === 'GET') return { status: 200, body: { members: roster }, conversationId };
      if (rest[0] === 'members' && method === 'DELETE') return { status: 200, body: {}, conversationId };
    }
    return { status: 404, body: notFound() };
  }

  const url = await listenLocal(server);

  return {
    url,
    requests,
    activities: () => [...sent],
    waitFor: (predicate, timeoutMs = 5000) => {
      const already = requests.find(predicate);
      if (already) return Promise.resolve(already);
      return new Promise<RecordedRequest>((resolve, reject) => {
        const waiter = {
          predicate,
          resolve: (r: RecordedRequest) => {
            clearTimeout(timer);
            resolve(r);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`connector: no matching request within ${timeoutMs} ms (received: ${requests.map((r) => `${r.method} ${r.path}`).join(', ') || 'none'})`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    close: () => closeServer(server),
  };
}

function notFound(): unknown {
  return { error: { code: 'NotFound', message: 'Unknown connector route.' } };
}
