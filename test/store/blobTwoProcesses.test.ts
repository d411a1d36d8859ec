import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobStorage } from '../../src/store/blobStorage.js';
import { startAzurite, type Azurite } from '../support/azurite';

const root = path.resolve(__dirname, '..', '..');
const worker = path.join(root, 'test', 'store', 'fixtures', 'blobCounterWorker.cjs');
const sources = ['blobStorage', 'etag'].map((name) => ({
  src: path.join(root, 'src', 'store', `${name}.ts`),
  out: path.join(root, 'dist', 'store', `${name}.js`),
}));
const CONTAINER = 'blob-two-processes';

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

function startWorker(connectionString: string, n: number): { child: ChildProcess; ready: Promise<void>; finished: Promise<Finished> } {
  const child = spawn(process.execPath, [worker, connectionString, CONTAINER, String(n)], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
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

describe('two OS processes sharing one Blob container (Azurite)', () => {
  let azurite: Azurite;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    ensureBuilt();
    azurite = await startAzurite();
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await azurite?.stop();
  });

  it('100 increments each over 5 counters, at the same time, lose nothing', async () => {
    const N = 100;
    const COUNTERS = 5;
    const workers = [startWorker(azurite.connectionString, N), startWorker(azurite.connectionString, N)];
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

    const storage = new BlobStorage({ connectionString: azurite.connectionString, container: CONTAINER });
    try {
      const keys = Array.from({ length: COUNTERS }, (_, c) => `counter:${c};@/æ`);
      const items = await storage.read(keys);
      for (const key of keys) {
        expect((items[key] as { count?: unknown } | undefined)?.count, key).toBe(2 * share);
      }
    } finally {
      storage.close();
    }
    const totalConflicts = tallies.reduce((sum, t) => sum + t.conflicts, 0);
    expect(totalConflicts).toBeGreaterThan(0);
    console.info(
      `two-process Blob run: conflicts ${tallies.map((t) => t.conflicts).join(' + ')}, ` +
        `ms ${tallies.map((t) => t.endedAt - t.startedAt).join(' / ')}`,
    );
  }, 30_000);
});
