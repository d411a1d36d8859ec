import type { Activity, CloudAdapter, TurnContext } from 'botbuilder';
import { systemClock, type Clock } from '../domain/clock';
import type { Logger } from '../log';
import { isRecord } from '../lib/isRecord';
import { conversationReference, threadConversationId, type ConversationTarget, type TeamsReference } from '../teams/addressing';

/**
 * Proactive sending to Teams: the SDK stays at this edge. Everything else asks a
 * `Sender` to post, reply in a thread, or replace a message.
 *
 * What botbuilder 4.23.3 does underneath (checked against a local connector):
 *
 * - A failed call rejects with a `RestError` (@azure/core-rest-pipeline) carrying
 *   `statusCode` (403, 429, 502, …) and `code` (the connector's error code, e.g.
 *   `BotNotInConversationRoster`, `Throttled`; for network failures the Node code,
 *   e.g. `ECONNREFUSED`, with no statusCode). The response is on the non-enumerable
 *   `err.response`, whose `headers.get('retry-after')` gives Retry-After. The error
 *   also holds the outgoing request (with its bearer token): never log it whole;
 *   `SendError` keeps only status, code and retryability.
 * - Errors thrown inside `continueConversationAsync`'s logic do NOT reach the
 *   caller: the adapter hands them to `onTurnError` (which logs "turn failed" and
 *   returns). `runProactive` therefore catches inside the turn and rethrows outside.
 * - The connector client's HTTP pipeline has its own retry policy
 *   (`defaultRetryPolicy`: 3 retries for 5xx/408 and socket errors, and for
 *   429/503 with Retry-After it waits in the pipeline). Under the outbox, which
 *   retries, paces and shares a throttle itself, that would make up to 4 requests
 *   per try, keep a send slot busy for a whole Retry-After and hide the 429 from
 *   the throttle. There is no supported way to turn it off in botbuilder 4.23.3:
 *   `ConnectorClientOptions.noRetryPolicy` is declared but ignored by the SDK's
 *   ServiceClientContext (botbuilder-stdlib, "do something with noPolicy option"),
 *   `retryOptions` is not passed on to the core ServiceClient, the connector
 *   factory replaces `requestPolicyFactories` with its own, and a custom
 *   `httpClient` sits below the retry policy. Each proactive turn gets a new
 *   connector client (`turnState`, the adapter's public `ConnectorClientKey`), so
 *   the sender removes the policy by name from that client's pipeline, which the
 *   typings mark private (see `#oneTryOnly`). If a later SDK hides the pipeline,
 *   the sender logs a warning once and still works (with the SDK's retries).
 * - A proactive turn's `sendActivity` would be posted as a reply to the
 *   continuation activity's random id (POST …/activities/{uuid}); the sender
 *   removes that `replyToId`, so a send is a new post (POST …/activities), and a
 *   thread reply is a new post in the thread conversation
 *   `<channel>;messageid=<root>` (DESIGN.md, Threads).
 * - With an empty app id (development) no token is requested or sent: this works
 *   against the local connector (test/notify/sender.test.ts).
 *
 * One try per call: the outbox (src/notify/outbox/) owns retrying. A failure is a
 * `SendError` that says whether trying again later may succeed: HTTP 408, 412,
 * 429, 500, 502, 503, 504 and socket errors (ECONNRESET, ECONNREFUSED, ETIMEDOUT,
 * …) are `retryable`, with the Retry-After Teams asked for in `retryAfterMs`; 403
 * (bot removed or blocked), 404 and other 4xx are not. A request Teams does not
 * answer within `requestTimeoutMs` fails as a retryable ETIMEDOUT.
 *
 * Duplicates: a POST that Teams accepted but whose answer was lost (a reset
 * connection, a 502/504 from a gateway) may be posted twice by the outbox's
 * retry; updates (PUT) are idempotent. That is the "at least once, never zero"
 * of DESIGN.md.
 */

export type { ConversationTarget } from '../teams/addressing';

export interface SendResult {
  /** The id Teams gave the new message ('' in the unlikely case Teams returned none). */
  readonly activityId: string;
}

/** A Teams send: one request, no retry (the outbox, which calls it, retries). */
export interface Sender {
  /** A new message: in a channel conversation id this is a new top-level post (a new thread). */
  send(target: ConversationTarget, activity: Partial<Activity>): Promise<SendResult>;
  /** A reply in the thread of a channel post: conversation id `${channelId};messageid=${rootActivityId}` (DESIGN.md ruling). */
  reply(target: ConversationTarget, rootActivityId: string, activity: Partial<Activity>): Promise<SendResult>;
  /** Replace an earlier message (e.g. the announcement card shows "resolved" for everyone). */
  update(target: ConversationTarget, activityId: string, activity: Partial<Activity>): Promise<void>;
}

