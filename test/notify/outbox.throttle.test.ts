import { afterEach, describe, expect, it } from 'vitest';
import type { OutboxMessage } from '../../src/notify/outbox';
import { outboxWorld, textTo, type OutboxWorld } from '../helpers/outboxWorld';
import { startLimitedConnector, type LimitedConnector, type LimitedRequest } from '../support/limitedConnector';

/**
 * Retry-After and the shared throttle: a 429 always holds its conversation for
 * the Retry-After; when Teams throttles broadly (or in `every429` mode, at any
 * 429) every instance waits until `outbox/throttle`'s slowUntil has passed.
 */

let world: OutboxWorld | undefined;
let connector: LimitedConnector | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
  await connector?.close();
  connector = undefined;
});

const person = (i: number) => `a:throttle-person-${i}`;
const CHANNEL = '19:throttle-channel@thread.tacv2';

/** Answers the `n`-th request (from 1) that matches with 429 Throttled and this Retry-After (seconds). */
function throttleNth(n: number, retryAfter: string | undefined, match: (r: LimitedRequest) => boolean = () => true) {
  let seen = 0;
  return (r: LimitedRequest) => {
    if (!match(r)) return undefined;
    seen++;
    if (seen !== n) return undefined;
    return { status: 429, body: { error: { code: 'Throttled', message: 'slow down' } }, ...(retryAfter !== undefined ? { headers: { 'Retry-After': retryAfter } } : {}) };
  };
}

