import type { Activity } from 'botbuilder';
import type { Person } from '../domain/outage';
import type { Language } from '../instruction/schema';

/**
 * The person behind an activity: the Entra object id when Teams gives one, else
 * the Teams id. `lang` is the language the turn uses with them (`view.lang`):
 * cards the bot later sends them alone use it.
 */
export function personOf(activity: Partial<Activity>, lang?: Language): Person {
  const from = activity.from;
  const person: Person = {
    key: from?.aadObjectId || from?.id || 'unknown',
    name: from?.name?.trim() || 'En kollega',
    ...(lang ? { lang } : {}),
  };
  const conversation = activity.conversation;
  // In a 1:1 chat we know where to reach them later (the 2-hour reminder, the "it's back" card).
  if (conversation?.id && activity.serviceUrl && (conversation.conversationType === 'personal' || conversation.conversationType === undefined) && !conversation.isGroup) {
    return { ...person, reach: { conversationId: conversation.id, serviceUrl: activity.serviceUrl, tenantId: conversation.tenantId } };
  }
  return person;
}
