import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log';
import type { OutboxRecord } from '../../../src/notify/outbox';
import { Hooks } from '../../../src/notify/outbox/hooks';
import type { ShardDoc } from '../../../src/notify/outbox/shard';

/**
 * The hooks (src/notify/outbox/hooks.ts): failures reported in batches,
 * deliveries left over from before a restart run, a failing hook runs again
 * later, and a record is marked notified only after its hook ran.
 */

const T0 = Date.parse('2026-12-07T07:05:00.000Z');

const rec = (id: string, state: OutboxRecord['state'], finishedAt = T0): OutboxRecord => ({
  id,
  op: 'send',
  target: { conversationId: `a:${id}`, serviceUrl: 'http://teams.test/' },
  purpose: { kind: 'other' },
  payload: 'hash',
  state,
  seq: 0,
  pos: 0,
  enqueuedAt: new Date(T0).toISOString(),
  attempts: 1,
  tries: [],
  ...(state === 'delivered' || state === 'failed' ? { finishedAt: new Date(finishedAt).toISOString() } : {}),
  ...(state === 'delivered' ? { sentActivityId: `teams-${id}` } : {}),
});

const shard = (...messages: OutboxRecord[]): ShardDoc => ({ rev: 1, nextSeq: messages.length, messages, holds: {} });

function setUp(options: { failOnFailed?: number; failOnDelivered?: number } = {}) {
  let now = T0;
  let failedLeft = options.failOnFailed ?? 0;
  let deliveredLeft = options.failOnDelivered ?? 0;
  const reported: string[][] = [];
  const delivered: [string, string][] = [];
  const marked: [number, string[]][] = [];
  const hooks = new Hooks({
    onDelivered: (r, activityId) => {
      if (deliveredLeft-- > 0) throw new Error('storage hiccup');
      delivered.push([r.id, activityId]);
    },
    onFailed: (records) => {
      if (failedLeft-- > 0) throw new Error('Nexusteam channel unreachable');
      reported.push(records.map((r) => r.id));
    },
    logger: createLogger({ logLevel: 'silent' }),
    now: () => now,
    failureBatchMs: 2_000,
    markNotified: async (i, ids) => void marked.push([i, [...ids]]),
  });
  /** One round of the loop at `t`: the hooks due in these shards run. */
  const round = async (t: number, shards: readonly { shard: number; doc: ShardDoc }[], inflight: (id: string) => boolean = () => false) => {
    now = t;
    hooks.start(shards, inflight);
    await hooks.settled();
  };
  return { hooks, reported, delivered, marked, round };
}

describe('outbox hooks', () => {
  it('reports failures once the oldest is failureBatchMs old, while other messages are still pending', async () => {
    const { reported, marked, round } = setUp();
    const shards = [{ shard: 2, doc: shard(rec('f1', 'failed'), rec('f2', 'failed', T0 + 1_500), rec('p', 'pending')) }];
    await round(T0 + 1_999, shards);
    expect(reported).toEqual([]);
    await round(T0 + 2_000, shards);
    expect(reported).toEqual([['f1', 'f2']]);
    expect(marked).toEqual([[2, ['f1', 'f2']]]);
  });

  it('reports at once when nothing else is pending', async () => {
    const { reported, round } = setUp();
    await round(T0, [{ shard: 0, doc: shard(rec('f1', 'failed')) }]);
    expect(reported).toEqual([['f1']]);
  });

  it('runs onDelivered left over from before a restart, not for a send still in flight, and marks it', async () => {
    const { delivered, marked, round } = setUp();
    await round(T0, [{ shard: 1, doc: shard(rec('d1', 'delivered'), rec('d2', 'delivered'), { ...rec('d3', 'delivered'), notified: true }) }], (id) => id === 'd2');
    expect(delivered).toEqual([['d1', 'teams-d1']]);
    expect(marked).toEqual([[1, ['d1']]]);
  });

  it('a hook that fails runs again a second later (doubling), and its records are marked only after it ran', async () => {
    const { reported, marked, round } = setUp({ failOnFailed: 2 });
    const shards = [{ shard: 0, doc: shard(rec('f1', 'failed')) }];
    await round(T0, shards);
    await round(T0 + 999, shards);
    expect(marked).toEqual([]);
    await round(T0 + 1_000, shards); // the second failure: the next try after 2 s
    await round(T0 + 2_999, shards);
    expect(reported).toEqual([]);
    await round(T0 + 3_000, shards);
    expect(reported).toEqual([['f1']]);
    expect(marked).toEqual([[0, ['f1']]]);
  });

  it('a delivery hook that keeps failing is given up after five tries (and marked, so it does not run forever)', async () => {
    const { hooks, delivered, marked } = setUp({ failOnDelivered: 99 });
    const record = rec('d1', 'delivered');
    for (let i = 0; i < 5; i++) await hooks.delivered(0, record);
    expect(delivered).toEqual([]);
    expect(marked).toEqual([[0, ['d1']]]);
  });
});
