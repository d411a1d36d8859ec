import type { ConversationAccount, ConversationReference } from 'botbuilder';
import { isRecord } from '../lib/isRecord';

/**
 * Teams addressing, shared by the store (channel registry), notify (sending) and
 * the bot (access checks): conversation ids and threads, the tenant of an
 * activity, and the conversation reference a proactive turn needs. Only
 * botbuilder's types are imported; nothing here talks to Teams.
 */

/** Where to send: a conversation Teams knows. */
export interface ConversationTarget {
  /** The conversation: a channel id (19:…@thread.tacv2), a thread (…;messageid=…), or a 1:1 chat (a:…). */
  readonly conversationId: string;
  readonly serviceUrl: string;
  readonly tenantId?: string;
  /** Inferred from the id when absent; Teams addresses by id alone. */
  readonly conversationType?: ConversationType;
}

export type ConversationType = 'personal' | 'channel' | 'groupChat';

/** A Teams conversation reference with the fields continueConversationAsync needs. */
export type TeamsReference = Partial<ConversationReference> & { channelId: 'msteams'; serviceUrl: string; conversation: ConversationAccount };

/** The parts of an inbound activity that say where it came from (a botbuilder Activity fits). */
export interface AddressedActivity {
  readonly serviceUrl?: string;
  readonly conversation?: { readonly id?: string; readonly tenantId?: string; readonly conversationType?: string };
  readonly channelData?: unknown;
}

/** A conversation id without any `;messageid=…` (a thread's channel). */
export function baseConversationId(conversationId: string): string {
  const at = conversationId.toLowerCase().indexOf(';messageid=');
  return at === -1 ? conversationId : conversationId.slice(0, at);
}

/**
 * The conversation id of a channel post's thread: `<channel>;messageid=<root>`.
 * Any `;messageid=` already on the id is replaced, so a thread id may be passed.
 */
export function threadConversationId(channelConversationId: string, rootActivityId: string): string {
  if (rootActivityId === '') throw new TypeError('threadConversationId: rootActivityId is empty');
  return `${baseConversationId(channelConversationId)};messageid=${rootActivityId}`;
}

/** Teams ids: channels 19:…@thread.tacv2 / @thread.skype, group chats 19:…@thread.v2, 1:1 chats a:… */
export function inferConversationType(conversationId: string): ConversationType {
  const base = baseConversationId(conversationId);
  if (/@thread\.(tacv2|skype)$/i.test(base)) return 'channel';
  if (base.startsWith('19:')) return 'groupChat';
  return 'personal';
}

/** The tenant of an activity: conversation.tenantId, else channelData.tenant.id; an empty id counts as none. */
export function tenantOf(activity: Pick<AddressedActivity, 'conversation' | 'channelData'>): string | undefined {
  const fromConversation = activity.conversation?.tenantId;
  if (typeof fromConversation === 'string' && fromConversation !== '') return fromConversation;
  const tenant = isRecord(activity.channelData) ? activity.channelData['tenant'] : undefined;
  const id = isRecord(tenant) ? tenant['id'] : undefined;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/**
 * The reference for `continueConversationAsync` (DESIGN.md, Proactive) to
 * `conversationId` (the target's own, or a thread of it) where `target` is.
 */
export function conversationReference(target: ConversationTarget, conversationId: string, appId: string): TeamsReference {
  const conversationType = target.conversationType ?? inferConversationType(conversationId);
  return {
    channelId: 'msteams',
    serviceUrl: target.serviceUrl,
    conversation: {
      id: conversationId,
      isGroup: conversationType !== 'personal',
      conversationType,
      name: '',
      ...(target.tenantId !== undefined ? { tenantId: target.tenantId } : {}),
    },
    ...(appId !== '' ? { bot: { id: appId, name: '' } } : {}),
  };
}
