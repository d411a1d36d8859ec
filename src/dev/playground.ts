import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { Next, Request, Response, Server } from 'restify';
import { z } from 'zod';
import { ManualClock, OffsetClock, systemClock, type Clock } from '../domain/clock';
import { formatClock, formatDate, localDate, localTimeOf, resolveLocalDateTime } from '../domain/time';
import type { Logger } from '../log';
import type { ChannelRecord, ChannelRegistry, ChannelRole } from '../store/channels';
import { DevConnector, personalConversationId, type DevConnectorEvent, type DevTeam, type Persona } from './devConnector';

/**
 * "Try it without Teams" (development mode only, never with a MicrosoftAppId):
 *
 *   GET  /                      the playground page (playground/index.html)
 *   GET  /playground/…          its script, styles and the adaptivecards renderer
 *   *    /dev/connector/v3/…    the development Bot Connector (devConnector.ts)
 *   GET  /dev/state             personas, channels, the connector's url, the clock
 *   GET  /dev/channels          every channel the bot knows, with its roles
 *   PUT  /dev/personas          who the page's personas are (team membership follows)
 *   GET  /dev/messages          every message the connector holds
 *   GET  /dev/events            Server-Sent Events: each new or replaced message, clock moves
 *   GET  /dev/log               every request the connector received, and the page's activities
 *   GET  /dev/clock             { now, offsetMs, … }
 *   POST /dev/clock             { offsetMs } | { advanceMs } | { at }: moves the bot's clock, then runs the scheduler once
 *
 * The page talks to the real /api/messages with Teams-shaped activities whose
 * serviceUrl is the development connector, so every reply, proactive post and
 * card update the page shows went through the bot's real sends.
 */

/** The Entra object id of the playground's Nexusteam persona; index.ts adds it to the configured admins in development mode. */
export const PLAYGROUND_ADMIN_ID = '00000000-0000-4000-8000-00000000ad01';
export const PLAYGROUND_TENANT_ID = 'playground-tenant';
export const PLAYGROUND_BOT = { id: '28:nedbrud-playground', name: 'Nedbrud' } as const;

const CARE_TEAM = { id: '19:playground-team-care@thread.tacv2', name: 'Ældre og Omsorg' } as const;
const NEXUS_TEAM = { id: '19:playground-team-nexus@thread.tacv2', name: 'Nexusteamet' } as const;

export interface PlaygroundChannel {
  readonly conversationId: string;
  readonly teamId: string;
  readonly teamName: string;
  readonly channelName: string;
  readonly roles: readonly ChannelRole[];
}

/** Registered at every development start (roles added to any the channel already has). */
export const PLAYGROUND_CHANNELS: readonly PlaygroundChannel[] = [
  { conversationId: '19:playground-personale@thread.tacv2', teamId: CARE_TEAM.id, teamName: CARE_TEAM.name, channelName: 'Personale', roles: ['staff'] },
  { conversationId: '19:playground-drift@thread.tacv2', teamId: NEXUS_TEAM.id, teamName: NEXUS_TEAM.name, channelName: 'Drift', roles: ['nexusteam'] },
  {
    conversationId: '19:playground-hjemmeplejen@thread.tacv2',
    teamId: CARE_TEAM.id,
    teamName: CARE_TEAM.name,
    channelName: 'Hjemmeplejen',
    roles: ['homecare'],
  },
];

export const PLAYGROUND_TEAMS: readonly DevTeam[] = [
  {
    ...CARE_TEAM,
    members: ['staff', 'nexusteam'],
    channels: PLAYGROUND_CHANNELS.filter((c) => c.teamId === CARE_TEAM.id).map((c) => ({ id: c.conversationId, name: c.channelName })),
  },
  {
    ...NEXUS_TEAM,
    members: ['nexusteam'],
    channels: PLAYGROUND_CHANNELS.filter((c) => c.teamId === NEXUS_TEAM.id).map((c) => ({ id: c.conversationId, name: c.channelName })),
  },
];

export const DEFAULT_PERSONAS: readonly Persona[] = [
  { kind: 'staff', id: '29:playground-anna', name: 'Anna Hjemmepleje', aadObjectId: '00000000-0000-4000-8000-00000000a001' },
  { kind: 'nexusteam', id: '29:playground-heidi', name: 'Heidi Nexusteam', aadObjectId: PLAYGROUND_ADMIN_ID },
];

