import { MemoryStorage } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log';
import { parseWorkers } from '../../../src/notify/outbox/schemas';
import { fairShare, shardsToGiveBack, Workers, type WorkersDoc } from '../../../src/notify/outbox/workers';
import { SharedDocument } from '../../../src/store/document';

/**
 * Instances and their shares (src/notify/outbox/workers.ts): each live instance
 * takes a fair share of the shards with work and 1/n of the global rate while n
 * send. Several instances on one storage, under a fake clock.
 */

const T0 = Date.parse('2026-12-07T07:05:00.000Z');
const LEASE = 3_000;
const POLL = 100;
const HORIZON = 1_200;

function instances(...names: string[]) {
  const storage = new MemoryStorage();
  let now = T0;
  const logger = createLogger({ logLevel: 'silent' });
  const made = names.map(
    (worker) =>
      new Workers({ worker, leaseMs: LEASE, pollMs: POLL, globalHorizonMs: HORIZON, doc: new SharedDocument<WorkersDoc>(storage, 'outbox/workers', parseWorkers), logger, now: () => now }),
  );
  const doc = new SharedDocument<WorkersDoc>(storage, 'outbox/workers', parseWorkers);
  return {
    made,
    at: (t: number) => (now = t),
    /** What a scan of every instance reads. */
    scan: async () => {
      const read = await doc.read();
      for (const w of made) w.adopt(read);
    },
  };
}

describe('the fair share of the shards', () => {
  it('is the shards with work over the live instances, rounded up', () => {
    expect(fairShare(16, 3)).toBe(6);
    expect(fairShare(5, 1)).toBe(5);
    expect(fairShare(5, 0)).toBe(5);
    expect(fairShare(0, 4)).toBe(0);
  });

  it('gives back drained shards and those taken beyond the share', () => {
    const hasWork = (i: number) => i !== 4;
    expect(shardsToGiveBack([1, 4, 7, 9, 2], new Set(), hasWork, 2)).toEqual([4, 9, 2]);
    expect(shardsToGiveBack([1, 7, 9], new Set([1]), hasWork, 2)).toEqual([]);
  });

  it('counts live instances: a stopped or silent one takes no share', async () => {
    const { made, at, scan } = instances('a', 'b', 'c');
    const [a, b, c] = made as [Workers, Workers, Workers];
    for (const w of made) await w.heartbeat(T0);
    await scan();
    expect(a.live(T0 + 10)).toBe(3);
    at(T0 + 20);
    await c.leave(T0 + 20);
    await scan();
    expect(a.live(T0 + 20)).toBe(2);
    // b's heartbeat expires after a lease without renewal.
    at(T0 + LEASE + 1);
    await a.heartbeat(T0 + LEASE + 1);
    await scan();
    expect(a.live(T0 + LEASE + 1)).toBe(1);
    expect(b.live(T0 + LEASE + 1)).toBe(2); // b counts itself
  });

  it('takes a free shard beyond the share only when nobody took it within two polls', () => {
    const [a] = instances('a').made as [Workers];
    expect(a.mayTake(3, 1, 2, T0)).toBe(true); // under the share: at once
    expect(a.mayTake(5, 2, 2, T0)).toBe(false); // at the share: not yet
    expect(a.mayTake(5, 2, 2, T0 + POLL)).toBe(false);
    expect(a.mayTake(5, 2, 2, T0 + 2 * POLL)).toBe(true);
    a.seenFree([]); // taken by someone else meanwhile: seen afresh next time
    expect(a.mayTake(5, 2, 2, T0 + 3 * POLL)).toBe(false);
  });
});

describe('the share of the global rate', () => {
  it('an instance that starts sending while another sends waits a window and two polls, then takes half', async () => {
    const { made, at, scan } = instances('a', 'b');
    const [a, b] = made as [Workers, Workers];
    await a.setBusy(true, T0);
    expect(a.sendFrom).toBe(T0);
    expect(a.share()).toBe(1);
    at(T0 + 50);
    await b.setBusy(true, T0 + 50);
    expect(b.sendFrom).toBe(T0 + 50 + HORIZON + 2 * POLL);
    expect(b.share()).toBe(0.5);
    // a learns it at its next scan.
    await scan();
    a.noteExpectedShare(T0 + POLL);
    expect(a.senders(T0 + POLL)).toBe(2);
    expect(a.share()).toBe(0.5);
  });

  it('a share rises only a global window after the other instance stopped', async () => {
    const { made, at, scan } = instances('a', 'b');
    const [a, b] = made as [Workers, Workers];
    await a.setBusy(true, T0);
    await b.setBusy(true, T0);
    await scan();
    a.noteExpectedShare(T0);
    expect(a.share()).toBe(0.5);
    at(T0 + 100);
    await b.setBusy(false, T0 + 100);
    await scan();
    // b's sends still count for a window after it stopped …
    a.noteExpectedShare(T0 + 200);
    expect(a.senders(T0 + 200)).toBe(2);
    expect(a.share()).toBe(0.5);
    // … then a's share may rise, but only after it kept the old one for a whole window.
    a.noteExpectedShare(T0 + 100 + HORIZON + 1);
    expect(a.senders(T0 + 100 + HORIZON + 1)).toBe(1);
    expect(a.share()).toBe(0.5);
    a.noteExpectedShare(T0 + 100 + 2 * HORIZON + 2);
    expect(a.share()).toBe(1);
  });
});
