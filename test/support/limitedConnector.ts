import { createHash } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import { TEAMS_GLOBAL, TEAMS_PER_CONVERSATION, type RateWindow } from '../../src/notify/pacing';
import { isRecord } from '../../src/lib/isRecord';
import { baseConversationId } from '../../src/teams/addressing';
import { activityPath, closeServer, listenLocal, parseJson, readBody, sendJson } from './stubServer';

/**
 * A local Bot Connector that enforces Teams' rate limits (per conversation 7/1 s,
 * 8/2 s, 60/30 s, 1800/h; 50/s overall), answers a broken limit with 429 and
 * counts it as a violation, injects 429s (half with Retry-After: 1), 502s and
 * connection resets reproducibly from a seed, and counts deliveries by the
 * outbox id in `channelData.outboxId` (Outbox `tagActivities: true`).
 *
 * The outbox tests' and the broadcast bench's (bench/broadcast.ts).
 */

export interface LimitedRequest {
  /** Arrival order, from 1. */
  readonly n: number;
  readonly method: string;
  /** URL-decoded conversation id (a thread keeps its `;messageid=`). */
  readonly conversationId: string;
  /** The base conversation: the per-conversation limits' key. */
  readonly key: string;
  /** PUT's activity id. */
  readonly activityId: string | undefined;
  /** The client's id for the message (`channelData.outboxId`), if any. */
  readonly outboxId: string | undefined;
  /** Arrival (ms since the epoch). */
  readonly at: number;
}

export interface LimitedAnswer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

export interface LimitedConnectorOptions {
  /** Default Teams' per-conversation windows. */
  readonly perConversation?: readonly RateWindow[];
  /** Default 50 per second. */
  readonly global?: readonly RateWindow[];
  /** Share (0..1) of requests answered 429 Throttled, half of them with Retry-After: 1. */
  readonly inject429?: number;
  /** Share (0..1) of requests answered 502. */
  readonly inject502?: number;
  /** Share (0..1) of requests whose connection is reset without an answer. */
  readonly injectReset?: number;
  /** Makes the injections reproducible: decided per (message id, n-th time seen). Default 1. */
  readonly seed?: number;
  /** Delay before answering (ms): a number, or a uniform range. Default 0. */
  readonly latencyMs?: number | { readonly min: number; readonly max: number };
  /**
   * Whether requests answered with an injected 429 count in the windows. Default
   * false: a 429 refuses the request, as a violation does (violations never count).
   */
  readonly count429?: boolean;
  /** Whether requests answered with an injected 502 or reset count in the windows (they reached the service). Default true. */
  readonly count502?: boolean;
  /** A test's own answer for a request that kept the limits (it counts in the windows). */
  readonly respond?: (request: LimitedRequest) => LimitedAnswer | undefined;
}

export interface LimitedReport {
  /** Requests received (sends, replies, updates). */
  readonly requests: number;
  /** Distinct messages delivered (by outbox id; a request without one counts as its own). */
  readonly delivered: number;
  /** Deliveries beyond the first of the same message. */
  readonly duplicates: number;
  /** Requests that broke a limit (answered 429, not counted in the windows). */
  readonly violations: number;
  readonly injected429: number;
  readonly injected429WithRetryAfter: number;
  readonly injected502: number;
  readonly injectedResets: number;
  /** Requests answered by the `respond` option. */
  readonly overridden: number;
  /** Requests counted in the windows (everything but violations and, unless count429, injected 429s). */
  readonly admitted: number;
}

export interface LimitedConnector {
  readonly url: string;
  report(): LimitedReport;
  /** Outbox id → times delivered. */
  deliveries(): ReadonlyMap<string, number>;
  /** Every request with its answer's status (0 for a reset), in arrival order. */
  log(): readonly (LimitedRequest & { readonly status: number; readonly violation: boolean; readonly activityIdGiven?: string })[];
  close(): Promise<void>;
}

