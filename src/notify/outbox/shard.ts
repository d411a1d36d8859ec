import { baseConversationId } from '../../teams/addressing';
import type { ConversationTarget } from '../sender';
import { iso, ms } from './time';
import type { OutboxError, OutboxMessage, OutboxRecord } from './types';

/**
 * A shard: `outbox/shard/<i>` (i < shards, default 16) holds the messages of
 * every conversation whose base id (a channel without `;messageid=`) hashes to i,
 * plus the shard's lease (owner, leaseUntil) and per-conversation holds (a 429's
 * Retry-After). All messages to one conversation live in one shard, so the one
 * instance that holds the shard's lease is the only one sending to that
 * conversation: per-conversation pacing is exact, order is kept (FIFO per
 * conversation), and a reply can wait for its root in the same document.
 *
 * A message: pending → (claimed: attempts+1, `sending`) → the send → delivered
 * (with Teams' activity id) | pending again with a later `notBefore` | failed.
 * A shard whose owner died is taken over when its lease runs out, and its
 * `sending` messages are sent again: at least once, never zero. An instance that
 * stops gives its shards back at once.
 *
 * Everything here is pure: each transition takes a document and returns the next
 * one (or none: nothing to write) and a result, as `ShardWriter.run` wants.
 */

export interface ShardDoc {
  /** Bumped by every write: a read that raced a newer write is not taken for news. */
  readonly rev: number;
  readonly owner?: string;
  readonly leaseUntil?: string;
  readonly nextSeq: number;
  readonly messages: readonly OutboxRecord[];
  /** Conversation key → ISO instant: nothing goes to that conversation before it (a 429's Retry-After). */
  readonly holds: Readonly<Record<string, string>>;
}

/** A transition's answer: the next document (none: nothing to write) and what the caller learns. */
export interface Step<R> {
  readonly doc?: ShardDoc;
  readonly result: R;
}

/** What the transitions of one instance need to know. */
export interface ShardRules {
  /** This instance's name (the lease owner). */
  readonly worker: string;
  readonly leaseMs: number;
  /** Finished records whose hook has run are pruned after this long. */
  readonly keepFinishedMs: number;
  /** Tries per message in all. */
  readonly maxAttempts: number;
}

export const EMPTY_SHARD: ShardDoc = { rev: 0, nextSeq: 0, messages: [], holds: {} };

/** What a reply or update needs from an earlier message of the same conversation. */
export interface Resolved {
  readonly rootActivityId?: string;
  readonly activityId?: string;
  /** The message cannot be sent (its root failed or is unknown): fail it without a request. */
  readonly impossible?: string;
}

export type Outcome =
  | { readonly kind: 'delivered'; readonly activityId: string; readonly sentAt: number }
  | { readonly kind: 'retry'; readonly notBefore: number; readonly hold?: number; readonly error: OutboxError; readonly sentAt: number }
  | { readonly kind: 'failed'; readonly error: OutboxError; readonly sentAt?: number }
  | { readonly kind: 'unsent' };

export const isFinished = (r: OutboxRecord): boolean => r.state === 'delivered' || r.state === 'failed';

/** Pending or sending work, or a finished message whose hook has not run. */
export function shardHasWork(doc: ShardDoc): boolean {
  return doc.messages.some((r) => !isFinished(r) || r.notified !== true);
}

/** The pacing key: the base conversation (a channel's threads share the channel's budget). */
export function conversationKey(target: ConversationTarget): string {
  return baseConversationId(target.conversationId);
}

/** FNV-1a over the conversation key, modulo the shard count. */
export function shardOf(target: ConversationTarget, shards: number): number {
  const key = conversationKey(target);
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % shards;
}

export function leaseHeldBy(doc: ShardDoc, worker: string, now: number): boolean {
  return doc.owner === worker && ms(doc.leaseUntil) > now;
}

export function leaseFree(doc: ShardDoc, now: number): boolean {
  return doc.owner === undefined || ms(doc.leaseUntil) <= now;
}

