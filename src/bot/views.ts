import { ActivityTypes, CardFactory, type Activity } from 'botbuilder';
import type { CalledContact } from '../domain/outage';
import type { Advice, AdviceBranch, AdviceContact, AdviceSection, HoursStatus } from '../domain/types';
import type { OfficeHours } from '../domain/officeHours';
import { formatDayTime, formatLocalDate, formatPhone, formatTime } from '../domain/time';
import type { ContactId, Instruction, Language, SystemId } from '../instruction/schema';
import type { CardActionData, TriageValue } from './actions';
import { type AdaptiveCardJson, renderCard } from './cards';
import { type MessageKey, t } from './i18n';

/**
 * View models and messages. Cards are bound to these small typed models, never to
 * storage records or domain objects directly.
 */

export interface ViewContext {
  readonly lang: Language;
  readonly instruction: Instruction;
  readonly now: Date;
  readonly hours: OfficeHours;
}

export interface ButtonVM {
  readonly title: string;
  readonly data: CardActionData;
}

interface LineVM {
  readonly text: string;
}

/**
 * A card as a message. A proactive card carries `summary`, a short line of what
 * happened: Teams shows it in the push notification and the chat list instead of
 * "sent a card". Teams on Android reads `text` for its lock-screen preview and
 * ignores `summary` there, so the same line goes in `text` too (shown above the card).
 */
export function cardMessage(card: AdaptiveCardJson, summary?: string): Partial<Activity> {
  return {
    type: ActivityTypes.Message,
    ...(summary ? { summary, text: summary, textFormat: 'plain' } : {}),
    attachments: [CardFactory.adaptiveCard(card)],
  };
}

/**
 * Several cards (and an optional line of text above them) as one message, shown
 * one under the other: one notification, and one request to Teams instead of
 * one per card.
 */
export function cardsMessage(cards: readonly AdaptiveCardJson[], text?: string): Partial<Activity> {
  return {
    type: ActivityTypes.Message,
    ...(text ? { text, textFormat: 'plain' } : {}),
    attachmentLayout: 'list',
    attachments: cards.map((card) => CardFactory.adaptiveCard(card)),
  };
}

export function textMessage(text: string): Partial<Activity> {
  return { type: ActivityTypes.Message, text, textFormat: 'plain' };
}

export function systemName(lang: Language, system: SystemId): string {
  return t(lang, `system.${system}`);
}

/**
 * "[Ring op](tel:+4544605040)": the link that dials. Cards show the number itself as
 * text beside it (tel: links do not work in every Teams client), once, in large type.
 */
export function phoneLink(lang: Language, phone: string): string {
  const international = phone.startsWith('+') ? phone : `+45${phone}`;
  return `[${t(lang, 'advice.call')}](tel:${international})`;
}

export function emailLink(lang: Language, email: string): string {
  return `[${t(lang, 'advice.write', { email })}](mailto:${email})`;
}

function contactOf(instruction: Instruction, id: ContactId) {
  const contact = instruction.contacts.find((c) => c.id === id);
  if (!contact) throw new Error(`instruction has no contact ${id}`);
  return contact;
}

/** "Nexusteamet har åbent nu, til kl. 15.30." / "… har lukket nu. Åbner igen mandag 7. december kl. 8.00." */
export function hoursSentence(lang: Language, status: HoursStatus, now: Date): string {
  if (status.open && status.closesAt) return t(lang, 'hours.openNow', { time: formatTime(status.closesAt, lang) });
  const parts: string[] = [];
  parts.push(
    status.nextOpen
      ? t(lang, 'hours.closedNow', { when: formatDayTime(status.nextOpen, lang, now) })
      : t(lang, 'hours.closedNowNoNext'),
  );
  if (status.closure?.reason) parts.push(t(lang, 'hours.closedToday', { reason: status.closure.reason }));
  return parts.join(' ');
}

const restartButton = (lang: Language): ButtonVM => ({ title: t(lang, 'button.restart'), data: { action: 'restart' } });

/** Out of hours, whoever calls owns the case: the card of each contact one calls has "Jeg har ringet til …". */
const CALLED: Partial<Record<AdviceBranch, { readonly contact: CalledContact; readonly title: MessageKey }>> = {
  kmd: { contact: 'kmd', title: 'button.calledKmd' },
  bekey: { contact: 'bekey', title: 'button.calledBekey' },
  it: { contact: 'it', title: 'button.calledIt' },
  'vendor-internal': { contact: 'it', title: 'button.calledIt' },
};

function adviceButtons(advice: Advice, lang: Language): ButtonVM[] {
  const buttons: ButtonVM[] = [];
  const called = CALLED[advice.branch];
  if (called) {
    buttons.push({ title: t(lang, called.title), data: { action: 'called', system: advice.system, contact: called.contact } });
  }
  if (advice.branch === 'kmd' || advice.branch === 'bekey') {
    buttons.push({
      title: t(lang, advice.branch === 'kmd' ? 'button.kmdSaysInternal' : 'button.bekeySaysInternal'),
      data: { action: 'triage', system: advice.system, scope: 'general', internet: 'up', vendorSaysInternal: true },
    });
  }
  buttons.push(restartButton(lang));
  return buttons;
}