export interface PlaygroundDeps {
  readonly server: Server;
  /** The bot's clock: an OffsetClock or ManualClock can be moved from the page. */
  readonly clock: Clock;
  readonly channels: ChannelRegistry;
  /** One scheduler round (run after the clock moved). */
  readonly tick: () => Promise<number>;
  readonly logger: Logger;
}

export interface Playground {
  readonly connector: DevConnector;
  /** Once the server listens: the connector's url is known; registers the playground's channels. */
  start(appUrl: string): Promise<{ connectorUrl: string }>;
  /** Ends the event streams (else a graceful close would wait for them). */
  close(): void;
}

const PLAYGROUND_DIR = resolve(__dirname, '..', '..', 'playground');
const nodeRequire = createRequire(resolve(__dirname, 'playground.js'));

/** The page's files, by the name under /playground/ (nothing else is served). */
const ASSETS: Readonly<Record<string, { readonly file: () => string; readonly type: string }>> = {
  'app.js': { file: () => resolve(PLAYGROUND_DIR, 'app.js'), type: 'text/javascript; charset=utf-8' },
  'style.css': { file: () => resolve(PLAYGROUND_DIR, 'style.css'), type: 'text/css; charset=utf-8' },
  'vendor/adaptivecards.min.js': {
    file: () => nodeRequire.resolve('adaptivecards/dist/adaptivecards.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
};

/** No external fetches: everything comes from this server. */
const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  // The card renderer sets inline style attributes.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const personaSchema = z.object({
  kind: z.enum(['staff', 'nexusteam']),
  id: z.string().trim().min(1).max(200),
  name: z.string().trim().min(1).max(100),
  aadObjectId: z.string().trim().max(100),
});
const personasSchema = z.array(personaSchema).min(1).max(20);

const TEN_YEARS_MS = 10 * 366 * 24 * 3_600_000;
const clockSchema = z.union([
  z.strictObject({ offsetMs: z.number().finite().min(-TEN_YEARS_MS).max(TEN_YEARS_MS) }),
  z.strictObject({ advanceMs: z.number().finite().min(-TEN_YEARS_MS).max(TEN_YEARS_MS) }),
  z.strictObject({ at: z.string().trim().min(1).max(40) }),
]);

/** What the page can do with the bot's clock. */
interface ClockControl {
  offsetMs(): number;
  setOffset(ms: number): void;
  setAt(at: Date): void;
}

/** An OffsetClock moves by its offset; a ManualClock (tests) is set, its "offset" measured from the system clock. */
function clockControl(clock: Clock): ClockControl | undefined {
  if (clock instanceof OffsetClock) {
    return {
      offsetMs: () => clock.offsetMs,
      setOffset: (ms) => {
        clock.offsetMs = ms;
      },
      setAt: (at) => {
        clock.offsetMs += at.getTime() - clock.now().getTime();
      },
    };
  }
  if (clock instanceof ManualClock) {
    return {
      offsetMs: () => clock.now().getTime() - systemClock.now().getTime(),
      setOffset: (ms) => clock.set(new Date(systemClock.now().getTime() + ms)),
      setAt: (at) => clock.set(at),
    };
  }
  return undefined;
}

/** "2026-12-05T19:40:00+01:00" / "…Z" as given; "2026-12-05T19:40" as Copenhagen wall time. */
function parseAt(value: string): Date | string {
  if (/(z|[+-]\d{2}:?\d{2})$/i.test(value)) {
    const at = new Date(value);
    return Number.isNaN(at.getTime()) ? 'not a date-time' : at;
  }
  try {
    const local = resolveLocalDateTime(value);
    if (local.kind === 'gap') return 'that local time does not exist (the clocks jump forward)';
    return local.kind === 'ok' ? local.instant : local.earlier;
  } catch {
    return 'expected an ISO 8601 date-time, e.g. 2026-12-05T19:40';
  }
}

