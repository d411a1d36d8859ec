import type { Clock } from '../domain/clock';
import { maskCpr } from '../domain/cpr';
import { formatClock, localDate, weekdayName } from '../domain/time';
import { isRecord } from '../lib/isRecord';
import { baseConversationId, threadConversationId } from '../teams/addressing';

/**
 * The development Bot Connector (development mode only, DESIGN.md "Local
 * end-to-end"): the playground gives the bot `serviceUrl` = this connector's url,
 * so everything the bot sends arrives here: replies, proactive posts, thread
 * replies, card updates, member lookups. It answers as Teams' v3 API does, keeps
 * every message per conversation in memory and tells listeners (the playground's
 * Server-Sent Events) about each new or changed message.
 *
 * It also keeps a log of every request it received (GET /dev/log), together with
 * the playground's inbound activities as they went into /api/messages, so a test
 * can prove that every message a page shows went through the bot's real sends.
 *
 * Pure routing on (method, path, body): the HTTP wiring is in playground.ts.
 * Conversation ids hold ':' ';' '=' and '@' and arrive URL-encoded: each path
 * segment is decoded on its own.
 */

export type PersonaKind = 'staff' | 'nexusteam';

/** Someone the playground can be: a member of staff or of the Nexusteam. */
export interface Persona {
  readonly kind: PersonaKind;
  /** The Teams id (29:…). */
  readonly id: string;
  readonly name: string;
  /** The Entra object id. */
  readonly aadObjectId: string;
}

/** A team of the playground: who is a member (by persona kind), and its channels. */
export interface DevTeam {
  readonly id: string;
  readonly name: string;
  readonly members: readonly PersonaKind[];
  readonly channels: readonly { readonly id: string; readonly name: string }[];
}

export interface DevAttachment {
  readonly contentType: string;
  readonly content?: unknown;
  readonly contentUrl?: string;
  readonly name?: string;
}

/** A message as the playground shows it. */
export interface DevMessage {
  /** The activity id (Teams' message id). */
  readonly id: string;
  /** The conversation without any `;messageid=`: a channel, or a 1:1 chat. */
  readonly conversationId: string;
  /** In a channel: the root post of the thread this message replies in; null for root posts and chats. */
  readonly threadId: string | null;
  readonly role: 'bot' | 'user';
  readonly from: { readonly id: string; readonly name: string };
  readonly text?: string;
  readonly attachments: readonly DevAttachment[];
  /** The bot's clock when the message arrived (ISO 8601). */
  readonly at: string;
  /** The same, in Copenhagen words ("lørdag 19.40"). */
  readonly atText: string;
  /** How often it was replaced (PUT); 0 for never. */
  readonly version: number;
  readonly updatedAt?: string;
  readonly deleted: boolean;
}

/** One request the connector received, or one inbound activity the playground posted to /api/messages. */
export interface DevRequest {
  readonly seq: number;
  /** Wall-clock time of the request (ISO 8601). */
  readonly at: string;
  readonly via: 'connector' | 'api';
  readonly method: string;
  /** The path as received (URL-encoded), below /dev/connector for the connector. */
  readonly path: string;
  /** URL-decoded. */
  readonly conversationId?: string;
  /** The activity replied to, updated or deleted (URL-decoded), or the inbound activity's id. */
  readonly activityId?: string;
  readonly activityType?: string;
  /** The HTTP status answered (for /api/messages once the turn is over). */
  status?: number;
  /** The id the connector gave a new activity or conversation. */
  readonly assignedId?: string;
}

export type DevConnectorEvent = { readonly type: 'message'; readonly message: DevMessage };

export interface ConnectorAnswer {
  readonly status: number;
  readonly body: unknown;
}

export interface DevConnectorOptions {
  /** The bot's clock: messages are stamped with it. */
  readonly clock: Clock;
  readonly personas: readonly Persona[];
  readonly teams: readonly DevTeam[];
  readonly tenantId: string;
  /** How many messages and log entries are kept (oldest dropped first); default 5000 and 20000. */
  readonly maxMessages?: number;
  readonly maxRequests?: number;
}

/** A persona's 1:1 chat with the bot: a Teams-like `a:` id derived from the persona's Teams id. */
export function personalConversationId(userId: string): string {
  return `a:1playground-${userId.replace(/[^A-Za-z0-9-]/g, '-')}`;
}

const THREAD_RE = /;messageid=(.+)$/i;
const CHANNEL_RE = /@thread\.(tacv2|skype)$/i;

