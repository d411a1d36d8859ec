import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStorage } from '../../src/store/sqliteStorage.js';

const root = path.resolve(__dirname, '..', '..');
const worker = path.join(root, 'test', 'store', 'fixtures', 'counterWorker.cjs');
const sources = ['sqliteStorage', 'etag'].map((name) => ({
  src: path.join(root, 'src', 'store', `${name}.ts`),
  out: path.join(root, 'dist', 'store', `${name}.js`),
}));

/** The worker runs under plain node on dist/; build if it is missing or older than src/. */
function ensureBuilt(): void {
  const stale = sources.some(
    ({ src, out }) => !fs.existsSync(out) || fs.statSync(out).mtimeMs < fs.statSync(src).mtimeMs,
  );
  if (!stale) return;
  try {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root, stdio: 'pipe' });
  } catch (err) {
    // tsc still emits when another part of the tree has type errors; only the
    // store files matter here, and typechecking is a separate step of `npm test`.
    if (sources.some(({ out }) => !fs.existsSync(out))) throw err;
  }
}

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

function startWorker(file: string, n: number): { child: ChildProcess; ready: Promise<void>; finished: Promise<Finished> } {
  const child = spawn(process.execPath, [worker, file, String(n)], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
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

describe('two OS processes sharing one SQLite file', () => {
  let dir: string;
  const children: ChildProcess[] = [];

  beforeAll(() => {
    ensureBuilt();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nedbrud-2proc-'));
  });
  afterAll(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('200 increments each over 5 counters, at the same time, lose nothing', async () => {
    const N = 200;
    const COUNTERS = 5;
    const file = path.join(dir, 'shared.db');
    const workers = [startWorker(file, N), startWorker(file, N)];
    children.push(...workers.map((w) => w.child));

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
    // The runs overlapped in time, so the counters were really contended.
    const [a, b] = tallies;
    expect(a && b && a.startedAt < b.endedAt && b.startedAt < a.endedAt).toBe(true);

    const storage = new SqliteStorage({ path: file });
    try {
      const keys = Array.from({ length: COUNTERS }, (_, c) => `counter:${c}`);
      const items = await storage.read(keys);
      for (const key of keys) {
        expect((items[key] as { count?: unknown } | undefined)?.count, key).toBe(2 * share);
      }
    } finally {
      storage.close();
    }
    // For the log: how much contention the run actually had.
    console.info(
      `two-process run: conflicts ${tallies.map((t) => t.conflicts).join(' + ')}, ` +
        `ms ${tallies.map((t) => t.endedAt - t.startedAt).join(' / ')}`,
    );
  }, 20_000);
});
