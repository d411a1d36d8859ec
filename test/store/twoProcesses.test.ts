import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Storage } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobStorage } from '../../src/store/blobStorage';
import { SqliteStorage } from '../../src/store/sqliteStorage';
import { startAzurite, type Azurite } from '../support/azurite';
import { ensureBuilt, ROOT } from '../helpers/botProcess';

/**
 * Two OS processes increment the same counters at the same time through
 * updateWithRetry, on each store the bot runs on: one SQLite file on disk, one
 * Blob container (Azurite). eTags must catch every write that raced another, so
 * nothing is lost.
 */

const worker = path.join(ROOT, 'test', 'store', 'fixtures', 'counterWorker.cjs');
const COUNTERS = 5;
/** The worker's keys: Teams punctuation and a Danish letter. */
const key = (c: number) => `counter:${c};@/æ`;

/** What the worker is told to open (see counterWorker.cjs). */
type StorageSpec = { kind: 'sqlite'; path: string } | { kind: 'blob'; connectionString: string; container: string };

interface Backend {
  readonly name: string;
  /** Increments per process (Azurite answers slower than a file). */
  readonly increments: number;
  readonly timeoutMs: number;
  spec(): StorageSpec;
}

/** The store the workers wrote, opened by the test as the worker opens it. */
function open(spec: StorageSpec): Storage & { close(): void } {
  return spec.kind === 'blob' ? new BlobStorage({ connectionString: spec.connectionString, container: spec.container }) : new SqliteStorage({ path: spec.path });
}

let dir: string;
let azurite: Azurite | undefined;
const children: ChildProcess[] = [];

beforeAll(async () => {
  ensureBuilt();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nedbrud-2proc-'));
  azurite = await startAzurite();
}, 120_000);
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await azurite?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const BACKENDS: Backend[] = [
  {
    name: 'one SQLite file',
    increments: 200,
    timeoutMs: 20_000,
    spec: () => ({ kind: 'sqlite', path: path.join(dir, 'shared.db') }),
  },
  {
    name: 'one Blob container (Azurite)',
    increments: 100,
    timeoutMs: 30_000,
    spec: () => ({ kind: 'blob', connectionString: azurite!.connectionString, container: 'blob-two-processes' }),
  },
];

interface WorkerResult {
  pid: number;
  done: number[];
  conflicts: number;
  startedAt: number;
  endedAt: number;
}

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function startWorker(spec: StorageSpec, n: number): { child: ChildProcess; ready: Promise<void>; finished: Promise<Finished> } {
  const child = spawn(process.execPath, [worker, JSON.stringify(spec), String(n), String(COUNTERS)], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (stdout.includes('ready\n')) onReady();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const finished = new Promise<Finished>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  // A worker that dies before "ready" must not leave the test waiting forever.
  void finished.then(() => onReady(), () => onReady());
  return { child, ready, finished };
}

describe.each(BACKENDS)('two OS processes sharing $name', (backend) => {
  it(`${backend.increments} increments each over ${COUNTERS} counters, at the same time, lose nothing`, async () => {
    const N = backend.increments;
    const spec = backend.spec();
    const workers = [startWorker(spec, N), startWorker(spec, N)];

    await Promise.all(workers.map((w) => w.ready));
    const startAt = Date.now() + 100;
    for (const w of workers) w.child.stdin?.end(`go ${startAt}\n`);
    const results = await Promise.all(workers.map((w) => w.finished));

    for (const r of results) {
      expect(r.stderr).toBe('');
      expect(r.signal).toBeNull();
      expect(r.code).toBe(0);
    }
    const tallies = results.map((r) => JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as WorkerResult);
    const share = N / COUNTERS;
    for (const t of tallies) expect(t.done).toEqual(Array(COUNTERS).fill(share));
    // The runs overlapped in time, so the counters were really contended…
    const [a, b] = tallies;
    expect(a && b && a.startedAt < b.endedAt && b.startedAt < a.endedAt).toBe(true);
    // …and writes did collide: eTags turned them away and the updates were retried.
    const totalConflicts = tallies.reduce((sum, t) => sum + t.conflicts, 0);
    expect(totalConflicts).toBeGreaterThan(0);

    const storage = open(spec);
    try {
      const keys = Array.from({ length: COUNTERS }, (_, c) => key(c));
      const items = await storage.read(keys);
      for (const k of keys) {
        expect((items[k] as { count?: unknown } | undefined)?.count, k).toBe(2 * share);
      }
    } finally {
      storage.close();
    }
    // For the log: how much contention the run actually had.
    console.info(
      `two-process run on ${backend.name}: conflicts ${tallies.map((t) => t.conflicts).join(' + ')}, ` +
        `ms ${tallies.map((t) => t.endedAt - t.startedAt).join(' / ')}`,
    );
  }, backend.timeoutMs);
});