/** A send that failed: whether it may succeed later, and what Teams said. */
export class SendError extends Error {
  override name = 'SendError';
  /** The HTTP status, undefined for network failures. */
  readonly statusCode: number | undefined;
  /** The connector's error code (`BotNotInConversationRoster`, `Throttled`, …) or the socket error code. */
  readonly code: string | undefined;
  /** True when trying again later may succeed (throttling, 5xx, network). */
  readonly retryable: boolean;
  /** How long Teams asked to wait before the next try (ms), if it did. */
  readonly retryAfterMs: number | undefined;

  constructor(operation: SendOperation, failure: Failure, options: { cause: unknown }) {
    const what = failure.statusCode !== undefined ? `HTTP ${failure.statusCode}` : 'no HTTP answer';
    super(`Teams ${operation} failed (${what}${failure.code ? ` ${failure.code}` : ''})${failure.retryable ? '; it may succeed later' : ''}`, options);
    this.statusCode = failure.statusCode;
    this.code = failure.code;
    this.retryable = failure.retryable;
    this.retryAfterMs = failure.retryAfterMs;
  }
}

export type SendOperation = 'send' | 'reply' | 'update';

export interface AdapterSenderOptions {
  /** For Retry-After dates; default the system clock. */
  readonly clock?: Clock;
  /** Longest wait for Teams to answer one request (default 15 s): a hung connection must not stall the sender. */
  readonly requestTimeoutMs?: number;
}

/** The Teams sender: one request per call, through the adapter (see the module comment). */
export class AdapterSender implements Sender {
  readonly #adapter: CloudAdapter;
  readonly #appId: string;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #requestTimeoutMs: number;
  #warnedPipeline = false;

  constructor(adapter: CloudAdapter, appId: string, logger: Logger, options: AdapterSenderOptions = {}) {
    this.#adapter = adapter;
    this.#appId = appId;
    this.#logger = logger;
    this.#clock = options.clock ?? systemClock;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
  }

  async send(target: ConversationTarget, activity: Partial<Activity>): Promise<SendResult> {
    return this.#post('send', target, target.conversationId, activity);
  }

  async reply(target: ConversationTarget, rootActivityId: string, activity: Partial<Activity>): Promise<SendResult> {
    return this.#post('reply', target, threadConversationId(target.conversationId, rootActivityId), activity);
  }

  async update(target: ConversationTarget, activityId: string, activity: Partial<Activity>): Promise<void> {
    if (activityId === '') throw new TypeError('AdapterSender.update: activityId is empty');
    const reference = conversationReference(target, target.conversationId, this.#appId);
    await this.#once('update', reference, activityId, async (ctx) => {
      ctx.onUpdateActivity(async (_ctx, outgoing, next) => {
        // The continuation activity's random id must not travel as replyToId.
        delete outgoing.replyToId;
        return next();
      });
      await ctx.updateActivity({ ...activity, id: activityId });
    });
  }

  async #post(operation: 'send' | 'reply', target: ConversationTarget, conversationId: string, activity: Partial<Activity>): Promise<SendResult> {
    const reference = conversationReference(target, conversationId, this.#appId);
    return this.#once(operation, reference, undefined, async (ctx) => {
      ctx.onSendActivities(async (_ctx, outgoing, next) => {
        // Without this, the SDK posts a reply to the continuation activity's random
        // id; a new post (or a new post inside the thread conversation) is meant.
        for (const a of outgoing) delete a.replyToId;
        return next();
      });
      const response = await ctx.sendActivity({ type: 'message', ...activity });
      const activityId = response?.id ?? '';
      if (activityId === '') {
        this.#logger.warn({ conversationId: reference.conversation.id, operation }, 'Teams accepted a message but returned no activity id');
      }
      return { activityId };
    });
  }

  /** One request in a proactive turn; a failure becomes a SendError (logged at debug, without the text). */
  async #once<T>(operation: SendOperation, reference: TeamsReference, activityId: string | undefined, logic: (ctx: TurnContext) => Promise<T>): Promise<T> {
    const conversationId = reference.conversation.id;
    try {
      const value = await withTimeout(
        runProactive(this.#adapter, this.#appId, reference, async (ctx) => {
          this.#oneTryOnly(ctx);
          return logic(ctx);
        }),
        this.#requestTimeoutMs,
      );
      const sentId = activityId ?? (isRecord(value) && typeof value['activityId'] === 'string' ? value['activityId'] : undefined);
      this.#logger.debug({ operation, conversationId, activityId: sentId }, `Teams ${operation} delivered`);
      return value;
    } catch (err) {
      const failure = classifyFailure(err, this.#clock.now());
      this.#logger.debug(
        { operation, conversationId, activityId, statusCode: failure.statusCode, code: failure.code, retryable: failure.retryable, retryAfterMs: failure.retryAfterMs },
        `Teams ${operation} failed`,
      );
      throw new SendError(operation, failure, { cause: err });
    }
  }

  /**
   * Makes this turn's (fresh) connector client send each request once, within the
   * request timeout: removes the SDK's retry policy from its pipeline and closes
   * the socket of a request Teams never answers. The pipeline is reached through
   * the client's `client` field, private in the SDK's typings: there is no
   * supported way (see the module comment).
   */
  #oneTryOnly(ctx: TurnContext): void {
    const client: unknown = ctx.turnState.get(this.#adapter.ConnectorClientKey);
    const inner = isRecord(client) ? client['client'] : undefined;
    const pipeline = isRecord(inner) ? inner['pipeline'] : undefined;
    if (isPipeline(pipeline)) {
      pipeline.removePolicy({ name: SDK_RETRY_POLICY });
      const timeout = this.#requestTimeoutMs;
      pipeline.addPolicy?.({
        name: 'nedbrudRequestTimeout',
        sendRequest: (request: { timeout?: number }, next: (request: unknown) => Promise<unknown>) => {
          if (!request.timeout) request.timeout = timeout;
          return next(request);
        },
      });
      return;
    }
    if (!this.#warnedPipeline) {
      this.#warnedPipeline = true;
      this.#logger.warn('botbuilder connector pipeline not found: the SDK retries failed sends too (more requests per send)');
    }
  }
}

