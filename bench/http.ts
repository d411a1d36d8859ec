import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { sleep } from '../src/lib/sleep';
import { startAzurite, type Azurite } from '../test/support/azurite';
import { FastConnector } from '../test/support/fastConnector';
import { MemorySampler, postJson, readCpuSeconds, readMemory, readSystemCpu, ROOT, spawnBot, waitForQuiet, type ChildBot } from './proc';
import { Recorder } from './recorder';
import { renderSections, writeSection } from './report';
import type { BenchResult, Kind, CapacityFigures, CapacityLevel, Machine, ProcessFigures, ReportBurstFigures, RunFigures, Scenario, SectionName, StaffScenario, TargetCheck } from './figures';
import { round, Tally } from './stats';
import { inspectBlob, inspectSqlite } from './storageFigures';
import {
  CALLED_KMD,
  Client,
  INDIVIDUAL,
  KNOWN_ONLY,
  person,
  pressOnce,
  REPORTS_IN_HOURS,
  REPORTS_OUT_OF_HOURS,
  walk,
  walkEcho,
  type Sink,
  type WalkContext,
  type WalkOutcome,
  type WalkPolicy,
} from './walks';

export type { StorageFigures } from './storageFigures';

/**
 * `npm run bench` (node dist-bench/bench/http.js): the bot over HTTP, as `npm start`
 * runs it (its node flags, the default configuration: only where its storage is
 * and its port are set), with the bot's clock set through the development
 * playground's `POST /dev/clock` so every run sees the same hours.
 *
 *   triage burst   1,000 distinct staff arriving at 20/s whose Nexus problem is
 *                  their own: "Nexus er nede" → "kun hos mig" → their advice card.
 *                  No report, so the figures are those of the triage dialog itself;
 *                  the reports have the outage bursts below. SQLite storage.
 *   floor          the echo bot (bench/echoBot.ts: same adapter, server and
 *                  storage; one state read/write and one reply per turn), same
 *                  arrivals, each person doing the same number of turns.
 *   outage burst   the same arrivals while a Nexus outage is active (one member of
 *                  staff pressed "Jeg har ringet til KMD" first): one turn each.
 *   capacity       N concurrent users looping the triage walk (fresh identities),
 *                  N doubled until turns/s stops rising (two levels without +5 %,
 *                  or one 10 % below the best), bot and floor.
 *   outage-ooh     the real burst: 5,000 staff at 20/s, Saturday evening, nothing
 *                  declared, each reporting "colleagues too" and following the
 *                  cards (through the known-outage card once detection made one)
 *                  to the KMD card. SQLite.
 *   outage-oh      the same on a Thursday morning, in the Nexusteam's hours: to the
 *                  Nexusteam card, or the known-outage card that says the Nexusteam
 *                  is on it. SQLite.
 *   scale-out      outage-ooh with STORAGE=blob on Azurite (started and stopped
 *                  here), two bot processes sharing one container, arrivals
 *                  round-robin between them; 2,000 staff.
 *
 * Each run gets its own processes and storage, so memory figures are those
 * processes' own (VmHWM) and no run inherits another's documents. Prints one JSON
 * document on stdout; progress goes to stderr. A full default run (no --only, no
 * --staff, no --cpu-prof) rewrites every section of bench/results.md; otherwise
 * only the sections --write names.
 *
 * The machine is shared: before each run the harness waits (at most --quiet-wait
 * seconds) for the rest of the machine to go quiet, and every run reports how much
 * CPU other processes used meanwhile (`machineDuringRun`), and the harness's own
 * event-loop delay, so a disturbed figure can be told from a slow bot.
 *
 * Options: --only triage,outage,capacity,outage-ooh,outage-oh,scale-out
 *          --staff N | --staff outage-ooh=300,scale-out=200 (per section; a bare N sets all)
 *          --rate R (20) --level-seconds S (2.5) --warmup-seconds S (0.5) --max-users N (64)
 *          --warmup-walks N (20) --out-of-hours-at 2026-11-28T19:00 --in-hours-at 2026-11-26T10:00
 *          --instances N (2, scale-out) --azurite-memory-mb MB (4096)
 *          --write http,outage-ooh,outage-oh,scale-out | --no-write  --results FILE (bench/results.md)
 *          --cpu-prof DIR (profile the bot during the triage burst) --quiet-cores C (0.3) --quiet-wait S (10)
 *          --bot-node-args "FLAGS" --bot-stdout FILE (investigations: the triage-burst bot)
 */

export const SCENARIOS: readonly Scenario[] = ['triage', 'outage', 'capacity', 'outage-ooh', 'outage-oh', 'scale-out'];
const STAFF_SCENARIOS: readonly StaffScenario[] = ['triage', 'outage', 'outage-ooh', 'outage-oh', 'scale-out'];
export const DEFAULT_STAFF: Readonly<Record<StaffScenario, number>> = { triage: 1000, outage: 1000, 'outage-ooh': 5000, 'outage-oh': 5000, 'scale-out': 2000 };

export const SECTIONS: Readonly<Record<SectionName, readonly Scenario[]>> = {
  http: ['triage', 'outage', 'capacity'],
  'outage-ooh': ['outage-ooh'],
  'outage-oh': ['outage-oh'],
  'scale-out': ['scale-out'],
};

/** Saturday evening and a Thursday morning in the Nexusteam's hours (no holiday), Copenhagen wall time. */
export const OUT_OF_HOURS_AT = '2026-11-28T19:00';
export const IN_HOURS_AT = '2026-11-26T10:00';

