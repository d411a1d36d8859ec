import { ActivityTypes, CardFactory, type Activity } from 'botbuilder';
import type { CalledContact } from '../domain/outage';
import type { Advice, AdviceContact, AdviceKind, AdviceSection, HoursStatus } from '../domain/types';
import { weeklyHoursText, type OfficeHours } from '../domain/officeHours';
import { systemName, systemTitle } from '../domain/systems';
import { formatDayTime, formatLocalDate, formatPhone, formatTime, joinList } from '../domain/time';
import type { Contact, ContactId, Instruction, Language } from '../instruction/schema';
import type { CardActionData, TriageValue } from './actions';
import { type AdaptiveCardJson, renderCard } from './cards';
import { type MessageKey, t } from './i18n';

/**
 * View models and messages. Cards are bound to these small typed models, never to
 * storage records or domain objects directly.
 */

/** What a card's text needs: the reader's language, the instruction (names, numbers) and the moment. */
export interface TextContext {
  readonly lang: Language;
  readonly instruction: Instruction;
  readonly now: Date;
}

export interface ViewContext extends TextContext {
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
function calledContact(advice: Advice): CalledContact | null {
  switch (advice.kind) {
    case 'vendor':
      return advice.contact?.id ?? null;
    case 'it':
    case 'vendor-internal':
      return 'it';
    case 'individual':
    case 'nexusteam':
    case 'check-internet':
      return null;
  }
}

function adviceButtons(advice: Advice, ctx: ViewContext): ButtonVM[] {
  const { lang, instruction } = ctx;
  const buttons: ButtonVM[] = [];
  const called = calledContact(advice);
  if (called) {
    buttons.push({ title: t(lang, 'button.called', { contact: shortNameOf(instruction, called, lang) }), data: { action: 'called', system: advice.system, contact: called } });
  }
  if (advice.kind === 'vendor' && advice.contact) {
    buttons.push({
      title: t(lang, 'button.vendorSaysInternal', { contact: shortNameOf(instruction, advice.contact.id, lang), municipality: instruction.municipality }),
      data: { action: 'triage', system: advice.system, scope: 'general', internet: 'up', vendorSaysInternal: true },
    });
  }
  buttons.push(restartButton(lang));
  return buttons;
}

/** The contact's name in a sentence ("KMD", "IT"). */
export function shortNameOf(instruction: Instruction, id: ContactId, lang: Language): string {
  return instruction.contacts.find((c) => c.id === id)?.shortName[lang] ?? id;
}

const ADVICE_TITLES: Record<Exclude<AdviceKind, 'vendor'>, MessageKey> = {
  individual: 'advice.title.individual',
  nexusteam: 'advice.title.nexusteam',
  'check-internet': 'advice.title.check-internet',
  it: 'advice.title.it',
  'vendor-internal': 'advice.title.vendor-internal',
};

function adviceTitle(advice: Advice, lang: Language): string {
  return advice.kind === 'vendor' ? t(lang, 'advice.title.vendor', { contact: advice.contact?.name ?? '' }) : t(lang, ADVICE_TITLES[advice.kind]);
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
    title: adviceTitle(advice, lang),
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
    actions: adviceButtons(advice, ctx),
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
  const { lang, instruction } = ctx;
  const name = answers.system ? systemName(instruction, answers.system, lang) : '';
  const next = (patch: Partial<TriageValue>): CardActionData => ({ ...answers, ...patch, action: 'triage' });
  switch (kind) {
    case 'system':
      return renderCard('question', {
        question: t(lang, 'triage.system.question'),
        hints: [{ text: t(lang, 'triage.system.hint') }],
        note: '',
        choices: instruction.systems.map((s) => ({
          title: s.title[lang],
          data: next({ system: s.id }),
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

/** "Nexus, Bekey eller internettet": every system by name, for the texts that list them. */
export function systemList(instruction: Instruction, lang: Language, join: 'or' | 'and' = 'or'): string {
  return joinList(
    instruction.systems.map((s) => s.name[lang]),
    lang,
    join,
  );
}

/** The button that starts a triage for a system: "Nexus er nede". */
export function systemDownButton(instruction: Instruction, lang: Language, system: string): ButtonVM {
  return { title: t(lang, 'button.systemDown', { systemTitle: systemTitle(instruction, system, lang) }), data: { action: 'triage', system } };
}

export function welcomeCard(lang: Language, instruction: Instruction): AdaptiveCardJson {
  return renderCard('welcome', {
    title: t(lang, 'welcome.title', { systems: systemList(instruction, lang) }),
    body: t(lang, 'welcome.body'),
    privacy: t(lang, 'welcome.privacy'),
    buttons: [
      ...instruction.systems.map((s) => systemDownButton(instruction, lang, s.id)),
      { title: t(lang, 'button.contacts'), data: { action: 'contacts' } },
      { title: t(lang, 'button.hours'), data: { action: 'hours' } },
      { title: t(lang, 'button.otherLanguage'), data: { action: 'language', lang: lang === 'da' ? 'en' : 'da' } },
    ] satisfies ButtonVM[],
  });
}

/** When a contact can be reached: the Nexusteam's hours said from the hours the bot decides by, the others as the instruction says. */
function availabilityOf(c: Contact, instruction: Instruction, lang: Language): string {
  return c.availability?.[lang] ?? weeklyHoursText(instruction.officeHours.weekly, lang);
}

/**
 * Whom to call out of hours, by system: "KMD-support (Nexus), Bekey-support eller IT"
 * (the system's name after the vendor's where the vendor's does not say it).
 */
function outOfHoursContacts(instruction: Instruction, lang: Language): string {
  const names: string[] = [];
  for (const s of instruction.systems) {
    const c = s.outOfHours && s.outOfHours.contact !== 'it' ? instruction.contacts.find((x) => x.id === s.outOfHours?.contact) : undefined;
    if (!c) continue;
    const name = c.name[lang].includes(s.title[lang]) ? c.name[lang] : `${c.name[lang]} (${s.title[lang]})`;
    if (!names.includes(name)) names.push(name);
  }
  names.push(shortNameOf(instruction, 'it', lang));
  return joinList(names, lang, 'or');
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
      when: availabilityOf(c, instruction, lang),
      role: c.role[lang],
    })),
    actions: [
      { title: t(lang, 'button.hours'), data: { action: 'hours' } },
      ...instruction.systems.slice(0, 1).map((s) => systemDownButton(instruction, lang, s.id)),
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
    note: t(lang, 'hours.note', { contacts: outOfHoursContacts(ctx.instruction, lang) }),
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
