import http from 'node:http';
import type { FastConnector } from './connector';

/**
 * One member of staff talking to a bot over HTTP: Teams-shaped activities POSTed
 * to /api/messages, replies read from the fast connector. The walk is decided by
 * the replies (the app uses the real clock: out of Nexusteam hours there is the
 * Internet question, in hours "colleagues too" ends at the Nexusteam card).
 */

export interface Person {
  readonly userId: string;
  readonly aadObjectId: string;
  readonly name: string;
  readonly conversationId: string;
}

/** A member of staff; `n` must be unique within one harness run (it makes the Entra object id). */
export function person(prefix: string, n: number): Person {
  return {
    userId: `29:1bench-${prefix}-${n}`,
    aadObjectId: `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`,
    name: `Bench ${prefix} ${n}`,
    conversationId: `a:1bench-${prefix}-${n}`,
  };
}

export type Input = { readonly text: string } | { readonly value: Readonly<Record<string, unknown>> };

export const NEXUS_DOWN: Input = { text: 'Nexus er nede' };
export const SCOPE_GENERAL: Input = { value: { action: 'triage', system: 'nexus', scope: 'general' } };
export const INTERNET_UP: Input = { value: { action: 'triage', system: 'nexus', scope: 'general', internet: 'up' } };
export const CALLED_KMD: Input = { value: { action: 'calledKmd', system: 'nexus' } };

let sequence = 0;

/** The JSON Teams would POST for this person's message or button press. */
export function activityBody(serviceUrl: string, who: Person, input: Input): string {
  sequence += 1;
  const now = new Date().toISOString();
  return JSON.stringify({
    type: 'message',
    id: `1800000000${sequence}`,
    timestamp: now,
    localTimestamp: now,
    channelId: 'msteams',
    serviceUrl,
    from: { id: who.userId, name: who.name, aadObjectId: who.aadObjectId, role: 'user' },
    conversation: { id: who.conversationId, conversationType: 'personal', tenantId: 'tenant-bench', isGroup: false },
    recipient: { id: '28:nedbrud-bot', name: 'Nedbrud', role: 'bot' },
    channelData: { tenant: { id: 'tenant-bench' } },
    locale: 'da-DK',
    textFormat: 'plain',
    ...input,
    entities: [{ type: 'clientInfo', locale: 'da-DK', country: 'DK', platform: 'Android' }],
  });
}

export interface PostOutcome {
  readonly status: number;
  /** From the first attempt's start to the end of the response. */
  readonly ms: number;
  readonly error?: string;
  /** The request was sent again because a kept-alive socket was closed under it. */
  readonly retried: boolean;
}

/**
 * POSTs to /api/messages over a keep-alive agent; resolves when the response has
 * been read. Idle sockets are dropped after 4 s, before the server's 5 s
 * keep-alive timeout; a request that still meets a socket the server closed
 * (ECONNRESET on a reused socket, before any response) is sent once more, as
 * Node's documentation advises, and counted.
 */
export class Client {
  readonly #agent = new http.Agent({ keepAlive: true, maxSockets: 512, timeout: 4000 });
  retries = 0;
  constructor(readonly port: number) {}

  async post(body: string, timeoutMs = 30_000): Promise<PostOutcome> {
    const started = performance.now();
    const first = await this.#once(body, timeoutMs);
    if (!first.staleSocket) return { status: first.status, ms: performance.now() - started, retried: false, ...(first.error ? { error: first.error } : {}) };
    this.retries += 1;
    const second = await this.#once(body, timeoutMs);
    return { status: second.status, ms: performance.now() - started, retried: true, ...(second.error ? { error: second.error } : {}) };
  }

  #once(body: string, timeoutMs: number): Promise<{ status: number; error?: string; staleSocket: boolean }> {
    return new Promise((resolve) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: this.port,
          path: '/api/messages',
          method: 'POST',
          agent: this.#agent,
          headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, staleSocket: false }));
          res.on('error', (err) => resolve({ status: 0, error: err.message, staleSocket: false }));
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        resolve({ status: 0, error: err.message, staleSocket: req.reusedSocket && err.code === 'ECONNRESET' });
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
      req.end(body);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

/** What the bot's replies to one turn were. */
export type Step = 'scope' | 'internet' | 'kmd' | 'nexusteam' | 'known' | 'owner' | 'echo' | 'turnFailed' | 'noReply' | 'unexpected';

export function classify(bodies: readonly string[]): Step {
  if (bodies.length === 0) return 'noReply';
  const all = bodies.join('\n');
  // The turn-error text carries the Nexusteam's number: check it first.
  if (all.includes('noget gik galt')) return 'turnFailed';
  if (all.includes('Virker internettet?') && all.includes('"internet":"up"')) return 'internet';
  if (all.includes('hos dine kolleger?') && all.includes('"scope":"general"')) return 'scope';
  if (all.includes('Det ved vi.') || all.includes('"action":"worksAgain"')) return 'known';
  if (all.includes('Du har nu sagen')) return 'owner';
  if (all.includes('4460 5040')) return 'kmd';
  if (all.includes('4328 2020')) return 'nexusteam';
  if (all.includes('"text":"echo ')) return 'echo';
  return 'unexpected';
}