/** The name under which @azure/core-rest-pipeline adds its retry policy. */
const SDK_RETRY_POLICY = 'defaultRetryPolicy';

interface Pipeline {
  removePolicy(options: { name?: string }): unknown;
  addPolicy?(policy: { name: string; sendRequest: (request: { timeout?: number }, next: (request: unknown) => Promise<unknown>) => Promise<unknown> }): void;
}

/** Rejects with a retryable ETIMEDOUT when `promise` has not settled within `ms` (the timeout policy closes the socket). */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`Teams did not answer within ${ms} ms`), { code: 'ETIMEDOUT' })), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function isPipeline(value: unknown): value is Pipeline {
  return isRecord(value) && typeof value['removePolicy'] === 'function';
}


/**
 * Runs `logic` in a proactive turn and returns its value or throws its error to the
 * caller (the adapter would otherwise give the error to onTurnError and swallow it).
 */
export async function runProactive<T>(
  adapter: CloudAdapter,
  appId: string,
  reference: TeamsReference,
  logic: (ctx: TurnContext) => Promise<T>,
): Promise<T> {
  const box: { outcome?: { ok: true; value: T } | { ok: false; error: unknown } } = {};
  await adapter.continueConversationAsync(appId, reference, async (ctx) => {
    try {
      box.outcome = { ok: true, value: await logic(ctx) };
    } catch (error) {
      box.outcome = { ok: false, error };
    }
  });
  const { outcome } = box;
  if (outcome === undefined) throw new Error('proactive turn did not run its logic (a middleware ended the turn)');
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}


export interface Failure {
  readonly statusCode: number | undefined;
  readonly code: string | undefined;
  readonly retryable: boolean;
  /** From Retry-After (seconds or an HTTP date), retry-after-ms or x-ms-retry-after-ms. */
  readonly retryAfterMs: number | undefined;
}

const RETRYABLE_STATUS = new Set([408, 412, 429, 500, 502, 503, 504]);
const RETRYABLE_SOCKET = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'REQUEST_SEND_ERROR',
]);

/** What a failed SDK call means for a retry (pure; `now` for Retry-After dates). */
export function classifyFailure(err: unknown, now: Date): Failure {
  const e = isRecord(err) ? err : {};
  const statusCode = typeof e['statusCode'] === 'number' ? e['statusCode'] : undefined;
  const code = typeof e['code'] === 'string' && e['code'] !== '' ? e['code'] : undefined;
  const retryable = statusCode !== undefined ? RETRYABLE_STATUS.has(statusCode) : code !== undefined && RETRYABLE_SOCKET.has(code);
  return { statusCode, code, retryable, retryAfterMs: retryAfterOf(e['response'], now) };
}

function retryAfterOf(response: unknown, now: Date): number | undefined {
  const headers = isRecord(response) ? response['headers'] : undefined;
  const get = (name: string): string | undefined => {
    if (!isRecord(headers)) return undefined;
    const getter = headers['get'];
    if (typeof getter === 'function') {
      const value: unknown = getter.call(headers, name);
      return typeof value === 'string' ? value : undefined;
    }
    const value = headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const ms = Number(get(name));
    if (get(name) !== undefined && Number.isFinite(ms) && ms >= 0) return ms;
  }
  const value = get('retry-after')?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now.getTime()) : undefined;
}