const SCRIPTS: Record<Kind, string> = { bot: 'dist/index.js', floor: 'dist-bench/bench/echoBot.js' };

export interface Options {
  readonly staff: Readonly<Record<StaffScenario, number>>;
  readonly rate: number;
  readonly levelSeconds: number;
  readonly warmupSeconds: number;
  readonly maxUsers: number;
  readonly warmupWalks: number;
  readonly only: ReadonlySet<Scenario>;
  readonly cpuProfDir: string | undefined;
  /** The sections of the results file to (re)write after the run. */
  readonly write: ReadonlySet<SectionName>;
  /** Why nothing is written, when nothing is. */
  readonly noWriteReason: string | undefined;
  readonly resultsFile: string;
  /** Before each run, wait until the rest of the machine uses less than this many cores… */
  readonly quietCores: number;
  /** …for at most this long. */
  readonly quietWaitSeconds: number;
  /** Extra node flags for the bot in the triage burst (investigations, e.g. "--trace-gc"). */
  readonly botNodeArgs: readonly string[];
  /** Copy the triage-burst bot's stdout here. */
  readonly botStdout: string | undefined;
  /** The bot's clock out of the Nexusteam's hours (triage, outage, capacity, outage-ooh, scale-out). */
  readonly outOfHoursAt: string;
  /** The bot's clock in the Nexusteam's hours (outage-oh). */
  readonly inHoursAt: string;
  /** Bot processes in the scale-out run. */
  readonly instances: number;
  readonly azuriteMemoryMb: number;
  /** The arguments given (the results name the command). */
  readonly argv: readonly string[];
}

export function parseOptions(argv: readonly string[]): Options {
  const args = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    if (name === 'no-write') {
      flags.add(name);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`--${name} needs a value`);
    args.set(name, value);
  }
  const positive = (name: string, raw: string): number => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
    return n;
  };
  const num = (name: string, fallback: number): number => {
    const raw = args.get(name);
    return raw === undefined ? fallback : positive(name, raw);
  };
  const known = new Set([
    'staff', 'rate', 'level-seconds', 'warmup-seconds', 'max-users', 'warmup-walks', 'only', 'cpu-prof', 'results', 'quiet-cores', 'quiet-wait',
    'bot-node-args', 'bot-stdout', 'write', 'out-of-hours-at', 'in-hours-at', 'instances', 'azurite-memory-mb',
  ]);
  for (const name of args.keys()) if (!known.has(name)) throw new Error(`unknown option --${name}`);

  const only = new Set<Scenario>();
  for (const s of (args.get('only') ?? SCENARIOS.join(',')).split(',')) {
    if (!(SCENARIOS as readonly string[]).includes(s)) throw new Error(`--only: unknown scenario "${s}" (one of ${SCENARIOS.join(', ')})`);
    only.add(s as Scenario);
  }

  // --staff 300 sets every section; --staff outage-ooh=300,scale-out=200 sets those (later items win).
  const staff: Record<StaffScenario, number> = { ...DEFAULT_STAFF };
  for (const item of (args.get('staff') ?? '').split(',').filter(Boolean)) {
    const eq = item.indexOf('=');
    if (eq < 0) {
      const n = Math.floor(positive('staff', item));
      for (const s of STAFF_SCENARIOS) staff[s] = n;
      continue;
    }
    const name = item.slice(0, eq);
    if (!(STAFF_SCENARIOS as readonly string[]).includes(name)) throw new Error(`--staff: no staff in "${name}" (one of ${STAFF_SCENARIOS.join(', ')})`);
    staff[name as StaffScenario] = Math.floor(positive('staff', item.slice(eq + 1)));
  }
  const staffChanged = STAFF_SCENARIOS.some((s) => staff[s] !== DEFAULT_STAFF[s]);

  const cpuProfDir = args.get('cpu-prof');
  const botNodeArgs = (args.get('bot-node-args') ?? '').split(/\s+/).filter(Boolean);
  const botStdout = args.get('bot-stdout');
  let write = new Set<SectionName>();
  let noWriteReason: string | undefined;
  if (flags.has('no-write')) {
    if (args.has('write')) throw new Error('--write and --no-write contradict each other');
    noWriteReason = '--no-write';
  } else if (args.has('write')) {
    for (const name of (args.get('write') ?? '').split(',').filter(Boolean)) {
      const scenarios = SECTIONS[name as SectionName] as readonly Scenario[] | undefined;
      if (!scenarios) throw new Error(`--write: unknown section "${name}" (one of ${Object.keys(SECTIONS).join(', ')})`);
      const missing = scenarios.filter((s) => !only.has(s));
      if (missing.length > 0) throw new Error(`--write ${name}: the section needs ${missing.join(', ')} in --only`);
      write.add(name as SectionName);
    }
  } else if (only.size === SCENARIOS.length && !staffChanged && !cpuProfDir && botNodeArgs.length === 0 && !botStdout) {
    write = new Set(Object.keys(SECTIONS) as SectionName[]);
  } else {
    noWriteReason = 'a partial, smaller or profiled run writes only the sections --write names';
  }

  const instances = Math.floor(num('instances', 2));
  return {
    staff,
    rate: num('rate', 20),
    levelSeconds: num('level-seconds', 2.5),
    warmupSeconds: args.has('warmup-seconds') ? Number(args.get('warmup-seconds')) : 0.5,
    maxUsers: Math.floor(num('max-users', 64)),
    warmupWalks: args.has('warmup-walks') ? Math.floor(Number(args.get('warmup-walks'))) : 20,
    only,
    cpuProfDir,
    write,
    noWriteReason,
    resultsFile: path.resolve(ROOT, args.get('results') ?? 'bench/results.md'),
    quietCores: num('quiet-cores', 0.3),
    quietWaitSeconds: args.has('quiet-wait') ? Number(args.get('quiet-wait')) : 10,
    botNodeArgs,
    botStdout,
    outOfHoursAt: args.get('out-of-hours-at') ?? OUT_OF_HOURS_AT,
    inHoursAt: args.get('in-hours-at') ?? IN_HOURS_AT,
    instances,
    azuriteMemoryMb: Math.floor(num('azurite-memory-mb', 4096)),
    argv: [...argv],
  };
}

