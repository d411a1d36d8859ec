import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../src/domain/jobs';
import { messageActivity, postActivity, TENANT_ID } from '../helpers/activities';
import { ensureBuilt, isAlive, killHard, ROOT, startBotProcess, type BotProcess } from '../helpers/botProcess';
import { sleep, waitUntil } from '../helpers/wait';
import { outboxLeft } from '../helpers/outboxLeft';
import { cardText } from '../helpers/cards';
import { startConnector, type Connector, type RecordedRequest } from '../support/connector';
import { startHoldingProxy, type HoldingProxy, type ProxiedRequest } from '../helpers/holdingProxy';

/**
 * The scheduler as production runs it: `node dist/index.js` processes on one
 * SQLite file on disk, the local connector counting what Teams would receive.
 * DESIGN.md, "Delivery semantics": claim, send, record; exactly once unless the
 * process dies between Teams accepting a message and the record being written,
 * then at least once, never zero.
 */

// The test process opens the same SQLite file with the built classes (the very
// code the bot processes run), typed from their sources.
const distRequire = createRequire(path.join(ROOT, 'package.json'));
const { SqliteStorage } = distRequire(path.join(ROOT, 'dist', 'store', 'sqliteStorage.js')) as typeof import('../../src/store/sqliteStorage');
const { ChannelRegistry } = distRequire(path.join(ROOT, 'dist', 'store', 'channels.js')) as typeof import('../../src/store/channels');
const { JobStore } = distRequire(path.join(ROOT, 'dist', 'scheduler', 'scheduler.js')) as typeof import('../../src/scheduler/scheduler');
const { OutageStore } = distRequire(path.join(ROOT, 'dist', 'store', 'outages.js')) as typeof import('../../src/store/outages');

/** The default claim lease in src/scheduler/scheduler.ts (not configurable from the environment). */
const DEFAULT_LEASE_MS = 120_000;
/** ESCALATION_AFTER_MINUTES=0.05: the escalation is due 3 s after the press. */
const ESCALATION_AFTER_MS = 3_000;

const OWNER = { id: '29:scheduler-owner', name: 'Vagt Kollega', aadObjectId: '00000000-0000-4000-8000-00000000a001' } as const;
const OWNER_CHAT = 'a:1personal-scheduler-owner';
const NEXUSTEAM_CHANNEL = '19:nexusteam-scheduler@thread.tacv2';

// --- bookkeeping: every process, server and temp dir is cleaned up after each test ---

const processes: BotProcess[] = [];
const closers: (() => Promise<void>)[] = [];
const dirs: string[] = [];

function tempSqlite(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nedbrud-e2e-scheduler-'));
  dirs.push(dir);
  return path.join(dir, 'bot.sqlite');
}

async function connector(): Promise<Connector> {
  const c = await startConnector();
  closers.push(() => c.close());
  return c;
}

async function proxy(target: string, forwardHeld: boolean): Promise<HoldingProxy> {
  const p = await startHoldingProxy({ target, forwardHeld, hold: isEscalationSend });
  closers.push(() => p.close());
  return p;
}

async function start(env: Record<string, string>): Promise<BotProcess> {
  const p = await startBotProcess(env);
  processes.push(p);
  return p;
}


