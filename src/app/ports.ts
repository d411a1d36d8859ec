import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Clock } from '../domain/clock';
import type { OfficeHours } from '../domain/officeHours';
import type { Instruction } from '../instruction/schema';
import type { SendOptions } from '../notify/sender';
import type { Message } from './messages';

/**
 * What the use cases need from the outside world, as interfaces the composition
 * root fills in: where the channels of a role are, and a messenger that takes a
 * typed message to a conversation (the Teams edge renders it; the outbox delivers).
 */

export interface ChannelTarget {
  readonly conversationId: string;
  readonly serviceUrl: string;
  readonly tenantId?: string | undefined;
}

export interface ChannelDirectory {
  withRole(role: 'staff' | 'nexusteam' | 'providers' | 'homecare'): Promise<readonly ChannelTarget[]>;
}

/**
 * Takes a message to a conversation: a new post, a reply in a thread, or a card
 * replaced in place. A send resolves with Teams' id once delivered; options: see
 * SendOptions in src/notify/sender.ts (the key makes a repeated send one message).
 */
export interface Messenger {
  send(target: ChannelTarget, message: Message, options?: SendOptions): Promise<{ activityId: string }>;
  reply(target: ChannelTarget, rootActivityId: string, message: Message, options?: SendOptions): Promise<{ activityId: string }>;
  update(target: ChannelTarget, activityId: string, message: Message, options?: SendOptions): Promise<void>;
}

/** A message to be queued without waiting for it (what the outbox's hooks ask for). */
export interface QueuedMessage {
  /** The outbox id: the same id queued twice is one message. */
  readonly id: string;
  readonly op: 'send' | 'reply' | 'update';
  readonly target: ChannelTarget;
  readonly rootActivityId?: string | undefined;
  readonly activityId?: string | undefined;
  readonly message: Message;
  readonly purpose: { readonly kind: string; readonly [fact: string]: string };
}

/** What every outage duty needs: where to post, how, the time, the instruction and the delays. */
export interface DutyDeps {
  readonly channels: ChannelDirectory;
  readonly messenger: Messenger;
  readonly clock: Clock;
  readonly instruction: Instruction;
  readonly delays: Config['delays'];
  readonly logger: Logger;
  readonly officeHours: () => Promise<OfficeHours>;
}
