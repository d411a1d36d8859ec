import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Clock } from '../domain/clock';
import type { OfficeHours } from '../domain/officeHours';
import type { Instruction } from '../instruction/schema';
import type { Announcement } from '../domain/outage';
import type { OutboxPurpose } from '../notify/outbox/purpose';
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

/** A post a later message refers to: by Teams' id once known, else by the outbox id it was queued under. */
export interface PostRef {
  readonly activityId?: string | undefined;
  readonly messageId?: string | undefined;
}

/** How a reply or a replacement names a recorded post: Teams' id once known, else its outbox id. */
export function postRef(a: Announcement): PostRef {
  return a.activityId !== undefined ? { activityId: a.activityId } : { messageId: a.messageId };
}

/** A message to queue: a new post, a reply in another post's thread, or a card replaced in place. */
export type Outgoing = {
  /** The outbox id (see messageId): the same id queued twice is one message. */
  readonly id: string;
  readonly target: ChannelTarget;
  readonly message: Message;
  readonly purpose: OutboxPurpose;
} & ({ readonly op: 'send' } | { readonly op: 'reply'; readonly root: PostRef } | { readonly op: 'update'; readonly of: PostRef });

/**
 * Takes messages to conversations, one way for all: `queue` stores them durably
 * and returns; the outbox sends them in order per conversation, within Teams'
 * limits, retrying, and tells the app what was delivered (Teams' ids) and what
 * failed for good (src/app/outboxHooks.ts). Nobody waits for Teams.
 */
export interface Messenger {
  queue(messages: readonly Outgoing[]): Promise<void>;
}

/** The outbox id of a message with this key (kept from the first version of the outbox: ids queued before an upgrade match). */
export function messageId(key: string): string {
  return `k:${key}`;
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
