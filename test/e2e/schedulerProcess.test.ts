import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { Storage } from 'botbuilder';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../src/domain/jobs';
import { messageActivity, postActivity, TENANT_ID } from '../helpers/activities';
import { startAzurite, type Azurite } from '../support/azurite';
import { ensureBuilt, isAlive, killHard, ROOT, startBotProcess, type BotProcess } from '../helpers/botProcess';
import { cardText } from '../helpers/cards';
import { startConnector, type Connector, type RecordedRequest } from '../support/connector';
import { startHoldingProxy, type HoldingProxy, type ProxiedRequest } from '../helpers/holdingProxy';
import { outboxIsIdle } from '../helpers/outboxDocs';
import { waitUntil } from '../helpers/wait';

/**
 * The scheduler as production runs it: `node dist/index.js` processes sharing
 * one store, the local connector counting what Teams would receive. Every case
 * runs on both stores the bot supports: one SQLite file on disk, and one Azure
 * Blob container (Azurite), where claims and records are eTag-checked
 * read-modify-writes of the one `jobs` blob (If-Match).
 *
 * DESIGN.md, "Delivery semantics": claim, send, record; exactly once unless the
 * process dies between Teams accepting a message and the record being written,
 * then at least once, never zero.
 *
 * "Nothing more was sent" is asserted once the work is done and the outbox in
 * storage has nothing left to send (no pending, in-flight or unnotified
 * message), never after a fixed pause: a done job does not run again, and an
 * empty outbox sends nothing.
 */

// The test process opens the same store with the built classes (the very code
// the bot processes run), typed from their sources.
const distRequire = createRequire(path.join(ROOT, 'package.json'));
const { SqliteStorage } = distRequire(path.join(ROOT, 'dist', 'store', 'sqliteStorage.js')) as typeof import('../../src/store/sqliteStorage');
const { BlobStorage } = distRequire(path.join(ROOT, 'dist', 'store', 'blobStorage.js')) as typeof import('../../src/store/blobStorage');
const { ChannelRegistry } = distRequire(path.join(ROOT, 'dist', 'store', 'channels.js')) as typeof import('../../src/store/channels');
const { JobStore } = distRequire(path.join(ROOT, 'dist', 'scheduler', 'scheduler.js')) as typeof import('../../src/scheduler/scheduler');
const { OutageStore } = distRequire(path.join(ROOT, 'dist', 'store', 'outages.js')) as typeof import('../../src/store/outages');
const { upsertJob } = distRequire(path.join(ROOT, 'dist', 'domain', 'jobs.js')) as typeof import('../../src/domain/jobs');

/** The default claim lease in src/scheduler/scheduler.ts (not configurable from the environment). */
/** ESCALATION_AFTER_MINUTES=0.05: the escalation is due 3 s after the press. */
const ESCALATION_AFTER_MS = 3_000;
/**
 * The kill-one-of-two case: a lease shorter than the default 120 s, so the survivor takes over the dead process's
 * claims soon; but longer than a job may wait for its post, which the outbox paces within Teams' limits
 * (60 per 30 s in one channel: up to about 30 s). A shorter lease would retry jobs that are merely waiting.
 */
const SHORT_LEASE_SECONDS = 45;
/** Review jobs two processes share. */
const N = 100;
const SEED_PREFIX = 'review:seed-';

const OWNER = { id: '29:scheduler-owner', name: 'Vagt Kollega', aadObjectId: '00000000-0000-4000-8000-00000000a001' } as const;
const OWNER_CHAT = 'a:1personal-scheduler-owner';
const NEXUSTEAM_CHANNEL = '19:nexusteam-scheduler@thread.tacv2';

// --- the stores ---

type AppStorage = Storage & { close(): void };

/** One fresh store for one test. */
interface Store {
  /** What points a bot process at it. */
  readonly env: Record<string, string>;
  /** The same store, opened by the test process. */
  open(): AppStorage;
}

interface Backend {
  readonly name: string;
  fresh(): Store;
}