/** Where a walk's figures go. */
export interface Sink {
  /** One POST round trip that got an answer (any status). */
  turn(personIndex: number, turnIndex: number, ms: number, endedAt: number): void;
  error(kind: string): void;
}

export interface WalkContext {
  readonly client: Client;
  readonly connector: FastConnector;
  readonly sink: Sink;
}

export interface WalkOutcome {
  readonly turns: number;
  /** The last step: kmd / nexusteam / known / echo, or the failure. */
  readonly ending: Step | 'http' | 'stopped' | 'tooLong';
  readonly ok: boolean;
}

async function turn(ctx: WalkContext, who: Person, input: Input, index: number, turnIndex: number): Promise<{ ok: boolean; step: Step }> {
  const res = await ctx.client.post(activityBody(ctx.connector.url, who, input));
  const endedAt = performance.now();
  ctx.sink.turn(index, turnIndex, res.ms, endedAt);
  const bodies = ctx.connector.take(who.conversationId);
  if (res.status < 200 || res.status >= 300) {
    ctx.sink.error(res.error ? `http: ${res.error}` : `http ${res.status}`);
    return { ok: false, step: 'unexpected' };
  }
  return { ok: true, step: classify(bodies) };
}

export interface TriageWalkOptions {
  /** Give up after this many turns (default 6). */
  readonly maxTurns?: number;
  /** The endings that count as success (default KMD or Nexusteam card). */
  readonly accept?: readonly Step[];
  /** Checked before each turn; true ends the walk (capacity runs). */
  readonly stop?: () => boolean;
}

/** "Nexus er nede" → "colleagues too" → (out of hours) "the Internet works" → the card with whom to call. */
export async function walkTriage(ctx: WalkContext, who: Person, index: number, opts: TriageWalkOptions = {}): Promise<WalkOutcome> {
  const maxTurns = opts.maxTurns ?? 6;
  const accept = opts.accept ?? ['kmd', 'nexusteam'];
  ctx.connector.watch(who.conversationId);
  try {
    let input: Input = NEXUS_DOWN;
    for (let i = 0; i < maxTurns; i++) {
      if (opts.stop?.()) return { turns: i, ending: 'stopped', ok: false };
      const { ok, step } = await turn(ctx, who, input, index, i);
      if (!ok) return { turns: i + 1, ending: 'http', ok: false };
      if (accept.includes(step)) return { turns: i + 1, ending: step, ok: true };
      const next = step === 'scope' ? SCOPE_GENERAL : step === 'internet' ? INTERNET_UP : undefined;
      if (next === undefined || i + 1 === maxTurns) {
        ctx.sink.error(`reply: ${step}`);
        return { turns: i + 1, ending: next === undefined ? step : 'tooLong', ok: false };
      }
      input = next;
    }
    return { turns: maxTurns, ending: 'tooLong', ok: false };
  } finally {
    ctx.connector.forget(who.conversationId);
  }
}

/** The floor's walk: `turns` turns with the same inputs as the triage, each answered by one echo. */
export async function walkEcho(ctx: WalkContext, who: Person, index: number, turns: number, stop?: () => boolean): Promise<WalkOutcome> {
  const inputs = [NEXUS_DOWN, SCOPE_GENERAL, INTERNET_UP];
  ctx.connector.watch(who.conversationId);
  try {
    for (let i = 0; i < turns; i++) {
      if (stop?.()) return { turns: i, ending: 'stopped', ok: false };
      const { ok, step } = await turn(ctx, who, inputs[Math.min(i, inputs.length - 1)] ?? NEXUS_DOWN, index, i);
      if (!ok) return { turns: i + 1, ending: 'http', ok: false };
      if (step !== 'echo') {
        ctx.sink.error(`reply: ${step}`);
        return { turns: i + 1, ending: step, ok: false };
      }
    }
    return { turns, ending: 'echo', ok: true };
  } finally {
    ctx.connector.forget(who.conversationId);
  }
}

/** One button press that should answer `expect`; for set-up steps (declaring the outage). */
export async function pressOnce(ctx: WalkContext, who: Person, input: Input, expect: Step): Promise<Step> {
  ctx.connector.watch(who.conversationId);
  try {
    const { ok, step } = await turn(ctx, who, input, -1, 0);
    if (!ok || step !== expect) throw new Error(`set-up: expected "${expect}" but the bot answered "${ok ? step : 'an HTTP error'}"`);
    return step;
  } finally {
    ctx.connector.forget(who.conversationId);
  }
}
