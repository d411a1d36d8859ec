import type { Storage } from 'botbuilder';
import type { Logger } from 'pino';
import type { OutboxHooks } from '../app/outboxHooks';
import type { Messenger, QueuedMessage } from '../app/ports';
import { systemClock } from '../domain/clock';
import type { Instruction } from '../instruction/schema';
import { Outbox, type OutboxOptions } from '../notify/outbox';
import { OutboxSender } from '../notify/outboxSender';
import type { Sender } from '../notify/sender';
import { teamsMessenger } from './render';

export interface OutboxSendingOptions {
  readonly storage: Storage;
  /** Teams: an AdapterSender made with `{ maxAttempts: 1 }` (the outbox does the retrying). */
  readonly teams: Sender;
  readonly instruction: Instruction;
  readonly logger: Logger;
  /** How long a send waits for delivery before it tells its caller it is late (default 120 s). */
  readonly waitMs?: number;
  /** Anything else of the outbox's (lease, pacing, tries, …). */
  readonly outbox?: Partial<Omit<OutboxOptions, 'storage' | 'sender' | 'logger' | 'onDelivered' | 'onFailed'>>;
}

/**
 * The app's sending, one way for every proactive message: the durable outbox in
 * front of Teams, the Messenger the duties use (it renders, then waits for Teams'
 * id), and the app's outbox hooks (src/app/outboxHooks.ts), connected once the
 * outage service and the channel registry exist (they need the messenger first).
 * What a hook asks for is rendered and queued, not awaited.
 */
export function outboxSending(o: OutboxSendingOptions): { outbox: Outbox; messenger: Messenger; connect(hooks: OutboxHooks): void } {
  let hooks: OutboxHooks | undefined;
  const queue = async (messages: readonly QueuedMessage[]): Promise<void> => {
    if (messages.length > 0) await outbox.enqueue(messages.map(({ message, ...m }) => ({ ...m, activity: messenger.render(message) })));
  };
  const outbox: Outbox = new Outbox({
    // Pacing and backoff follow real time, even when the bot's clock is moved (tests, playground).
    clock: systemClock,
    ...o.outbox,
    storage: o.storage,
    sender: o.teams,
    logger: o.logger,
    onDelivered: async (record, activityId) => queue((await hooks?.onDelivered(record, activityId)) ?? []),
    onFailed: async (records) => {
      o.logger.error({ failed: records.map((r) => ({ id: r.id, conversationId: r.target.conversationId, error: r.error?.message })) }, 'outbox: messages could not be delivered');
      await queue((await hooks?.onFailed(records)) ?? []);
    },
  });
  const messenger = teamsMessenger(new OutboxSender(outbox, o.waitMs !== undefined ? { waitMs: o.waitMs } : {}), o.instruction);
  return {
    outbox,
    messenger,
    connect: (connected) => {
      hooks = connected;
    },
  };
}