let azurite: Azurite | undefined;
const dirs: string[] = [];
let containers = 0;

const BACKENDS: Backend[] = [
  {
    name: 'one SQLite file',
    fresh() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nedbrud-e2e-scheduler-'));
      dirs.push(dir);
      const file = path.join(dir, 'bot.sqlite');
      return { env: { SQLITE_PATH: file }, open: () => new SqliteStorage({ path: file }) };
    },
  },
  {
    name: 'one Blob container (Azurite)',
    fresh() {
      if (!azurite) throw new Error('Azurite is not running');
      const { connectionString } = azurite;
      // A fresh container per test (Azurite's data is in memory and goes with it).
      const container = `nedbrud-sched-${process.pid}-${++containers}`;
      return {
        env: { STORAGE: 'blob', BLOB_CONNECTION_STRING: connectionString, BLOB_CONTAINER: container },
        open: () => new BlobStorage({ connectionString, container }),
      };
    },
  },
];

// --- bookkeeping: every process, server and temp dir is cleaned up after each test ---

const processes: BotProcess[] = [];
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  ensureBuilt();
  azurite = await startAzurite();
}, 120_000);

afterEach(async () => {
  for (const p of processes.splice(0)) await killHard(p);
  for (const close of closers.splice(0)) await close().catch(() => undefined);
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

afterAll(async () => {
  await azurite?.stop();
});

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

// --- small helpers ---

/**
 * A bot process on `store`. The development playground is off unless a test
 * moves the process's clock (its POST /dev/clock).
 */
function env(store: Store, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...store.env,
    PORT: '0',
    LOG_LEVEL: 'debug',
    ESCALATION_AFTER_MINUTES: '0.05',
    // Only round 0 matters here: the first repeat would be an hour later.
    ESCALATION_REPEAT_MINUTES: '60',
    SCHEDULER_INTERVAL_SECONDS: '0.1',
    // Every send goes through the outbox; a dead process's part of it is taken over after this lease.
    OUTBOX_LEASE_SECONDS: '2',
    DEV_PLAYGROUND: 'false',
    ...extra,
  };
}

/** A process whose clock the test moves. */
const WITH_CLOCK = { DEV_PLAYGROUND: 'true' };

/** Moves the process's clock forward (POST /dev/clock); resolves once it has run the scheduler round that follows. */
async function advanceClock(p: BotProcess, ms: number): Promise<void> {
  const res = await fetch(`${p.url}/dev/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceMs: Math.ceil(ms) }) });
  expect(res.status, await res.text()).toBe(200);
}

/** Opens the store from the test process (SQLite in WAL mode, or Azurite: safe while bot processes run). */
async function withStorage<R>(store: Store, use: (storage: AppStorage) => Promise<R>): Promise<R> {
  const storage = store.open();
  try {
    return await use(storage);
  } finally {
    storage.close();
  }
}

async function jobs(store: Store): Promise<Job[]> {
  return withStorage(store, async (s) => [...(await new JobStore(s).list()).jobs]);
}

async function escalationJobs(store: Store): Promise<Job[]> {
  return (await jobs(store)).filter((j) => j.payload.kind === 'escalation');
}

async function escalationRounds(store: Store): Promise<number | undefined> {
  return withStorage(store, async (s) => (await new OutageStore(s).live()).open.nexus?.escalation?.rounds);
}

/**
 * Waits until the jobs `done` looks at are recorded and the outbox has nothing
 * left to send: after that no further copy can reach Teams.
 */
async function settled(store: Store, done: (jobs: Job[]) => boolean, timeoutMs: number, what: string): Promise<void> {
  await waitUntil(async () => done(await jobs(store)) && (await withStorage(store, outboxIsIdle)), timeoutMs, `${what}, and an idle outbox`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Everything a person reads in an activity body: its text and its cards' text. */
function readable(body: unknown): string {
  if (!isRecord(body)) return typeof body === 'string' ? body : '';
  const cards = Array.isArray(body['attachments']) ? body['attachments'].map((a: unknown) => cardText(isRecord(a) ? a['content'] : undefined)) : [];
  return [typeof body['text'] === 'string' ? body['text'] : '', ...cards].join('\n');
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

/**
 * New posts (not replies or updates) Teams accepted in a conversation whose
 * text has `text`. Only complete JSON bodies count: a send cut off by SIGKILL
 * arrives as a truncated string, which real Teams would reject.
 */
function accepted(c: Connector, conversationId: string, text: string): RecordedRequest[] {
  return c.requests.filter(
    (r) =>
      r.method === 'POST' &&
      r.conversationId === conversationId &&
      r.activityId === undefined &&
      r.status >= 200 &&
      r.status < 300 &&
      isRecord(r.body) &&
      readable(r.body).includes(text),
  );
}

/** The escalation cards Teams accepted for the owner's 1:1 chat. */
const escalations = (c: Connector) => accepted(c, OWNER_CHAT, 'driftvagt');
/** The review posts Teams accepted in the nexusteam channel. */
const reviews = (c: Connector) => accepted(c, NEXUSTEAM_CHANNEL, 'Instruksen skal revideres');

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

/** A nexusteam channel at the connector. */
async function registerNexusteam(storage: AppStorage, serviceUrl: string): Promise<void> {
  await new ChannelRegistry(storage).setRoles(NEXUSTEAM_CHANNEL, ['nexusteam'], { key: 'test-admin', name: 'Test Admin' }, new Date(), {
    conversationId: NEXUSTEAM_CHANNEL,
    serviceUrl,
    tenantId: TENANT_ID,
    teamId: '19:team-nexusteam@thread.tacv2',
    teamName: 'Nexusteamet',
    channelName: 'Drift',
  });
}

/** A nexusteam channel at the connector and N review jobs with distinct ids, all due a minute ago, before any process runs. */
async function seedReviews(store: Store, serviceUrl: string): Promise<void> {
  await withStorage(store, async (s) => {
    await registerNexusteam(s, serviceUrl);
    const due = new Date(Date.now() - 60_000);
    // One eTag-checked write of the jobs document (what JobStore.schedule does N times).
    await new JobStore(s).change((doc) => {
      let next = doc;
      for (let i = 0; i < N; i++) next = upsertJob(next, `${SEED_PREFIX}${String(i).padStart(3, '0')}`, { kind: 'review' }, due);
      return { doc: next, result: undefined };
    });
  });
  const seeded = (await jobs(store)).filter((j) => j.id.startsWith(SEED_PREFIX));
  expect(seeded.filter((j) => j.state === 'pending')).toHaveLength(N);
}

const seededJobs = (all: Job[]) => all.filter((j) => j.id.startsWith(SEED_PREFIX));
const allSeededDone = (all: Job[]) => seededJobs(all).filter((j) => j.state === 'done').length >= N;

function logLines(out: string): Record<string, unknown>[] {
  return out.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      const parsed: unknown = JSON.parse(line);
      return isRecord(parsed) ? [parsed] : [];
    } catch {
      return [];
    }
  });
}

/** Seeded jobs this process recorded (debug "job recorded"; each process has its own stdout). */
function share(p: BotProcess): number {
  return logLines(p.stdout()).filter((l) => l['msg'] === 'job recorded' && String(l['jobId']).startsWith(SEED_PREFIX)).length;
}

function takenOver(p: BotProcess): number {
  return logLines(p.stdout()).filter((l) => String(l['msg']).includes('taken over')).length;
}

/** The process's error and fatal log lines (src/log.ts writes the level as its label). */
function errors(p: BotProcess): string[] {
  return logLines(p.stdout())
    .filter((l) => l['level'] === 'error' || l['level'] === 'fatal')
    .map((l) => String(l['msg']));
}

/**
 * Process A takes "Jeg har ringet til KMD" through a proxy that holds the
 * escalation send when it falls due, forwarded to Teams first or not; A is
 * killed while the send is held.
 */
async function killInsideTheSend(backend: Backend, forwardHeld: boolean) {
  const teams = await connector();
  const front = await proxy(teams.url, forwardHeld);
  const store = backend.fresh();
  const a = await start(env(store));
  await pressCalledKmd(a, front.url);
  const held = await front.held(ESCALATION_AFTER_MS + 5_000);
  await killHard(a);
  return { teams, store, held, killedAt: Date.now() };
}


// --- the tests ---

describe.each(BACKENDS)('scheduler in real processes on $name', (backend) => {
  it('a process killed before the escalation is due: the next process sends it exactly once', async () => {
    const teams = await connector();
    const store = backend.fresh();

    const a = await start(env(store));
    const pressedAt = await pressCalledKmd(a, teams.url);
    await killHard(a);
    const killedAt = Date.now();
    // The test is only meaningful if A died before the escalation was due.
    expect(killedAt - pressedAt).toBeLessThan(ESCALATION_AFTER_MS);
    // The press itself was answered (the owner card), and nothing else went out.
    expect(teams.requests.some((r) => r.activityId !== undefined && readable(r.body).includes('Du har nu sagen'))).toBe(true);
    expect(escalations(teams)).toHaveLength(0);
    const [pending] = await escalationJobs(store);
    expect(pending).toMatchObject({ state: 'pending', payload: { kind: 'escalation', round: 0 } });
    const seenWhileDown = teams.requests.length;

    // B starts, and its clock passes the due time (the job fell due while no process ran).
    expect(teams.requests.length, 'nothing may arrive while no bot process runs').toBe(seenWhileDown);
    const b = await start(env(store, WITH_CLOCK));
    await advanceClock(b, ESCALATION_AFTER_MS);
    await waitUntil(() => escalations(teams).length >= 1, 5_000, 'the escalation from process B');
    const first = escalations(teams)[0];
    const text = readable(first?.body);
    expect(text).toContain('driftvagt');
    expect(text).toContain('3864 8888');
    // No second copy: the job is recorded and nothing is left to send.
    await settled(store, (all) => all.some((j) => j.id === pending?.id && j.state === 'done'), 10_000, 'the escalation job recorded');
    expect(escalations(teams)).toHaveLength(1);
    expect((await escalationJobs(store)).find((j) => j.id === pending?.id)).toMatchObject({ state: 'done', attempts: 1 });
    expect(await escalationRounds(store)).toBe(1);
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
    const { teams, store, held, killedAt } = await killInsideTheSend(backend, true);
    expect(held.upstreamStatus).toBe(201);
    expect(escalations(teams)).toHaveLength(1); // Teams has it: the owner's phone rang once
    expect(await held.clientGone).toBeLessThanOrEqual(Date.now()); // A's connection died with A

    // The job is done: it queued the card and recorded the round before the card went out.
    const [job] = await escalationJobs(store);
    expect(job).toMatchObject({ state: 'done', attempts: 1, payload: { round: 0 } });
    expect(await escalationRounds(store)).toBe(1);

    const b = await start(env(store));
    // B's outbox takes A's in-flight card over after the outbox lease and sends it again.
    await waitUntil(() => escalations(teams).length >= 2, 10_000, "the in-flight card re-sent by B's outbox");
    const resentAt = Date.now();
    // Its outcome recorded, nothing sends it a third time: B's outbox has nothing left for the owner.
    await settled(store, () => true, 10_000, "B's outbox drained");
    expect(escalations(teams)).toHaveLength(2);
    expect(await escalationRounds(store)).toBe(1);
    expect(isAlive(b)).toBe(true);
    console.info(
      `${backend.name}, kill after Teams accepted: delivered 2x; second copy ${((resentAt - held.heldAt) / 1000).toFixed(1)} s after the first, ${((resentAt - killedAt) / 1000).toFixed(1)} s after the kill`,
    );
  }, 30_000);

  /*
   * Kill inside the send window BEFORE Teams accepted (the POST never reached
   * the connector). Nothing was delivered; the card was in A's outbox, so B
   * sends it once when the outbox lease runs out (seconds, not the job's 120 s).
   */
  it('a process killed before Teams accepted the escalation: the next process sends it once, after the outbox lease', async () => {
    const { teams, store } = await killInsideTheSend(backend, false);
    expect(escalations(teams)).toHaveLength(0);
    expect((await escalationJobs(store))[0]).toMatchObject({ state: 'done', attempts: 1 });

    await start(env(store));
    await waitUntil(() => escalations(teams).length >= 1, 10_000, "the card sent by B's outbox");
    await settled(store, () => true, 10_000, "B's outbox drained");
    expect(escalations(teams)).toHaveLength(1);
    expect(await escalationRounds(store)).toBe(1);
  }, 30_000);

  it('two processes share 100 due jobs: each is delivered exactly once', async () => {
    const teams = await connector();
    const store = backend.fresh();
    await seedReviews(store, teams.url);

    const started = Date.now();
    const [a, b] = await Promise.all([start(env(store)), start(env(store))]);
    // One channel: the outbox paces the posts within Teams' limits (60 per 30 s), so 100 take about 35 s.
    await waitUntil(() => reviews(teams).length >= N, 75_000, `${N} review posts`);
    const tookMs = Date.now() - started;
    // No second copy: every job is recorded and nothing is left to send.
    await settled(store, allSeededDone, 15_000, `all ${N} jobs recorded`);
    expect(reviews(teams)).toHaveLength(N);

    // Every seeded job is recorded done, on its first attempt.
    const all = await jobs(store);
    const seeded = seededJobs(all);
    expect(seeded).toHaveLength(N);
    expect(seeded.filter((j) => j.state === 'done' && j.attempts === 1)).toHaveLength(N);
    // The follow-ups all collapse into one pending "review:<next month>", not due.
    const followUps = all.filter((j) => j.payload.kind === 'review' && !j.id.startsWith(SEED_PREFIX));
    expect(followUps).toHaveLength(1);
    expect(followUps.every((j) => j.state === 'pending' && Date.parse(j.dueAt) > Date.now())).toBe(true);

    // Who did the work: both, all of it once, nothing taken over, no error.
    expect([a, b].map(isAlive)).toEqual([true, true]);
    const shares = [a, b].map(share);
    expect(shares.reduce((x, y) => x + y, 0)).toBe(N);
    expect([a, b].map(takenOver)).toEqual([0, 0]);
    expect([...errors(a), ...errors(b)]).toEqual([]);
    console.info(`${backend.name}, two processes, ${N} due jobs: shares ${shares.join(' + ')}, all ${N} posts within ${tookMs} ms of starting both`);
  }, 120_000);

  /*
   * One of the two dies (SIGKILL) half-way. Its claims stay leased to it; when
   * the lease runs out (SCHEDULER_LEASE_SECONDS, short here) the survivor takes
   * them over, and the dead process's part of the outbox after the outbox lease.
   * DESIGN.md, "Delivery semantics": a post Teams accepted but the dead process
   * never recorded is sent again (at least once, never zero), so duplicates are
   * bounded by the posts it had in flight; the count is reported.
   */
  it('one of two processes killed mid-way: the other finishes all 100, none lost', async () => {
    const teams = await connector();
    const store = backend.fresh();
    await seedReviews(store, teams.url);

    const extra = { SCHEDULER_LEASE_SECONDS: String(SHORT_LEASE_SECONDS) };
    const started = Date.now();
    const [a, b] = await Promise.all([start(env(store, extra)), start(env(store, extra))]);
    await waitUntil(() => reviews(teams).length >= 30, 40_000, '30 review posts before the kill');
    await killHard(a);
    const killedAt = Date.now();
    const postsAtKill = reviews(teams).length;
    const sharedBeforeKill = share(a);
    expect(postsAtKill, 'the kill must come before the work is done').toBeLessThan(N);

    // What the dead process left claimed. The survivor is the worker behind the first claim made after the
    // kill (its lease ends later than any claim made before it); every other worker seen claiming since is
    // the dead one.
    const seen: Job[] = [];
    let survivor: string | undefined;
    await waitUntil(
      async () => {
        const now = seededJobs(await jobs(store));
        const claims = now.filter((j) => j.state === 'claimed');
        seen.push(...claims);
        survivor = claims.find((j) => Date.parse(j.leaseUntil ?? '') > killedAt + SHORT_LEASE_SECONDS * 1_000)?.claimedBy;
        return survivor !== undefined || allSeededDone(now);
      },
      90_000,
      "the survivor's first claim after the kill",
    );
    const orphaned = new Set(seen.filter((j) => j.claimedBy !== survivor).map((j) => j.id));

    // Posts alone do not tell: the dead process's sent-but-unrecorded jobs already count there. Wait for the
    // records, and for the outbox to have nothing left to send.
    await settled(store, allSeededDone, 90_000, `all ${N} jobs recorded after the kill`);
    const tookMs = Date.now() - started;
    const afterKillMs = Date.now() - killedAt;
    const delivered = reviews(teams).length;

    const seeded = seededJobs(await jobs(store));
    expect(seeded).toHaveLength(N);
    expect(seeded.filter((j) => j.state === 'done')).toHaveLength(N);
    // Only the dead process's claims were run twice; everything else once.
    const retried = seeded.filter((j) => j.attempts > 1);
    expect(retried.every((j) => j.attempts === 2)).toBe(true);
    expect(retried.length).toBeLessThanOrEqual(orphaned.size);
    expect(retried.filter((j) => !orphaned.has(j.id)).map((j) => j.id), 'retried, but not left claimed by the dead process').toEqual([]);
    // Never zero. A job only queues its post, so a duplicate can only be a post the dead process's outbox had
    // in flight when it died, sent again by the survivor: all go to one channel, sent one at a time, so at most one.
    expect(delivered).toBeGreaterThanOrEqual(N);
    expect(delivered - N).toBeLessThanOrEqual(1);

    expect(isAlive(b)).toBe(true);
    expect(takenOver(b)).toBe(0);
    expect(errors(b)).toEqual([]);
    const shares = [sharedBeforeKill, share(b)];
    // The killed process's last log lines may be lost with it (SIGKILL before stdout flushed); storage
    // above is the record. The log counts can only fall short of N, never exceed it.
    expect(shares.reduce((x, y) => x + y, 0)).toBeLessThanOrEqual(N);
    console.info(
      `${backend.name}, kill one of two: ${postsAtKill} posts at the kill; killed process recorded ${shares[0]}, survivor ${shares[1]} ` +
        `(${retried.length} taken over after the ${SHORT_LEASE_SECONDS} s lease, ${orphaned.size} orphaned claims); ` +
        `${delivered} posts in all (${delivered - N} duplicate${delivered - N === 1 ? '' : 's'}), all ${N} within ${tookMs} ms (${afterKillMs} ms after the kill)`,
    );
  }, 150_000);

  /*
   * A send Teams never answers (a stuck gateway, a half-open connection) must not
   * stop the process's other timed duties: requests time out (AdapterSender), and
   * the scheduler runs jobs side by side without one round waiting for the last.
   * This was a bug: a single hung escalation send stalled every later job.
   */
  it('a send that never gets an answer does not stop the other due jobs', async () => {
    const teams = await connector();
    const front = await proxy(teams.url, false); // holds the escalation send, never answers
    const store = backend.fresh();

    const a = await start(env(store));
    await pressCalledKmd(a, front.url);
    await front.held(ESCALATION_AFTER_MS + 5_000);

    // While the escalation send hangs, another duty falls due (the nexusteam channel answers normally).
    await withStorage(store, async (s) => {
      await registerNexusteam(s, teams.url);
      await new JobStore(s).schedule('review:while-hung', { kind: 'review' }, new Date(Date.now() - 1_000));
    });
    await waitUntil(() => reviews(teams).length >= 1, 15_000, 'the review post while the escalation send hangs');
    expect(isAlive(a)).toBe(true);
  }, 40_000);
});
