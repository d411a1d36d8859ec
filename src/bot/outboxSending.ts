import type { Storage } from 'botbuilder';
import type { Logger } from 'pino';
import type { OutboxHooks } from '../app/outboxHooks';
import type { Messenger } from '../app/ports';
import { systemClock } from '../domain/clock';
import type { Instruction } from '../instruction/schema';
import { Outbox, type OutboxOptions } from '../notify/outbox';
import type { Sender } from '../notify/sender';
import { teamsMessenger } from './render';

export interface OutboxSendingOptions {
  readonly storage: Storage;
  /** Teams (an AdapterSender: one try per call; the outbox does the retrying). */
  readonly teams: Sender;
  readonly instruction: Instruction;
  readonly logger: Logger;
  /** Anything else of the outbox's (lease, pacing, tries, …). */
  readonly outbox?: Partial<Omit<OutboxOptions, 'storage' | 'sender' | 'logger' | 'onDelivered' | 'onFailed'>>;
}

/**
 * The app's sending, one way for every proactive message: the Messenger the use
 * cases queue into (it renders for Teams and stores in the durable outbox, and
 * returns), the outbox in front of Teams, and the app's outbox hooks
 * (src/app/outboxHooks.ts), connected once the services they record into exist.
 */
export function outboxSending(o: OutboxSendingOptions): { outbox: Outbox; messenger: Messenger; connect: (hooks: OutboxHooks) => void } {
  let hooks: OutboxHooks | undefined;
  const outbox: Outbox = new Outbox({
    // Pacing and backoff follow real time, even when the bot's clock is moved (tests, playground).
    clock: systemClock,
    ...o.outbox,
    storage: o.storage,
    sender: o.teams,
    logger: o.logger,
    onDelivered: async (record, activityId) => hooks?.onDelivered(record, activityId),
    onFailed: async (records) => {
      o.logger.error({ failed: records.map((r) => ({ id: r.id, conversationId: r.target.conversationId, error: r.error?.message })) }, 'outbox: messages could not be delivered');
      await messenger.queue((await hooks?.onFailed(records)) ?? []);
    },
  });
  const messenger = teamsMessenger((messages) => outbox.enqueue(messages), o.instruction);
  return {
    outbox,
    messenger,
    connect: (connected) => {
      hooks = connected;
    },
  };
}