// --- figures -------------------------------------------------------------------











// --- running bot processes -----------------------------------------------------

const CONTAINER = 'nedbrud-bench';

/**
 * The node flags production starts the bot with (`npm start` in package.json, and
 * README's deployment steps): the bot and the floor run with them, so the figures
 * are those of the process as deployed.
 */
export function startNodeFlags(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const m = /\bnode((?:\s+--\S+)*)\s+dist\/index\.js\b/.exec(pkg.scripts?.['start'] ?? '');
  return (m?.[1] ?? '').split(/\s+/).filter(Boolean);
}
const START_FLAGS = startNodeFlags();
const LOOP_RESOLUTION_MS = 10;

/** How one run's processes are set up. */
interface DeploymentSpec {
  readonly kind: Kind;
  readonly storage: 'sqlite' | 'blob';
  /** Bot processes sharing the storage (Blob only for more than one). */
  readonly instances: number;
  /** The bot's clock, Copenhagen wall time (ignored for the floor, which has none). */
  readonly clockAt?: string;
  readonly nodeArgs?: readonly string[];
  readonly stdoutFile?: string;
}

interface Deployment {
  readonly kind: Kind;
  readonly bots: readonly ChildBot[];
  /** One per bot process, in the same order. */
  readonly clients: readonly Client[];
  /** The bot's clock after it was set, as /dev/clock put it. */
  readonly clock: string | null;
}

let personCounter = 0;
const nextPerson = (prefix: string) => person(prefix, ++personCounter);

const ignore: Sink = { turn: () => undefined, error: () => undefined };

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

const mb = (bytes: number) => round(bytes / (1024 * 1024), 1);

/** Why a process died, from what it wrote on stderr: V8's FATAL ERROR line (a heap limit) if there is one, else the last few lines. */
function stderrTail(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const fatal = lines.filter((l) => /FATAL ERROR|heap out of memory/i.test(l)).pop();
  return (fatal ?? lines.slice(-4).join(' | ')).slice(-600);
}

/** Moves the bot's development clock (the playground's POST /dev/clock); returns its local time as the bot puts it. */
async function setClock(bot: ChildBot, at: string): Promise<string> {
  const res = await postJson(bot.port, '/dev/clock', { at });
  if (res.status !== 200) throw new Error(`setting the bot's clock to ${at} failed: ${res.status} ${res.body.slice(0, 300)}`);
  const state = JSON.parse(res.body) as { local?: unknown; now?: unknown };
  return typeof state.local === 'string' ? state.local : String(state.now);
}

