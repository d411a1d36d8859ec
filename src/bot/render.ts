import type { Activity } from 'botbuilder';
import type { Message, UndeliveredItem } from '../app/messages';
import type { Messenger, Outgoing } from '../app/ports';
import type { OutboxMessage } from '../notify/outbox';
import { formatDayTime, formatLocalDate, formatPhone, joinList } from '../domain/time';
import type { Instruction, Language } from '../instruction/schema';
import { mailFailureNotice } from '../notify/mail';
import { t } from './i18n';
import { systemName, systemTitle } from '../domain/systems';
import { allClearReply, announcementMessage, backUpCard, backUpTitle, claimMessage, escalationMessage, handoverOfferCard, suspectedCard, updateReply } from './outageViews';
import { cardMessage, noticeCard, reviewCard, textMessage, type ButtonVM } from './views';

/**
 * The Teams edge of the app's messages (src/app/messages.ts): each kind becomes
 * the card or text Teams shows, in the message's language, with the short line a
 * push notification shows for a card the bot sends on its own.
 */
export function renderMessage(m: Message, instruction: Instruction): Partial<Activity> {
  const { lang } = m;
  const name = (system: string) => systemName(instruction, system, lang);
  switch (m.kind) {
    case 'suspected': {
      const ctx = { lang, instruction, now: m.now };
      return m.confirmedBy
        ? cardMessage(suspectedCard(m.outage, ctx, m.submitId, m.confirmedBy, m.reporters))
        : cardMessage(suspectedCard(m.outage, ctx, m.submitId, undefined, m.reporters), t(lang, 'suspected.title', { systemTitle: systemTitle(instruction, m.outage.system, lang) }));
    }
    case 'announcement':
      return announcementMessage(m.outage, instruction, lang, m.now, { afterMinutes: m.afterMinutes, audience: m.audience });
    case 'update':
      return updateReply(m.outage, m.text, m.at, lang);
    case 'allClear':
      return allClearReply(m.outage, instruction, lang);
    case 'handoverOffer':
      return cardMessage(handoverOfferCard(m.outage, { lang, instruction, now: m.now }), t(lang, 'handover.offerTitle', { system: name(m.outage.system) }));
    case 'escalation':
      return escalationMessage(m.outage, m.round, { instruction, lang, now: m.now, afterMinutes: m.afterMinutes, forChannel: m.forChannel, claimsSent: m.claimsSent });
    case 'claim':
      return claimMessage(m.outage, m.round, { lang, instruction, now: m.now, afterMinutes: m.afterMinutes });
    case 'backUp': {
      const ctx = { instruction, lang, now: m.now };
      const card = backUpCard(m.outage, ctx);
      // Replaced once told: the card says so, and no line asks for the call any more.
      return m.outage.escalation?.toldUp ? cardMessage(card) : cardMessage(card, backUpTitle(m.outage, ctx));
    }
    case 'escalationUndelivered': {
      const driftvagt = instruction.contacts.find((c) => c.id === 'driftvagt');
      return textMessage(t(lang, 'escalation.failed', { count: m.count, phone: driftvagt?.phone ? formatPhone(driftvagt.phone) : '' }));
    }
    case 'homecare': {
      const days = m.days.map((d) => formatLocalDate(d, lang));
      return cardMessage(noticeCard(t(lang, 'homecare.title'), [t(lang, 'homecare.body', { days: joinList(days, lang) })]), t(lang, 'homecare.title'));
    }
    case 'handover': {
      const title = t(lang, 'handover.title', { when: formatDayTime(m.closing, lang, m.now), system: name(m.outage.system) });
      const buttons: ButtonVM[] = [
        { title: t(lang, 'handover.take'), data: { action: 'takeHandover', outageId: m.outage.id } },
        { title: t(lang, 'handover.ask'), data: { action: 'offerHandover', outageId: m.outage.id } },
      ];
      return cardMessage(noticeCard(title, [t(lang, 'handover.body')], buttons), title);
    }
    case 'review':
      return cardMessage(reviewCard(instruction), t(lang, 'review.title'));
    case 'mailUndelivered':
      return textMessage(mailFailureNotice(instruction, m.mail, m.outage, m.result));
    case 'alertsUndelivered':
      return textMessage(t(lang, 'alerts.failed', { system: name(m.system), count: m.count }));
    case 'undelivered':
      return textMessage(
        [t(lang, 'outbox.failed.head'), ...m.items.map((item) => `- ${undeliveredLine(item, instruction, lang)}`), ...(m.more > 0 ? [t(lang, 'outbox.failed.more', { count: m.more })] : [])].join('\n'),
      );
  }
}

function undeliveredLine(item: UndeliveredItem, instruction: Instruction, lang: Language): string {
  const what = t(lang, `outbox.failed.${item.what}`, { system: item.system ? systemName(instruction, item.system, lang) : '' });
  return item.channel === null ? t(lang, 'outbox.failed.toChat', { what, status: item.status }) : t(lang, 'outbox.failed.toChannel', { what, channel: item.channel, status: item.status });
}

/**
 * The app's Messenger for Teams: renders each message, then hands it to the
 * outbox (`enqueue`). A message queued for many (a claim card to every reporter,
 * an alert to every follower) is one object, rendered once.
 */
export function teamsMessenger(enqueue: (messages: readonly OutboxMessage[]) => Promise<unknown>, instruction: Instruction): Messenger & { render(message: Message): Partial<Activity> } {
  const rendered = new WeakMap<Message, Partial<Activity>>();
  const render = (message: Message): Partial<Activity> => {
    let activity = rendered.get(message);
    if (activity === undefined) {
      activity = renderMessage(message, instruction);
      rendered.set(message, activity);
    }
    return activity;
  };
  const toOutbox = (m: Outgoing): OutboxMessage => {
    const base = { id: m.id, target: m.target, activity: render(m.message), purpose: m.purpose };
    switch (m.op) {
      case 'send':
        return { ...base, op: 'send' };
      case 'reply':
        return m.root.activityId !== undefined ? { ...base, op: 'reply', rootActivityId: m.root.activityId } : { ...base, op: 'reply', rootMessageId: m.root.messageId ?? '' };
      case 'update':
        return m.of.activityId !== undefined ? { ...base, op: 'update', activityId: m.of.activityId } : { ...base, op: 'update', activityOfMessageId: m.of.messageId ?? '' };
    }
  };
  return {
    render,
    queue: async (messages) => {
      if (messages.length > 0) await enqueue(messages.map(toOutbox));
    },
  };
}