export async function startLimitedConnector(options: LimitedConnectorOptions = {}): Promise<LimitedConnector> {
  const perConversation = options.perConversation ?? TEAMS_PER_CONVERSATION;
  const global = options.global ?? TEAMS_GLOBAL;
  const inject429 = options.inject429 ?? 0;
  const inject502 = options.inject502 ?? 0;
  const injectReset = options.injectReset ?? 0;
  const seed = options.seed ?? 1;
  const count429 = options.count429 ?? false;
  const count502 = options.count502 ?? true;
  const keyWindow = Math.max(...perConversation.map((w) => w.windowMs));
  const globalWindow = Math.max(...global.map((w) => w.windowMs));

  const accepted = new Map<string, number[]>();
  const acceptedGlobal: number[] = [];
  const seen = new Map<string, number>();
  const delivered = new Map<string, number>();
  const entries: (LimitedRequest & { status: number; violation: boolean; activityIdGiven?: string })[] = [];
  const counts = { requests: 0, admitted: 0, violations: 0, injected429: 0, injected429WithRetryAfter: 0, injected502: 0, injectedResets: 0, overridden: 0, duplicates: 0 };
  let n = 0;
  let ids = 0;

  /** True when one more request at `at` keeps every window (independent of src/notify/pacing). */
  const keeps = (times: readonly number[], windows: readonly RateWindow[], at: number): boolean =>
    windows.every((w) => times.filter((t) => t > at - w.windowMs).length < w.limit);
  const admit = (key: string, at: number) => {
    counts.admitted++;
    const times = accepted.get(key) ?? [];
    times.push(at);
    while (times.length > 0 && (times[0] ?? 0) <= at - keyWindow) times.shift();
    accepted.set(key, times);
    acceptedGlobal.push(at);
    while (acceptedGlobal.length > 0 && (acceptedGlobal[0] ?? 0) <= at - globalWindow) acceptedGlobal.shift();
  };
  const latency = (k: string): number => {
    const l = options.latencyMs ?? 0;
    if (typeof l === 'number') return l;
    return l.min + uniform(`${seed}:latency:${k}`) * (l.max - l.min);
  };

  const server = createServer((req, res) => {
    const at = Date.now();
    void readBody(req).then((raw) => {
      const method = req.method ?? 'GET';
      const route = parseRoute(method, req.url ?? '/');
      if (!route) {
        answer(res, { status: 404, body: { error: { code: 'NotFound', message: 'Not handled by the limited connector.' } } }, 0);
        return;
      }
      const body = parseJson(raw);
      const outboxId = outboxIdOf(body);
      const request: LimitedRequest = { n: ++n, method, conversationId: route.conversationId, key: baseConversationId(route.conversationId), activityId: route.activityId, outboxId, at };
      counts.requests++;
      const clientId = outboxId ?? `#${request.n}`;
      const k = (seen.get(clientId) ?? 0) + 1;
      seen.set(clientId, k);
      const delay = latency(`${clientId}:${k}`);

      if (!keeps(accepted.get(request.key) ?? [], perConversation, at) || !keeps(acceptedGlobal, global, at)) {
        counts.violations++;
        entries.push({ ...request, status: 429, violation: true });
        answer(res, { status: 429, body: { error: { code: 'Throttled', message: 'Too many requests (limit broken).' } }, headers: { 'Retry-After': '1' } }, delay);
        return;
      }

      const override = options.respond?.(request);
      const u = uniform(`${seed}:inject:${clientId}:${k}`);
      let failure: LimitedAnswer | 'reset' | undefined;
      if (override) {
        counts.overridden++;
        failure = override.status >= 200 && override.status < 300 ? undefined : override;
      } else if (u < inject429) {
        counts.injected429++;
        const withRetryAfter = uniform(`${seed}:retry-after:${clientId}:${k}`) < 0.5;
        if (withRetryAfter) counts.injected429WithRetryAfter++;
        failure = { status: 429, body: { error: { code: 'Throttled', message: 'Too many requests.' } }, ...(withRetryAfter ? { headers: { 'Retry-After': '1' } } : {}) };
      } else if (u < inject429 + inject502) {
        counts.injected502++;
        failure = { status: 502, body: { error: { code: 'BadGateway', message: 'Bad gateway.' } } };
      } else if (u < inject429 + inject502 + injectReset) {
        counts.injectedResets++;
        failure = 'reset';
      }
      const counts429 = failure !== undefined && failure !== 'reset' && failure.status === 429;
      if (failure === undefined || (counts429 ? count429 : count502)) admit(request.key, at);
      if (failure === 'reset') {
        entries.push({ ...request, status: 0, violation: false });
        req.socket.destroy();
        return;
      }
      if (failure) {
        entries.push({ ...request, status: failure.status, violation: false });
        answer(res, failure, delay);
        return;
      }
      const times = (delivered.get(clientId) ?? 0) + 1;
      delivered.set(clientId, times);
      if (times > 1) counts.duplicates++;
      const activityId = route.activityId ?? `activity-${++ids}`;
      const status = method === 'PUT' ? 200 : 201;
      entries.push({ ...request, status, violation: false, activityIdGiven: activityId });
      answer(res, override && override.body !== undefined ? override : { status, body: { id: activityId } }, delay);
    });
  });
  server.keepAliveTimeout = 60_000;
  const url = await listenLocal(server);

  return {
    url,
    report: () => ({
      requests: counts.requests,
      delivered: delivered.size,
      duplicates: counts.duplicates,
      violations: counts.violations,
      injected429: counts.injected429,
      injected429WithRetryAfter: counts.injected429WithRetryAfter,
      injected502: counts.injected502,
      injectedResets: counts.injectedResets,
      overridden: counts.overridden,
      admitted: counts.admitted,
    }),
    deliveries: () => new Map(delivered),
    log: () => [...entries],
    close: () => closeServer(server),
  };
}

/** A send or reply (POST; a reply's activity id is not kept) or an update (PUT); undefined for anything else. */
function parseRoute(method: string, url: string): { conversationId: string; activityId: string | undefined } | undefined {
  const route = activityPath(url);
  if (route === undefined) return undefined;
  if (method === 'POST') return { conversationId: route.conversationId, activityId: undefined };
  if (method === 'PUT' && route.activityId !== undefined) return route;
  return undefined;
}

function answer(res: ServerResponse, a: LimitedAnswer, delayMs: number): void {
  const send = () => sendJson(res, a.status, a.body, a.headers);
  if (delayMs > 0) setTimeout(send, delayMs);
  else send();
}

function outboxIdOf(body: unknown): string | undefined {
  if (!isRecord(body)) return undefined;
  const channelData = body['channelData'];
  const id = isRecord(channelData) ? channelData['outboxId'] : undefined;
  return typeof id === 'string' ? id : undefined;
}

/** A reproducible number in [0, 1) from a text. */
function uniform(text: string): number {
  const digest = createHash('sha256').update(text).digest();
  return digest.readUInt32BE(0) / 0x1_0000_0000;
}