function alternativeLine(lang: Language, c: AdviceContact): LineVM {
  return {
    text: c.phone
      ? t(lang, 'advice.alternative', { name: c.name, phone: formatPhone(c.phone) })
      : t(lang, 'advice.alternativeNoPhone', { name: c.name }),
  };
}

interface SectionVM {
  readonly heading: string;
  readonly lines: readonly LineVM[];
}

const SECTION_HEADINGS: Partial<Record<AdviceSection['kind'], MessageKey>> = {
  whileCalling: 'advice.section.whileCalling',
  afterCall: 'advice.section.afterCall',
};

/**
 * A part of the advice as the card shows it: steps in order numbered (when there is
 * more than one), what follows the call as points, alternatives ("Enten …", "Eller …")
 * as they are. The call itself is the number in large type at the top, not a line.
 */
function sectionVM(section: AdviceSection, lang: Language): SectionVM | null {
  if (section.kind === 'call') return null;
  const heading = SECTION_HEADINGS[section.kind];
  const numbered = (section.kind === 'steps' || section.kind === 'whileCalling') && section.lines.length > 1;
  const bullet = section.kind === 'afterCall';
  return {
    heading: heading ? t(lang, heading) : '',
    lines: section.lines.map((text, i): LineVM => ({ text: numbered ? `${i + 1}. ${text}` : bullet ? `• ${text}` : text })),
  };
}

export function adviceCard(advice: Advice, ctx: ViewContext): AdaptiveCardJson {
  const { lang } = ctx;
  const contact = advice.contact;
  const localized = contact ? contactOf(ctx.instruction, contact.id) : null;
  const status = ctx.hours.status(advice.at);
  // A call section is shown as the contact's number; without a contact it stays a line.
  const sections = advice.sections
    .map((section) => (section.kind === 'call' && contact === null ? { ...section, kind: 'steps' as const } : section))
    .map((section) => sectionVM(section, lang))
    .filter((section): section is SectionVM => section !== null);
  return renderCard('advice', {
    title: t(lang, `advice.title.${advice.branch}`),
    hasContact: contact !== null,
    contactName: localized ? localized.name[lang] : '',
    phoneText: contact?.phone ? formatPhone(contact.phone) : '',
    phoneLink: contact?.phone ? phoneLink(lang, contact.phone) : '',
    emailLink: contact?.email ? emailLink(lang, contact.email) : '',
    noPhone: contact && !contact.phone ? t(lang, 'advice.noPhone') : '',
    status: hoursSentence(lang, status, advice.at),
    steps: [],
    sections,
    alternatives: advice.alternatives.map((c) => alternativeLine(lang, c)),
    note: advice.scope === 'general' ? t(lang, 'advice.notYourFault') : '',
    actions: adviceButtons(advice, lang),
  });
}

export function worthKnowingCard(ids: readonly string[], ctx: ViewContext): AdaptiveCardJson | null {
  const items = ctx.instruction.worthKnowing.filter((w) => ids.includes(w.id));
  if (items.length === 0) return null;
  return renderCard('worthKnowing', {
    title: t(ctx.lang, 'worth.title'),
    items: items.map((w) => ({ title: w.title[ctx.lang], text: w.text[ctx.lang] })),
  });
}

/** The advice and, where there is any, what is worth knowing meanwhile: one message, with `intro` above the cards. */
export function adviceMessage(advice: Advice, ctx: ViewContext, intro?: string): Partial<Activity> {
  const worth = worthKnowingCard(advice.worthKnowing, ctx);
  return cardsMessage(worth ? [adviceCard(advice, ctx), worth] : [adviceCard(advice, ctx)], intro);
}

export type QuestionKind = 'system' | 'scope' | 'internet';

/** A triage question; every choice carries the answers so far. */
export function questionCard(kind: QuestionKind, answers: TriageValue, ctx: ViewContext, checkSteps: readonly string[] = []): AdaptiveCardJson {
  const { lang } = ctx;
  const name = answers.system ? systemName(lang, answers.system) : '';
  const next = (patch: Partial<TriageValue>): CardActionData => ({ ...answers, ...patch, action: 'triage' });
  switch (kind) {
    case 'system':
      return renderCard('question', {
        question: t(lang, 'triage.system.question'),
        hints: [{ text: t(lang, 'triage.system.hint') }],
        note: '',
        choices: (['nexus', 'bekey', 'internet'] as const).map((s) => ({
          title: t(lang, `system.${s}.title`),
          data: next({ system: s }),
        })),
      });
    case 'scope':
      return renderCard('question', {
        question: t(lang, 'triage.scope.question', { system: name }),
        hints: [{ text: t(lang, 'triage.scope.hint', { system: name }) }],
        note: '',
        choices: [
          { title: t(lang, 'triage.scope.general'), data: next({ scope: 'general' }) },
          { title: t(lang, 'triage.scope.individual'), data: next({ scope: 'individual' }) },
        ],
      });
    case 'internet':
      return renderCard('question', {
        question: t(lang, 'triage.internet.question'),
        // What the check is, then two ways to do it ("Enten …", "Eller …"): not steps in a row.
        hints: checkSteps.map((text): LineVM => ({ text })),
        note: t(lang, 'triage.internet.note'),
        choices: [
          { title: t(lang, 'triage.internet.up'), data: next({ internet: 'up' }) },
          { title: t(lang, 'triage.internet.down'), data: next({ internet: 'down' }) },
        ],
      });
  }
}

