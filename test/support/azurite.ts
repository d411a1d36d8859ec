import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Azurite's Blob service (npm `azurite`, pinned 3.35.0 for Node 20) as a child
 * process on a free loopback port: in-memory, telemetry off, no access log,
 * `--skipApiVersionCheck` (the installed @azure/storage-blob speaks a newer API
 * version than this Azurite knows) and `--loose`. The Blob tests' and the HTTP
 * bench's scale-out run's.
 */

export const AZURITE_ACCOUNT = 'devstoreaccount1';
/** Azurite's well-known development key (public, not a secret). */
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface Azurite {
  readonly port: number;
  readonly pid: number;
  readonly connectionString: string;
  /** Stops the service (its data is gone). Safe to call twice. */
  stop(): Promise<void>;
}

export function azuriteConnectionString(port: number): string {
  return (
    `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};` +
    `BlobEndpoint=http://127.0.0.1:${port}/${AZURITE_ACCOUNT};`
  );
}

// Found through Node's resolution, so it is the same from the sources (tests) and a build (the bench).
const main = require.resolve('azurite/dist/src/blob/main.js');
const LISTENING = /successfully listens on http:\/\/127\.0\.0\.1:(\d+)/;

/** Children still running, killed if the test process exits without stopping them. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface AzuriteOptions {
  /** 0 (default) takes any free port. */
  readonly port?: number;
  readonly timeoutMs?: number;
  /**
   * Megabytes of blob content kept in memory (default 256). Azurite frees
   * overwritten content only in its garbage collection, every 10 minutes: a run
   * that rewrites a large document often needs more.
   */
  readonly extentMemoryLimitMb?: number;
}

export async function startAzurite(opts: AzuriteOptions = {}): Promise<Azurite> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  // In-memory persistence writes nothing (and refuses --location); a private
  // working directory keeps any stray file out of the project anyway.
  const location = fs.mkdtempSync(path.join(os.tmpdir(), 'nedbrud-azurite-'));
  const child = spawn(
    process.execPath,
    [
      main,
      '--blobHost', '127.0.0.1',
      '--blobPort', String(opts.port ?? 0),
      '--inMemoryPersistence',
      '--extentMemoryLimit', String(opts.extentMemoryLimitMb ?? 256),
      '--disableTelemetry',
      '--silent',
      '--skipApiVersionCheck',
      '--loose',
    ],
    { cwd: location, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  let output = '';

  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      running.delete(child);
      fs.rmSync(location, { recursive: true, force: true });
      resolve();
    });
  });

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`Azurite did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    function fail(err: Error): void {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(err);
    }
    const onData = (chunk: string): void => {
      output += chunk;
      const match = LISTENING.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.setEncoding('utf8').on('data', onData);
    child.stderr?.setEncoding('utf8').on('data', onData);
    child.once('error', fail);
    child.once('exit', (code, signal) => fail(new Error(`Azurite exited (${code ?? signal}) before listening:\n${output}`)));
  });

  let stopping: Promise<void> | undefined;
  return {
    port,
    pid: child.pid ?? 0,
    connectionString: azuriteConnectionString(port),
    stop: () =>
      (stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return exited;
        // Azurite closes gracefully on SIGTERM; kept-alive client sockets can hold
        // that up, so do not wait long for it.
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
        await exited;
        clearTimeout(timer);
      })()),
  };
}