describe('Retry-After and the shared throttle', () => {
  it('holds the conversation that got a 429 for its Retry-After; the others go on', async () => {
    connector = await startLimitedConnector({ respond: throttleNth(1, '2', (r) => r.key === CHANNEL) });
    world = outboxWorld();
    const outbox = world.outbox();
    const url = connector.url;
    await outbox.enqueue([
      ...Array.from({ length: 3 }, (_, i) => textTo(url, CHANNEL, `channel:${i}`)),
      ...Array.from({ length: 20 }, (_, i) => textTo(url, person(i), `person:${i}`)),
    ]);
    outbox.start();
    await outbox.drain(10_000);
    const log = connector.log();
    const throttled = log.find((e) => e.status === 429);
    expect(throttled?.key).toBe(CHANNEL);
    const at = throttled?.at ?? 0;
    const channelAfter = log.filter((e) => e.key === CHANNEL && e.at > at);
    expect(channelAfter.length).toBe(3);
    expect(Math.min(...channelAfter.map((e) => e.at)) - at).toBeGreaterThanOrEqual(2_000);
    // The chats did not wait for the channel.
    expect(log.filter((e) => e.key !== CHANNEL && e.at > at && e.at < at + 2_000).length).toBeGreaterThan(10);
    expect(connector.report()).toMatchObject({ delivered: 23, duplicates: 0, violations: 0 });
  });

  it('in every429 mode no request goes to anyone before a Retry-After has passed', async () => {
    connector = await startLimitedConnector({ respond: throttleNth(5, '1') });
    world = outboxWorld();
    const outbox = world.outbox({ throttle: { mode: 'every429' }, concurrency: 1 });
    await outbox.enqueue(Array.from({ length: 15 }, (_, i) => textTo(connector?.url ?? '', person(i), `p:${i}`)));
    outbox.start();
    await outbox.drain(10_000);
    const log = connector.log();
    const throttled = log.find((e) => e.status === 429);
    const at = throttled?.at ?? 0;
    const next = log.filter((e) => e.at > at);
    expect(next.length).toBeGreaterThan(0);
    expect(Math.min(...next.map((e) => e.at)) - at).toBeGreaterThanOrEqual(1_000);
    expect(connector.report()).toMatchObject({ delivered: 15, duplicates: 0 });
  });

  it('a 429 without Retry-After in every429 mode still pauses everyone (exponential default)', async () => {
    connector = await startLimitedConnector({ respond: throttleNth(3, undefined) });
    world = outboxWorld();
    const outbox = world.outbox({ throttle: { mode: 'every429', baseMs: 400, maxMs: 400 }, concurrency: 1 });
    await outbox.enqueue(Array.from({ length: 8 }, (_, i) => textTo(connector?.url ?? '', person(i), `p:${i}`)));
    outbox.start();
    await outbox.drain(10_000);
    const log = connector.log();
    const at = log.find((e) => e.status === 429)?.at ?? 0;
    // Equal jitter: at least half of 400 ms.
    expect(Math.min(...log.filter((e) => e.at > at).map((e) => e.at)) - at).toBeGreaterThanOrEqual(200);
  });

  it('the other instance waits too: it learns the pause from outbox/throttle, not from a 429 of its own', async () => {
    connector = await startLimitedConnector({ respond: throttleNth(60, '2') });
    world = outboxWorld();
    const a = world.outbox({ worker: 'instance-a', throttle: { mode: 'every429' } });
    const b = world.outbox({ worker: 'instance-b', throttle: { mode: 'every429' } });
    const url = connector.url;
    const ids = Array.from({ length: 150 }, (_, i) => `p:${i}`);
    await a.enqueue(ids.map((id, i) => textTo(url, person(i), id)));
    a.start();
    b.start();
    await a.drain(20_000);
    const log = connector.log();
    const throttled = log.find((e) => e.status === 429);
    const records = await a.records(ids);
    const by = (outboxId: string | undefined, at: number) => {
      const tries = records.get(outboxId ?? '')?.tries ?? [];
      // The try that arrived at `at` (tries are let go a moment before they arrive).
      return [...tries].reverse().find((t) => Date.parse(t.at) <= at)?.by;
    };
    const throttledBy = by(throttled?.outboxId, throttled?.at ?? 0);
    expect(throttledBy).toMatch(/^instance-[ab]$/);
    const other = throttledBy === 'instance-a' ? 'instance-b' : 'instance-a';
    const t = throttled?.at ?? 0;
    const otherRequests = log.map((e) => ({ at: e.at, by: by(e.outboxId, e.at) })).filter((e) => e.by === other);
    // Both worked before the 429 …
    expect(otherRequests.filter((e) => e.at < t).length).toBeGreaterThan(0);
    // … and the other one sent nothing from a poll after the 429 until Retry-After had passed.
    expect(otherRequests.filter((e) => e.at > t + 200 && e.at < t + 2_000)).toEqual([]);
    expect(otherRequests.filter((e) => e.at >= t + 2_000).length).toBeGreaterThan(0);
    expect(connector.report()).toMatchObject({ delivered: 150, duplicates: 0, violations: 0 });
  });

  it('adaptive: when Teams throttles broadly, every instance waits until slowUntil (shared through storage)', async () => {
    // From the 30th request on, for 1.5 s, Teams answers every request with 429 and Retry-After: 2.
    let throttleFrom: number | undefined;
    let requests = 0;
    connector = await startLimitedConnector({
      respond: (r) => {
        requests++;
        if (requests === 30) throttleFrom = r.at;
        if (throttleFrom !== undefined && r.at < throttleFrom + 1_500) {
          return { status: 429, body: { error: { code: 'Throttled', message: 'overloaded' } }, headers: { 'Retry-After': '2' } };
        }
        return undefined;
      },
    });
    world = outboxWorld();
    const a = world.outbox({ worker: 'instance-a', throttle: { sample: 10, share: 0.5 } });
    const b = world.outbox({ worker: 'instance-b', throttle: { sample: 10, share: 0.5 } });
    const url = connector.url;
    const messages: OutboxMessage[] = Array.from({ length: 120 }, (_, i) => textTo(url, person(i), `p:${i}`));
    await a.enqueue(messages);
    a.start();
    b.start();
    await a.drain(20_000);
    const log = connector.log();
    const throttled = log.filter((e) => e.status === 429);
    expect(throttled.length).toBeGreaterThan(0);
    // Only a handful were refused: the instances stopped soon after the first 429s, not after hundreds.
    expect(throttled.length).toBeLessThan(25);
    // After the pause set by the first 429s (Retry-After 2 s), nobody sent until it had passed.
    const firstThrottled = Math.min(...throttled.map((e) => e.at));
    const lastThrottled = Math.max(...throttled.map((e) => e.at));
    const quiet = log.filter((e) => e.at > lastThrottled + 200 && e.at < firstThrottled + 2_000);
    expect(quiet).toEqual([]);
    expect(connector.report()).toMatchObject({ delivered: 120, duplicates: 0, violations: 0 });
  });
});