async function withDeployment<T>(
  spec: DeploymentSpec,
  opts: Options,
  warm: (d: Deployment) => Promise<void>,
  run: (d: Deployment) => Promise<T>,
): Promise<{ result: T; process: ProcessFigures; clock: string | null }> {
  const quiet = await waitForQuiet(opts.quietCores, opts.quietWaitSeconds);
  if (quiet.waitedS > 1.5) log(`  waited ${quiet.waitedS} s for the machine to go quiet (last second: ${quiet.lastCores} cores busy)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `nedbrud-bench-${spec.kind}-`));
  const sqlitePath = path.join(dir, 'bench.sqlite');
  let azurite: Azurite | undefined;
  const bots: ChildBot[] = [];
  const clients: Client[] = [];
  try {
    let env: Record<string, string>;
    if (spec.storage === 'blob') {
      azurite = await startAzurite({ extentMemoryLimitMb: opts.azuriteMemoryMb });
      env = { STORAGE: 'blob', BLOB_CONNECTION_STRING: azurite.connectionString, BLOB_CONTAINER: CONTAINER };
    } else {
      env = { SQLITE_PATH: sqlitePath };
    }
    // One after the other: the first creates the container (Blob) or the file.
    for (let i = 0; i < spec.instances; i++) {
      bots.push(
        await spawnBot({
          script: SCRIPTS[spec.kind],
          env,
          nodeArgs: [...START_FLAGS, ...(spec.nodeArgs ?? [])],
          ...(spec.stdoutFile && i === 0 ? { stdoutFile: spec.stdoutFile } : {}),
        }),
      );
    }
    let clock: string | null = null;
    if (spec.kind === 'bot' && spec.clockAt) for (const bot of bots) clock = await setClock(bot, spec.clockAt);
    for (const bot of bots) clients.push(new Client(bot.port));
    const deployment: Deployment = { kind: spec.kind, bots, clients, clock };
    await warm(deployment);

    const ready = bots.map((b) => readMemory(b.pid));
    const cpu0 = bots.map((b) => readCpuSeconds(b.pid) ?? 0);
    const azuriteCpu0 = azurite ? (readCpuSeconds(azurite.pid) ?? 0) : 0;
    const sys0 = readSystemCpu();
    const harness0 = process.cpuUsage();
    const wall0 = performance.now();
    const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    loop.enable();
    const samplers = bots.map((b) => new MemorySampler(b.pid, 100));
    const azuriteSampler = azurite ? new MemorySampler(azurite.pid, 250) : undefined;
    const retries0 = clients.reduce((n, c) => n + c.retries, 0);
    let result: T;
    let died: (ReturnType<ChildBot['exited']>)[] = [];
    let memory: ReturnType<MemorySampler['stop']>[];
    let azuriteMemory: ReturnType<MemorySampler['stop']> | undefined;
    let cpu1: number[];
    let azuriteCpu1: number;
    let sys1: ReturnType<typeof readSystemCpu>;
    let harness: NodeJS.CpuUsage;
    let wall: number;
    try {
      result = await run(deployment);
    } finally {
      died = bots.map((b) => b.exited());
      memory = samplers.map((s) => s.stop());
      azuriteMemory = azuriteSampler?.stop();
      loop.disable();
      // A process that died during the run: its CPU time when the sampler last saw it.
      cpu1 = bots.map((b, i) => readCpuSeconds(b.pid) ?? memory[i]?.lastCpuSeconds ?? cpu0[i] ?? 0);
      azuriteCpu1 = azurite ? (readCpuSeconds(azurite.pid) ?? azuriteCpu0) : 0;
      sys1 = readSystemCpu();
      harness = process.cpuUsage(harness0);
      wall = (performance.now() - wall0) / 1000;
    }
    const retries = clients.reduce((n, c) => n + c.retries, 0) - retries0;
    for (const c of clients) c.close();
    const exitCodes: (number | null)[] = [];
    for (const bot of bots) exitCodes.push(await bot.stop());
    const storage = spec.storage === 'blob' && azurite ? await inspectBlob(azurite.connectionString, CONTAINER) : await inspectSqlite(sqlitePath);
    const botCpus = bots.map((_, i) => (cpu1[i] ?? 0) - (cpu0[i] ?? 0));
    const botCpu = botCpus.reduce((a, b) => a + b, 0);
    const azuriteCpu = azuriteCpu1 - azuriteCpu0;
    const harnessCpu = (harness.user + harness.system) / 1e6;
    const systemBusy = sys0 && sys1 ? sys1.busy - sys0.busy : 0;
    const logLevels: Record<string, number> = {};
    for (const bot of bots) for (const [level, n] of bot.logLevels) logLevels[level] = (logLevels[level] ?? 0) + n;
    return {
      result,
      clock,
      process: {
        rssMb: {
          ready: mb(Math.max(0, ...ready.map((r) => r?.rss ?? 0))),
          maxSampled: mb(Math.max(0, ...memory.map((m) => m.maxRssBytes))),
          peak: mb(Math.max(0, ...memory.map((m) => m.hwmBytes))),
        },
        cpuSeconds: round(botCpu, 2),
        log: logLevels,
        lastProblems: bots.flatMap((b) => b.lastProblems).slice(-5),
        exitCode: exitCodes.find((c) => c !== 0) ?? 0,
        storage,
        clientRetries: retries,
        instances: bots.map((b, i) => {
          const d = died[i];
          return {
            rssPeakMb: mb(memory[i]?.hwmBytes ?? 0),
            cpuSeconds: round(botCpus[i] ?? 0, 2),
            exitCode: exitCodes[i] ?? null,
            diedDuringRun: d ? { code: d.code, signal: d.signal, stderrTail: stderrTail(b.stderr()) } : null,
          };
        }),
        azurite: azurite ? { rssPeakMb: mb(azuriteMemory?.hwmBytes ?? 0), cpuSeconds: round(azuriteCpu, 2) } : null,
        machineDuringRun: {
          seconds: round(wall, 1),
          otherCores: round(Math.max(0, systemBusy - botCpu - azuriteCpu - harnessCpu) / wall, 2),
          botCores: round(botCpu / wall, 2),
          azuriteCores: round(azuriteCpu / wall, 2),
          harnessCores: round(harnessCpu / wall, 2),
          stealCores: round(sys0 && sys1 ? (sys1.steal - sys0.steal) / wall : 0, 2),
          // The histogram holds whole timer intervals (10 ms and whatever came on top): keep the lateness.
          harnessLoopDelayMs: {
            p99: round(Math.max(0, loop.percentile(99) / 1e6 - LOOP_RESOLUTION_MS), 1),
            max: round(Math.max(0, loop.max / 1e6 - LOOP_RESOLUTION_MS), 1),
          },
          quietWaitS: quiet.waitedS,
          coresBusyBefore: quiet.lastCores,
        },
      },
    };
  } finally {
    for (const c of clients) c.close();
    for (const bot of bots) await bot.stop(0);
    await azurite?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// --- scenarios -----------------------------------------------------------------

type Walker = (index: number, ctx: WalkContext) => Promise<WalkOutcome>;

/** The walk of staff whose problem is their own: no report, so nothing about outages changes (warm-ups, triage burst, capacity). */
const individualWalk = (prefix: string): Walker => (i, ctx) => walk(ctx, nextPerson(prefix), i, INDIVIDUAL);

/** Sequential walks nobody measures, on every process: JIT, lazy requires and storage caches warm up as in a running bot. */
async function warmUp(d: Deployment, connector: FastConnector, walks: number, walker: Walker): Promise<void> {
  for (const client of d.clients) {
    const ctx: WalkContext = { client, connector, sink: ignore };
    for (let i = 0; i < walks; i++) await walker(i, ctx);
  }
}

interface BurstOutcome {
  readonly figures: Omit<RunFigures, 'process' | 'cpuMsPerTurn' | 'target' | 'botClock'>;
  readonly turnsByPerson: readonly number[];
}

/** `people` arrivals at `rate` per second, round-robin over the processes, each walking as fast as the replies come. */
async function burst(d: Deployment, connector: FastConnector, people: number, rate: number, walker: Walker): Promise<BurstOutcome> {
  const recorder = new Recorder(people);
  const contexts: WalkContext[] = d.clients.map((client) => ({ client, connector, sink: recorder }));
  const deliveriesBefore = connector.deliveries;
  const turnsTally = new Tally();
  const endings = new Tally();
  const turnsByPerson: number[] = new Array<number>(people).fill(0);
  const interval = 1000 / rate;
  let lag = 0;
  let done = 0;
  const progress = setInterval(() => log(`  … ${done} of ${people} walks done, ${recorder.turns} turns, ${recorder.errors.total} errors`), 30_000);
  const t0 = performance.now() + 20;
  const walks = Array.from(
    { length: people },
    (_, i) =>
      new Promise<void>((resolve) => {
        const due = t0 + i * interval;
        setTimeout(
          () => {
            lag = Math.max(lag, performance.now() - due);
            walker(i, contexts[i % contexts.length] as WalkContext).then(
              (outcome) => {
                turnsTally.add(String(outcome.turns));
                endings.add(outcome.ending);
                turnsByPerson[i] = outcome.turns;
                done += 1;
                resolve();
              },
              (err: unknown) => {
                recorder.error(`harness: ${err instanceof Error ? err.message : String(err)}`);
                done += 1;
                resolve();
              },
            );
          },
          Math.max(0, due - performance.now()),
        );
      }),
  );
  try {
    await Promise.all(walks);
  } finally {
    clearInterval(progress);
  }
  const durationS = (performance.now() - t0) / 1000;
  return {
    turnsByPerson,
    figures: {
      people,
      turns: recorder.turns,
      durationS: round(durationS, 2),
      turnsPerS: round(recorder.turns / durationS, 1),
      latencyMs: recorder.summary(),
      latencyByTurnMs: recorder.turnSummaries(),
      latencyByArrivalDecileMs: recorder.decileSummaries(),
      errors: { total: recorder.errors.total, kinds: recorder.errors.toJSON() },
      walks: { turns: turnsTally.toJSON(), endings: endings.toJSON() },
      deliveries: connector.deliveries - deliveriesBefore,
      arrivalLagMaxMs: round(lag, 1),
    },
  };
}

function withProcess(target: Kind, figures: BurstOutcome['figures'], proc: ProcessFigures, botClock: string | null): RunFigures {
  return { target, ...figures, cpuMsPerTurn: round((proc.cpuSeconds * 1000) / Math.max(1, figures.turns), 2), botClock, process: proc };
}

type CapacityWalker = (ctx: WalkContext, stop: () => boolean) => Promise<WalkOutcome>;

/** N users looping walks for levelSeconds each; N doubles until turns/s stops rising (see the rule below). */
async function capacity(d: Deployment, connector: FastConnector, opts: Options, walker: CapacityWalker): Promise<Omit<CapacityFigures, 'process' | 'cpuMsPerTurn' | 'target'> & { totalTurns: number }> {
  const client = d.clients[0] as Client;
  const levels: CapacityLevel[] = [];
  let best: CapacityLevel | undefined;
  let flat = 0;
  let totalTurns = 0;
  for (let users = 1; users <= opts.maxUsers; users *= 2) {
    const start = performance.now();
    const from = start + opts.warmupSeconds * 1000;
    const to = from + opts.levelSeconds * 1000;
    const recorder = new Recorder(0, { from, to });
    let counted = 0;
    const sink: Sink = {
      turn: (p, t, ms, endedAt) => {
        counted += 1;
        recorder.turn(p, t, ms, endedAt);
      },
      error: (kind) => recorder.error(kind),
    };
    const ctx: WalkContext = { client, connector, sink };
    let stopping = false;
    const stop = () => stopping;
    const slots = Array.from({ length: users }, async () => {
      while (!stopping) await walker(ctx, stop);
    });
    await sleep(to - performance.now());
    stopping = true;
    await Promise.all(slots);
    totalTurns += counted;
    const level: CapacityLevel = {
      users,
      turns: recorder.turns,
      turnsPerS: round(recorder.turns / opts.levelSeconds, 1),
      latencyMs: recorder.summary(),
      errors: recorder.errors.total,
    };
    levels.push(level);
    log(`  ${d.kind} capacity: ${users} users → ${level.turnsPerS} turns/s (p50 ${level.latencyMs.p50} ms, p99 ${level.latencyMs.p99} ms, errors ${level.errors})`);
    // Saturated: two levels in a row without a 5 % rise over the best, or one clearly lower (noise on a shared machine).
    if (best === undefined || level.turnsPerS >= best.turnsPerS * 1.05) {
      best = level;
      flat = 0;
    } else {
      if (level.turnsPerS > best.turnsPerS) best = level;
      flat += 1;
      if (flat >= 2 || level.turnsPerS < best.turnsPerS * 0.9) break;
    }
  }
  const peak = best ?? { users: 0, turnsPerS: 0 };
  return { levels, peak: { users: peak.users, turnsPerS: peak.turnsPerS }, totalTurns };
}

// --- the run -------------------------------------------------------------------

function machine(): Machine {
  const cpus = os.cpus();
  let model = cpus[0]?.model ?? 'unknown';
  try {
    const line = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (line?.[1]) model = line[1].trim();
  } catch {
    // not Linux; os.cpus() it is
  }
  const now = new Date();
  return {
    cpu: model,
    cores: cpus.length,
    memoryGb: round(os.totalmem() / 1024 ** 3, 1),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    date: now.toISOString(),
    commit: gitDescription(),
    loadAverage: os.loadavg().map((x) => round(x, 2)),
    copenhagenTime: now.toLocaleString('da-DK', { timeZone: 'Europe/Copenhagen', weekday: 'long', year: 'numeric', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit' }),
  };
}

function gitDescription(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean).length;
    return dirty > 0 ? `${head} + ${dirty} changed files` : head;
  } catch {
    return 'unknown';
  }
}

function mostCommonWalk(turns: Record<string, number> | undefined, fallback: number): number {
  if (!turns) return fallback;
  let best = fallback;
  let count = -1;
  for (const [k, n] of Object.entries(turns)) {
    if (n > count && Number(k) > 0) {
      best = Number(k);
      count = n;
    }
  }
  return best;
}

/** The targets of issue 13 for an outage burst on SQLite (outage-ooh, outage-oh). */
function sqliteBurstTargets(section: SectionName, label: string, b: ReportBurstFigures): TargetCheck[] {
  const deciles = b.run.latencyByArrivalDecileMs;
  const worst = deciles.reduce((m, d) => (Number.isNaN(d.p99) || Number.isNaN(m) ? Number.NaN : Math.max(m, d.p99)), 0);
  const first = deciles[0]?.p99 ?? Number.NaN;
  const last = deciles[deciles.length - 1]?.p99 ?? Number.NaN;
  const largestKb = round((b.largestDocument?.bytes ?? Number.NaN) / 1024, 1);
  const stored = b.reporters.stored ?? Number.NaN;
  return [
    { section, name: `${label} p99 ≤ 50 ms in every arrival decile (the worst decile)`, value: worst, limit: 50, unit: 'ms', pass: worst <= 50 },
    { section, name: `${label} last decile's p99 ≤ 1.5× the first's`, value: last, limit: round(1.5 * first, 2), unit: 'ms', pass: last <= 1.5 * first },
    { section, name: `${label} errors = 0`, value: b.run.errors.total, limit: 0, unit: 'errors', pass: b.run.errors.total === 0 },
    { section, name: `${label} reporters stored = sent`, value: stored, limit: b.reporters.sent, unit: 'reporters', pass: stored === b.reporters.sent },
    { section, name: `${label} largest stored document ≤ 64 KB (${b.reporters.sent} reporters)`, value: largestKb, limit: 64, unit: 'KB', pass: largestKb <= 64 },
  ];
}

export function checkTargets(result: Omit<BenchResult, 'targets'>): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const tb = result.triageBurst;
  if (tb) {
    const bot = tb.bot.latencyMs;
    const floor = tb.floor.latencyMs;
    const section = 'http';
    checks.push({ section, name: 'triage burst p99 ≤ 50 ms', value: bot.p99, limit: 50, unit: 'ms', pass: bot.p99 <= 50 });
    checks.push({ section, name: "triage burst p99 ≤ 2× the floor's p99", value: bot.p99, limit: round(2 * floor.p99, 2), unit: 'ms', pass: bot.p99 <= 2 * floor.p99 });
    checks.push({ section, name: "triage burst p50 ≤ 1.5× the floor's p50", value: bot.p50, limit: round(1.5 * floor.p50, 2), unit: 'ms', pass: bot.p50 <= 1.5 * floor.p50 });
    const rssLimit = tb.floor.process.rssMb.peak + 100;
    checks.push({ section, name: "triage burst peak RSS ≤ the floor's + 100 MB", value: tb.bot.process.rssMb.peak, limit: round(rssLimit, 1), unit: 'MB', pass: tb.bot.process.rssMb.peak <= rssLimit });
  }
  const cap = result.capacity;
  if (cap) {
    const limit = 0.5 * cap.floor.peak.turnsPerS;
    checks.push({ section: 'http', name: "capacity ≥ 0.5× the floor's", value: cap.bot.peak.turnsPerS, limit: round(limit, 1), unit: 'turns/s', pass: cap.bot.peak.turnsPerS >= limit });
  }
  if (result.outageOutOfHours) checks.push(...sqliteBurstTargets('outage-ooh', 'out of hours:', result.outageOutOfHours));
  if (result.outageInHours) checks.push(...sqliteBurstTargets('outage-oh', 'in hours:', result.outageInHours));
  const so = result.scaleOut;
  if (so) {
    const section = 'scale-out';
    const stored = so.reporters.stored ?? Number.NaN;
    checks.push({ section, name: 'scale-out: errors = 0', value: so.run.errors.total, limit: 0, unit: 'errors', pass: so.run.errors.total === 0 });
    checks.push({ section, name: 'scale-out: reporters stored = sent', value: stored, limit: so.reporters.sent, unit: 'reporters', pass: stored === so.reporters.sent });
    checks.push({ section, name: 'scale-out: p99 ≤ 250 ms', value: so.run.latencyMs.p99, limit: 250, unit: 'ms', pass: so.run.latencyMs.p99 <= 250 });
  }
  return checks;
}

/** An outage burst with the default configuration: staff report and follow the cards (outage-ooh, outage-oh, scale-out). */
async function reportBurst(
  name: StaffScenario,
  spec: Omit<DeploymentSpec, 'kind'>,
  policy: WalkPolicy,
  connector: FastConnector,
  opts: Options,
): Promise<ReportBurstFigures> {
  const staff = opts.staff[name];
  const where = spec.storage === 'blob' ? `Blob (Azurite), ${spec.instances} processes` : 'SQLite';
  log(`${name}: ${staff} staff at ${opts.rate}/s reporting Nexus down, clock ${spec.clockAt}, ${where}`);
  const r = await withDeployment(
    { kind: 'bot', ...spec },
    opts,
    (d) => warmUp(d, connector, opts.warmupWalks, individualWalk('warm')),
    (d) => burst(d, connector, staff, opts.rate, (i, ctx) => walk(ctx, nextPerson(name), i, policy)),
  );
  const run = withProcess('bot', r.result.figures, r.process, r.clock);
  const storage = r.process.storage;
  const figures: ReportBurstFigures = {
    storage: spec.storage,
    instances: spec.instances,
    run,
    reporters: { sent: staff, stored: storage?.reporters ?? null },
    largestDocument: storage?.largest[0] ?? null,
  };
  for (const [i, p] of run.process.instances.entries()) {
    const d = p.diedDuringRun;
    if (d) log(`  ${name}: bot process #${i + 1} died during the run (${d.signal ?? `exit ${d.code}`})${d.stderrTail ? `: ${d.stderrTail}` : ''}`);
  }
  log(
    `  ${name}: ${JSON.stringify(run.latencyMs)} errors ${run.errors.total}; p99 by decile ${run.latencyByArrivalDecileMs.map((x) => x.p99).join(' · ')} ms; ` +
      `reporters stored ${figures.reporters.stored ?? '?'} of ${staff}; largest ${figures.largestDocument ? `${figures.largestDocument.key} ${round(figures.largestDocument.bytes / 1024, 1)} KB` : '?'}`,
  );
  return figures;
}