/** Stores new messages (pending, in order); an id already in the shard is ignored. */
export function addMessages(
  doc: ShardDoc,
  list: readonly { message: OutboxMessage; hash: string; pos: number }[],
  at: string,
): Step<{ added: string[]; ignored: string[] }> {
  const existing = new Set(doc.messages.map((r) => r.id));
  const added: string[] = [];
  const ignored: string[] = [];
  const fresh: OutboxRecord[] = [];
  let seq = doc.nextSeq;
  for (const { message: m, hash, pos } of list) {
    if (existing.has(m.id)) {
      ignored.push(m.id);
      continue;
    }
    existing.add(m.id);
    added.push(m.id);
    fresh.push({
      id: m.id,
      op: m.op,
      target: cleanTarget(m.target),
      ...(m.rootActivityId !== undefined ? { rootActivityId: m.rootActivityId } : {}),
      ...(m.rootMessageId !== undefined ? { rootMessageId: m.rootMessageId } : {}),
      ...(m.activityId !== undefined ? { activityId: m.activityId } : {}),
      ...(m.activityOfMessageId !== undefined ? { activityOfMessageId: m.activityOfMessageId } : {}),
      purpose: { ...m.purpose },
      payload: hash,
      state: 'pending',
      seq: seq++,
      pos,
      enqueuedAt: at,
      attempts: 0,
      tries: [],
    });
  }
  if (fresh.length === 0) return { result: { added, ignored } };
  return { doc: { ...doc, nextSeq: seq, messages: [...doc.messages, ...fresh] }, result: { added, ignored } };
}

/** Claims pending messages for a send (attempts+1, a try by this worker) while the lease is held; renews the lease. */
export function claimMessages(doc: ShardDoc, ids: ReadonlySet<string>, rules: ShardRules, now: number): Step<Map<string, OutboxRecord>> {
  const claimed = new Map<string, OutboxRecord>();
  if (!leaseHeldBy(doc, rules.worker, now)) return { result: claimed };
  const messages = doc.messages.map((r) => {
    if (!ids.has(r.id) || r.state !== 'pending') return r;
    const next: OutboxRecord = { ...r, state: 'sending', attempts: r.attempts + 1, tries: [...r.tries, { at: iso(now), by: rules.worker }] };
    claimed.set(r.id, next);
    return next;
  });
  return { doc: { ...doc, leaseUntil: iso(now + rules.leaseMs), messages }, result: claimed };
}

/**
 * Records a send's outcome, unless the claim is no longer current (taken over
 * meanwhile). `notifiedWithoutHook`: a final state that has no hook to run is
 * marked as notified at once.
 */
export function recordOutcome(
  doc: ShardDoc,
  claimed: OutboxRecord,
  outcome: Outcome,
  rules: ShardRules,
  now: number,
  notifiedWithoutHook: { delivered: boolean; failed: boolean },
): Step<OutboxRecord | undefined> {
  const current = doc.messages.find((r) => r.id === claimed.id);
  if (!current || current.state !== 'sending' || current.attempts !== claimed.attempts) return { result: undefined };
  const tries = (sentAt: number | undefined) =>
    sentAt === undefined ? current.tries : [...current.tries.slice(0, -1), { at: iso(sentAt), by: rules.worker }];
  let next: OutboxRecord;
  let holds = doc.holds;
  switch (outcome.kind) {
    case 'delivered':
      next = finish({ ...current, tries: tries(outcome.sentAt) }, 'delivered', now, {
        sentActivityId: outcome.activityId,
        notified: notifiedWithoutHook.delivered,
      });
      break;
    case 'failed':
      next = finish({ ...current, tries: tries(outcome.sentAt) }, 'failed', now, { error: outcome.error, notified: notifiedWithoutHook.failed });
      break;
    case 'retry': {
      const { finishedAt: _f, ...rest } = current;
      next = { ...rest, state: 'pending', tries: tries(outcome.sentAt), notBefore: iso(outcome.notBefore), error: outcome.error };
      if (outcome.hold !== undefined) {
        const key = conversationKey(current.target);
        holds = { ...holds, [key]: iso(Math.max(outcome.hold, ms(holds[key]))) };
      }
      break;
    }
    case 'unsent':
      next = { ...current, state: 'pending', attempts: current.attempts - 1, tries: current.tries.slice(0, -1) };
      break;
  }
  const renewed = doc.owner === rules.worker ? { leaseUntil: iso(now + rules.leaseMs) } : {};
  return { doc: { ...doc, ...renewed, holds, messages: doc.messages.map((r) => (r.id === current.id ? next : r)) }, result: next };
}

/** A record in its final state (delivered or failed), without what only a pending one needs. */
export function finish(
  r: OutboxRecord,
  state: 'delivered' | 'failed',
  now: number,
  extra: { sentActivityId?: string; error?: OutboxError; notified?: boolean },
): OutboxRecord {
  const { notBefore: _nb, error: _e, notified: _n, ...rest } = r;
  return {
    ...rest,
    state,
    finishedAt: iso(now),
    ...(extra.sentActivityId !== undefined ? { sentActivityId: extra.sentActivityId } : {}),
    ...(extra.error !== undefined ? { error: extra.error } : {}),
    ...(extra.notified ? { notified: true } : {}),
  };
}

/**
 * What a reply or update needs from an earlier message of the same conversation:
 * the Teams id once that one is delivered ('wait' until then); impossible when it
 * failed, is unknown, or was enqueued after it (it would wait forever).
 */
