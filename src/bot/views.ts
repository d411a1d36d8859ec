import { ActivityTypes, CardFactory, type Activity } from 'botbuilder';
import type { CalledContact } from '../domain/outage';
import type { Advice, AdviceContact, AdviceKind, AdviceSection, HoursStatus } from '../domain/types';
import { weeklyHoursText, type OfficeHours } from '../domain/officeHours';
import { systemName, systemTitle } from '../domain/systems';
import { formatDayTime, formatLocalDate, formatPhone, formatTime, joinList, localDate } from '../domain/time';
import { telUri } from '../lib/tel';
import { CHANNEL_ROLES, type ChannelRole } from '../store/channels';
import type { StoredClosure } from '../store/closures';
import type { Contact, ContactId, Instruction, Language, WorthKnowingItem } from '../instruction/schema';
import type { CardActionData, TriageValue } from './actions';
import { defineCard, type ButtonVM, type Card, type LineVM, type LinkVM, type NoticeVM, type ContactVM, type SectionVM, type TemplateModels } from './cards';
import { type MessageKey, t } from './i18n';

export type { ButtonVM, LinkVM };

/**
 * The cards of the conversation (advice, questions, welcome, contacts, hours,
 * notices) and the messages that carry cards. Each card is defined with its
 * template and view model (src/bot/cards.ts) and listed in the registry
 * (src/bot/cardRegistry.ts); cards are bound to these models, never to storage
 * records or domain objects directly.
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

/**
 * A card as a message. A proactive card carries `summary`, a short line of what
 * happened: Teams shows it in the push notification and the chat list instead of
 * "sent a card". Teams on Android reads `text` for its lock-screen preview and
 * ignores `summary` there, so the same line goes in `text` too (shown above the card).
 */