export function mountPlayground(deps: PlaygroundDeps): Playground {
  const { server, clock, channels, logger } = deps;
  const log = logger.child({ component: 'playground' });
  const control = clockControl(clock);
  const connector = new DevConnector({ clock, personas: DEFAULT_PERSONAS, teams: PLAYGROUND_TEAMS, tenantId: PLAYGROUND_TENANT_ID });
  let connectorUrl: string | undefined;
  let closing = false;

  // --- Server-Sent Events ---------------------------------------------------
  const clients = new Set<Response>();
  const write = (res: Response, event: string, data: unknown): void => {
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const broadcast = (event: string, data: unknown): void => {
    for (const res of clients) write(res, event, data);
  };
  const unsubscribe = connector.subscribe((e: DevConnectorEvent) => broadcast(e.type, e.message));
  const heartbeat = setInterval(() => {
    for (const res of clients) res.write(': keep-alive\n\n');
  }, 20_000);
  heartbeat.unref();

  const clockState = () => {
    const now = clock.now();
    return {
      now: now.toISOString(),
      offsetMs: control?.offsetMs() ?? 0,
      movable: control !== undefined,
      /** "lørdag 5. december kl. 19.40" */
      local: `${formatDate(now, 'da')} ${localDate(now).slice(0, 4)} kl. ${formatClock(now, 'da')}`,
      /** For a datetime-local input. */
      localInput: `${localDate(now)}T${localTimeOf(now).slice(0, 5)}`,
    };
  };

  const channelViews = async () =>
    (await channels.list()).map((c: ChannelRecord) => ({
      conversationId: c.conversationId,
      teamId: c.teamId,
      teamName: c.teamName ?? c.teamId,
      channelName: c.channelName ?? c.conversationId,
      roles: c.roles,
    }));

  // --- the page's activities, as they go into /api/messages -----------------
  server.use(function observePlaygroundActivity(req: Request, res: Response, next: Next) {
    if (connectorUrl !== undefined && req.method === 'POST' && req.getPath() === '/api/messages') {
      const body: unknown = req.body;
      if (typeof body === 'object' && body !== null && 'serviceUrl' in body && body.serviceUrl === connectorUrl) {
        const entry = connector.observeInbound(body);
        res.once('finish', () => {
          entry.status = res.statusCode;
        });
      }
    }
    next();
  });

  // --- the page --------------------------------------------------------------
  const sendFile = async (res: Response, file: string, type: string, headers: Record<string, string> = {}): Promise<void> => {
    let content: Buffer;
    try {
      content = await readFile(file);
    } catch (err) {
      log.error({ err, file }, 'playground file missing');
      res.send(404, { code: 'NotFound', message: 'Playground file missing.' });
      return;
    }
    res.writeHead(200, { 'content-type': type, 'content-length': content.length, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers });
    res.end(content);
  };

  const page = async (_req: Request, res: Response): Promise<void> =>
    sendFile(res, resolve(PLAYGROUND_DIR, 'index.html'), 'text/html; charset=utf-8', { 'content-security-policy': PAGE_CSP, 'referrer-policy': 'no-referrer' });
  server.get('/', page);
  server.get('/index.html', page);
  server.get('/playground/*', async function playgroundAsset(req: Request, res: Response) {
    const name = req.getPath().slice('/playground/'.length);
    const asset = ASSETS[name];
    if (!asset) {
      res.send(404, { code: 'NotFound', message: 'No such playground file.' });
      return;
    }
    await sendFile(res, asset.file(), asset.type);
  });

  // --- the development Bot Connector ----------------------------------------
  const connectorRoute = async function devConnector(req: Request, res: Response): Promise<void> {
    const path = req.getPath().slice('/dev/connector'.length) || '/';
    const answer = connector.handle(req.method ?? 'GET', path, req.body);
    res.send(answer.status, answer.body);
  };
  server.get('/dev/connector/*', connectorRoute);
  server.post('/dev/connector/*', connectorRoute);
  server.put('/dev/connector/*', connectorRoute);
  server.del('/dev/connector/*', connectorRoute);

  // --- state for the page -----------------------------------------------------
  server.get('/dev/state', async function devState(_req: Request, res: Response) {
    res.send(200, {
      serviceUrl: connectorUrl ?? null,
      tenantId: PLAYGROUND_TENANT_ID,
      bot: PLAYGROUND_BOT,
      personas: connector.personas.map((p) => ({ ...p, conversationId: personalConversationId(p.id) })),
      defaultPersonas: DEFAULT_PERSONAS,
      teams: PLAYGROUND_TEAMS,
      channels: await channelViews(),
      clock: clockState(),
    });
  });
  server.get('/dev/channels', async function devChannels(_req: Request, res: Response) {
    res.send(200, await channelViews());
  });
  server.put('/dev/personas', async function devPersonas(req: Request, res: Response) {
    const parsed = personasSchema.safeParse(req.body);
    if (!parsed.success) {
      res.send(400, { code: 'BadRequest', message: 'Expected a list of personas: { kind: staff|nexusteam, id, name, aadObjectId }.' });
      return;
    }
    connector.personas = parsed.data;
    res.send(200, connector.personas);
  });
  server.get('/dev/messages', async function devMessages(_req: Request, res: Response) {
    res.send(200, connector.messages());
  });
  server.get('/dev/log', async function devLog(_req: Request, res: Response) {
    res.send(200, connector.requests());
  });

  server.get('/dev/events', function devEvents(req: Request, res: Response, _next: Next) {
    if (closing) {
      res.send(503, { code: 'Closing', message: 'The server is stopping.' });
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 1000\n\n');
    write(res, 'snapshot', { messages: connector.messages(), clock: clockState() });
    clients.add(res);
    const drop = (): void => {
      clients.delete(res);
    };
    req.once('close', drop);
    res.once('close', drop);
  });

  // --- the development clock ---------------------------------------------------
  server.get('/dev/clock', async function devClock(_req: Request, res: Response) {
    res.send(200, clockState());
  });
  server.post('/dev/clock', async function moveDevClock(req: Request, res: Response) {
    if (!control) {
      res.send(409, { code: 'ClockFixed', message: 'This clock cannot be moved (the app was started with a custom clock).' });
      return;
    }
    const parsed = clockSchema.safeParse(req.body);
    if (!parsed.success) {
      res.send(400, { code: 'BadRequest', message: 'Expected { "offsetMs": n }, { "advanceMs": n } or { "at": "2026-12-05T19:40" }.' });
      return;
    }
    const body = parsed.data;
    if ('at' in body) {
      const at = parseAt(body.at);
      if (typeof at === 'string') {
        res.send(400, { code: 'BadRequest', message: `at: ${at}` });
        return;
      }
      control.setAt(at);
    } else if ('advanceMs' in body) {
      control.setOffset(control.offsetMs() + body.advanceMs);
    } else {
      control.setOffset(body.offsetMs);
    }
    const state = clockState();
    log.info({ now: state.now, offsetMs: state.offsetMs }, 'development clock moved');
    broadcast('clock', state);
    // What fell due in the jump runs now, not at the next interval.
    let ran: number | null = null;
    try {
      ran = await deps.tick();
    } catch (err) {
      log.error({ err }, 'scheduler round after the clock moved failed');
    }
    res.send(200, { ...clockState(), ran });
  });

  return {
    connector,
    async start(appUrl: string) {
      const url = new URL(appUrl);
      if (url.hostname === '0.0.0.0' || url.hostname === '[::]') url.hostname = 'localhost';
      connectorUrl = `${url.origin}/dev/connector`;
      const at = clock.now();
      for (const c of PLAYGROUND_CHANNELS) {
        const existing = await channels.get(c.conversationId);
        const roles = [...new Set([...(existing?.roles ?? []), ...c.roles])];
        await channels.setRoles(c.conversationId, roles, { key: PLAYGROUND_ADMIN_ID, name: 'Playground' }, at, {
          conversationId: c.conversationId,
          serviceUrl: connectorUrl,
          tenantId: PLAYGROUND_TENANT_ID,
          teamId: c.teamId,
          teamName: c.teamName,
          channelName: c.channelName,
        });
      }
      log.info({ url: `${url.origin}/`, connectorUrl }, `Playground: open ${url.origin}/ to try the bot without Teams`);
      return { connectorUrl };
    },
    close() {
      closing = true;
      clearInterval(heartbeat);
      unsubscribe();
      for (const res of clients) res.end();
      clients.clear();
    },
  };
}
