import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stopChild } from '../support/stopChild';

/**
 * The bot as its own OS process (`node dist/index.js`), as production runs it,
 * for tests where two instances share one SQLite file.
 */

export const ROOT = path.resolve(__dirname, '..', '..');
const SRC = path.join(ROOT, 'src');
const DIST = path.join(ROOT, 'dist');

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** True when some src/**\/*.ts has no dist/**\/*.js or one older than itself. */
export function distIsStale(): boolean {
  return tsFiles(SRC).some((src) => {
    const out = path.join(DIST, path.relative(SRC, src)).replace(/\.ts$/, '.js');
    return !fs.existsSync(out) || fs.statSync(out).mtimeMs < fs.statSync(src).mtimeMs;
  });
}

/** Held while one test process builds dist/, so test files running in parallel do not build over each other. */
const BUILD_LOCK = path.join(os.tmpdir(), `nedbrud-dist-build-${createHash('sha256').update(ROOT).digest('hex').slice(0, 12)}.lock`);
/** A lock older than this was left by a test process that died; it is taken over. */
const STALE_LOCK_MS = 120_000;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Builds dist/ (`npx tsc -p tsconfig.json`) when it is older than src/. Several
 * test files may call this at once (vitest runs files in parallel processes):
 * one builds under a lock (an atomic mkdir), the others wait and then find
 * dist/ fresh.
 */
export function ensureBuilt(timeoutMs = 120_000): void {
  const deadline = Date.now() + timeoutMs;
  let builds = 0;
  // At most two builds: a second one when a src file changed during the first (someone is editing).
  while (builds < 2 && distIsStale()) {
    try {
      fs.mkdirSync(BUILD_LOCK);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = Date.now() - (fs.statSync(BUILD_LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > STALE_LOCK_MS) fs.rmSync(BUILD_LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`ensureBuilt: another test process has held ${BUILD_LOCK} for too long`, { cause: err });
      sleepSync(100);
      continue;
    }
    try {
      if (!distIsStale()) return;
      builds += 1;
      execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'pipe' });
    } catch (err) {
      // tsc still emits when some file has type errors (typechecking is its own step of `npm test`).
      if (!fs.existsSync(path.join(DIST, 'index.js'))) throw err;
    } finally {
      fs.rmSync(BUILD_LOCK, { recursive: true, force: true });
    }
  }
}

export interface BotProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly url: string;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  /** SIGTERM (a clean shutdown), SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

export function isAlive(p: BotProcess): boolean {
  return p.child.exitCode === null && p.child.signalCode === null;
}

/** SIGKILL: no shutdown hook runs, exactly like a crash or an OOM kill. Resolves when the process is gone. */
export async function killHard(p: BotProcess): Promise<void> {
  if (!isAlive(p)) return;
  const exited = new Promise<void>((resolve) => p.child.once('exit', () => resolve()));
  p.child.kill('SIGKILL');
  await exited;
}

/**
 * Starts `node dist/index.js` with exactly `env` (plus PATH and TZ) and resolves
 * once its JSON start log line (which carries `port`) is on stdout.
 */
export function startBotProcess(env: Record<string, string>, timeoutMs = 15_000): Promise<BotProcess> {
  const child = spawn(process.execPath, [path.join(DIST, 'index.js')], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', ...(process.env['TZ'] ? { TZ: process.env['TZ'] } : {}), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));

  const stop = (graceMs = 5_000): Promise<number | null> => stopChild(child, exited, graceMs);

  return new Promise<BotProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop(0);
      reject(new Error(`bot process did not start within ${timeoutMs} ms\nstdout: ${out}\nstderr: ${err}`));
    }, timeoutMs);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`bot process exited (${String(code)}) before listening\nstdout: ${out}\nstderr: ${err}`));
    });
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      for (const line of out.split('\n')) {
        const port = portOf(line);
        if (port === undefined) continue;
        clearTimeout(timer);
        resolve({ child, port, url: `http://localhost:${port}`, stdout: () => out, stderr: () => err, stop });
        return;
      }
    });
  });
}

function portOf(line: string): number | undefined {
  if (!line.trim().startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(line) as { port?: unknown };
    return typeof parsed.port === 'number' && parsed.port > 0 ? parsed.port : undefined;
  } catch {
    return undefined; // a partial line; the rest comes with the next chunk
  }
}
