import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The real process, as `npm start` runs it: node dist/index.js. `npm test` builds
 * dist/ first; when dist/ is missing or older than src/ (vitest run directly), it
 * is built here.
 */

const ROOT = resolve(__dirname, '..', '..');
const ENTRY = join(ROOT, 'dist', 'index.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (/\.(ts|json)$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function ensureBuilt(): void {
  if (existsSync(ENTRY) && statSync(ENTRY).mtimeMs >= newestMtime(join(ROOT, 'src'))) return;
  // tsc emits even when it reports type errors; the typecheck is `npm run typecheck`'s job.
  spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'ignore' });
  if (!existsSync(ENTRY)) throw new Error('dist/index.js is missing after `npx tsc -p tsconfig.json`');
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface Started {
  port: number;
  startLine: Record<string, unknown>;
  stop(signal: NodeJS.Signals): Promise<Exit & { ms: number }>;
}

function baseEnv(extra: Record<string, string>): Record<string, string> {
  // A clean environment: nothing from the developer's shell (a MicrosoftAppId, say) leaks in.
  return { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...extra };
}

/** Runs to completion (for start-up failures). */
function run(env: Record<string, string>, timeoutMs = 10_000): Promise<Exit> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [ENTRY], { cwd: ROOT, env: baseEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`did not exit within ${timeoutMs} ms; stdout: ${stdout}; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

/** Starts and waits for the start log line (JSON with `port`). */
function start(env: Record<string, string>, timeoutMs = 10_000): Promise<Started> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [ENTRY], { cwd: ROOT, env: baseEnv(env) });
    let stdout = '';
    let stderr = '';
    let started = false;
    const exited = new Promise<Exit>((r) => child.on('exit', (code, signal) => r({ code, signal, stdout, stderr })));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no start line within ${timeoutMs} ms; stdout: ${stdout}; stderr: ${stderr}`));
    }, timeoutMs);
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (started) return;
      for (const line of stdout.split('\n')) {
        if (!line.includes('Nedbrud listening on')) continue;
        const parsed = JSON.parse(line) as Record<string, unknown>;
        const port = parsed['port'];
        if (typeof port !== 'number') continue;
        started = true;
        clearTimeout(timer);
        resolvePromise({
          port,
          startLine: parsed,
          stop: async (signal) => {
            const t0 = performance.now();
            child.kill(signal);
            const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
            const exit = await exited;
            clearTimeout(killer);
            return { ...exit, stdout, stderr, ms: performance.now() - t0 };
          },
        });
      }
    });
    void exited.then((e) => {
      if (!started) {
        clearTimeout(timer);
        reject(new Error(`exited before starting (code ${e.code}); stderr: ${e.stderr}`));
      }
    });
  });
}

describe('node dist/index.js', () => {
  let dir: string;

  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'nedbrud-start-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('starts on SQLite, answers /healthz and /readyz, and exits 0 on %s', async (signal) => {
    const sqlitePath = join(dir, signal, 'data', 'nedbrud.sqlite');
    const app = await start({ STORAGE: 'sqlite', SQLITE_PATH: sqlitePath });
    expect(app.port).toBeGreaterThan(0);
    expect(app.startLine).toMatchObject({
      level: 'info',
      development: true,
      storage: 'sqlite',
      msg: `Nedbrud listening on http://127.0.0.1:${app.port} (development mode: no authentication)`,
    });

    const health = await fetch(`http://127.0.0.1:${app.port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect((await fetch(`http://127.0.0.1:${app.port}/readyz`)).status).toBe(200);
    expect(existsSync(sqlitePath)).toBe(true);

    const exit = await app.stop(signal);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.ms).toBeLessThan(5000);
    expect(exit.stderr).toBe('');
    // stdout is JSON lines only (no stray console output).
    for (const line of exit.stdout.split('\n').filter(Boolean)) expect(() => JSON.parse(line) as unknown).not.toThrow();
    expect(exit.stdout).toContain('"msg":"Nedbrud stopped"');
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ INSTRUCTION_FILE: '/nonexistent/instruction.json' }, 'INSTRUCTION_FILE'],
    [{ STORAGE: 'x' }, 'STORAGE'],
    [{ STORAGE: 'blob', BLOB_CONNECTION_STRING: 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;' }, 'BLOB_CONNECTION_STRING'],
    [{ MicrosoftAppId: 'some-app-id' }, 'MicrosoftAppPassword'],
  ] as const)('%j → exit 1 and one line on stderr naming %s', async (env, name) => {
    const exit = await run({ STORAGE: 'memory', ...env });
    expect(exit.code).toBe(1);
    const lines = exit.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Nedbrud cannot start: /);
    expect(lines[0]).toContain(name);
    expect(exit.stdout).not.toContain('Nedbrud listening');
  });
});
