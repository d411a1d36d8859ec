import http from 'node:http';
import { loadInstruction } from '../src/instruction/load';
import type { FastConnector } from '../test/support/fastConnector';

/**
 * One member of staff talking to a bot over HTTP: Teams-shaped activities POSTed
 * to /api/messages, replies read from the fast connector. The walk is decided by
 * the replies, as a person's would be: the walker reads the cards' buttons by
 * their data (action verb and fields, never their titles or any other text, which
 * get reworded) and presses the button it means, sending that button's data back
 * as Teams does. Out of Nexusteam hours there is the Internet question and the
 * KMD card; in hours "colleagues too" ends at the Nexusteam card; with a known
 * outage the first answer is the known-outage card, whose "Hvem skal jeg ringe
 * til?" button (`{action:'triage', system, skipKnown:true}`) goes on.
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

/** What staff type (their words, not the bot's). */
export const NEXUS_DOWN: Input = { text: 'Nexus er nede' };
/** The floor's inputs (the echo bot shows no cards to follow). */
export const SCOPE_GENERAL: Input = { value: { action: 'triage', system: 'nexus', scope: 'general' } };
export const INTERNET_UP: Input = { value: { action: 'triage', system: 'nexus', scope: 'general', internet: 'up' } };
/** "Jeg har ringet til KMD" (the set-up of the active-outage burst; the KMD card's button data). */
export const CALLED_KMD: Input = { value: { action: 'called', system: 'nexus', contact: 'kmd' } };

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
  // Enough sockets that a slow bot, not the harness, makes requests wait (a burst can have thousands in flight).
  readonly #agent = new http.Agent({ keepAlive: true, maxSockets: 4096, timeout: 4000 });
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

/** A button's data, as the bot put it on a card (Action.Submit `data`). */
export type ButtonData = Readonly<Record<string, unknown>>;

/** What one turn's replies offer, read from their structure. */
export interface Replies {
  readonly messages: number;
  readonly cards: number;
  /** Every Action.Submit's data, in order. */
  readonly buttons: readonly ButtonData[];
  /** The numbers of `tel:` links, in order (an advice card's first is its contact's). */
  readonly phones: readonly string[];
  /** Message texts (echo and error detection only). */
  readonly texts: readonly string[];
}

