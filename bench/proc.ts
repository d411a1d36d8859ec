import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { sleep } from '../src/lib/sleep';
import { stopChild } from '../test/support/stopChild';

/**
 * The bot under test as its own OS process, and what /proc says about it:
 * resident memory (VmRSS, sampled; VmHWM, the kernel's own peak) and CPU time.
 */

/** The repository root: the nearest folder above this file with a package.json (bench/ in tests, dist-bench/bench/ built). */
export const ROOT = repositoryRoot(__dirname);

function repositoryRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export interface ProcSample {
  /** Resident set size now, bytes. */
  readonly rss: number;
  /** Peak resident set size since the process started (VmHWM), bytes. */
  readonly hwm: number;
}

/** VmRSS and VmHWM of a process, or undefined when it is gone. */
export function readMemory(pid: number): ProcSample | undefined {
  let status: string;
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kb = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
    return match?.[1] !== undefined ? Number(match[1]) * 1024 : 0;
  };
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** User + system CPU seconds a process has used so far, or undefined when it is gone. */
export function readCpuSeconds(pid: number): number | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name (which may hold spaces) start at field 3 (state).
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return (utime + stime) / clockTicks();
}

/** Samples a process's memory (and CPU time, for a process that dies before the end) every intervalMs; stop() returns the figures. */
export class MemorySampler {
  #maxRss = 0;
  #lastHwm = 0;
  #samples = 0;
  #lastCpu: number | undefined;
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    intervalMs = 100,
  ) {
    this.#take();
    this.#timer = setInterval(() => this.#take(), intervalMs);
  }

  #take(): void {
    const sample = readMemory(this.pid);
    if (!sample) return;
    this.#samples += 1;
    this.#maxRss = Math.max(this.#maxRss, sample.rss);
    this.#lastHwm = Math.max(this.#lastHwm, sample.hwm);
    this.#lastCpu = readCpuSeconds(this.pid) ?? this.#lastCpu;
  }

  /** Takes a last sample and stops. `lastCpuSeconds`: the process's CPU time when last seen alive. */
  stop(): { maxRssBytes: number; hwmBytes: number; samples: number; lastCpuSeconds: number | undefined } {
    this.#take();
    clearInterval(this.#timer);
    return { maxRssBytes: this.#maxRss, hwmBytes: this.#lastHwm, samples: this.#samples, lastCpuSeconds: this.#lastCpu };
  }
}

/** A free TCP port on this machine (bound to port 0, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface ChildBot {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly port: number;
  /** Log lines the child wrote at level warn or above, counted by level. */
  readonly logLevels: Map<string, number>;
  /** The last few warn/error log lines (for the report). */
  readonly lastProblems: string[];
  stderr(): string;
  /** How the process ended, or null while it runs. */
  exited(): { readonly code: number | null; readonly signal: NodeJS.Signals | null } | null;
  /** SIGTERM (clean shutdown, which also writes a --cpu-prof profile), SIGKILL after graceMs. */
  stop(graceMs?: number): Promise<number | null>;
}

export interface SpawnOptions {
  /** Script relative to the repository root, e.g. dist/index.js. */
  readonly script: string;
  readonly env: Record<string, string>;
  /** Extra node flags (--cpu-prof …). */
  readonly nodeArgs?: readonly string[];
  readonly timeoutMs?: number;
  /** Also copy everything the process writes on stdout to this file (investigations: --trace-gc). */
  readonly stdoutFile?: string;
}

/**
 * Starts `node <script>` with exactly `env` (plus PATH and TZ) on a port chosen
 * here, and resolves once GET /readyz answers 200. (The app's start line is
 * logged at info, which LOG_LEVEL=warn hides, so the port is chosen up front.)
 */
export async function spawnBot(opts: SpawnOptions): Promise<ChildBot> {
  const port = await freePort();
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), path.join(ROOT, opts.script)], {
    cwd: ROOT,
    env: {
      PATH: process.env['PATH'] ?? '',
      ...(process.env['TZ'] ? { TZ: process.env['TZ'] } : {}),
      ...opts.env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${opts.script}`);
  const pid = child.pid;
  let err = '';
  let partial = '';
  const logLevels = new Map<string, number>();
  const lastProblems: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err = (err + chunk).slice(-20_000);
  });
  const copy = opts.stdoutFile ? fs.createWriteStream(opts.stdoutFile) : undefined;
  if (copy) child.once('exit', () => copy.end());
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    copy?.write(chunk);
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const level = /"level":"(\w+)"/.exec(line)?.[1];
      if (level === undefined || level === 'info' || level === 'debug' || level === 'trace') continue;
      logLevels.set(level, (logLevels.get(level) ?? 0) + 1);
      lastProblems.push(line.slice(0, 500));
      if (lastProblems.length > 5) lastProblems.shift();
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const stop = (graceMs = 15_000): Promise<number | null> => stopChild(child, exited, graceMs);

  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  let dead = false;
  void exited.then(() => (dead = true));
  for (;;) {
    if (dead) throw new Error(`${opts.script} exited before it was ready\nstderr: ${err}`);
    if (Date.now() > deadline) {
      await stop(0);
      throw new Error(`${opts.script} was not ready within ${opts.timeoutMs ?? 20_000} ms\nstderr: ${err}`);
    }
    if ((await getStatus(port, '/readyz')) === 200) break;
    await sleep(50);
  }
  const exitedState = () => (child.exitCode !== null || child.signalCode !== null ? { code: child.exitCode, signal: child.signalCode } : null);
  return { child, pid, port, logLevels, lastProblems, stderr: () => err, exited: exitedState, stop };
}

/** POSTs JSON to a local process; resolves with the status and the body (status 0 on a network error). */
export function postJson(port: number, urlPath: string, body: unknown, timeoutMs = 10_000): Promise<{ status: number; body: string }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: urlPath,
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', (err) => resolve({ status: 0, body: err.message }));
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
    req.end(payload);
  });
}

function getStatus(port: number, urlPath: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.setTimeout(1000, () => req.destroy());
  });
}

export interface SystemCpu {
  /** CPU seconds all processes spent busy (user, nice, system, irq, softirq, steal) since boot. */
  readonly busy: number;
  /** Of which steal (time the hypervisor gave to someone else). */
  readonly steal: number;
}

/** The machine's CPU counters from the first line of /proc/stat, in seconds. */
export function readSystemCpu(): SystemCpu | undefined {
  let line: string | undefined;
  try {
    line = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
  } catch {
    return undefined;
  }
  const f = (line ?? '').trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f;
  const hz = clockTicks();
  return { busy: (user + nice + system + irq + softirq + steal) / hz, steal: steal / hz };
}

/**
 * Waits until the rest of the machine is quiet: a 1-second window in which all
 * processes together used less than `cores` of CPU (this harness is idle then).
 * Gives up after maxSeconds; resolves with the seconds waited and the last load.
 */
export async function waitForQuiet(cores: number, maxSeconds: number): Promise<{ waitedS: number; lastCores: number }> {
  const started = Date.now();
  for (;;) {
    const a = readSystemCpu();
    await sleep(1000);
    const b = readSystemCpu();
    if (!a || !b) return { waitedS: 0, lastCores: 0 };
    const last = b.busy - a.busy;
    const waited = (Date.now() - started) / 1000;
    if (last < cores || waited >= maxSeconds) return { waitedS: Math.round(waited * 10) / 10, lastCores: Math.round(last * 100) / 100 };
  }
}
