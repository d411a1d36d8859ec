import { createHash } from 'node:crypto';
import type { Activity } from 'botbuilder';
import type { Outbox, OutboxMessage, OutboxRecord } from './outbox';
import type { ConversationTarget, Sender, SendOptions, SendResult } from './sender';

/**
 * Every proactive send of the app goes through the durable outbox (pacing within
 * Teams' limits, one shared throttle, retries, restart safety), while callers keep
 * the plain Sender interface: a send resolves with Teams' activity id once the
 * outbox has delivered it, or rejects with the final error (its status code
 * intact, so a 403 still removes a subscriber).
 *
 * The outbox id is the caller's key (`options.key`) or a hash of the message, so
 * a caller that repeats a send (a retried job, a process that took over) waits
 * for the one already queued, or gets the id of the one already delivered,
 * instead of sending it twice. A key whose message failed for good is tried
 * afresh (`key~2`, `key~3`, …): the caller's retry is a new attempt.
 */
export class OutboxSender implements Sender {
  constructor(
    private readonly outbox: Outbox,
    private readonly opts: { readonly waitMs?: number } = {},
  ) {}

  send(target: ConversationTarget, activity: Partial<Activity>, options?: SendOptions): Promise<SendResult> {
    return this.#deliver({ op: 'send', target, activity }, options);
  }

  reply(target: ConversationTarget, rootActivityId: string, activity: Partial<Activity>, options?: SendOptions): Promise<SendResult> {
    return this.#deliver({ op: 'reply', target, rootActivityId, activity }, options);
  }

  async update(target: ConversationTarget, activityId: string, activity: Partial<Activity>, options?: SendOptions): Promise<void> {
    await this.#deliver({ op: 'update', target, activityId, activity }, options);
  }

  async #deliver(m: Omit<OutboxMessage, 'id' | 'purpose'>, options: SendOptions | undefined): Promise<SendResult> {
    const base =
      options?.key !== undefined
        ? outboxIdOfKey(options.key)
        : `m:${createHash('sha256')
            .update(JSON.stringify([m.op, m.target.conversationId, m.rootActivityId ?? '', m.activityId ?? '', m.activity]))
            .digest('hex')
            .slice(0, 40)}`;
    const purpose = { kind: m.op, conversation: m.target.conversationId, ...options?.purpose };
    let id = base;
    for (let attempt = 2; ; attempt++) {
      const { added } = await this.outbox.enqueue([{ ...m, id, purpose }]);
      if (added.length > 0) break;
      const existing = (await this.outbox.records([id])).get(id);
      if (existing?.state !== 'failed') break;
      id = `${base}~${attempt}`;
    }
    // Still queued after the wait (e.g. Teams asked everyone to pause): it will be delivered (and the
    // outbox's onDelivered hook records what the caller would have); waitFor tells the caller it is late.
    return resultOf(await this.outbox.waitFor(id, m.target, this.opts.waitMs ?? 120_000));
  }
}

/** The outbox id of a message sent with `options.key` (to enqueue the same message elsewhere, e.g. from a hook). */
export function outboxIdOfKey(key: string): string {
  return `k:${key}`;
}

/** The send did not fail: the caller stopped waiting, and the outbox will still deliver it. */
export function isStillQueued(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'ETIMEDOUT';
}

function resultOf(record: OutboxRecord): SendResult {
  if (record.state === 'delivered') return { activityId: record.sentActivityId ?? '' };
  throw Object.assign(new Error(record.error?.message ?? 'the outbox gave up on this message'), {
    statusCode: record.error?.statusCode,
    code: record.error?.code,
    retryable: record.error?.retryable ?? false,
  });
}
