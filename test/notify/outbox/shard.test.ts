import { describe, expect, it } from 'vitest';
import type { OutboxMessage, OutboxRecord } from '../../../src/notify/outbox';
import { dueHeads, pickPaced } from '../../../src/notify/outbox/select';
import {
  addMessages,
  claimMessages,
  conversationKey,
  EMPTY_SHARD,
  markNotified,
  pruned,
  recordOutcome,
  releaseLease,
  renewLease,
  resolveRefs,
  shardOf,
  takeLease,
  type Outcome,
  type ShardDoc,
  type ShardRules,
} from '../../../src/notify/outbox/shard';

/**
 * The shard document's transitions (src/notify/outbox/shard.ts), pure: a
 * message's life from enqueue to its final state, what a reply or update waits
 * for, leases, pruning; and which messages may go now (select.ts).
 */

const T0 = Date.parse('2026-12-07T07:05:00.000Z');
const A: ShardRules = { worker: 'a', leaseMs: 30_000, keepFinishedMs: 48 * 3_600_000, maxAttempts: 3 };
const CHANNEL = '19:shard@thread.tacv2';
const target = (conversationId = CHANNEL) => ({ conversationId, serviceUrl: 'http://teams.test/' });
const noHooks = { delivered: true, failed: true };
const withHooks = { delivered: false, failed: false };

function msg(id: string, extra: Partial<OutboxMessage> = {}): OutboxMessage {
  return { id, op: 'send', target: target(), activity: { type: 'message', text: id }, purpose: { kind: 'other' }, ...extra };
}

/** A shard with these messages stored (in this order) and its lease held by `a`. */
function shard(...messages: OutboxMessage[]): ShardDoc {
  const added = addMessages(EMPTY_SHARD, messages.map((message, pos) => ({ message, hash: `hash-${message.id}`, pos })), new Date(T0).toISOString());
  const leased = takeLease(added.doc ?? EMPTY_SHARD, A, T0, new Set());
  return leased.doc ?? EMPTY_SHARD;
}

const apply = <R>(doc: ShardDoc, step: { doc?: ShardDoc; result: R }): [ShardDoc, R] => [step.doc ?? doc, step.result];
function record(doc: ShardDoc, id: string): OutboxRecord {
  const found = doc.messages.find((r) => r.id === id);
  if (!found) throw new Error(`no record ${id}`);
  return found;
}

/** Claims `id` and records this outcome. */
function sendOnce(doc: ShardDoc, id: string, outcome: Outcome, at = T0 + 1_000, notify = noHooks): ShardDoc {
  const [claimedDoc, claimed] = apply(doc, claimMessages(doc, new Set([id]), A, at));
  const mine = claimed.get(id);
  if (!mine) throw new Error(`${id} was not claimed`);
  return apply(claimedDoc, recordOutcome(claimedDoc, mine, outcome, A, at + 100, notify))[0];
}