export function cardMessage(card: Card, summary?: string): Partial<Activity> {
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
export function cardsMessage(cards: readonly Card[], text?: string): Partial<Activity> {
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
function phoneLink(lang: Language, phone: string): string {
  return `[${t(lang, 'advice.call')}](${telUri(phone)})`;
}

function emailLink(lang: Language, email: string): string {
  return `[${t(lang, 'advice.write', { email })}](mailto:${email})`;
}

/** A contact as every card shows one: the number as text and as a link, and the e-mail link ('' for what it lacks). */
export function contactLinks(lang: Language, c: { readonly phone: string | null; readonly email: string | null }): Pick<ContactVM, 'phoneText' | 'phoneLink' | 'emailLink'> {
  return {
    phoneText: c.phone ? formatPhone(c.phone) : '',
    phoneLink: c.phone ? phoneLink(lang, c.phone) : '',
    emailLink: c.email ? emailLink(lang, c.email) : '',
  };
}

/** What an advice card (cards/advice.json) says; `adviceModel` makes its view model. */
export interface AdviceParts {
  readonly title: string;
  /** Whom to call, shown in large type at the top; null: nobody (the card is its steps). */
  readonly contact: Contact | null;
  readonly status: string;
  /** Steps in order, numbered on the card … */
  readonly steps?: readonly string[];
  /** … or the advice in its headed parts. */
  readonly sections?: readonly SectionVM[];
  readonly alternatives?: readonly LineVM[];
  readonly note?: string;
  readonly actions: readonly ButtonVM[];
}

/**
 * The one view model of the advice card, for the triage's advice and the
 * driftvagt's cards (2-hour rule, back up): the contact's name, number (text and
 * link), e-mail link, or a line saying there is no number; numbered steps.
 */
export function adviceModel(lang: Language, parts: AdviceParts): TemplateModels['advice'] {
  const { contact } = parts;
  return {
    title: parts.title,
    hasContact: contact !== null,
    contactName: contact ? contact.name[lang] : '',
    ...(contact ? contactLinks(lang, contact) : { phoneText: '', phoneLink: '', emailLink: '' }),
    noPhone: contact && !contact.phone ? t(lang, 'advice.noPhone') : '',
    status: parts.status,
    steps: (parts.steps ?? []).map((text, i): LineVM => ({ text: `${i + 1}. ${text}` })),
    ...(parts.sections ? { sections: parts.sections } : {}),
    alternatives: parts.alternatives ?? [],
    note: parts.note ?? '',
    actions: parts.actions,
  };
}

export function contactOf(instruction: Instruction, id: ContactId): Contact {
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

export const adviceCard = defineCard('advice', (advice: Advice, ctx: ViewContext): TemplateModels['advice'] => {
  const { lang } = ctx;
  const contact = advice.contact ? contactOf(ctx.instruction, advice.contact.id) : null;
  // A call section is shown as the contact's number; without a contact it stays a line.
  const sections = advice.sections
    .map((section) => (section.kind === 'call' && contact === null ? { ...section, kind: 'steps' as const } : section))
    .map((section) => sectionVM(section, lang))
    .filter((section): section is SectionVM => section !== null);
  return adviceModel(lang, {
    title: adviceTitle(advice, lang),
    contact,
    status: hoursSentence(lang, ctx.hours.status(advice.at), advice.at),
    sections,
    alternatives: advice.alternatives.map((c) => alternativeLine(lang, c)),
    note: advice.scope === 'general' ? t(lang, 'advice.notYourFault') : '',
    actions: adviceButtons(advice, ctx),
  });
});

/** What is worth knowing meanwhile: the instruction's items, in the order given. */
export const worthKnowing = defineCard('worthKnowing', (items: readonly WorthKnowingItem[], lang: Language): TemplateModels['worthKnowing'] => ({
  title: t(lang, 'worth.title'),
  items: items.map((w) => ({ title: w.title[lang], text: w.text[lang] })),
}));

/** The worth-knowing card for these item ids (a system's), or null when none applies. */
export function worthKnowingCard(ids: readonly string[], ctx: ViewContext): Card | null {
  const items = ids.flatMap((id) => ctx.instruction.worthKnowing.filter((w) => w.id === id));
  return items.length === 0 ? null : worthKnowing(items, ctx.lang);
}

/** The advice and, where there is any, what is worth knowing meanwhile: one message, with `intro` above the cards. */
export function adviceMessage(advice: Advice, ctx: ViewContext, intro?: string): Partial<Activity> {
  const worth = worthKnowingCard(advice.worthKnowing, ctx);
  return cardsMessage(worth ? [adviceCard(advice, ctx), worth] : [adviceCard(advice, ctx)], intro);
}

export type QuestionKind = 'system' | 'scope' | 'internet';

/** A triage question; every choice carries the answers so far. */
export const questionCard = defineCard('question', (kind: QuestionKind, answers: TriageValue, ctx: ViewContext, checkSteps: readonly string[] = []): TemplateModels['question'] => {
  const { lang, instruction } = ctx;
  const name = answers.system ? systemName(instruction, answers.system, lang) : '';
  const next = (patch: Partial<TriageValue>): CardActionData => ({ ...answers, ...patch, action: 'triage' });
  switch (kind) {
    case 'system':
      return {
        question: t(lang, 'triage.system.question'),
        hints: [{ text: t(lang, 'triage.system.hint') }],
        note: '',
        choices: instruction.systems.map((s) => ({
          title: s.title[lang],
          data: next({ system: s.id }),
        })),
      };
    case 'scope':
      return {
        question: t(lang, 'triage.scope.question', { system: name }),
        hints: [{ text: t(lang, 'triage.scope.hint', { system: name }) }],
        note: '',
        choices: [
          { title: t(lang, 'triage.scope.general'), data: next({ scope: 'general' }) },
          { title: t(lang, 'triage.scope.individual'), data: next({ scope: 'individual' }) },
        ],
      };
    case 'internet':
      return {
        question: t(lang, 'triage.internet.question'),
        // What the check is, then two ways to do it ("Enten …", "Eller …"): not steps in a row.
        hints: checkSteps.map((text): LineVM => ({ text })),
        note: t(lang, 'triage.internet.note'),
        choices: [
          { title: t(lang, 'triage.internet.up'), data: next({ internet: 'up' }) },
          { title: t(lang, 'triage.internet.down'), data: next({ internet: 'down' }) },
        ],
      };
  }
});

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

export const welcomeCard = defineCard('welcome', (lang: Language, instruction: Instruction): TemplateModels['welcome'] => {
  return {
    title: t(lang, 'welcome.title', { systems: systemList(instruction, lang) }),
    body: t(lang, 'welcome.body'),
    privacy: t(lang, 'welcome.privacy'),
    buttons: [
      ...instruction.systems.map((s) => systemDownButton(instruction, lang, s.id)),
      { title: t(lang, 'button.contacts'), data: { action: 'contacts' } },
      { title: t(lang, 'button.hours'), data: { action: 'hours' } },
      { title: t(lang, 'button.otherLanguage'), data: { action: 'language', lang: lang === 'da' ? 'en' : 'da' } },
    ] satisfies ButtonVM[],
  };
});

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

export const contactsCard = defineCard('contacts', (ctx: ViewContext): TemplateModels['contacts'] => {
  const { lang, instruction } = ctx;
  return {
    title: t(lang, 'contacts.title'),
    status: hoursSentence(lang, ctx.hours.status(ctx.now), ctx.now),
    contacts: instruction.contacts.map((c) => ({
      name: c.name[lang],
      ...contactLinks(lang, c),
      when: availabilityOf(c, instruction, lang),
      role: c.role[lang],
    })),
    actions: [
      { title: t(lang, 'button.hours'), data: { action: 'hours' } },
      ...instruction.systems.slice(0, 1).map((s) => systemDownButton(instruction, lang, s.id)),
    ] satisfies ButtonVM[],
  };
});

export const hoursCard = defineCard('hours', (ctx: ViewContext, fromLocalDate: string, count: number = 7): TemplateModels['hours'] => {
  const { lang } = ctx;
  const days = ctx.hours.days(fromLocalDate, count, lang);
  return {
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
  };
});

/** A notice: a title, lines, buttons and links (also the model of the cards built on it). */
export function noticeModel(title: string, lines: readonly string[], actions: readonly ButtonVM[] = [], links: readonly LinkVM[] = []): NoticeVM {
  return { title, lines: lines.map((text): LineVM => ({ text })), actions, links };
}

export const noticeCard = defineCard('notice', noticeModel);

/** For admins: the instruction is past its review date, with the points for the revision. */
export const reviewCard = defineCard('notice', (instruction: Instruction): TemplateModels['notice'] => {
  const doc = instruction.document;
  const [year = '', month = ''] = doc.reviewBy.split('-');
  const reviewBy = `${formatLocalDate(`${year}-${month}-01`, 'da').split(' ').slice(2).join(' ')} ${year}`.trim();
  return noticeModel(t('da', 'review.title'), [
    t('da', 'review.body', { title: doc.title, reviewBy, responsible: doc.responsible }),
    t('da', 'review.notes'),
    ...doc.revisionNotes.map((n) => `• ${n.da}`),
  ]);
});

/** "kanal": the roles of the channel written in (ticked), and every channel registered so far. */
export const channelCard = defineCard('channel', (lang: Language, current: readonly ChannelRole[], registered: readonly LineVM[]): TemplateModels['channel'] => ({
  title: t(lang, 'channel.title'),
  intro: t(lang, 'channel.intro'),
  rolesLabel: t(lang, 'channel.rolesLabel'),
  roles: current.join(','),
  choices: CHANNEL_ROLES.map((r) => ({ title: t(lang, `channel.role.${r}`), value: r })),
  registeredTitle: t(lang, 'channel.registeredTitle'),
  registered,
  actions: [
    { title: t(lang, 'channel.save'), data: { action: 'channelSave' } },
    { title: t(lang, 'channel.remove'), data: { action: 'channelRemove' } },
  ],
}));

/** When an ad-hoc closure is: "mandag 7. december – tirsdag 8. december fra kl. 12.00". */
export function closureWhen(lang: Language, c: { from: string; to?: string | undefined; closedFrom?: string | undefined }): string {
  const from = formatLocalDate(c.from, lang);
  const to = c.to && c.to !== c.from ? ` – ${formatLocalDate(c.to, lang)}` : '';
  const time = c.closedFrom ? (lang === 'da' ? ` fra kl. ${c.closedFrom.replace(':', '.')}` : ` from ${c.closedFrom}`) : '';
  return `${from}${to}${time}`;
}

/** "lukket": the ad-hoc closures there are (each with a remove button), and a form to add one. */
export const closedFormCard = defineCard('closedForm', (ctx: TextContext, current: readonly StoredClosure[], error: string): TemplateModels['closedForm'] => {
  const { lang } = ctx;
  return {
    title: t(lang, 'closed.title'),
    error,
    current: current.map((c) => ({ text: t(lang, 'closed.current', { when: closureWhen(lang, c), reason: c.reason[lang] }) })),
    from: localDate(ctx.now),
    labels: {
      from: t(lang, 'closed.from'),
      to: t(lang, 'closed.to'),
      closedFrom: t(lang, 'closed.closedFrom'),
      reason: t(lang, 'closed.reason'),
      add: t(lang, 'closed.add'),
    },
    addData: { action: 'closedAdd' },
    removeButtons: current.map((c) => ({ title: t(lang, 'closed.remove', { when: closureWhen(lang, c) }), data: { action: 'closedRemove', id: c.id } })),
  };
});
