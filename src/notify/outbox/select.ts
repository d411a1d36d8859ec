import { conversationKey, isFinished, resolveRefs, type Resolved, type ShardDoc } from './shard';
import { ms } from './time';
import type { OutboxRecord } from './types';

/**
 * What may go now: per conversation only its oldest unfinished message (FIFO),
 * when it is pending, not held (a 429's Retry-After, a backoff), and what it
 * refers to is known; across conversations the oldest enqueue first, then the
 * pacing (src/notify/pacing.ts) decides. Pure.
 */

export interface Pick {
  readonly shard: number;
  readonly record: OutboxRecord;
  readonly resolved: Resolved;
  /** The pacing key (the base conversation). */
  readonly key: string;
}

/**
 * The messages that may go now from these shards, oldest enqueue first, and in
 * how many ms the next held one may (Infinity when none is held). `busy`:
 * conversations with a send in flight (one at a time per conversation).
 */
export function dueHeads(shards: readonly { shard: number; doc: ShardDoc }[], busy: ReadonlySet<string>, now: number): { due: Pick[]; waitMs: number } {
  const due: Pick[] = [];
  let waitMs = Number.POSITIVE_INFINITY;
  for (const { shard, doc } of shards) {
    const heads = new Map<string, OutboxRecord>();
    for (const r of doc.messages) {
      if (isFinished(r)) continue;
      const key = conversationKey(r.target);
      const head = heads.get(key);
      if (!head || r.seq < head.seq) heads.set(key, r);
    }
    for (const [key, r] of heads) {
      if (r.state !== 'pending' || busy.has(key)) continue;
      const notBefore = Math.max(ms(r.notBefore), ms(doc.holds[key]));
      if (notBefore > now) {
        waitMs = Math.min(waitMs, notBefore - now);
        continue;
      }
      const resolved = resolveRefs(doc, r);
      if (resolved === 'wait') continue;
      due.push({ shard, record: r, resolved, key });
    }
  }
  due.sort((a, b) => compare(a.record.enqueuedAt, b.record.enqueuedAt) || a.record.pos - b.record.pos || a.shard - b.shard || a.record.seq - b.record.seq);
  return { due, waitMs };
}

/**
 * Takes due messages in order while there is room (free send slots, the global
 * windows' room) and each one's conversation may send now (`nextAllowed`, epoch
 * ms); returns them and in how many ms a skipped one may go.
 */
export function pickPaced(
  due: readonly Pick[],
  limits: { readonly free: number; readonly room: number },
  nextAllowed: (key: string) => number,
  now: number,
): { picks: Pick[]; waitMs: number } {
  const picks: Pick[] = [];
  let room = limits.room;
  let waitMs = Number.POSITIVE_INFINITY;
  for (const c of due) {
    if (picks.length >= limits.free || room <= 0) break;
    const next = nextAllowed(c.key);
    if (next > now) {
      waitMs = Math.min(waitMs, next - now);
      continue;
    }
    picks.push(c);
    room--;
  }
  return { picks, waitMs };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