export async function runBench(opts: Options): Promise<BenchResult> {
  const started = performance.now();
  const connector = new FastConnector();
  await connector.start();
  const sqliteBot = (clockAt: string): Omit<DeploymentSpec, 'kind'> => ({ storage: 'sqlite', instances: 1, clockAt });
  let triageBurst: BenchResult['triageBurst'];
  let outageBurst: BenchResult['outageBurst'];
  let capacityFigures: BenchResult['capacity'];
  let outageOutOfHours: ReportBurstFigures | undefined;
  let outageInHours: ReportBurstFigures | undefined;
  let scaleOut: ReportBurstFigures | undefined;
  let cpuProfile: string | null = null;

  try {
    if (opts.only.has('triage')) {
      const staff = opts.staff.triage;
      log(`triage burst: ${staff} staff at ${opts.rate}/s against the bot (each with a problem of their own)`);
      const nodeArgs = [...opts.botNodeArgs, ...(opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(opts.cpuProfDir)}`] : [])];
      if (opts.cpuProfDir) fs.mkdirSync(path.resolve(opts.cpuProfDir), { recursive: true });
      const bot = await withDeployment(
        { kind: 'bot', ...sqliteBot(opts.outOfHoursAt), nodeArgs, ...(opts.botStdout ? { stdoutFile: opts.botStdout } : {}) },
        opts,
        (d) => warmUp(d, connector, opts.warmupWalks, individualWalk('warm')),
        (d) => burst(d, connector, staff, opts.rate, individualWalk('triage')),
      );
      if (opts.cpuProfDir) cpuProfile = path.resolve(opts.cpuProfDir);
      log(`  bot: ${JSON.stringify(bot.result.figures.latencyMs)} errors ${bot.result.figures.errors.total}`);
      const turnsByPerson = bot.result.turnsByPerson;
      const usual = mostCommonWalk(bot.result.figures.walks.turns, 2);
      log(`triage burst floor: the same arrivals, ${usual} turns per person (as the bot's walks)`);
      const floor = await withDeployment(
        { kind: 'floor', storage: 'sqlite', instances: 1 },
        opts,
        (d) => warmUp(d, connector, opts.warmupWalks, (i, ctx) => walkEcho(ctx, nextPerson('warm'), i, usual)),
        (d) =>
          burst(d, connector, staff, opts.rate, (i, ctx) =>
            walkEcho(ctx, nextPerson('floor'), i, turnsByPerson[i] && turnsByPerson[i] > 0 ? turnsByPerson[i] : usual),
          ),
      );
      log(`  floor: ${JSON.stringify(floor.result.figures.latencyMs)} errors ${floor.result.figures.errors.total}`);
      triageBurst = {
        bot: withProcess('bot', bot.result.figures, bot.process, bot.clock),
        floor: withProcess('floor', floor.result.figures, floor.process, null),
      };
    }

    if (opts.only.has('outage')) {
      const staff = opts.staff.outage;
      log(`outage burst: an active Nexus outage, then ${staff} staff at ${opts.rate}/s`);
      const bot = await withDeployment(
        { kind: 'bot', ...sqliteBot(opts.outOfHoursAt) },
        opts,
        async (d) => {
          await warmUp(d, connector, opts.warmupWalks, individualWalk('warm'));
          const ctx: WalkContext = { client: d.clients[0] as Client, connector, sink: ignore };
          await pressOnce(ctx, nextPerson('owner'), CALLED_KMD);
          // The outage must now be active and owned: the known-outage card without a way on.
          const probe = await walk(ctx, nextPerson('probe'), -1, KNOWN_ONLY);
          if (!probe.ok) throw new Error(`set-up: after "Jeg har ringet til KMD" a report got "${probe.ending}", not the known-outage card`);
        },
        (d) => burst(d, connector, staff, opts.rate, (i, c) => walk(c, nextPerson('outage'), i, KNOWN_ONLY)),
      );
      log(`  bot: ${JSON.stringify(bot.result.figures.latencyMs)} errors ${bot.result.figures.errors.total}`);
      outageBurst = { bot: withProcess('bot', bot.result.figures, bot.process, bot.clock) };
    }

    if (opts.only.has('capacity')) {
      const walkLength = mostCommonWalk(triageBurst?.bot.walks.turns, 2);
      log(`capacity: users doubled from 1 to at most ${opts.maxUsers}, ${opts.levelSeconds} s each`);
      const bot = await withDeployment(
        { kind: 'bot', ...sqliteBot(opts.outOfHoursAt) },
        opts,
        (d) => warmUp(d, connector, opts.warmupWalks, individualWalk('warm')),
        (d) => capacity(d, connector, opts, (ctx, stop) => walk(ctx, nextPerson('cap'), 0, INDIVIDUAL, stop)),
      );
      const floor = await withDeployment(
        { kind: 'floor', storage: 'sqlite', instances: 1 },
        opts,
        (d) => warmUp(d, connector, opts.warmupWalks, (i, ctx) => walkEcho(ctx, nextPerson('warm'), i, walkLength)),
        (d) => capacity(d, connector, opts, (ctx, stop) => walkEcho(ctx, nextPerson('capfloor'), 0, walkLength, stop)),
      );
      const figures = (target: Kind, r: typeof bot): CapacityFigures => ({
        target,
        levels: r.result.levels,
        peak: r.result.peak,
        cpuMsPerTurn: round((r.process.cpuSeconds * 1000) / Math.max(1, r.result.totalTurns), 2),
        process: r.process,
      });
      const b = figures('bot', bot);
      const f = figures('floor', floor);
      capacityFigures = { bot: b, floor: f, ratio: round(b.peak.turnsPerS / Math.max(1e-9, f.peak.turnsPerS), 2) };
    }

    if (opts.only.has('outage-ooh')) outageOutOfHours = await reportBurst('outage-ooh', sqliteBot(opts.outOfHoursAt), REPORTS_OUT_OF_HOURS, connector, opts);
    if (opts.only.has('outage-oh')) outageInHours = await reportBurst('outage-oh', sqliteBot(opts.inHoursAt), REPORTS_IN_HOURS, connector, opts);
    if (opts.only.has('scale-out')) {
      scaleOut = await reportBurst('scale-out', { storage: 'blob', instances: opts.instances, clockAt: opts.outOfHoursAt }, REPORTS_OUT_OF_HOURS, connector, opts);
    }
  } finally {
    await connector.close();
  }

  const partial: Omit<BenchResult, 'targets'> = {
    machine: machine(),
    settings: {
      command: ['node dist-bench/bench/http.js', ...opts.argv].join(' '),
      staff: opts.staff,
      ratePerS: opts.rate,
      levelSeconds: opts.levelSeconds,
      warmupSeconds: opts.warmupSeconds,
      warmupWalks: opts.warmupWalks,
      quietCores: opts.quietCores,
      quietWaitSeconds: opts.quietWaitSeconds,
      env: { SQLITE_PATH: 'a fresh temp file', PORT: 'a free port' },
      blobEnv: { STORAGE: 'blob', BLOB_CONNECTION_STRING: 'Azurite', BLOB_CONTAINER: CONTAINER, PORT: 'a free port' },
      nodeFlags: START_FLAGS,
      outOfHoursAt: opts.outOfHoursAt,
      inHoursAt: opts.inHoursAt,
      instances: opts.instances,
      azuriteMemoryMb: opts.azuriteMemoryMb,
      cpuProfile,
    },
    ...(triageBurst ? { triageBurst } : {}),
    ...(outageBurst ? { outageBurst } : {}),
    ...(capacityFigures ? { capacity: capacityFigures } : {}),
    ...(outageOutOfHours ? { outageOutOfHours } : {}),
    ...(outageInHours ? { outageInHours } : {}),
    ...(scaleOut ? { scaleOut } : {}),
    wallSeconds: 0,
  };
  return { ...partial, targets: checkTargets(partial), wallSeconds: round((performance.now() - started) / 1000, 1) };
}

async function main(): Promise<void> {
  let opts: Options;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
  for (const script of Object.values(SCRIPTS)) {
    if (!fs.existsSync(path.join(ROOT, script))) {
      process.stderr.write(`bench: ${script} is missing; build first (npm run build)\n`);
      process.exit(2);
    }
  }
  const result = await runBench(opts);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (opts.write.size > 0) {
    const sections = renderSections(result);
    for (const name of opts.write) {
      const text = sections[name];
      if (!text) throw new Error(`section ${name}: no figures to write`);
      writeSection(opts.resultsFile, name, text);
    }
    log(`wrote ${[...opts.write].join(', ')} in ${path.relative(ROOT, opts.resultsFile)}`);
  } else {
    log(`${path.relative(ROOT, opts.resultsFile)} left as it was (${opts.noWriteReason ?? 'nothing to write'})`);
  }
  for (const t of result.targets) log(`${t.pass ? '✔' : '✘'} ${t.name}: ${t.value} ${t.unit} (limit ${t.limit})`);
}

if (typeof require !== 'undefined' && typeof module !== 'undefined' && require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