describe('a message: claim → outcome → final state', () => {
  it('stores new messages in order, and ignores an id it has', () => {
    const doc = shard(msg('m1'), msg('m2'));
    const [, result] = apply(doc, addMessages(doc, [{ message: msg('m2'), hash: 'x', pos: 0 }, { message: msg('m3'), hash: 'x', pos: 1 }], 'now'));
    expect(result).toEqual({ added: ['m3'], ignored: ['m2'] });
    expect(doc.messages.map((r) => [r.id, r.seq, r.state, r.attempts])).toEqual([
      ['m1', 0, 'pending', 0],
      ['m2', 1, 'pending', 0],
    ]);
  });

  it('claims while the lease is held (attempts+1, a try by this worker), never without it', () => {
    const doc = shard(msg('m1'));
    const [claimedDoc, claimed] = apply(doc, claimMessages(doc, new Set(['m1']), A, T0 + 500));
    expect(claimed.get('m1')).toMatchObject({ state: 'sending', attempts: 1, tries: [{ at: new Date(T0 + 500).toISOString(), by: 'a' }] });
    expect(claimedDoc.leaseUntil).toBe(new Date(T0 + 500 + A.leaseMs).toISOString());
    const [, byOther] = apply(doc, claimMessages(doc, new Set(['m1']), { ...A, worker: 'b' }, T0 + 500));
    expect(byOther.size).toBe(0);
    const [, afterLease] = apply(doc, claimMessages(doc, new Set(['m1']), A, T0 + A.leaseMs + 1));
    expect(afterLease.size).toBe(0);
  });

  it('delivered: Teams’ id and the time, notified at once only when there is no hook', () => {
    const outcome: Outcome = { kind: 'delivered', activityId: 'teams-1', sentAt: T0 + 1_050 };
    const hooked = record(sendOnce(shard(msg('m1')), 'm1', outcome, T0 + 1_000, withHooks), 'm1');
    expect(hooked).toMatchObject({ state: 'delivered', sentActivityId: 'teams-1', attempts: 1, finishedAt: new Date(T0 + 1_100).toISOString() });
    expect(hooked.tries).toEqual([{ at: new Date(T0 + 1_050).toISOString(), by: 'a' }]);
    expect(hooked.notified).toBeUndefined();
    expect(record(sendOnce(shard(msg('m1')), 'm1', outcome), 'm1').notified).toBe(true);
  });

  it('retry: pending again after notBefore; a 429 also holds its conversation (threads included)', () => {
    const error = { statusCode: 429, message: 'slow down', retryable: true };
    const doc = sendOnce(shard(msg('m1')), 'm1', { kind: 'retry', notBefore: T0 + 5_000, hold: T0 + 5_000, error, sentAt: T0 + 1_000 });
    expect(record(doc, 'm1')).toMatchObject({ state: 'pending', attempts: 1, notBefore: new Date(T0 + 5_000).toISOString(), error });
    expect(doc.holds).toEqual({ [CHANNEL]: new Date(T0 + 5_000).toISOString() });
    expect(conversationKey(target(`${CHANNEL};messageid=1`))).toBe(CHANNEL);
  });

  it('failed: the error kept; unsent: given back without counting the try', () => {
    const error = { statusCode: 403, code: 'BotNotInConversationRoster', message: 'gone', retryable: false };
    expect(record(sendOnce(shard(msg('m1')), 'm1', { kind: 'failed', error }), 'm1')).toMatchObject({ state: 'failed', error, attempts: 1 });
    expect(record(sendOnce(shard(msg('m1')), 'm1', { kind: 'unsent' }), 'm1')).toMatchObject({ state: 'pending', attempts: 0, tries: [] });
  });

  it('does not record an outcome for a claim that is no longer current (taken over and claimed again)', () => {
    const doc = shard(msg('m1'));
    const [claimedDoc, claimed] = apply(doc, claimMessages(doc, new Set(['m1']), A, T0));
    const first = claimed.get('m1');
    if (!first) throw new Error('not claimed');
    const again = { ...claimedDoc, messages: claimedDoc.messages.map((r) => ({ ...r, attempts: 2 })) };
    const step = recordOutcome(again, first, { kind: 'delivered', activityId: 'x', sentAt: T0 }, A, T0, noHooks);
    expect(step).toEqual({ result: undefined });
  });

  it('marks finished records notified, and only those', () => {
    const doc = sendOnce(shard(msg('m1'), msg('m2', { target: target('a:person') })), 'm1', { kind: 'delivered', activityId: 'x', sentAt: T0 }, T0, withHooks);
    const [marked] = apply(doc, markNotified(doc, new Set(['m1', 'm2'])));
    expect(marked.messages.map((r) => [r.id, r.notified])).toEqual([
      ['m1', true],
      ['m2', undefined],
    ]);
    expect(markNotified(marked, new Set(['m1'])).doc).toBeUndefined();
  });
});

describe('what a reply or an update waits for', () => {
  const root = msg('root');
  const reply = msg('reply', { op: 'reply', rootMessageId: 'root' });
  const update = msg('card', { op: 'update', activityOfMessageId: 'root' });

  it('waits for its root in the same conversation, then takes the Teams id it was given', () => {
    let doc = shard(root, reply, update);
    expect(resolveRefs(doc, record(doc, 'reply'))).toBe('wait');
    doc = sendOnce(doc, 'root', { kind: 'delivered', activityId: 'teams-root', sentAt: T0 });
    expect(resolveRefs(doc, record(doc, 'reply'))).toEqual({ rootActivityId: 'teams-root' });
    expect(resolveRefs(doc, record(doc, 'card'))).toEqual({ activityId: 'teams-root' });
  });

  it('is impossible when the root failed, is unknown, was enqueued after it, or got no id', () => {
    const failed = sendOnce(shard(root, reply), 'root', { kind: 'failed', error: { message: 'x', retryable: false } });
    expect(resolveRefs(failed, record(failed, 'reply'))).toEqual({ impossible: 'the message it depends on (root) failed' });
    const orphan = shard(reply);
    expect(resolveRefs(orphan, record(orphan, 'reply'))).toEqual({ impossible: 'the message it depends on (root) is not in the outbox' });
    const later = shard(reply, root);
    expect(resolveRefs(later, record(later, 'reply'))).toEqual({ impossible: 'the message it depends on (root) was enqueued after it' });
    const noId = sendOnce(shard(root, reply), 'root', { kind: 'delivered', activityId: '', sentAt: T0 });
    expect(resolveRefs(noId, record(noId, 'reply'))).toEqual({ impossible: 'Teams gave no activity id for root' });
  });

  it('passes a Teams id given directly', () => {
    const doc = shard(msg('r', { op: 'reply', rootActivityId: '1700' }), msg('u', { op: 'update', activityId: '1701', target: target('a:x') }));
    expect(resolveRefs(doc, record(doc, 'r'))).toEqual({ rootActivityId: '1700' });
    expect(resolveRefs(doc, record(doc, 'u'))).toEqual({ activityId: '1701' });
  });
});