export function welcomeCard(lang: Language): AdaptiveCardJson {
  return renderCard('welcome', {
    title: t(lang, 'welcome.title'),
    body: t(lang, 'welcome.body'),
    privacy: t(lang, 'welcome.privacy'),
    buttons: [
      { title: t(lang, 'button.nexusDown'), data: { action: 'triage', system: 'nexus' } },
      { title: t(lang, 'button.bekeyDown'), data: { action: 'triage', system: 'bekey' } },
      { title: t(lang, 'button.internetDown'), data: { action: 'triage', system: 'internet' } },
      { title: t(lang, 'button.contacts'), data: { action: 'contacts' } },
      { title: t(lang, 'button.hours'), data: { action: 'hours' } },
      { title: t(lang, 'button.otherLanguage'), data: { action: 'language', lang: lang === 'da' ? 'en' : 'da' } },
    ] satisfies ButtonVM[],
  });
}

export function contactsCard(ctx: ViewContext): AdaptiveCardJson {
  const { lang, instruction } = ctx;
  return renderCard('contacts', {
    title: t(lang, 'contacts.title'),
    status: hoursSentence(lang, ctx.hours.status(ctx.now), ctx.now),
    contacts: instruction.contacts.map((c) => ({
      name: c.name[lang],
      phoneText: c.phone ? formatPhone(c.phone) : '',
      phoneLink: c.phone ? phoneLink(lang, c.phone) : '',
      emailLink: c.email ? emailLink(lang, c.email) : '',
      when: c.availability[lang],
      role: c.role[lang],
    })),
    actions: [
      { title: t(lang, 'button.hours'), data: { action: 'hours' } },
      { title: t(lang, 'button.nexusDown'), data: { action: 'triage', system: 'nexus' } },
    ] satisfies ButtonVM[],
  });
}

export function hoursCard(ctx: ViewContext, fromLocalDate: string, count = 7): AdaptiveCardJson {
  const { lang } = ctx;
  const days = ctx.hours.days(fromLocalDate, count, lang);
  return renderCard('hours', {
    title: t(lang, 'hours.title'),
    status: hoursSentence(lang, ctx.hours.status(ctx.now), ctx.now),
    days: days.map((d, i) => {
      const intervals = d.open.map((o) => t(lang, 'hours.interval', { from: o.from, to: o.to })).join(', ');
      let text: string;
      if (d.open.length === 0) {
        text = d.closed?.kind === 'weekend' ? t(lang, 'hours.weekend') : t(lang, 'hours.closedReason', { reason: d.closed?.reason ?? '' });
      } else {
        text = d.closed?.reason ? `${intervals} (${d.closed.reason})` : intervals;
      }
      const [, month, day] = d.date.split('-');
      return { day: `${d.weekday} ${Number(day)}/${Number(month)}`, hours: text, weight: i === 0 ? 'Bolder' : 'Default' };
    }),
    note: t(lang, 'hours.note'),
    actions: [{ title: t(lang, 'button.contacts'), data: { action: 'contacts' } }] satisfies ButtonVM[],
  });
}

export interface LinkVM {
  readonly title: string;
  readonly url: string;
}

export function noticeCard(title: string, lines: readonly string[], actions: readonly ButtonVM[] = [], links: readonly LinkVM[] = []): AdaptiveCardJson {
  return renderCard('notice', { title, lines: lines.map((text): LineVM => ({ text })), actions, links });
}

/** For admins: the instruction is past its review date, with the points for the revision. */
export function reviewCard(instruction: Instruction): AdaptiveCardJson {
  const doc = instruction.document;
  const [year = '', month = ''] = doc.reviewBy.split('-');
  const reviewBy = `${formatLocalDate(`${year}-${month}-01`, 'da').split(' ').slice(2).join(' ')} ${year}`.trim();
  return noticeCard(t('da', 'review.title'), [
    t('da', 'review.body', { title: doc.title, reviewBy, responsible: doc.responsible }),
    t('da', 'review.notes'),
    ...doc.revisionNotes.map((n) => `• ${n.da}`),
  ]);
}
