import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock';
import type { OutboxMessage, OutboxRecord } from '../../src/notify/outbox';
import { contentAddress } from '../../src/notify/outbox/payloads';
import { shardOf } from '../../src/notify/outbox/shard';
import { Pacer, TEAMS_GLOBAL, TEAMS_PER_CONVERSATION, violations, type RateWindow } from '../../src/notify/pacing';
import { SqliteStorage } from '../../src/store/sqliteStorage';
import { outboxWorld, textTo, type OutboxWorld } from '../helpers/outboxWorld';
import { startLimitedConnector, type LimitedConnector } from '../support/limitedConnector';

/**
 * The outbox (src/notify/outbox/) and its pacing (src/notify/pacing.ts): pure
 * pacing under a fake clock, then the outbox over the real AdapterSender and
 * CloudAdapter (development mode) against a local connector that enforces Teams'
 * limits and injects failures, on a SQLite file.
 */

// --- pacing, pure, fake clock ------------------------------------------------------------

/** Sends greedily at the earliest allowed instant for each key; returns the send times per key. */
function simulate(pacer: Pacer, clock: ManualClock, keys: readonly string[], until: number): Map<string, number[]> {
  const sent = new Map<string, number[]>(keys.map((k) => [k, []]));
  for (;;) {
    let best: { key: string; at: number } | undefined;
    for (const key of keys) {
      const at = pacer.nextAllowed(key, clock.now()).getTime();
      if (!best || at < best.at) best = { key, at };
    }
    if (!best || best.at >= until) return sent;
    clock.set(new Date(best.at));
    expect(pacer.tryAcquire(best.key, clock.now())).toBeDefined();
    sent.get(best.key)?.push(best.at);
  }
}

const T0 = Date.parse('2026-12-07T07:05:00.000Z');

describe('pacing (pure, fake clock)', () => {
  it("keeps Teams' per-conversation windows for two hours of greedy sending to one conversation", () => {
    const clock = new ManualClock(new Date(T0));
    const pacer = new Pacer();
    const sent = simulate(pacer, clock, ['19:busy@thread.tacv2'], T0 + 2 * 3_600_000).get('19:busy@thread.tacv2') ?? [];
    expect(violations(sent, TEAMS_PER_CONVERSATION)).toEqual([]);
    // The hour window binds: exactly 1800 per hour, and the other windows shape the start.
    expect(sent.filter((t) => t < T0 + 3_600_000)).toHaveLength(1_800);
    expect(sent).toHaveLength(3_600);
    expect(sent.slice(0, 9).map((t) => t - T0)).toEqual([0, 0, 0, 0, 0, 0, 0, 1_000, 2_000]);
  });

  it('keeps the global 50 per second and every conversation window with many conversations at once', () => {
    const clock = new ManualClock(new Date(T0));
    const pacer = new Pacer();
    const keys = Array.from({ length: 30 }, (_, i) => `a:person-${i}`);
    const sent = simulate(pacer, clock, keys, T0 + 120_000);
    const all = [...sent.values()].flat();
    expect(violations(all, TEAMS_GLOBAL)).toEqual([]);
    for (const times of sent.values()) expect(violations(times, TEAMS_PER_CONVERSATION)).toEqual([]);
    expect(all.length).toBe(50 * 120);
  });

  it('a violation checker that agrees with the connector: the 8th send in one second is one', () => {
    const w: RateWindow[] = [{ limit: 7, windowMs: 1_000 }];
    expect(violations([0, 1, 2, 3, 4, 5, 6], w)).toEqual([]);
    expect(violations([0, 1, 2, 3, 4, 5, 6, 999], w)).toEqual([7]);
    expect(violations([0, 1, 2, 3, 4, 5, 6, 1_000], w)).toEqual([]);
  });

  it('counts a request until its answer (or the arrival bound), and gives a refused one back', () => {
    const clock = new ManualClock(new Date(T0));
    const pacer = new Pacer({ perKey: [{ limit: 1, windowMs: 1_000 }], global: [{ limit: 100, windowMs: 1_000 }], arrivalBoundMs: 100 });
    const first = pacer.record('k', clock.now());
    // In flight: it may arrive as late as +100 ms, so the next waits until +1100.
    expect(pacer.nextAllowed('k', clock.now()).getTime() - T0).toBe(1_100);
    clock.advance(30);
    pacer.settle(first, clock.now());
    expect(pacer.nextAllowed('k', clock.now()).getTime() - T0).toBe(1_030);
    const second = pacer.record('k', new Date(T0 + 1_030));
    pacer.settle(second, new Date(T0 + 1_040), { refund: true });
    expect(pacer.nextAllowed('k', new Date(T0 + 1_040)).getTime() - T0).toBe(1_040);
  });

  it('spreads global sends evenly without drifting when timers fire late', () => {
    const pacer = new Pacer({ spread: true });
    let t = T0;
    const times: number[] = [];
    for (let i = 0; i < 500; i++) {
      t = Math.max(t, pacer.nextAllowed(`a:${i}`, new Date(t)).getTime());
      times.push(t);
      pacer.record(`a:${i}`, new Date(t));
      t += 1; // every timer a millisecond late
    }
    expect(violations(times, TEAMS_GLOBAL)).toEqual([]);
    const gaps = times.slice(1).map((x, i) => x - (times[i] ?? 0));
    // Even: never more than two spacings (one spacing of tolerance lets a late timer catch up).
    expect(Math.max(...gaps)).toBeLessThanOrEqual(40);
    expect(gaps.filter((g) => g <= 1).length).toBeLessThan(50);
    // 500 sends at 50/s: 10 s, not 10.5 s (the lateness is absorbed).
    expect((times[499] ?? 0) - T0).toBeLessThanOrEqual(10_000);
  });

  it('scales the global limit down (an instance sharing the rate) but never below one', () => {
    const pacer = new Pacer();
    pacer.setGlobalScale(0.5);
    expect(pacer.globalRoom(new Date(T0))).toBe(25);
    pacer.setGlobalScale(0.001);
    expect(pacer.globalRoom(new Date(T0))).toBe(1);
  });

  it('stays small: idle conversations are dropped, and at most maxKeys are kept', () => {
    const pacer = new Pacer({ maxKeys: 1_000 });
    for (let i = 0; i < 5_000; i++) pacer.record(`a:person-${i}`, new Date(T0 + i));
    expect(pacer.size).toBeLessThanOrEqual(1_000);
    pacer.record('a:late', new Date(T0 + 2 * 3_600_000));
    pacer.sweep(new Date(T0 + 2 * 3_600_000));
    expect(pacer.size).toBe(1);
  });
});