describe('leases and pruning', () => {
  it('a takeover sends again what the dead owner left sending, and fails what was interrupted too often', () => {
    let doc = shard(msg('m1'), msg('m2', { target: target('a:p') }));
    [doc] = apply(doc, claimMessages(doc, new Set(['m1', 'm2']), A, T0));
    doc = { ...doc, messages: doc.messages.map((r) => (r.id === 'm2' ? { ...r, attempts: A.maxAttempts + 1 } : r)) };
    const B = { ...A, worker: 'b' };
    expect(takeLease(doc, B, T0 + 1_000, new Set()).result).toBeUndefined(); // a's lease still runs
    const [taken, result] = apply(doc, takeLease(doc, B, T0 + A.leaseMs + 1, new Set()));
    expect(result).toMatchObject({ previous: 'a', reset: 2 });
    expect(taken.owner).toBe('b');
    expect(taken.messages.map((r) => [r.id, r.state])).toEqual([
      ['m1', 'pending'],
      ['m2', 'failed'],
    ]);
  });

  it('renewing makes orphans pending again (not those still in flight); giving back clears the lease', () => {
    let doc = shard(msg('m1'), msg('m2', { target: target('a:p') }));
    [doc] = apply(doc, claimMessages(doc, new Set(['m1', 'm2']), A, T0));
    const [renewed] = apply(doc, renewLease(doc, A, T0 + 20_000, new Set(['m1', 'm2']), (id) => id === 'm2'));
    expect(renewed.messages.map((r) => r.state)).toEqual(['pending', 'sending']);
    expect(renewed.leaseUntil).toBe(new Date(T0 + 20_000 + A.leaseMs).toISOString());
    const [released] = apply(renewed, releaseLease(renewed, A, T0 + 20_000));
    expect(released.owner).toBeUndefined();
    expect(releaseLease(renewed, { ...A, worker: 'b' }, T0).doc).toBeUndefined();
  });

  it('prunes finished records after keepFinishedMs once their hook ran; keeps unnotified ones however old, and drops past holds', () => {
    let doc = shard(msg('done'), msg('unnotified', { target: target('a:1') }), msg('recent', { target: target('a:2') }), msg('pending', { target: target('a:3') }));
    const delivered: Outcome = { kind: 'delivered', activityId: 'x', sentAt: T0 };
    doc = sendOnce(doc, 'done', delivered, T0, noHooks);
    doc = sendOnce(doc, 'unnotified', delivered, T0, withHooks);
    [doc] = apply(doc, takeLease(doc, A, T0 + A.keepFinishedMs, new Set())); // renewed meanwhile
    doc = sendOnce(doc, 'recent', delivered, T0 + A.keepFinishedMs, noHooks);
    doc = { ...doc, holds: { old: new Date(T0).toISOString(), later: new Date(T0 + 3 * A.keepFinishedMs).toISOString() } };
    const kept = pruned(doc, T0 + A.keepFinishedMs + 1_000, A.keepFinishedMs);
    expect(kept.messages.map((r) => r.id)).toEqual(['unnotified', 'recent', 'pending']);
    expect(Object.keys(kept.holds)).toEqual(['later']);
  });

  it('puts every thread of a channel in the channel’s shard', () => {
    expect(shardOf(target(`${CHANNEL};messageid=1700000000000`), 16)).toBe(shardOf(target(), 16));
  });
});

describe('what may go now (select.ts)', () => {
  it('per conversation only its oldest unfinished message; oldest enqueue first; held ones wait', () => {
    const doc = shard(msg('c1'), msg('c2'), msg('p1', { target: target('a:p') }), msg('q1', { target: target('a:q') }));
    const held = { ...doc, holds: { 'a:q': new Date(T0 + 2_000).toISOString() } };
    const { due, waitMs } = dueHeads([{ shard: 3, doc: held }], new Set(), T0);
    expect(due.map((p) => [p.record.id, p.key, p.shard])).toEqual([
      ['c1', CHANNEL, 3],
      ['p1', 'a:p', 3],
    ]);
    expect(waitMs).toBe(2_000);
    // A conversation with a send in flight waits for it; a reply waits for its root.
    expect(dueHeads([{ shard: 3, doc }], new Set([CHANNEL]), T0).due.map((p) => p.record.id)).toEqual(['p1', 'q1']);
    const replyFirst = shard(msg('root', { target: target('a:r') }), msg('reply', { op: 'reply', rootMessageId: 'root', target: target('a:s') }));
    expect(dueHeads([{ shard: 0, doc: replyFirst }], new Set(), T0).due.map((p) => p.record.id)).toEqual(['root']);
  });

  it('takes them in order while there is room and their conversation may send', () => {
    const doc = shard(msg('c1'), msg('p1', { target: target('a:p') }), msg('q1', { target: target('a:q') }));
    const { due } = dueHeads([{ shard: 0, doc }], new Set(), T0);
    const nextAllowed = (key: string) => (key === 'a:p' ? T0 + 300 : T0);
    expect(pickPaced(due, { free: 5, room: 5 }, nextAllowed, T0)).toMatchObject({ picks: [{ key: CHANNEL }, { key: 'a:q' }], waitMs: 300 });
    expect(pickPaced(due, { free: 5, room: 1 }, nextAllowed, T0).picks.map((p) => p.key)).toEqual([CHANNEL]);
    expect(pickPaced(due, { free: 0, room: 5 }, nextAllowed, T0).picks).toEqual([]);
  });
});