afterEach(async () => {
  for (const p of processes.splice(0)) await killHard(p);
  for (const close of closers.splice(0)) await close().catch(() => undefined);
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

beforeAll(() => ensureBuilt(), 120_000);

// --- small helpers ---




function env(sqlitePath: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PORT: '0',
    SQLITE_PATH: sqlitePath,
    LOG_LEVEL: 'info',
    ESCALATION_AFTER_MINUTES: '0.05',
    // Only round 0 matters here: the first repeat would be an hour later.
    ESCALATION_REPEAT_MINUTES: '60',
    SCHEDULER_INTERVAL_SECONDS: '0.2',
    // Every send goes through the outbox; a dead process's part of it is taken over after this lease.
    OUTBOX_LEASE_SECONDS: '2',
    ...extra,
  };
}

/** Everything a person reads in an activity body: its text and its cards' text. */
function readable(body: unknown): string {
  if (typeof body !== 'object' || body === null) return typeof body === 'string' ? body : '';
  const b = body as { text?: unknown; attachments?: unknown };
  const cards = Array.isArray(b.attachments) ? b.attachments.map((a) => cardText((a as { content?: unknown }).content)) : [];
  return [typeof b.text === 'string' ? b.text : '', ...cards].join('\n');
}

function segments(p: string): string[] {
  return p
    .split('/')
    .filter(Boolean)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

/** POST /v3/conversations/{owner's 1:1}/activities: a new message (not a reply) into the owner's chat. */
function isEscalationSend(r: ProxiedRequest): boolean {
  const s = segments(r.path);
  return r.method === 'POST' && s.length === 4 && s[0] === 'v3' && s[1] === 'conversations' && s[2] === OWNER_CHAT && s[3] === 'activities';
}

/** The escalation cards Teams accepted for the owner's 1:1 chat. */
function escalations(c: Connector): RecordedRequest[] {
  return c.requests.filter(
    (r) =>
      r.method === 'POST' &&
      r.conversationId === OWNER_CHAT &&
      r.activityId === undefined &&
      r.status >= 200 &&
      r.status < 300 &&
      readable(r.body).includes('driftvagt'),
  );
}

/** "Jeg har ringet til KMD" pressed in the owner's 1:1 chat; resolves when the bot answered the POST. */
async function pressCalledKmd(app: BotProcess, serviceUrl: string): Promise<number> {
  const at = Date.now();
  const activity = messageActivity({
    serviceUrl,
    from: OWNER,
    conversationId: OWNER_CHAT,
    value: { action: 'calledKmd', system: 'nexus' },
    timestamp: new Date(at).toISOString(),
  });
  const res = await postActivity(app.url, activity);
  expect(res.status, res.text).toBeLessThan(300);
  return at;
}

/** Reads the shared file from the test process (WAL: safe while bot processes run). */
async function withStorage<R>(file: string, use: (storage: InstanceType<typeof SqliteStorage>) => Promise<R>): Promise<R> {
  const storage = new SqliteStorage({ path: file });
  try {
    return await use(storage);
  } finally {
    storage.close();
  }
}

async function escalationJobs(file: string): Promise<Job[]> {
  return withStorage(file, async (s) => (await new JobStore(s).list()).jobs.filter((j) => j.payload.kind === 'escalation'));
}

async function escalationRounds(file: string): Promise<number | undefined> {
  return withStorage(file, async (s) => (await new OutageStore(s).live()).open.nexus?.escalation?.rounds);
}


// --- the tests ---

describe('scheduler in real processes on one SQLite file', () => {
  it('a process killed before the escalation is due: the next process sends it exactly once', async () => {
    const teams = await connector();
    const file = tempSqlite();

    const a = await start(env(file));
    const pressedAt = await pressCalledKmd(a, teams.url);
    await killHard(a);
    const killedAt = Date.now();
    // The test is only meaningful if A died before the escalation was due.
    expect(killedAt - pressedAt).toBeLessThan(ESCALATION_AFTER_MS);
    // The press itself was answered (the owner card), and nothing else went out.
    expect(teams.requests.some((r) => r.activityId !== undefined && readable(r.body).includes('Du har nu sagen'))).toBe(true);
    expect(escalations(teams)).toHaveLength(0);
    const [pending] = await escalationJobs(file);
    expect(pending).toMatchObject({ state: 'pending', payload: { kind: 'escalation', round: 0 } });

    // No process runs past the due time.
    const seenWhileDown = teams.requests.length;
    await sleep(Math.max(0, pressedAt + ESCALATION_AFTER_MS + 1_000 - Date.now()));
    expect(teams.requests.length, 'nothing may arrive while no bot process runs').toBe(seenWhileDown);

    const b = await start(env(file));
    await waitUntil(() => escalations(teams).length >= 1, 5_000, 'the escalation from process B');
    const first = escalations(teams)[0];
    const text = readable(first?.body);
    expect(text).toContain('driftvagt');
    expect(text).toContain('3864 8888');
    await sleep(2_000); // ten more scheduler ticks: no second copy
    expect(escalations(teams)).toHaveLength(1);
    const jobs = await escalationJobs(file);
    expect(jobs.find((j) => j.id === pending?.id)).toMatchObject({ state: 'done', attempts: 1 });
    expect(await escalationRounds(file)).toBe(1);
    expect(isAlive(b)).toBe(true);
  }, 30_000);

  /*
   * Kill inside the send window, Teams HAS accepted the card (the connector
   * answered 201 to the proxy; only the answer back to the bot is withheld).
   *
   * What happens: the job queued the card, recorded the round and finished before
   * the card was sent (sending is queue-only); A's outbox had the card in flight
   * and died before recording that Teams took it. Process B takes A's part of the
   * outbox over when the outbox lease runs out (OUTBOX_LEASE_SECONDS, 2 s here,
   * 30 s by default) and sends the card again: the owner gets it TWICE, and never
   * a third time. At least once, never zero, at most twice (one duplicate per
   * message in flight in a dead process), as DESIGN.md rules.
   */
  it('a process killed after Teams accepted the escalation but before recording it: delivered at least once, at most twice', async () => {
    const teams = await connector();
    const front = await proxy(teams.url, true);
    const file = tempSqlite();

    const a = await start(env(file));
    await pressCalledKmd(a, front.url);
    const held = await front.held(ESCALATION_AFTER_MS + 5_000);
    await killHard(a);
    const killedAt = Date.now();
    expect(held.upstreamStatus).toBe(201);
    expect(escalations(teams)).toHaveLength(1); // Teams has it: the owner's phone rang once
    expect(await held.clientGone).toBeLessThanOrEqual(Date.now()); // A's connection died with A

    // The job is done: it queued the card and recorded the round before the card went out.
    const [job] = await escalationJobs(file);
    expect(job).toMatchObject({ state: 'done', attempts: 1, payload: { round: 0 } });
    expect(await escalationRounds(file)).toBe(1);

    const b = await start(env(file));
    // B's outbox takes A's in-flight card over after the outbox lease and sends it again.
    await waitUntil(() => escalations(teams).length >= 2, 10_000, "the in-flight card re-sent by B's outbox");
    const resentAt = Date.now();
    // Its outcome recorded, nothing sends it a third time: B's outbox has nothing left for the owner.
    await waitUntil(async () => (await outboxLeft(file)) === 0, 10_000, "B's outbox drained");
    expect(escalations(teams)).toHaveLength(2);
    expect(await escalationRounds(file)).toBe(1);
    expect(isAlive(b)).toBe(true);
    console.info(
      `kill after Teams accepted: delivered 2x; second copy ${((resentAt - held.heldAt) / 1000).toFixed(1)} s after the first, ${((resentAt - killedAt) / 1000).toFixed(1)} s after the kill`,
    );
  }, 30_000);

  /*
   * Kill inside the send window BEFORE Teams accepted (the POST never reached
   * the connector). Nothing was delivered; the card was in A's outbox, so B
   * sends it once when the outbox lease runs out (seconds, not the job's 120 s).
   */
  it('a process killed before Teams accepted the escalation: the next process sends it once, after the outbox lease', async () => {
    const teams = await connector();
    const front = await proxy(teams.url, false);
    const file = tempSqlite();

    const a = await start(env(file));
    await pressCalledKmd(a, front.url);
    await front.held(ESCALATION_AFTER_MS + 5_000);
    await killHard(a);
    expect(escalations(teams)).toHaveLength(0);
    expect((await escalationJobs(file))[0]).toMatchObject({ state: 'done', attempts: 1 });

    await start(env(file));
    await waitUntil(() => escalations(teams).length >= 1, 10_000, "the card sent by B's outbox");
    await waitUntil(async () => (await outboxLeft(file)) === 0, 10_000, "B's outbox drained");
    expect(escalations(teams)).toHaveLength(1);
    expect(await escalationRounds(file)).toBe(1);
  }, 30_000);

  it('two processes share 100 due jobs: each is delivered exactly once', async () => {
    const teams = await connector();
    const file = tempSqlite();
    const N = 100;

    // Seed before any process runs: a nexusteam channel at the connector and 100 review jobs, due in the past.
    await withStorage(file, async (s) => {
      await new ChannelRegistry(s).setRoles(NEXUSTEAM_CHANNEL, ['nexusteam'], { key: 'test-admin', name: 'Test Admin' }, new Date(), {
        conversationId: NEXUSTEAM_CHANNEL,
        serviceUrl: teams.url,
        tenantId: TENANT_ID,
        teamId: '19:team-nexusteam@thread.tacv2',
        teamName: 'Nexusteamet',
        channelName: 'Drift',
      });
      const jobs = new JobStore(s);
      const due = new Date(Date.now() - 60_000);
      for (let i = 0; i < N; i++) await jobs.schedule(`review:seed-${String(i).padStart(3, '0')}`, { kind: 'review' }, due);
    });

    const reviews = () =>
      teams.requests.filter(
        (r) =>
          r.method === 'POST' &&
          r.conversationId === NEXUSTEAM_CHANNEL &&
          r.activityId === undefined &&
          readable(r.body).includes('Instruksen skal revideres'),
      );

    const extra = { LOG_LEVEL: 'debug', SCHEDULER_INTERVAL_SECONDS: '0.1' };
    const started = Date.now();
    const [a, b] = await Promise.all([start(env(file, extra)), start(env(file, extra))]);
    // One channel: the outbox paces the posts within Teams' limits (60 per 30 s), so 100 take about 35 s.
    await waitUntil(() => reviews().length >= N, 75_000, `${N} review posts`);
    const tookMs = Date.now() - started;
    await sleep(2_000);
    expect(reviews()).toHaveLength(N);

    // Every seeded job is recorded done, once.
    const jobs = await withStorage(file, async (s) => (await new JobStore(s).list()).jobs.filter((j) => j.id.startsWith('review:seed-')));
    expect(jobs).toHaveLength(N);
    expect(jobs.filter((j) => j.state === 'done' && j.attempts === 1)).toHaveLength(N);
    // The follow-up ("review:<next month>") is one pending job, not due.
    const followUps = await withStorage(file, async (s) => (await new JobStore(s).list()).jobs.filter((j) => j.payload.kind === 'review' && !j.id.startsWith('review:seed-')));
    expect(followUps.every((j) => j.state === 'pending' && Date.parse(j.dueAt) > Date.now())).toBe(true);

    // Who did the work (debug "job recorded" lines; each process has its own stdout).
    const share = (p: BotProcess) => logLines(p.stdout()).filter((l) => l['msg'] === 'job recorded' && String(l['jobId']).startsWith('review:seed-')).length;
    const takenOver = (p: BotProcess) => logLines(p.stdout()).filter((l) => String(l['msg']).includes('taken over')).length;
    const shares = [a, b].map((p) => (p ? share(p) : 0));
    expect(shares.reduce((x, y) => x + y, 0)).toBe(N);
    expect([a, b].map((p) => (p ? takenOver(p) : 0))).toEqual([0, 0]);
    console.info(`two processes, ${N} due jobs: shares ${shares.join(' + ')}, all ${N} posts within ${tookMs} ms of starting both`);
  }, 60_000);
});

/*
 * A send Teams never answers (a stuck gateway, a half-open connection) must not
 * stop the process's other timed duties: requests time out (AdapterSender), and
 * the scheduler runs jobs side by side without one round waiting for the last.
 * This was a bug: a single hung escalation send stalled every later job.
 */
describe('a send Teams never answers', () => {
  it('a send that never gets an answer does not stop the other due jobs', async () => {
    const teams = await connector();
    const front = await proxy(teams.url, false); // holds the escalation send, never answers
    const file = tempSqlite();

    const a = await start(env(file));
    await pressCalledKmd(a, front.url);
    await front.held(ESCALATION_AFTER_MS + 5_000);

    // While the escalation send hangs, another duty falls due (the nexusteam channel answers normally).
    await withStorage(file, async (s) => {
      await new ChannelRegistry(s).setRoles(NEXUSTEAM_CHANNEL, ['nexusteam'], { key: 'test-admin', name: 'Test Admin' }, new Date(), {
        conversationId: NEXUSTEAM_CHANNEL,
        serviceUrl: teams.url,
        tenantId: TENANT_ID,
        teamId: '19:team-nexusteam@thread.tacv2',
      });
      await new JobStore(s).schedule('review:while-hung', { kind: 'review' }, new Date(Date.now() - 1_000));
    });
    const reviewPosted = () => teams.requests.some((r) => r.conversationId === NEXUSTEAM_CHANNEL && readable(r.body).includes('Instruksen skal revideres'));
    await waitUntil(reviewPosted, 15_000, 'the review post while the escalation send hangs');
    expect(isAlive(a)).toBe(true);
  }, 40_000);
});

function logLines(out: string): Record<string, unknown>[] {
  return out.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      const parsed: unknown = JSON.parse(line);
      return typeof parsed === 'object' && parsed !== null ? [parsed as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });
}