// --- the outbox against the limited connector ---------------------------------------------

let world: OutboxWorld | undefined;
let connector: LimitedConnector | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
  await connector?.close();
  connector = undefined;
});

const channel = (i: number) => `19:outbox-channel-${i}@thread.tacv2`;
const person = (i: number) => `a:outbox-person-${i}`;

describe('outbox: delivery through the real AdapterSender', () => {
  it('120 messages to 3 channels and 40 to distinct chats, with 5 % 429s and 2 % 502s: each once, in order, within every limit', async () => {
    connector = await startLimitedConnector({ inject429: 0.05, inject502: 0.02, seed: 7 });
    world = outboxWorld();
    const url = connector.url;
    const delivered: { id: string; activityId: string }[] = [];
    const outbox = world.outbox({ onDelivered: (r, activityId) => void delivered.push({ id: r.id, activityId }) });
    const messages: OutboxMessage[] = [
      ...Array.from({ length: 120 }, (_, i) => textTo(url, channel(i % 3), `burst:${i}`)),
      ...Array.from({ length: 40 }, (_, i) => textTo(url, person(i), `alert:${i}`)),
    ];
    const { added } = await outbox.enqueue(messages);
    expect(added).toHaveLength(160);
    outbox.start();
    await outbox.drain(25_000);

    const report = connector.report();
    expect(report).toMatchObject({ delivered: 160, duplicates: 0, violations: 0 });
    expect(report.injected429 + report.injected502).toBeGreaterThan(0);
    // FIFO per conversation: each channel saw its messages in the order they were enqueued.
    for (let c = 0; c < 3; c++) {
      const order = connector
        .log()
        .filter((e) => e.key === channel(c) && e.status === 201)
        .map((e) => Number(e.outboxId?.split(':')[1]));
      expect(order).toEqual([...order].sort((a, b) => a - b));
      expect(order).toHaveLength(40);
    }
    // onDelivered once each, with the id the connector gave.
    expect(new Set(delivered.map((d) => d.id)).size).toBe(160);
    expect(delivered).toHaveLength(160);
    const given = new Map(connector.log().filter((e) => e.status === 201).map((e) => [e.outboxId, e.activityIdGiven]));
    for (const d of delivered) expect(d.activityId).toBe(given.get(d.id));
    expect(await outbox.stats()).toMatchObject({ pending: 0, sending: 0, delivered: 160, failed: 0 });
  });

  it('ignores an id that is already in the outbox (and twice in one call): sent once', async () => {
    connector = await startLimitedConnector();
    world = outboxWorld();
    const outbox = world.outbox();
    const first = await outbox.enqueue([textTo(connector.url, person(1), 'once'), textTo(connector.url, person(1), 'once')]);
    expect(first).toEqual({ added: ['once'], ignored: ['once'] });
    outbox.start();
    await outbox.drain(5_000);
    const again = await outbox.enqueue([textTo(connector.url, person(1), 'once', 'changed text')]);
    expect(again).toEqual({ added: [], ignored: ['once'] });
    await outbox.drain(5_000);
    expect(connector.report()).toMatchObject({ requests: 1, delivered: 1, duplicates: 0 });
  });

  it('replies in the thread and updates the card of an announcement that is still waiting to go out', async () => {
    connector = await startLimitedConnector();
    world = outboxWorld();
    const outbox = world.outbox();
    const url = connector.url;
    const target = { conversationId: channel(9), serviceUrl: url };
    const announce = 'outage-1:announce:' + channel(9);
    await outbox.enqueue([
      { id: announce, op: 'send', target, activity: { type: 'message', text: 'Nexus er nede' }, purpose: { kind: 'post', post: 'announcement', outageId: 'outage-1', system: 'nexus' } },
      { id: 'outage-1:update:u1:' + channel(9), op: 'reply', target, rootMessageId: announce, activity: { type: 'message', text: 'Opdatering' }, purpose: { kind: 'update', outageId: 'outage-1', system: 'nexus' } },
      { id: 'outage-1:resolved-card:' + channel(9), op: 'update', target, activityOfMessageId: announce, activity: { type: 'message', text: 'Løst' }, purpose: { kind: 'card-update', outageId: 'outage-1', system: 'nexus' } },
    ]);
    outbox.start();
    await outbox.drain(5_000);
    const log = connector.log();
    const rootId = log[0]?.activityIdGiven ?? '';
    expect(rootId).not.toBe('');
    expect(log.map((e) => [e.method, e.conversationId, e.activityId])).toEqual([
      ['POST', channel(9), undefined],
      ['POST', `${channel(9)};messageid=${rootId}`, undefined],
      ['PUT', channel(9), rootId],
    ]);
    const records = await outbox.records([announce]);
    expect(records.get(announce)).toMatchObject({ state: 'delivered', sentActivityId: rootId });
  });

  it('a message that always gets 502 fails after maxAttempts; onFailed names its recipient; the rest go out', async () => {
    connector = await startLimitedConnector({
      respond: (r) => (r.key === person(666) ? { status: 502, body: { error: { code: 'BadGateway', message: 'down' } } } : undefined),
    });
    world = outboxWorld();
    const failed: OutboxRecord[][] = [];
    const outbox = world.outbox({ maxAttempts: 3, onFailed: (records) => void failed.push([...records]) });
    const url = connector.url;
    const doomed: OutboxMessage = { ...textTo(url, person(666), 'alert:666'), purpose: { kind: 'alert', outageId: 'o1', system: 'nexus', subscriber: 'Bente Hansen', message: 'announcement' } };
    await outbox.enqueue([doomed, ...Array.from({ length: 10 }, (_, i) => textTo(url, person(i), `alert:${i}`))]);
    outbox.start();
    await outbox.drain(10_000);
    expect(connector.log().filter((e) => e.key === person(666)).map((e) => e.status)).toEqual([502, 502, 502]);
    expect(connector.report()).toMatchObject({ delivered: 10, duplicates: 0, violations: 0 });
    expect(failed.flat()).toHaveLength(1);
    expect(failed.flat()[0]).toMatchObject({
      id: 'alert:666',
      state: 'failed',
      attempts: 3,
      target: { conversationId: person(666) },
      purpose: { kind: 'alert', subscriber: 'Bente Hansen' },
      error: { statusCode: 502, retryable: true },
    });
  });

  it('does not retry a 403 (the bot was removed): one request, failed, reported', async () => {
    connector = await startLimitedConnector({
      respond: (r) => (r.key === channel(403) ? { status: 403, body: { error: { code: 'BotNotInConversationRoster', message: 'removed' } } } : undefined),
    });
    world = outboxWorld();
    const failed: OutboxRecord[] = [];
    const outbox = world.outbox({ onFailed: (records) => void failed.push(...records) });
    await outbox.enqueue([textTo(connector.url, channel(403), 'gone'), textTo(connector.url, channel(404), 'fine')]);
    outbox.start();
    await outbox.drain(5_000);
    expect(connector.log().filter((e) => e.key === channel(403))).toHaveLength(1);
    expect(failed.map((r) => [r.id, r.error?.statusCode, r.error?.code, r.error?.retryable, r.attempts])).toEqual([['gone', 403, 'BotNotInConversationRoster', false, 1]]);
    expect(connector.report().delivered).toBe(1);
  });

  it('fails a reply whose root failed, without a request, and reports both', async () => {
    connector = await startLimitedConnector({ respond: (r) => (r.key === channel(5) ? { status: 403 } : undefined) });
    world = outboxWorld();
    const failed: OutboxRecord[] = [];
    const outbox = world.outbox({ onFailed: (records) => void failed.push(...records) });
    const target = { conversationId: channel(5), serviceUrl: connector.url };
    await outbox.enqueue([
      { id: 'root', op: 'send', target, activity: { text: 'root' }, purpose: { kind: 'post', post: 'announcement', outageId: 'o5', system: 'nexus' } },
      { id: 'reply', op: 'reply', target, rootMessageId: 'root', activity: { text: 'reply' }, purpose: { kind: 'update', outageId: 'o5', system: 'nexus' } },
    ]);
    outbox.start();
    await outbox.drain(5_000);
    expect(connector.report().requests).toBe(1);
    expect(failed.map((r) => r.id).sort()).toEqual(['reply', 'root']);
    expect(failed.find((r) => r.id === 'reply')?.error?.message).toMatch(/root.*failed|failed/);
  });

  it('retries a reset connection (network error) and delivers once', async () => {
    const c = await startLimitedConnector({ injectReset: 0.5, seed: 3 });
    connector = c;
    world = outboxWorld();
    const outbox = world.outbox({ maxAttempts: 10 });
    await outbox.enqueue(Array.from({ length: 6 }, (_, i) => textTo(c.url, person(i), `n:${i}`)));
    outbox.start();
    await outbox.drain(10_000);
    expect(connector.report().injectedResets).toBeGreaterThan(0);
    expect(connector.report()).toMatchObject({ delivered: 6, duplicates: 0 });
  });

  it('stores one body for many recipients, and runs onDelivered again when it failed (at least once)', async () => {
    connector = await startLimitedConnector();
    world = outboxWorld();
    const calls: string[] = [];
    let failOnce = true;
    const outbox = world.outbox({
      onDelivered: (r) => {
        calls.push(r.id);
        if (r.id === 'card:3' && failOnce) {
          failOnce = false;
          throw new Error('storage hiccup');
        }
      },
    });
    const url = connector.url;
    const card = { type: 'message' as const, text: 'Nexus er nede' };
    await outbox.enqueue(Array.from({ length: 5 }, (_, i): OutboxMessage => ({ id: `card:${i}`, op: 'send', target: { conversationId: person(i), serviceUrl: url }, activity: card, purpose: { kind: 'other', label: 'card' } })));
    const peek = new SqliteStorage({ path: world.file });
    const payloads = (await peek.read(['outbox/payloads'])) as Record<string, { used?: Record<string, string> } | undefined>;
    expect(Object.keys(payloads['outbox/payloads']?.used ?? {})).toHaveLength(1);
    peek.close();
    outbox.start();
    await outbox.drain(10_000);
    expect(calls.filter((id) => id === 'card:3')).toHaveLength(2);
    expect(calls).toHaveLength(6);
    expect(connector.report()).toMatchObject({ delivered: 5, duplicates: 0 });
  });

  it("records() and the hooks see what another instance delivered or failed: Teams' id, the 403; an unknown id is absent", async () => {
    connector = await startLimitedConnector({ respond: (r) => (r.key === person(2) ? { status: 403 } : undefined) });
    world = outboxWorld();
    const url = connector.url;
    const delivered: [string, string][] = [];
    const failed: OutboxRecord[] = [];
    const enqueuer = world.outbox(); // never started: a bot turn that only enqueues
    const sender = world.outbox({ onDelivered: (r, activityId) => void delivered.push([r.id, activityId]), onFailed: (records) => void failed.push(...records) });
    const ok = textTo(url, person(1), 'queued:ok');
    const gone = textTo(url, person(2), 'queued:gone');
    await enqueuer.enqueue([ok, gone]);
    sender.start();
    await sender.drain(5_000);
    const given = connector.log().find((e) => e.outboxId === ok.id)?.activityIdGiven;
    expect(given).toEqual(expect.any(String));
    const records = await enqueuer.records([ok.id, gone.id, 'queued:never']);
    expect(records.get(ok.id)).toMatchObject({ state: 'delivered', sentActivityId: given, notified: true });
    expect(records.get(gone.id)).toMatchObject({ state: 'failed', error: { statusCode: 403 }, notified: true });
    expect(records.has('queued:never')).toBe(false);
    expect(delivered).toEqual([[ok.id, given]]);
    expect(failed.map((r) => [r.id, r.error?.statusCode])).toEqual([[gone.id, 403]]);
  });

  it('rejects malformed messages before storing anything', async () => {
    world = outboxWorld();
    const outbox = world.outbox();
    const bad = { id: 'r', op: 'reply', target: { conversationId: 'a:x', serviceUrl: 'http://x' }, activity: {}, purpose: { kind: 'other' } } as const;
    await expect(outbox.enqueue([bad])).rejects.toThrow(/rootActivityId or rootMessageId/);
    // A purpose the union does not know (here an untyped caller's old-style one) is refused too.
    const untyped = { ...textTo('http://x', person(1), 'p'), purpose: { kind: 'personal-alert', person: 'Bente Hansen' } } as unknown as OutboxMessage;
    await expect(outbox.enqueue([untyped])).rejects.toThrow(/purpose .* is not one the outbox knows/);
    expect(await outbox.stats()).toMatchObject({ pending: 0 });
  });

  it('sends a record stored before the typed purpose, with its purpose mapped, and drops a malformed one with a log', async () => {
    connector = await startLimitedConnector();
    world = outboxWorld();
    const target = { conversationId: channel(7), serviceUrl: connector.url, tenantId: 'tenant-test' };
    const activity = { type: 'message', text: 'Nexus er nede' };
    const { hash } = contentAddress(activity);
    const old = { id: 'old:1', op: 'send', target, purpose: { kind: 'announcement', announcement: 'announcement', outageId: 'o7', system: 'nexus', serviceUrl: connector.url }, payload: hash, state: 'pending', seq: 0, pos: 0, enqueuedAt: new Date().toISOString(), attempts: 0, tries: [] };
    const broken = { id: 'broken:1', op: 'send', target: 'nowhere', payload: hash, state: 'pending', seq: 1 };
    const seed = new SqliteStorage({ path: world.file });
    await seed.write({ 'outbox/meta': { shards: 16 }, [`outbox/payload/${hash}`]: { activity }, [`outbox/shard/${String(shardOf(target, 16)).padStart(2, '0')}`]: { rev: 1, nextSeq: 2, messages: [old, broken], holds: {} } });
    seed.close();
    const delivered: OutboxRecord[] = [];
    const outbox = world.outbox({ onDelivered: (r) => void delivered.push(r) });
    outbox.start();
    await outbox.drain(5_000);
    expect(connector.report()).toMatchObject({ delivered: 1, duplicates: 0 });
    expect(delivered.map((r) => [r.id, r.purpose])).toEqual([['old:1', { kind: 'post', post: 'announcement', outageId: 'o7', system: 'nexus' }]]);
    expect(world.logs.lines()).toContainEqual(expect.objectContaining({ level: 'error', id: 'broken:1', msg: 'outbox: dropped a stored message that does not parse' }));
    expect([...(await outbox.records(['old:1', 'broken:1'])).keys()]).toEqual(['old:1']);
  });
});
