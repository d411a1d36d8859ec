import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/domain/clock';
import { startApp, type RunningApp } from '../../src/index';
import { BOT, messageActivity, postActivity, TENANT_ID } from './activities';
import { cardButtons, cardText } from './cards';
import { startConnector, type Connector, type RecordedRequest, type SentActivity } from '../support/connector';
import { SqliteStorage } from '../../src/store/sqliteStorage';
import { outboxIsIdle } from './outboxDocs';
import { readDoc } from './sqliteDoc';
import { waitUntil } from './wait';

/**
 * The whole app over real HTTP for end-to-end tests: a fresh SQLite file, a fresh
 * local Bot Connector, and people who talk to the bot in 1:1 chats or channels
 * and press card buttons the way Teams does (the button's data, with the card's
 * input values merged in, comes back as the activity's value).
 *
 * Team membership (GET /v3/conversations/{teamId}/members/{userId}, asked by the
 * Nexusteam directory) is answered per team from `teams`: a person is a member of
 * exactly the teams listed for them, nowhere else.
 */

export interface Who {
  readonly id: string;
  readonly name: string;
  readonly aadObjectId: string;
  /** Their Teams client's language, sent as each activity's locale (default da-DK). */
  readonly locale?: string;
}

/** A member of staff, a Nexusteam member, …: distinct Teams and Entra ids per n. */
export function who(n: number, name = `Kollega ${n}`): Who {
  return { id: `29:user-${n}`, name, aadObjectId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}` };
}

/** Where a message is written. */
export interface Where {
  readonly conversationId: string;
  readonly conversationType: 'personal' | 'channel';
  readonly channelData?: Record<string, unknown>;
  readonly tenantId?: string;
}

/** A person's own 1:1 chat with the bot. */
export function personal(person: Who): Where {
  return { conversationId: `a:1personal-${person.id}`, conversationType: 'personal' };
}

export interface ChannelPlace extends Where {
  readonly teamId: string;
}

/** A standard channel of a team (channel messages reach the bot only when it is @mentioned). */
export function channel(teamId: string, channelId: string, names: { team: string; channel: string }): ChannelPlace {
  return {
    teamId,
    conversationId: channelId,
    conversationType: 'channel',
    channelData: { team: { id: teamId, name: names.team }, channel: { id: channelId, name: names.channel } },
  };
}

/** What the bot answered to one inbound activity. */
export interface Turn {
  readonly status: number;
  readonly replies: SentActivity[];
  /** Every reply's text and visible card text, joined. */
  readonly text: string;
  /**
   * The value Teams would send when the button whose title contains `title` is
   * pressed on the last card that has it: its data, with the card's inputs
   * (their shown values, overridden by `inputs`) merged in.
   */
  press(title: string, inputs?: Record<string, unknown>): Record<string, unknown>;
}

export interface WorldOptions {
  /** Copenhagen wall time as ISO 8601 with offset. */
  readonly at: string;
  readonly env?: Record<string, string>;
  /** Team id → the people who are members of it. */
  readonly teams?: Record<string, readonly Who[]>;
  /** Answer every member lookup with this HTTP status instead (429: Teams throttles; 503: Teams is down). */
  readonly memberLookupStatus?: number;
}

export interface HttpWorld {
  readonly app: RunningApp;
  readonly connector: Connector;
  readonly clock: ManualClock;
  readonly sqlitePath: string;
  /** `person` writes `input` (text or a button's value) in `where` (default: their 1:1 chat). */
  say(person: Who, input: string | Record<string, unknown>, where?: Where): Promise<Turn>;
  /** The bot's new posts (not replies to an inbound activity) to a channel or thread, in order. */
  postsTo(conversationId: string): SentActivity[];
  /** Requests the bot made to the connector, other than member lookups. */
  writes(): RecordedRequest[];
  /**
   * Resolves once the bot owes nothing more: no job due by the world's clock or
   * running, and an outbox with nothing pending, in flight or unnotified. After
   * it, "no other message came" holds for good, however slow the machine.
   */
  settled(timeoutMs?: number): Promise<void>;
  /** Stops the app and the connector; keeps the SQLite file until `dispose`. */
  stop(): Promise<void>;
  /** stop() and delete the temp directory. */
  dispose(): Promise<void>;
}

export async function startWorld(opts: WorldOptions): Promise<HttpWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'nedbrud-e2e-outages-'));
  const sqlitePath = join(dir, 'bot.sqlite');
  const teams = opts.teams ?? {};
  const connector = await startConnector({
    respond: ({ method, path, conversationId }) => {
      // GET /v3/conversations/{teamId}/members/{userId}
      const segments = path.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
      if (method !== 'GET' || segments[3] !== 'members' || segments[4] === undefined || conversationId === undefined) return undefined;
      if (opts.memberLookupStatus !== undefined) {
        const code = opts.memberLookupStatus === 429 ? 'Throttled' : 'ServiceError';
        return { status: opts.memberLookupStatus, body: { error: { code, message: 'Teams could not answer.' } } };
      }
      const userId = segments[4];
      const found = (teams[conversationId] ?? []).find((m) => m.id === userId || m.aadObjectId === userId);
      return found
        ? { status: 200, body: { ...found, tenantId: TENANT_ID } }
        : { status: 404, body: { error: { code: 'MemberNotFoundInConversation', message: 'The member was not found.' } } };
    },
  });
  const clock = new ManualClock(opts.at);
  let app: RunningApp;
  try {
    app = await startApp({ PORT: '0', LOG_LEVEL: 'silent', SQLITE_PATH: sqlitePath, ...opts.env }, { clock });
  } catch (err) {
    await connector.close();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      try {
        await app.close();
      } finally {
        await connector.close();
      }
    })());

  return {
    app,
    connector,
    clock,
    sqlitePath,
    say: async (person, input, where = personal(person)) => {
      const turn = await say(app.url, connector, person, input, where);
      // What the turn queued for others (channel posts, cards replaced) has reached the connector.
      await app.settle();
      return turn;
    },
    postsTo: (conversationId) =>
      connector.activities().filter((a) => a.kind === 'send' && a.toConversationId === conversationId && a.replyToId === undefined),
    writes: () => connector.requests.filter((r) => r.method !== 'GET'),
    settled: (timeoutMs = 10_000) => waitUntil(() => settled(sqlitePath, clock.now()), timeoutMs, 'no job due or running and an idle outbox'),
    stop,
    dispose: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** No job due at `now` or running, and nothing left in the outbox, in the app's SQLite file. */
async function settled(sqlitePath: string, now: Date): Promise<boolean> {
  const jobs = (readDoc(sqlitePath, 'jobs') as { jobs?: readonly { state: string; dueAt: string }[] } | undefined)?.jobs ?? [];
  if (jobs.some((j) => j.state === 'claimed' || (j.state === 'pending' && Date.parse(j.dueAt) <= now.getTime()))) return false;
  const storage = new SqliteStorage({ path: sqlitePath });
  try {
    return await outboxIsIdle(storage);
  } finally {
    storage.close();
  }
}

/** One inbound activity over HTTP; resolves when the app has answered (the turn is over). */
export async function say(appUrl: string, connector: Connector, person: Who, input: string | Record<string, unknown>, where: Where): Promise<Turn> {
  const id = `in-${randomUUID()}`;
  const inChannel = where.conversationType === 'channel';
  const { locale, ...from } = person;
  const base = messageActivity({
    serviceUrl: connector.url,
    id,
    from,
    ...(locale !== undefined ? { locale } : {}),
    conversationId: where.conversationId,
    conversationType: where.conversationType,
    ...(where.tenantId !== undefined ? { tenantId: where.tenantId } : {}),
    ...(where.channelData !== undefined ? { channelData: where.channelData } : {}),
    // In a channel the bot only hears messages that @mention it.
    ...(typeof input === 'string' ? { text: inChannel ? `<at>${BOT.name}</at> ${input}` : input } : { value: input }),
  });
  const activity = inChannel && typeof input === 'string'
    ? { ...base, entities: [...base.entities, { type: 'mention', text: `<at>${BOT.name}</at>`, mentioned: { id: BOT.id, name: BOT.name } }] }
    : base;
  const res = await postActivity(appUrl, activity);
  const replies = connector.activities().filter((a) => a.replyToId === id);
  return { status: res.status, replies, text: textOf(replies), press: (title, inputs = {}) => pressValue(replies, title, inputs) };
}

/** Everything a person reads in these activities. */
export function textOf(activities: readonly SentActivity[]): string {
  return activities.map((a) => [a.text ?? '', ...(a.attachments ?? []).map((x) => cardText(x.content))].join('\n')).join('\n');
}

/** The cards of an activity. */
export function cardsOf(activity: SentActivity | undefined): unknown[] {
  return (activity?.attachments ?? []).map((a): unknown => a.content);
}

function pressValue(replies: readonly SentActivity[], title: string, inputs: Record<string, unknown>): Record<string, unknown> {
  for (const reply of [...replies].reverse()) {
    for (const card of cardsOf(reply).reverse()) {
      const button = cardButtons(card).find((b) => b.title.includes(title));
      if (button) return { ...button.data, ...inputValues(card), ...inputs };
    }
  }
  const titles = replies.flatMap((r) => cardsOf(r).flatMap((c) => cardButtons(c).map((b) => b.title)));
  throw new Error(`no button "${title}" in: ${titles.join(' | ') || 'no buttons'}; the bot said: ${textOf(replies).slice(0, 500) || 'nothing'}`);
}

/** The inputs of a card (Input.* with an id) and the values they show. */
export function inputValues(card: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if (typeof o['type'] === 'string' && o['type'].startsWith('Input.') && typeof o['id'] === 'string') {
      out[o['id']] = o['value'] ?? '';
    }
    for (const [k, v] of Object.entries(o)) if (k !== 'data') walk(v);
  };
  walk(card);
  return out;
}