export function resolveRefs(doc: ShardDoc, r: OutboxRecord): Resolved | 'wait' {
  const ref = r.op === 'reply' ? r.rootMessageId : r.op === 'update' ? r.activityOfMessageId : undefined;
  const direct = r.op === 'reply' ? r.rootActivityId : r.op === 'update' ? r.activityId : undefined;
  if (ref === undefined) return r.op === 'reply' ? { rootActivityId: direct ?? '' } : r.op === 'update' ? { activityId: direct ?? '' } : {};
  const earlier = doc.messages.find((m) => m.id === ref);
  if (!earlier) return { impossible: `the message it depends on (${ref}) is not in the outbox` };
  if (earlier.state === 'failed') return { impossible: `the message it depends on (${ref}) failed` };
  if (earlier.state !== 'delivered') return earlier.seq > r.seq ? { impossible: `the message it depends on (${ref}) was enqueued after it` } : 'wait';
  const id = earlier.sentActivityId ?? '';
  if (id === '') return { impossible: `Teams gave no activity id for ${ref}` };
  return r.op === 'reply' ? { rootActivityId: id } : { activityId: id };
}

/** Without finished records whose hook has run and that are older than keepFinishedMs, and without past holds. */
export function pruned(doc: ShardDoc, now: number, keepFinishedMs: number): ShardDoc {
  const cutoff = now - keepFinishedMs;
  const messages = doc.messages.filter((r) => !(isFinished(r) && r.notified === true && ms(r.finishedAt) < cutoff));
  const holds: Record<string, string> = {};
  for (const [k, until] of Object.entries(doc.holds)) if (ms(until) > now) holds[k] = until;
  return { ...doc, messages, holds };
}

/**
 * Takes the lease of a free (or expired, or own) shard. Messages a dead owner (or
 * this instance before a restart) left `sending` go out again, unless they were
 * interrupted more often than maxAttempts.
 */
export function takeLease(
  doc: ShardDoc,
  rules: ShardRules,
  now: number,
  inflight: ReadonlySet<string>,
): Step<{ previous: string | undefined; reset: number; doc: ShardDoc } | undefined> {
  if (!leaseFree(doc, now) && doc.owner !== rules.worker) return { result: undefined };
  let reset = 0;
  const messages = doc.messages.map((r) => {
    if (r.state !== 'sending' || inflight.has(r.id)) return r;
    reset++;
    if (r.attempts > rules.maxAttempts) {
      return finish(r, 'failed', now, { error: { message: 'interrupted too often (the sending instance stopped each time)', retryable: false } });
    }
    return { ...r, state: 'pending' as const };
  });
  const next = pruned({ ...doc, owner: rules.worker, leaseUntil: iso(now + rules.leaseMs), messages }, now, rules.keepFinishedMs);
  return { doc: next, result: { previous: doc.owner, reset, doc: next } };
}

/** Renews an own lease, and makes `orphans` (sending, but no send of ours in flight) pending again. */
export function renewLease(doc: ShardDoc, rules: ShardRules, now: number, orphans: ReadonlySet<string>, inflight: (id: string) => boolean): Step<undefined> {
  if (doc.owner !== rules.worker) return { result: undefined };
  const messages = doc.messages.map((r) => (orphans.has(r.id) && r.state === 'sending' && !inflight(r.id) ? { ...r, state: 'pending' as const } : r));
  return { doc: pruned({ ...doc, leaseUntil: iso(now + rules.leaseMs), messages }, now, rules.keepFinishedMs), result: undefined };
}

/** Gives an own lease back. */
export function releaseLease(doc: ShardDoc, rules: ShardRules, now: number): Step<undefined> {
  if (doc.owner !== rules.worker) return { result: undefined };
  const { owner: _owner, leaseUntil: _lease, ...rest } = doc;
  return { doc: pruned(rest, now, rules.keepFinishedMs), result: undefined };
}

/** Marks finished records as notified (their hook has run). */
export function markNotified(doc: ShardDoc, ids: ReadonlySet<string>): Step<undefined> {
  let changed = false;
  const messages = doc.messages.map((r) => {
    if (!ids.has(r.id) || r.notified === true || !isFinished(r)) return r;
    changed = true;
    return { ...r, notified: true };
  });
  return changed ? { doc: { ...doc, messages }, result: undefined } : { result: undefined };
}

function cleanTarget(t: ConversationTarget): ConversationTarget {
  return {
    conversationId: t.conversationId,
    serviceUrl: t.serviceUrl,
    ...(t.tenantId !== undefined ? { tenantId: t.tenantId } : {}),
    ...(t.conversationType !== undefined ? { conversationType: t.conversationType } : {}),
  };
}
