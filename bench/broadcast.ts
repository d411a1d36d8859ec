import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Activity } from 'botbuilder';
import { loadConfig } from '../src/config';
import { loadInstruction } from '../src/instruction/load';
import { createLogger } from '../src/log';
import { Outbox, type OutboxMessage, type OutboxRecord } from '../src/notify/outbox';
import type { ThrottlePolicy } from '../src/notify/outbox/throttle';
import { TEAMS_GLOBAL } from '../src/notify/pacing';
import { AdapterSender } from '../src/notify/sender';
import { createAdapter } from '../src/server/adapter';
import { SqliteStorage } from '../src/store/sqliteStorage';
import { startLimitedConnector } from '../test/support/limitedConnector';
import { ROOT } from './proc';

/**
 * The broadcast bench (`node dist-bench/bench/broadcast.js`): one announcement to 20
 * channels and 1,500 personal subscribers through the outbox, the real
 * AdapterSender and CloudAdapter (development mode), SQLite storage, and a local
 * Bot Connector that enforces Teams' limits and injects failures. Prints one JSON
 * document and appends a section to bench/results.md.
 *
 * The connector is the outbox tests' (test/support/limitedConnector.ts).
 */

// --- the scenario -----------------------------------------------------------------------

export interface BroadcastOptions {
  readonly channels?: number;
  readonly subscribers?: number;
  readonly inject429?: number;
  readonly inject502?: number;
  readonly seed?: number;
  /** Injected 429s count in the connector's windows (default false: a 429 refuses the request). */
  readonly count429?: boolean;
  readonly throttleMode?: ThrottlePolicy['mode'];
  readonly marginMs?: number;
  readonly latencyMs?: { readonly min: number; readonly max: number };
  readonly timeoutMs?: number;
  /** The outbox's log lines go to stderr at this level (default silent). */
  readonly logLevel?: 'silent' | 'error' | 'warn' | 'info' | 'debug';
}

export interface BroadcastResult {
  readonly scenario: Required<Omit<BroadcastOptions, 'latencyMs' | 'timeoutMs' | 'logLevel'>> & { readonly latencyMs: { min: number; max: number } };
  readonly messages: number;
  readonly delivered: number;
  readonly duplicates: number;
  readonly violations: number;
  readonly failed: number;
  readonly requests: number;
  readonly injected429: number;
  readonly injected429WithRetryAfter: number;
  readonly injected502: number;
  /** From the enqueue call to the last delivery reaching the connector. */
  readonly elapsedMs: number;
  /** From the enqueue call until the outbox had recorded everything. */
  readonly drainedMs: number;
  readonly minimum: {
    /** messages / global rate (the brief's 1,520 / 50 = 30.4 s). */
    readonly rateMs: number;
    /** A sliding window allows a burst at 0: the last of N starts at floor((N-1)/L)·w. */
    readonly slidingWindowMs: number;
    /** requests the run needed (deliveries plus injected failures, which count in the windows) / rate. */
    readonly withInjectedFailuresMs: number;
    readonly how: string;
  };
  readonly ratio: number;
  readonly ratioToMinimumWithFailures: number;
}

