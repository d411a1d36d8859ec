import { createHash } from 'node:crypto';
import type { Activity } from 'botbuilder';
import type { Outbox, OutboxMessage } from './outbox';
import type { ConversationTarget, Sender, SendResult } from './sender';

/**
 * Every proactive send of the app goes through the durable outbox (pacing within
 * Teams' limits, one shared throttle, retries, restart safety), while callers keep
 * the plain Sender interface: a send resolves with Teams' activity id once the
 * outbox has delivered it, or rejects with the final error (its status code
 * intact, so a 403 still removes a subscriber). The outbox id is a hash of the
 * message, so a caller that retries the same message waits for the one already
 * queued instead of queueing it twice.
 */
export class OutboxSender implements Sender {
  constructor(
    private readonly outbox: Outbox,
    private readonly opts: { readonly waitMs?: number } = {},
  ) {}

  send(target: ConversationTarget, activity: Partial<Activity>): Promise<SendResult> {
    return this.#deliver({ op: 'send', target, activity });
  }

  reply(target: ConversationTarget, rootActivityId: string, activity: Partial<Activity>): Promise<SendResult> {
    return this.#deliver({ op: 'reply', target, rootActivityId, activity });
  }

  async update(target: ConversationTarget, activityId: string, activity: Partial<Activity>): Promise<void> {
    await this.#deliver({ op: 'update', target, activityId, activity });
  }

  async #deliver(m: Omit<OutboxMessage, 'id' | 'purpose'>): Promise<SendResult> {
    const id = `m:${createHash('sha256')
      .update(JSON.stringify([m.op, m.target.conversationId, m.rootActivityId ?? '', m.activityId ?? '', m.activity]))
      .digest('hex')
      .slice(0, 40)}`;
    await this.outbox.enqueue([{ ...m, id, purpose: { kind: m.op, conversation: m.target.conversationId } }]);
    // Still queued after the wait (e.g. Teams asked everyone to pause): it will be delivered; waitFor tells the caller it is late (ETIMEDOUT).
    const record = await this.outbox.waitFor(id, m.target, this.opts.waitMs ?? 120_000);
    if (record.state === 'delivered') return { activityId: record.sentActivityId ?? '' };
    throw Object.assign(new Error(record.error?.message ?? 'the outbox gave up on this message'), {
      statusCode: record.error?.statusCode,
      code: record.error?.code,
      retryable: record.error?.retryable ?? false,
    });
  }
}