export class DevConnector {
  readonly #clock: Clock;
  readonly #teams: readonly DevTeam[];
  readonly #tenantId: string;
  readonly #maxMessages: number;
  readonly #maxRequests: number;
  #personas: readonly Persona[];
  /** Insertion order is display order. */
  readonly #messages = new Map<string, DevMessage>();
  readonly #requests: DevRequest[] = [];
  readonly #listeners = new Set<(event: DevConnectorEvent) => void>();
  #seq = 0;
  #idBase = Date.now();
  #counter = 0;

  constructor(opts: DevConnectorOptions) {
    this.#clock = opts.clock;
    this.#personas = [...opts.personas];
    this.#teams = opts.teams;
    this.#tenantId = opts.tenantId;
    this.#maxMessages = opts.maxMessages ?? 5000;
    this.#maxRequests = opts.maxRequests ?? 20_000;
  }

  get personas(): readonly Persona[] {
    return this.#personas;
  }

  set personas(personas: readonly Persona[]) {
    this.#personas = [...personas];
  }

  /** Every message, in the order they arrived (updates keep their place). */
  messages(): DevMessage[] {
    return [...this.#messages.values()];
  }

  /** Every request received, oldest first. */
  requests(): DevRequest[] {
    return this.#requests.map((r) => ({ ...r }));
  }

  subscribe(listener: (event: DevConnectorEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * An activity the playground POSTed to /api/messages: logged, and shown when it
   * is a message with text (a card's submit has only a value and, as in Teams,
   * shows nothing). CPR-like numbers are masked before the text is kept.
   * Returns the log entry, so the caller can fill in the status when the turn ends.
   */
  observeInbound(activity: unknown): DevRequest {
    const a = isRecord(activity) ? activity : {};
    const conversation = isRecord(a['conversation']) ? a['conversation'] : {};
    const rawConversationId = str(conversation['id']);
    const id = str(a['id']);
    const type = str(a['type']);
    const entry = this.#log({
      via: 'api',
      method: 'POST',
      path: '/api/messages',
      ...(rawConversationId !== undefined ? { conversationId: rawConversationId } : {}),
      ...(id !== undefined ? { activityId: id } : {}),
      ...(type !== undefined ? { activityType: type } : {}),
    });
    const text = str(a['text']);
    if (type === 'message' && text !== undefined && id !== undefined && rawConversationId !== undefined) {
      const from = isRecord(a['from']) ? a['from'] : {};
      this.#put({
        id,
        conversationId: baseConversationId(rawConversationId),
        threadId: threadOf(rawConversationId),
        role: 'user',
        from: { id: str(from['id']) ?? '', name: str(from['name']) ?? '' },
        text: maskCpr(text).text,
        attachments: [],
        ...this.#stamp(),
        version: 0,
        deleted: false,
      });
    }
    return entry;
  }

  /** One request to the connector; `path` is below the connector's base url (e.g. /v3/conversations/…), URL-encoded. */
  handle(method: string, path: string, body: unknown): ConnectorAnswer {
    const segments = path.split('?')[0]!.split('/').filter(Boolean).map(safeDecode);
    const m = method.toUpperCase();
    const answer = this.#route(m, segments, body);
    this.#log({
      via: 'connector',
      method: m,
      path,
      ...(answer.conversationId !== undefined ? { conversationId: answer.conversationId } : {}),
      ...(answer.activityId !== undefined ? { activityId: answer.activityId } : {}),
      ...(isRecord(body) && typeof body['type'] === 'string' ? { activityType: body['type'] } : {}),
      status: answer.status,
      ...(answer.assignedId !== undefined ? { assignedId: answer.assignedId } : {}),
    });
    return { status: answer.status, body: answer.body };
  }

  #route(method: string, s: string[], body: unknown): RouteAnswer {
    if (s[0] !== 'v3') return notFound();
    if (s[1] === 'conversations') {
      const conversationId = s[2];
      if (conversationId === undefined) {
        if (method === 'POST') return this.#createConversation(body);
        if (method === 'GET') return { status: 200, body: { conversations: [] } };
        return notFound();
      }
      const rest = s.slice(3);
      if (rest[0] === 'activities') return this.#activities(method, conversationId, rest.slice(1), body);
      if (rest[0] === 'members') {
        const userId = rest[1];
        if (method === 'DELETE' && userId !== undefined) return { status: 200, body: {}, conversationId };
        if (method !== 'GET') return notFound(conversationId);
        if (userId === undefined) return { status: 200, body: this.#roster(conversationId), conversationId };
        const member = this.#roster(conversationId).find((p) => sameId(p['id'] ?? '', userId) || sameId(p['aadObjectId'] ?? '', userId));
        return member
          ? { status: 200, body: member, conversationId }
          : { status: 404, body: errorBody('MemberNotFoundInConversation', 'The member was not found.'), conversationId };
      }
      if (rest[0] === 'pagedmembers' && method === 'GET') return { status: 200, body: { members: this.#roster(conversationId) }, conversationId };
      return notFound(conversationId);
    }
    if (s[1] === 'teams' && s[2] !== undefined && method === 'GET') {
      const team = this.#teams.find((t) => t.id === s[2]);
      if (!team) return notFound();
      if (s[3] === undefined) return { status: 200, body: { id: team.id, name: team.name, aadGroupId: team.id, tenantId: this.#tenantId } };
      if (s[3] === 'conversations') return { status: 200, body: { conversations: team.channels.map((c) => ({ id: c.id, name: c.name })) } };
    }
    return notFound();
  }

  #activities(method: string, conversationId: string, rest: string[], body: unknown): RouteAnswer {
    const activityId = rest[0];
    if (rest.length > 2 || (rest.length === 2 && rest[1] !== 'members')) return notFound(conversationId);
    if (rest[1] === 'members') {
      return method === 'GET' ? { status: 200, body: this.#roster(conversationId), conversationId, ...(activityId ? { activityId } : {}) } : notFound(conversationId);
    }
    if (activityId === 'history' && method === 'POST') return { status: 200, body: {}, conversationId };
    if (method === 'POST') {
      if (!isRecord(body)) return badRequest(conversationId);
      const id = this.#newId();
      if (body['type'] === 'message') {
        const threadId = this.#threadFor(conversationId, activityId);
        this.#put(this.#botMessage(id, conversationId, threadId, body));
      }
      return { status: 201, body: { id }, conversationId, assignedId: id, ...(activityId !== undefined ? { activityId } : {}) };
    }
    if (activityId === undefined) return notFound(conversationId);
    if (method === 'PUT') {
      if (!isRecord(body)) return badRequest(conversationId, activityId);
      const current = this.#messages.get(activityId);
      const next: DevMessage = current
        ? {
            ...this.#botMessage(activityId, current.conversationId, current.threadId, body),
            at: current.at,
            atText: current.atText,
            version: current.version + 1,
            updatedAt: this.#clock.now().toISOString(),
          }
        : // An update of a message this process never saw (e.g. sent before a restart): show it.
          { ...this.#botMessage(activityId, conversationId, threadOf(conversationId), body), version: 1, updatedAt: this.#clock.now().toISOString() };
      this.#put(next);
      return { status: 200, body: { id: activityId }, conversationId, activityId, assignedId: activityId };
    }
    if (method === 'DELETE') {
      const current = this.#messages.get(activityId);
      if (current) this.#put({ ...current, deleted: true, text: '', attachments: [], version: current.version + 1 });
      return { status: 200, body: {}, conversationId, activityId };
    }
    return notFound(conversationId);
  }

  /**
   * POST /v3/conversations: a new thread in a channel (channelData.channel.id) or a
   * 1:1 chat with members[0]. Answers `{ id, activityId }` as Teams does.
   */
  #createConversation(body: unknown): RouteAnswer {
    if (!isRecord(body)) return badRequest();
    const channelData = isRecord(body['channelData']) ? body['channelData'] : {};
    const channel = isRecord(channelData['channel']) ? channelData['channel'] : undefined;
    const channelId = str(channel?.['id']);
    const activity = isRecord(body['activity']) ? body['activity'] : undefined;
    if (channelId !== undefined) {
      const activityId = this.#newId();
      const base = baseConversationId(channelId);
      if (activity && (activity['type'] ?? 'message') === 'message') this.#put(this.#botMessage(activityId, base, null, activity));
      const id = threadConversationId(base, activityId);
      return { status: 201, body: { id, activityId }, conversationId: id, assignedId: id };
    }
    const members = Array.isArray(body['members']) ? body['members'] : [];
    const first: unknown = members[0];
    const memberId = isRecord(first) ? str(first['id']) : undefined;
    if (memberId === undefined) return badRequest();
    const persona = this.#personas.find((p) => sameId(p.id, memberId) || sameId(p.aadObjectId, memberId));
    const id = personalConversationId(persona?.id ?? memberId);
    if (activity && (activity['type'] ?? 'message') === 'message') {
      const activityId = this.#newId();
      this.#put(this.#botMessage(activityId, id, null, activity));
      return { status: 201, body: { id, activityId }, conversationId: id, assignedId: id };
    }
    return { status: 201, body: { id }, conversationId: id, assignedId: id };
  }

  /** Members of a team (by persona kind), of a channel (its team's), or of a 1:1 chat (that persona). */
  #roster(conversationId: string): Record<string, string>[] {
    const base = baseConversationId(conversationId);
    const team = this.#teams.find((t) => t.id === base || t.channels.some((c) => c.id === base));
    const people = team
      ? this.#personas.filter((p) => team.members.includes(p.kind))
      : this.#personas.filter((p) => personalConversationId(p.id) === base);
    return people.map((p) => this.#member(p));
  }

  #member(p: Persona): Record<string, string> {
    const handle = p.name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '.').replace(/^\.|\.$/g, '') || 'person';
    const [givenName = '', ...rest] = p.name.split(' ');
    return {
      id: p.id,
      name: p.name,
      aadObjectId: p.aadObjectId,
      objectId: p.aadObjectId,
      givenName,
      surname: rest.join(' '),
      email: `${handle}@playground.example.org`,
      userPrincipalName: `${handle}@playground.example.org`,
      tenantId: this.#tenantId,
      userRole: 'user',
    };
  }

  /** The thread a bot message lands in: the `;messageid=` of the id, else (in a channel) the root of what it replies to. */
  #threadFor(conversationId: string, replyToId: string | undefined): string | null {
    const fromId = threadOf(conversationId);
    if (fromId !== null) return fromId;
    if (replyToId === undefined || !CHANNEL_RE.test(baseConversationId(conversationId))) return null;
    const replied = this.#messages.get(replyToId);
    return replied ? (replied.threadId ?? replied.id) : replyToId;
  }

  #botMessage(id: string, conversationId: string, threadId: string | null, body: Record<string, unknown>): DevMessage {
    const from = isRecord(body['from']) ? body['from'] : {};
    const text = str(body['text']);
    return {
      id,
      conversationId: baseConversationId(conversationId),
      threadId,
      role: 'bot',
      from: { id: str(from['id']) ?? 'bot', name: str(from['name']) ?? 'Nedbrud' },
      ...(text !== undefined ? { text } : {}),
      attachments: attachmentsOf(body['attachments']),
      ...this.#stamp(),
      version: 0,
      deleted: false,
    };
  }

  #stamp(): { at: string; atText: string } {
    const now = this.#clock.now();
    return { at: now.toISOString(), atText: `${weekdayName(localDate(now), 'da')} ${formatClock(now, 'da')}` };
  }

  #put(message: DevMessage): void {
    this.#messages.set(message.id, message);
    while (this.#messages.size > this.#maxMessages) {
      const oldest = this.#messages.keys().next();
      if (oldest.done) break;
      this.#messages.delete(oldest.value);
    }
    for (const listener of this.#listeners) {
      try {
        listener({ type: 'message', message });
      } catch {
        // A listener (an SSE client that went away) never breaks a send.
      }
    }
  }

  #log(entry: Omit<DevRequest, 'seq' | 'at'>): DevRequest {
    const record: DevRequest = { seq: ++this.#seq, at: new Date().toISOString(), ...entry };
    this.#requests.push(record);
    if (this.#requests.length > this.#maxRequests) this.#requests.splice(0, this.#requests.length - this.#maxRequests);
    return record;
  }

  /** Teams-like numeric message ids, unique in this process and after a restart. */
  #newId(): string {
    this.#counter += 1;
    return String(this.#idBase + this.#counter);
  }
}