/** Runs the scenario once; resolves with the figures. */
export async function runBroadcast(options: BroadcastOptions = {}): Promise<BroadcastResult> {
  const channels = options.channels ?? 20;
  const subscribers = options.subscribers ?? 1_500;
  const inject429 = options.inject429 ?? 0.05;
  const inject502 = options.inject502 ?? 0.02;
  const seed = options.seed ?? 1;
  const count429 = options.count429 ?? false;
  const throttleMode = options.throttleMode ?? 'adaptive';
  const marginMs = options.marginMs ?? 0;
  const latencyMs = options.latencyMs ?? { min: 5, max: 40 };

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nedbrud-broadcast-'));
  const storage = new SqliteStorage({ path: path.join(dir, 'bench.sqlite') });
  const connector = await startLimitedConnector({ inject429, inject502, seed, count429, latencyMs });
  const config = loadConfig({});
  const logger = createLogger({ logLevel: options.logLevel ?? 'silent' }, process.stderr);
  const adapter = createAdapter(config, logger, loadInstruction());
  const sender = new AdapterSender(adapter, config.bot.appId, logger);
  const failed: OutboxRecord[] = [];
  let seed32 = seed >>> 0 || 1;
  const random = () => {
    // xorshift32: reproducible jitter
    seed32 ^= seed32 << 13;
    seed32 ^= seed32 >>> 17;
    seed32 ^= seed32 << 5;
    return (seed32 >>> 0) / 0x1_0000_0000;
  };
  const outbox = new Outbox({
    storage,
    sender,
    logger,
    tagActivities: true,
    pollMs: 250,
    concurrency: 16,
    pacing: { marginMs, refundThrottled: !count429 },
    throttle: { mode: throttleMode },
    random,
    onFailed: (records) => {
      failed.push(...records);
    },
  });

  const serviceUrl = connector.url;
  const card = announcementActivity();
  const messages: OutboxMessage[] = [
    ...Array.from({ length: channels }, (_, i): OutboxMessage => {
      const conversationId = `19:bench-channel-${i}@thread.tacv2`;
      return { id: `bench-outage:announce:${conversationId}`, op: 'send', target: { conversationId, serviceUrl, tenantId: 'tenant-bench' }, activity: card, purpose: { kind: 'post', outageId: 'bench-outage', system: 'nexus', post: 'announcement' } };
    }),
    ...Array.from({ length: subscribers }, (_, i): OutboxMessage => {
      const conversationId = `a:bench-person-${i}`;
      return { id: `bench-outage:alert:${conversationId}`, op: 'send', target: { conversationId, serviceUrl, tenantId: 'tenant-bench', conversationType: 'personal' }, activity: card, purpose: { kind: 'alert', outageId: 'bench-outage', system: 'nexus', subscriber: `person-${i}`, message: 'announcement' } };
    }),
  ];

  const started = Date.now();
  try {
    await outbox.enqueue(messages);
    outbox.start();
    await outbox.drain(options.timeoutMs ?? 600_000);
    const drainedMs = Date.now() - started;
    await outbox.stop();
    const report = connector.report();
    const lastDelivery = Math.max(...connector.log().filter((e) => e.status === 201 || e.status === 200).map((e) => e.at));
    const elapsedMs = lastDelivery - started;
    const globalWindow = TEAMS_GLOBAL[0] ?? { limit: 50, windowMs: 1_000 };
    const perMs = globalWindow.limit / globalWindow.windowMs;
    const n = messages.length;
    const rateMs = n / perMs;
    const slidingWindowMs = Math.floor((n - 1) / globalWindow.limit) * globalWindow.windowMs;
    const needed = report.admitted;
    const withInjectedFailuresMs = needed / perMs;
    return {
      scenario: { channels, subscribers, inject429, inject502, seed, count429, throttleMode, marginMs, latencyMs },
      messages: n,
      delivered: report.delivered,
      duplicates: report.duplicates,
      violations: report.violations,
      failed: failed.length,
      requests: report.requests,
      injected429: report.injected429,
      injected429WithRetryAfter: report.injected429WithRetryAfter,
      injected502: report.injected502,
      elapsedMs,
      drainedMs,
      minimum: {
        rateMs,
        slidingWindowMs,
        withInjectedFailuresMs,
        how:
          `Every message goes to its own conversation (${channels} channels, ${subscribers} chats: one message each), so the per-conversation windows never bind; ` +
          `the global ${globalWindow.limit} per ${globalWindow.windowMs} ms does: ${n} / ${globalWindow.limit} per s = ${(rateMs / 1000).toFixed(1)} s ` +
          `(a sliding window allows a first burst, so the last request could start at ${(slidingWindowMs / 1000).toFixed(1)} s). ` +
          `Requests answered with an injected 502 reached the service and count in its windows${count429 ? ', and so do injected 429s' : ' (an injected 429 refuses the request, like a violation, and does not)'}, ` +
          `so the run needed ${needed} counted requests: ${(withInjectedFailuresMs / 1000).toFixed(1)} s at best, before any Retry-After wait.`,
      },
      ratio: round(elapsedMs / rateMs, 3),
      ratioToMinimumWithFailures: round(elapsedMs / withInjectedFailuresMs, 3),
    };
  } finally {
    await outbox.stop();
    await connector.close();
    storage.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** About the size of the real announcement card (Adaptive Card 1.5, a few KB). */
function announcementActivity(): Partial<Activity> {
  const lines = [
    'Nexus er nede. KMD er kontaktet kl. 08.05.',
    'Brug Nexus Mobile offline, hvis du har den åben.',
    'Medicin: brug FMK-online, og skriv på papir, hvad du giver.',
    'Bekey-nøgler virker 8 timer uden forbindelse.',
    'Vi skriver her, når vi ved mere, og når Nexus virker igen.',
  ];
  return {
    type: 'message',
    summary: 'Nexus er nede',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        content: {
          type: 'AdaptiveCard',
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          version: '1.5',
          body: [
            { type: 'TextBlock', text: 'Nedbrud: Nexus', weight: 'Bolder', size: 'Large', wrap: true },
            { type: 'FactSet', facts: [{ title: 'Nede siden', value: 'mandag 7. december kl. 08.05' }, { title: 'Forventet', value: 'Ukendt' }] },
            ...lines.map((text) => ({ type: 'TextBlock', text, wrap: true, spacing: 'Small' })),
          ],
          actions: [{ type: 'Action.Submit', title: 'Nexus virker igen for mig', data: { action: 'worksAgain', system: 'nexus' } }],
        },
      },
    ],
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

// --- command line -------------------------------------------------------------------------

function machine(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim() ?? 'unknown CPU';
  return `${model} × ${cpus.length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.platform()} ${os.release()}, Node ${process.version}`;
}

function argValue(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

export const START_MARKER = '<!-- bench:broadcast:start -->';
export const END_MARKER = '<!-- bench:broadcast:end -->';

/** The "broadcast" section of bench/results.md: one row per run of this invocation. */
export function resultsSection(results: readonly BroadcastResult[], at: Date, command: string): string {
  const first = results[0];
  const row = (r: BroadcastResult) => {
    const s = r.scenario;
    const variant = [s.throttleMode === 'adaptive' ? 'adaptive throttle' : 'every 429 pauses all', s.count429 ? '429s count in windows' : '429s refused (not counted)'].join(', ');
    return (
      `| ${s.seed} | ${variant} | ${r.delivered} / ${r.messages} | ${r.duplicates} | ${r.violations} | ${r.failed} | ${r.requests} | ${r.injected429} (${r.injected429WithRetryAfter}) | ${r.injected502} | ` +
      `${(r.elapsedMs / 1000).toFixed(2)} s | ${r.ratio.toFixed(3)} | ${(r.minimum.withInjectedFailuresMs / 1000).toFixed(1)} s | ${r.ratioToMinimumWithFailures.toFixed(3)} |`
    );
  };
  const s = first?.scenario;
  return [
    START_MARKER,
    '## Broadcast: one announcement to 20 channels and 1,500 subscribers',
    '',
    `Run ${at.toISOString()} with \`${command}\`. Machine: ${machine()}.`,
    '',
    s
      ? `Scenario: ${s.channels} channels + ${s.subscribers} personal chats, one message each, through Outbox → AdapterSender (one try) → CloudAdapter (development mode) → ` +
        `a local connector enforcing 7/1 s, 8/2 s, 60/30 s, 1800/h per conversation and 50/s overall, injecting ${Math.round(s.inject429 * 100)} % 429 (half with Retry-After: 1) ` +
        `and ${Math.round(s.inject502 * 100)} % 502, latency ${s.latencyMs.min}–${s.latencyMs.max} ms; SQLite storage; pacing margin ${s.marginMs} ms. Target: 1,520 delivered, 0 duplicates, 0 violations, elapsed ≤ 1.1 × 30.4 s = 33.44 s.`
      : 'No runs.',
    '',
    '| seed | variant | delivered | duplicates | violations | failed | requests | 429 (with Retry-After) | 502 | elapsed | ratio to 30.4 s | minimum with failures | ratio |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...results.map(row),
    '',
    first ? first.minimum.how : '',
    '',
    'Elapsed: from the enqueue call to the last delivery reaching the connector.',
    END_MARKER,
  ].join('\n');
}

/** Replaces this bench's section between its markers, or appends it; other sections stay as they are. */
export function writeSection(file: string, section: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n\nWritten by `npm run bench`; each benchmark replaces only its own section.\n';
  const start = current.indexOf(START_MARKER);
  const end = current.indexOf(END_MARKER, start < 0 ? 0 : start);
  const next =
    start >= 0 && end >= 0
      ? current.slice(0, start) + section + current.slice(end + END_MARKER.length)
      : `${current.replace(/\s*$/, '')}\n\n${section}\n`;
  fs.writeFileSync(file, next);
}

async function main(args: readonly string[]): Promise<void> {
  const num = (name: string): number | undefined => {
    const v = argValue(args, name);
    return v === undefined ? undefined : Number(v);
  };
  const mode = argValue(args, 'throttle');
  const level = argValue(args, 'log');
  const seeds = (argValue(args, 'seeds') ?? argValue(args, 'seed') ?? '1').split(',').map(Number).filter((n) => Number.isInteger(n));
  const base: BroadcastOptions = {
    ...(num('channels') !== undefined ? { channels: num('channels') } : {}),
    ...(num('subscribers') !== undefined ? { subscribers: num('subscribers') } : {}),
    ...(num('margin') !== undefined ? { marginMs: num('margin') } : {}),
    ...(args.includes('--count-429') ? { count429: true } : {}),
    ...(level === 'error' || level === 'warn' || level === 'info' || level === 'debug' ? { logLevel: level } : {}),
    ...(mode === 'adaptive' || mode === 'every429' ? { throttleMode: mode } : {}),
  };
  const runs: BroadcastOptions[] = seeds.map((seed) => ({ ...base, seed }));
  // --variants: the same scenario once more with 429s counted in the windows, and once with every 429 pausing everyone.
  if (args.includes('--variants')) runs.push({ ...base, seed: seeds[0] ?? 1, count429: true }, { ...base, seed: seeds[0] ?? 1, throttleMode: 'every429' });
  const results: BroadcastResult[] = [];
  for (const run of runs) {
    results.push(await runBroadcast(run));
  }
  // One JSON document: the run, or an array of runs.
  const docs = results.map((result) => ({ machine: machine(), ...result }));
  process.stdout.write(`${JSON.stringify(docs.length === 1 ? docs[0] : docs, null, 2)}\n`);
  if (!args.includes('--no-write')) {
    const file = path.join(ROOT, 'bench', 'results.md');
    writeSection(file, resultsSection(results, new Date(), ['node dist-bench/bench/broadcast.js', ...args].join(' ')));
  }
}

if (typeof require !== 'undefined' && typeof module !== 'undefined' && require.main === module) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`broadcast bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
