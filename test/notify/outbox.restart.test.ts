import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutboxMessage } from '../../src/notify/outbox';
import { outboxWorld, textTo, type OutboxWorld } from '../helpers/outboxWorld';
import { startLimitedConnector, type LimitedConnector } from '../support/limitedConnector';

/**
 * Durability and several instances: two outboxes on one SQLite file share the
 * work without duplicates (and share the global 50/s); pending sends survive a
 * stop and a crash (a killed process), picked up by a new outbox on the same file.
 */

const root = path.resolve(__dirname, '..', '..');

let world: OutboxWorld | undefined;
let connector: LimitedConnector | undefined;
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await world?.close();
  world = undefined;
  await connector?.close();
  connector = undefined;
});

const person = (i: number) => `a:restart-person-${i}`;
const channel = (i: number) => `19:restart-channel-${i}@thread.tacv2`;

async function until(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('outbox: several instances, stops and crashes', () => {
  it('two instances on one SQLite file share the work: each message once, both busy, 50/s overall kept', async () => {
    connector = await startLimitedConnector({ inject429: 0.03, inject502: 0.02, seed: 11 });
    world = outboxWorld();
    const a = world.outbox({ worker: 'instance-a' });
    const b = world.outbox({ worker: 'instance-b' });
    const url = connector.url;
    const messages: OutboxMessage[] = [
      ...Array.from({ length: 160 }, (_, i) => textTo(url, person(i % 80), `alert:${i}`)),
      ...Array.from({ length: 40 }, (_, i) => textTo(url, channel(i % 4), `channel:${i}`)),
    ];
    await a.enqueue(messages);
    a.start();
    b.start();
    await a.drain(25_000);
    expect(connector.report()).toMatchObject({ delivered: 200, duplicates: 0, violations: 0 });
    const records = await b.records(messages.map((m) => m.id));
    const senders = new Map<string, number>();
    for (const r of records.values()) {
      const by = r.tries[r.tries.length - 1]?.by ?? '?';
      senders.set(by, (senders.get(by) ?? 0) + 1);
    }
    expect([...senders.keys()].sort()).toEqual(['instance-a', 'instance-b']);
    expect(Math.min(...senders.values())).toBeGreaterThan(20);
  });

  it('stopped before it drained: a new outbox on the same file sends the rest, each exactly once', async () => {
    connector = await startLimitedConnector();
    world = outboxWorld();
    const first = world.outbox({ worker: 'before' });
    const url = connector.url;
    const ids = Array.from({ length: 150 }, (_, i) => `alert:${i}`);
    await first.enqueue(ids.map((id, i) => textTo(url, person(i), id)));
    first.start();
    const c = connector;
    await until(() => c.report().delivered >= 40, 10_000);
    await first.stop();
    const atStop = connector.report().delivered;
    expect(atStop).toBeLessThan(150);
    expect(await first.stats()).toMatchObject({ sending: 0 });

    const second = world.outbox({ worker: 'after' });
    second.start();
    await second.drain(15_000);
    expect(connector.report()).toMatchObject({ delivered: 150, duplicates: 0, violations: 0 });
    const records = await second.records(ids);
    expect([...records.values()].every((r) => r.state === 'delivered' && r.notified === true)).toBe(true);
    expect([...records.values()].filter((r) => r.tries.at(-1)?.by === 'after').length).toBe(150 - atStop);
  });

  it('killed mid-broadcast (SIGKILL): a new outbox takes the shards over when their leases run out; nothing lost, at most the in-flight sent twice', async () => {
    ensureBuilt();
    connector = await startLimitedConnector({ latencyMs: 20 });
    world = outboxWorld();
    const url = connector.url;
    const ids = Array.from({ length: 200 }, (_, i) => `alert:${i}`);
    // Enqueued by an outbox that never starts (as a bot turn would), sent by a child process.
    await world.outbox().enqueue(ids.map((id, i) => textTo(url, person(i), id)));
    const child = spawn(process.execPath, ['-e', CHILD], {
      cwd: root,
      env: { ...process.env, OUTBOX_FILE: world.file, OUTBOX_ROOT: root },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const c = connector;
    await until(() => c.report().delivered >= 60 || child.exitCode !== null, 15_000).catch(() => undefined);
    expect(stderr).toBe('');
    expect(child.exitCode).toBeNull();
    child.kill('SIGKILL');
    await new Promise((r) => child.once('close', r));
    const atKill = connector.report().delivered;
    expect(atKill).toBeLessThan(200);

    const started = Date.now();
    const next = world.outbox({ worker: 'after-crash', leaseMs: 1_500 });
    next.start();
    await next.drain(20_000);
    const report = connector.report();
    expect(report.delivered).toBe(200);
    expect(report.violations).toBe(0);
    // At least once: only a message in flight at the kill (the child sends at most 4 at once) can go twice.
    expect(report.duplicates).toBeLessThanOrEqual(4);
    // It waited for the child's leases (1.5 s) rather than sending alongside a process that might live.
    const firstAfter = connector.log().filter((e) => e.at >= started)[0]?.at ?? 0;
    expect(firstAfter - started).toBeGreaterThanOrEqual(200);
  });
});

/** The child: an outbox on the same SQLite file, sending until it is killed. */
const CHILD = `
const root = process.env.OUTBOX_ROOT;
const d = (p) => require(root + '/dist/' + p);
const { Outbox } = d('notify/outbox/index.js');
const { AdapterSender } = d('notify/sender.js');
const { createAdapter } = d('server/adapter.js');
const { loadConfig } = d('config.js');
const { loadInstruction } = d('instruction/load.js');
const { createLogger } = d('log.js');
const { SqliteStorage } = d('store/sqliteStorage.js');
const logger = createLogger({ logLevel: 'silent' });
const config = loadConfig({});
const adapter = createAdapter(config, logger, loadInstruction());
const sender = new AdapterSender(adapter, '', logger);
const storage = new SqliteStorage({ path: process.env.OUTBOX_FILE });
const outbox = new Outbox({ storage, sender, logger, worker: 'child', pollMs: 50, leaseMs: 1500, concurrency: 4, tagActivities: true });
outbox.start();
setInterval(() => undefined, 1000);
`;

/** The child runs on dist/: build when a source it needs is newer than its output. */
function ensureBuilt(): void {
  const outbox = fs.readdirSync(path.join(root, 'src', 'notify', 'outbox')).filter((f) => f.endsWith('.ts')).map((f) => `notify/outbox/${f.slice(0, -3)}`);
  const sources = [...outbox, 'notify/pacing', 'notify/sender', 'store/document', 'store/etag', 'store/sqliteStorage', 'server/adapter'];
  const stale = sources.some((name) => {
    const src = path.join(root, 'src', `${name}.ts`);
    const out = path.join(root, 'dist', `${name}.js`);
    return !fs.existsSync(out) || fs.statSync(out).mtimeMs < fs.statSync(src).mtimeMs;
  });
  if (!stale) return;
  try {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root, stdio: 'pipe' });
  } catch (err) {
    // tsc still emits when another part of the tree has type errors; only these files matter here.
    if (sources.some((name) => !fs.existsSync(path.join(root, 'dist', `${name}.js`)))) throw err;
  }
}