function collect(node: unknown, out: { buttons: ButtonData[]; cards: number }): void {
  if (Array.isArray(node)) {
    for (const item of node) collect(item, out);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const record = node as Record<string, unknown>;
  if (record['type'] === 'AdaptiveCard') out.cards += 1;
  if ((record['type'] === 'Action.Submit' || record['type'] === 'Action.Execute') && typeof record['data'] === 'object' && record['data'] !== null) {
    out.buttons.push(record['data'] as ButtonData);
  }
  for (const value of Object.values(record)) if (typeof value === 'object' && value !== null) collect(value, out);
}

/** Reads the activities the bot delivered for one turn (raw JSON bodies). */
export function readReplies(bodies: readonly string[]): Replies {
  const out = { buttons: [] as ButtonData[], cards: 0 };
  const phones: string[] = [];
  const texts: string[] = [];
  for (const body of bodies) {
    let activity: unknown;
    try {
      activity = JSON.parse(body);
    } catch {
      continue;
    }
    const a = activity as { text?: unknown; attachments?: unknown };
    if (typeof a.text === 'string') texts.push(a.text);
    collect(a.attachments, out);
    for (const m of body.matchAll(/tel:\+?(\d{8,12})/g)) if (m[1]) phones.push(m[1]);
  }
  return { messages: bodies.length, cards: out.cards, buttons: out.buttons, phones, texts };
}

/** The instruction's contacts by phone number (last 8 digits), to name an advice card's contact. */
let contactsByPhone: Map<string, string> | undefined;
function contactOfPhone(phone: string): string | undefined {
  if (!contactsByPhone) {
    contactsByPhone = new Map();
    // The bot runs with the bundled instruction (the bench sets no INSTRUCTION_FILE).
    for (const c of loadInstruction().contacts) if (c.phone) contactsByPhone.set(c.phone.slice(-8), c.id);
  }
  return contactsByPhone.get(phone.slice(-8));
}

/**
 * What the bot's replies to one turn were, by the cards' button data:
 *   kmd        a "called KMD" button (`{action:'called', contact:'kmd'}`, or the
 *              older `calledKmd`), or an advice card whose contact is KMD
 *   continue   the known-outage card with its way on (`{action:'triage', skipKnown:true}`, no scope yet)
 *   known      the known-outage card without a way on (`worksAgain` only)
 *   internet   a triage question whose choices carry `internet`
 *   scope      a triage question whose choices carry `scope`
 *   system     a triage question whose choices carry only `system`
 *   advice     an advice card (`restart`), `contact` from its first `tel:` link
 *   card       any other card; echo (the floor); turnFailed / noReply / unexpected
 */
export type StepKind = 'kmd' | 'continue' | 'known' | 'internet' | 'scope' | 'system' | 'advice' | 'card' | 'echo' | 'turnFailed' | 'noReply' | 'unexpected';

export interface Step {
  readonly kind: StepKind;
  /** For advice: the instruction's contact id of the card's number, if it has one. */
  readonly contact?: string;
  readonly buttons: readonly ButtonData[];
}

export function classify(bodies: readonly string[]): Step {
  if (bodies.length === 0) return { kind: 'noReply', buttons: [] };
  const r = readReplies(bodies);
  const b = r.buttons;
  const step = (kind: StepKind, contact?: string): Step => ({ kind, buttons: b, ...(contact ? { contact } : {}) });
  if (b.some((d) => (d['action'] === 'called' && d['contact'] === 'kmd') || d['action'] === 'calledKmd')) return step('kmd');
  if (b.some((d) => d['action'] === 'triage' && d['skipKnown'] === true && d['scope'] === undefined)) return step('continue');
  if (b.some((d) => d['action'] === 'worksAgain')) return step('known');
  const questions = b.filter((d) => d['action'] === 'triage' && d['vendorSaysInternal'] !== true);
  if (questions.some((d) => d['internet'] !== undefined)) return step('internet');
  if (questions.some((d) => d['scope'] !== undefined)) return step('scope');
  if (questions.some((d) => d['system'] !== undefined)) return step('system');
  if (b.some((d) => d['action'] === 'restart')) {
    const phone = r.phones[0];
    const contact = phone ? contactOfPhone(phone) : undefined;
    return contact === 'kmd' ? step('kmd') : step('advice', contact);
  }
  if (r.texts.some((t) => t.startsWith('echo '))) return step('echo');
  // Diagnostic only (the turn-error text); anything else unrecognised is "unexpected" all the same.
  if (r.texts.some((t) => t.includes('noget gik galt'))) return step('turnFailed');
  if (r.cards > 0) return step('card');
  return step('unexpected');
}

/** The ending's name in the figures: the advice's contact (nexusteam, superuser…) or the step. */
export function endingOf(step: Step): string {
  if (step.kind === 'advice') return step.contact ?? 'advice';
  return step.kind;
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
  /** How the walk ended: the last step's ending (kmd, nexusteam, known, …), or http / stopped / tooLong. */
  readonly ending: string;
  readonly ok: boolean;
}

async function turn(ctx: WalkContext, who: Person, input: Input, index: number, turnIndex: number): Promise<{ ok: boolean; step: Step }> {
  const res = await ctx.client.post(activityBody(ctx.connector.url, who, input));
  const endedAt = performance.now();
  ctx.sink.turn(index, turnIndex, res.ms, endedAt);
  const bodies = ctx.connector.take(who.conversationId);
  if (res.status < 200 || res.status >= 300) {
    ctx.sink.error(res.error ? `http: ${res.error}` : `http ${res.status}`);
    return { ok: false, step: { kind: 'unexpected', buttons: [] } };
  }
  return { ok: true, step: classify(bodies) };
}

/** How a member of staff answers the bot's questions, and where their walk ends. */
export interface WalkPolicy {
  readonly system: string;
  readonly scope: 'general' | 'individual';
  readonly internet: 'up' | 'down';
  /** Press the known-outage card's way on ("Hvem skal jeg ringe til?"); else the walk ends there. */
  readonly continueKnown: boolean;
  /** Whether this step ends the walk as it should. */
  readonly done: (step: Step) => boolean;
  /** Give up after this many turns (default 8). */
  readonly maxTurns?: number;
}

/** Staff whose Nexus is down for colleagues too and whose Internet works: out of hours they end at the KMD card. */
export const REPORTS_OUT_OF_HOURS: WalkPolicy = {
  system: 'nexus',
  scope: 'general',
  internet: 'up',
  continueKnown: true,
  done: (s) => s.kind === 'kmd',
};

/**
 * The same in Nexusteam hours: the Nexusteam card, or the known-outage card when
 * it offers no way on (in hours it says the Nexusteam is on it; nobody need call).
 */
export const REPORTS_IN_HOURS: WalkPolicy = {
  system: 'nexus',
  scope: 'general',
  internet: 'up',
  continueKnown: true,
  done: (s) => (s.kind === 'advice' && s.contact === 'nexusteam') || s.kind === 'known',
};

/** Staff for whom Nexus is down only for themselves: no report; they end at their advice card. */
export const INDIVIDUAL: WalkPolicy = {
  system: 'nexus',
  scope: 'individual',
  internet: 'up',
  continueKnown: false,
  done: (s) => s.kind === 'advice',
};

/** With an outage known and owned: the first answer is the known-outage card. */
export const KNOWN_ONLY: WalkPolicy = {
  system: 'nexus',
  scope: 'general',
  internet: 'up',
  continueKnown: false,
  done: (s) => s.kind === 'known',
  maxTurns: 1,
};

/** The button on this step's cards the policy presses, or undefined when there is none to press. */
export function choose(step: Step, policy: WalkPolicy): ButtonData | undefined {
  const triage = step.buttons.filter((d) => d['action'] === 'triage' && d['vendorSaysInternal'] !== true);
  switch (step.kind) {
    case 'continue':
      return policy.continueKnown ? triage.find((d) => d['skipKnown'] === true && d['scope'] === undefined) : undefined;
    case 'internet':
      return triage.find((d) => d['internet'] === policy.internet);
    case 'scope':
      return triage.find((d) => d['scope'] === policy.scope && d['internet'] === undefined);
    case 'system':
      return triage.find((d) => d['system'] === policy.system && d['scope'] === undefined);
    default:
      return undefined;
  }
}

/**
 * "Nexus er nede", then whatever the cards ask, pressed by their data (see
 * WalkPolicy), until `policy.done` says the walk arrived. An answer the policy
 * cannot go on from is an error ("reply: <kind>").
 */
export async function walk(ctx: WalkContext, who: Person, index: number, policy: WalkPolicy, stop?: () => boolean): Promise<WalkOutcome> {
  const maxTurns = policy.maxTurns ?? 8;
  ctx.connector.watch(who.conversationId);
  try {
    let input: Input = NEXUS_DOWN;
    for (let i = 0; i < maxTurns; i++) {
      if (stop?.()) return { turns: i, ending: 'stopped', ok: false };
      const { ok, step } = await turn(ctx, who, input, index, i);
      if (!ok) return { turns: i + 1, ending: 'http', ok: false };
      if (policy.done(step)) return { turns: i + 1, ending: endingOf(step), ok: true };
      const next = choose(step, policy);
      if (next === undefined || i + 1 === maxTurns) {
        ctx.sink.error(next === undefined ? `reply: ${endingOf(step)}` : 'reply: too many turns');
        return { turns: i + 1, ending: next === undefined ? endingOf(step) : 'tooLong', ok: false };
      }
      input = { value: next };
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
      if (step.kind !== 'echo') {
        ctx.sink.error(`reply: ${step.kind}`);
        return { turns: i + 1, ending: step.kind, ok: false };
      }
    }
    return { turns, ending: 'echo', ok: true };
  } finally {
    ctx.connector.forget(who.conversationId);
  }
}

/** One button press (set-up steps, not measured); resolves with what the bot answered, throws on an HTTP error. */
export async function pressOnce(ctx: WalkContext, who: Person, input: Input): Promise<Step> {
  ctx.connector.watch(who.conversationId);
  try {
    const { ok, step } = await turn(ctx, who, input, -1, 0);
    if (!ok) throw new Error('set-up: the bot answered with an HTTP error');
    return step;
  } finally {
    ctx.connector.forget(who.conversationId);
  }
}