interface RouteAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly conversationId?: string;
  readonly activityId?: string;
  readonly assignedId?: string;
}

function threadOf(conversationId: string): string | null {
  const m = THREAD_RE.exec(conversationId);
  return m?.[1] ? m[1] : null;
}

function attachmentsOf(value: unknown): DevAttachment[] {
  if (!Array.isArray(value)) return [];
  const out: DevAttachment[] = [];
  for (const item of value) {
    if (!isRecord(item)) continue;
    const contentType = str(item['contentType']);
    if (contentType === undefined) continue;
    const contentUrl = str(item['contentUrl']);
    const name = str(item['name']);
    out.push({
      contentType,
      ...(item['content'] !== undefined ? { content: item['content'] } : {}),
      ...(contentUrl !== undefined ? { contentUrl } : {}),
      ...(name !== undefined ? { name } : {}),
    });
  }
  return out;
}

function errorBody(code: string, message: string): unknown {
  return { error: { code, message } };
}

function notFound(conversationId?: string): RouteAnswer {
  return { status: 404, body: errorBody('NotFound', 'Unknown connector route.'), ...(conversationId !== undefined ? { conversationId } : {}) };
}

function badRequest(conversationId?: string, activityId?: string): RouteAnswer {
  return {
    status: 400,
    body: errorBody('BadArgument', 'The body is not an activity.'),
    ...(conversationId !== undefined ? { conversationId } : {}),
    ...(activityId !== undefined ? { activityId } : {}),
  };
}

function sameId(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
