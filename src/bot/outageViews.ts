import type { Activity } from 'botbuilder';
import type { Audience } from '../app/messages';
import { addMinutes } from 'date-fns';
import { latestUpdate, type Outage } from '../domain/outage';
import { formatDayTime, formatPhone, localDate, localTimeOf } from '../domain/time';
import type { ContactId, Instruction, Language, SystemId } from '../instruction/schema';
import { findSystem, outOfHoursContact, systemName, systemTitle } from '../domain/systems';
import type { CardActionData } from './actions';
import { defineCard, type ButtonVM, type TemplateModels } from './cards';
import { t } from './i18n';
import { adviceModel, cardMessage, contactOf, noticeCard, noticeModel, systemDownButton, type TextContext } from './views';
import { fillText } from '../domain/text';

/**
 * Cards about outages: the announcement in staff channels (and its resolved form),
 * the "already known" answer, the suspected-outage card for the Nexusteam, the
 * Nexusteam's forms and the 2-hour rule's cards. Each is defined with its template
 * and view model (src/bot/cards.ts) and listed in the registry (src/bot/cardRegistry.ts).
 */

const line = (text: string) => ({ text });


export interface AnnouncementOptions {
  /** The 2-hour rule's delay (of the outage's system): the card says when the driftvagt is told. */
  readonly afterMinutes?: number | undefined;
  readonly audience?: Audience | undefined;
}

/** The contact's name in the language ("KMD-support", "Brøndby IT"). */
export function contactName(instruction: Instruction, lang: Language, id: ContactId): string {
  return instruction.contacts.find((c) => c.id === id)?.name[lang] ?? id;
}

function ownerSentence(o: Outage, instruction: Instruction, lang: Language, now: Date, audience: Audience): string {
  const owner = o.owner;
  if (owner?.kind === 'nexusteam') return t(lang, 'announce.ownerNexusteam');
  if (owner?.kind !== 'person') return '';
  const when = formatDayTime(new Date(owner.since), lang, now);
  if (!owner.contact) return audience === 'providers' ? t(lang, 'announce.ownerFollowed') : t(lang, 'announce.ownerHandover', { name: owner.person.name });
  const contact = contactName(instruction, lang, owner.contact);
  return audience === 'providers' ? t(lang, 'announce.ownerContacted', { contact, when }) : t(lang, 'announce.ownerPerson', { contact, when, name: owner.person.name });
}

/** The numbers on an announcement: the Nexusteam, the first system's vendor (KMD) and IT. */
function contactLines(instruction: Instruction, lang: Language): { text: string }[] {
  const first = instruction.systems[0];
  const shown = new Set(['nexusteam', first ? outOfHoursContact(first) : 'it', 'it']);
  return instruction.contacts.filter((c) => c.phone && shown.has(c.id)).map((c) => line(`${c.name[lang]}: ${formatPhone(c.phone ?? '')}`));
}

/** The card posted to staff (and providers') channels; after the all-clear the same card, replaced in place, shows it is resolved. */
export const announcementCard = defineCard('announcement', (o: Outage, instruction: Instruction, lang: Language, now: Date, opts: AnnouncementOptions = {}): TemplateModels['announcement'] => {
  const system = systemName(instruction, o.system, lang);
  const title = systemTitle(instruction, o.system, lang);
  const since = formatDayTime(new Date(o.start), lang, now);
  if (o.status === 'resolved' && o.resolved) {
    return {
      style: 'good',
      title: t(lang, 'announce.resolvedTitle', { systemTitle: title }),
      lines: [line(t(lang, 'announce.resolvedAt', { when: formatDayTime(new Date(o.resolved.at), lang, now), since })), line(t(lang, 'allclear.paper', { system }))],
      contacts: [],
      actions: [],
    };
  }
  const lines = [line(t(lang, 'announce.since', { when: since }))];
  if (o.description) lines.push(line(o.description));
  if (o.expected) lines.push(line(t(lang, 'known.expected', { text: o.expected })));
  const owner = ownerSentence(o, instruction, lang, now, opts.audience ?? 'staff');
  if (owner) lines.push(line(owner));
  if (opts.afterMinutes !== undefined && !o.escalation?.acknowledged) {
    lines.push(line(t(lang, 'announce.deadline', { system, when: formatDayTime(addMinutes(new Date(o.start), opts.afterMinutes), lang, now) })));
  }
  lines.push(line(t(lang, 'announce.doNotCall', { system: title })));
  return {
    style: 'attention',
    title: t(lang, 'announce.title', { systemTitle: title }),
    lines,
    contacts: contactLines(instruction, lang),
    actions: [systemDownButton(instruction, lang, o.system)] satisfies ButtonVM[],
  };
});

/** The announcement as a message whose notification names what happened ("Nedbrud: Nexus er nede", "Nexus virker igen"). */
export function announcementMessage(o: Outage, instruction: Instruction, lang: Language, now: Date, opts: AnnouncementOptions = {}): Partial<Activity> {
  const systemTitleText = systemTitle(instruction, o.system, lang);
  const summary = o.status === 'resolved' ? t(lang, 'announce.resolvedTitle', { systemTitle: systemTitleText }) : t(lang, 'announce.title', { systemTitle: systemTitleText });
  return cardMessage(announcementCard(o, instruction, lang, now, opts), summary);
}

export function updateReply(o: Outage, text: string, at: Date, lang: Language): Partial<Activity> {
  return { type: 'message', text: t(lang, 'update.reply', { when: formatDayTime(at, lang, at), text }), textFormat: 'plain' };
}

export function allClearReply(o: Outage, instruction: Instruction, lang: Language): Partial<Activity> {
  const at = new Date(o.resolved?.at ?? o.start);
  return {
    type: 'message',
    text: `${t(lang, 'allclear.reply', { systemTitle: systemTitle(instruction, o.system, lang), when: formatDayTime(at, lang, at) })} ${t(lang, 'allclear.paper', { system: systemName(instruction, o.system, lang) })}`,
    textFormat: 'plain',
  };
}

export interface KnownOutageContext {
  readonly lang: Language;
  readonly now: Date;
  readonly instruction: Instruction;
  readonly nexusteamOpen: boolean;
  /** The 2-hour rule's delay of the outage's system (its deadline is shown); null where the rule does not apply. */
  readonly afterMinutes: number | null;
  /** How many distinct people reported it (from the report store). */
  readonly reporters: number;
}

/**
 * The answer to someone starting a triage for a system whose outage is known.
 * "Du behøver ikke ringe" only while someone handles it: the Nexusteam in its
 * hours (declared or confirmed), or a named person who owns it. Otherwise it says
 * who knows what and leads on to whom to call now.
 */
export const knownOutageCard = defineCard('announcement', (o: Outage, ctx: KnownOutageContext): TemplateModels['announcement'] => {
  const { lang, now, instruction } = ctx;
  const system = systemName(instruction, o.system, lang);
  const when = (iso: string) => formatDayTime(new Date(iso), lang, now);
  const lines = [line(t(lang, 'known.since', { when: when(o.start) }))];
  if (o.description) lines.push(line(o.description));
  const latest = latestUpdate(o);
  if (latest) lines.push(line(t(lang, 'known.latest', { when: when(latest.at), text: latest.text })));
  if (o.expected) lines.push(line(t(lang, 'known.expected', { text: o.expected })));
  const nexusteamPhone = formatPhone(instruction.contacts.find((c) => c.id === 'nexusteam')?.phone ?? '');
  let needsCaller = false;
  const owner = o.owner;
  if (owner?.kind === 'person') {
    lines.push(
      line(
        owner.contact
          ? t(lang, 'known.owner.person', { name: owner.person.name, contact: contactName(instruction, lang, owner.contact), when: when(owner.since) })
          : t(lang, 'known.owner.handover', { name: owner.person.name, when: when(owner.since) }),
      ),
    );
  } else if (owner?.kind === 'nexusteam') {
    if (ctx.nexusteamOpen) lines.push(line(t(lang, 'known.owner.nexusteam')));
    else {
      lines.push(line(t(lang, 'known.owner.nexusteamClosed')));
      needsCaller = true;
    }
  } else {
    lines.push(line(t(lang, 'known.reportersSince', { count: ctx.reporters, when: when(o.start) })));
    if (ctx.nexusteamOpen) {
      lines.push(line(o.nexusteamTold ? t(lang, 'known.owner.none.told', { when: when(o.nexusteamTold), phone: nexusteamPhone }) : t(lang, 'known.owner.none.open', { phone: nexusteamPhone })));
    } else {
      const first = findSystem(instruction, o.system);
      lines.push(line(t(lang, 'known.owner.none.closed', { contact: contactName(instruction, lang, first ? outOfHoursContact(first) : 'it') })));
    }
    needsCaller = true;
  }
  if (ctx.afterMinutes !== null && !o.escalation?.acknowledged) {
    lines.push(line(t(lang, 'known.deadline', { system, when: formatDayTime(addMinutes(new Date(o.start), ctx.afterMinutes), lang, now) })));
  }
  if (owner) lines.push(line(t(lang, 'known.reporters', { count: ctx.reporters })));
  const actions: ButtonVM[] = [];
  if (needsCaller) actions.push({ title: t(lang, 'button.continueTriage'), data: { action: 'triage', system: o.system, skipKnown: true } });
  actions.push({ title: t(lang, 'button.worksAgain'), data: { action: 'worksAgain', system: o.system } });
  return {
    style: 'attention',
    title: o.status === 'active' ? t(lang, 'known.title.active', { systemTitle: systemTitle(instruction, o.system, lang) }) : t(lang, 'known.title.suspected', { system }),
    lines,
    contacts: [],
    actions,
  };
});

/** To the Nexusteam's channels when reports make a suspected outage. */
export const suspectedCard = defineCard('announcement', (o: Outage, ctx: TextContext, submitId: string, confirmedBy?: { name: string; at: Date }, reporters: number = o.reports.length): TemplateModels['announcement'] => {
  const { lang, now, instruction } = ctx;
  const lines = [
    line(t(lang, 'suspected.body', { count: reporters, system: systemName(instruction, o.system, lang), when: formatDayTime(new Date(o.start), lang, now) })),
  ];
  if (confirmedBy) lines.push(line(t(lang, 'suspected.confirmed', { name: confirmedBy.name, when: formatDayTime(confirmedBy.at, lang, now) })));
  return {
    style: confirmedBy ? 'good' : 'warning',
    title: t(lang, 'suspected.title', { systemTitle: systemTitle(instruction, o.system, lang) }),
    lines,
    contacts: [],
    actions: confirmedBy ? [] : ([{ title: t(lang, 'button.confirm'), data: { action: 'confirm', outageId: o.id, submitId } }] satisfies ButtonVM[]),
  };
});

/** `reporters`: how many distinct people reported each outage (by id; from the report store). */
export const statusCard = defineCard('announcement', (open: readonly Outage[], ctx: TextContext, reporters: ReadonlyMap<string, number> = new Map()): TemplateModels['announcement'] => {
  const { lang, now, instruction } = ctx;
  const titleOf = (system: SystemId) => systemTitle(instruction, system, lang);
  const lines = open.map((o) => {
    const when = formatDayTime(new Date(o.start), lang, now);
    if (o.status === 'suspected') return line(t(lang, 'status.line.suspected', { systemTitle: titleOf(o.system), count: reporters.get(o.id) ?? o.reports.length, when }));
    const owner =
      o.owner?.kind === 'nexusteam'
        ? t(lang, 'status.owner.nexusteam')
        : o.owner?.kind === 'person'
          ? t(lang, 'status.owner.person', { name: o.owner.person.name })
          : t(lang, 'status.owner.none');
    return line(t(lang, 'status.line.active', { systemTitle: titleOf(o.system), when, owner }));
  });
  return { style: 'default', title: t(lang, 'status.title'), lines, contacts: [], actions: [] };
});

export interface DeclareDraft {
  readonly system: SystemId;
  readonly description: string;
  readonly sinceDate: string;
  readonly sinceTime: string;
  readonly expected: string;
}

export const declareFormCard = defineCard('declareForm', (draft: DeclareDraft, ctx: TextContext, submitId: string, error: string = ''): TemplateModels['declareForm'] => {
  const { lang, instruction } = ctx;
  return {
    title: t(lang, 'declare.title'),
    error,
    labels: {
      system: t(lang, 'declare.system'),
      description: t(lang, 'declare.description'),
      sinceDate: t(lang, 'declare.sinceDate'),
      sinceTime: t(lang, 'declare.sinceTime'),
      expected: t(lang, 'declare.expected'),
      preview: t(lang, 'declare.preview'),
    },
    system: draft.system,
    systems: instruction.systems.map((s) => ({ title: s.title[lang], value: s.id })),
    description: draft.description,
    sinceDate: draft.sinceDate,
    sinceTime: draft.sinceTime,
    expected: draft.expected,
    previewData: { action: 'declarePreview', submitId } satisfies CardActionData,
  };
});

/** The draft as staff will see it, with "Send til alle" and "Ret". */
export function declarePreviewMessages(
  preview: Outage,
  draft: DeclareDraft,
  instruction: Instruction,
  lang: Language,
  now: Date,
  submitId: string,
  mailto: string | null = null,
): Partial<Activity>[] {
  const card = announcementCard(preview, instruction, 'da', now);
  const confirm = noticeCard(
    t(lang, 'declare.previewTitle'),
    [],
    [
      { title: t(lang, 'declare.send'), data: { action: 'declareSend', submitId, draft } },
      { title: t(lang, 'declare.edit'), data: { action: 'declare', system: draft.system, draft } },
    ] satisfies ButtonVM[],
    // Without SMTP the Nexusteam mails the two lists themselves, from a ready draft.
    mailto ? [{ title: t(lang, 'declare.mailDraft'), url: mailto }] : [],
  );
  return [cardMessage(confirm), cardMessage(card)];
}

export const updateFormCard = defineCard('updateForm', (open: readonly Outage[], ctx: TextContext, submitId: string): TemplateModels['updateForm'] => {
  const { lang, now, instruction } = ctx;
  return {
    title: t(lang, 'update.title'),
    labels: { outage: t(lang, 'update.outage'), text: t(lang, 'update.text'), send: t(lang, 'update.send') },
    outageId: open[0]?.id ?? '',
    outages: open.map((o) => ({ title: `${systemTitle(instruction, o.system, lang)} (${formatDayTime(new Date(o.start), lang, now)})`, value: o.id })),
    sendData: { action: 'updateSend', submitId } satisfies CardActionData,
  };
});

export const resolveMenuCard = defineCard('notice', (open: readonly Outage[], ctx: TextContext, submitId: string): TemplateModels['notice'] => {
  const { lang, instruction } = ctx;
  return noticeModel(
    t(lang, 'resolve.title'),
    [],
    open.map((o) => ({
      title: t(lang, 'resolve.button', { systemTitle: systemTitle(instruction, o.system, lang) }),
      data: { action: 'resolve', outageId: o.id, submitId: `${submitId}-${o.id}` },
    })) satisfies ButtonVM[],
  );
});

/** Default "down since" for the form: the earliest report, else now, in Copenhagen time. */
export function sinceFields(at: Date): { sinceDate: string; sinceTime: string } {
  return { sinceDate: localDate(at), sinceTime: localTimeOf(at) };
}

export interface EscalationViewContext extends TextContext {
  /** The 2-hour rule's delay of the outage's system. */
  readonly afterMinutes: number;
  /** Posted in the Nexusteam's channel: may also confirm a suspected outage, and sees who was asked. */
  readonly forChannel?: boolean | undefined;
  /** Out of hours, nobody carrying it: how many reporters got the claim card this round. */
  readonly claimsSent?: number | undefined;
}

const hoursText = (lang: Language, minutes: number) => String(Math.round((minutes / 60) * 10) / 10).replace('.', lang === 'da' ? ',' : '.');

/** The one deadline of an outage: its start + the 2-hour rule's delay, on instants. */
const deadlineOf = (o: Outage, afterMinutes: number) => addMinutes(new Date(o.start), afterMinutes);

/** The 2-hour card: the driftvagt's number and e-mail as text and links, what to say, and the acknowledgement. */
export const escalationCard = defineCard('advice', (o: Outage, round: number, ctx: EscalationViewContext): TemplateModels['advice'] => {
  const { instruction, lang, now } = ctx;
  const ack = o.escalation?.acknowledged;
  const duty = o.escalation?.duty;
  const names = { system: systemName(instruction, o.system, lang), systemTitle: systemTitle(instruction, o.system, lang) };
  const title = round === 0 ? t(lang, 'escalation.title', { ...names, hours: hoursText(lang, ctx.afterMinutes) }) : t(lang, 'escalation.titleRepeat', { ...names, round });
  const status = ack
    ? t(lang, 'escalation.acknowledged', { name: ack.by.name, when: formatDayTime(new Date(ack.at), lang, now) })
    : t(lang, 'escalation.deadline', { since: formatDayTime(new Date(o.start), lang, now), when: formatDayTime(deadlineOf(o, ctx.afterMinutes), lang, now) });
  const notes = [t(lang, 'escalation.why')];
  if (ctx.forChannel && !ack && duty) notes.unshift(t(lang, 'escalation.dutyTaken', { name: duty.by.name, when: formatDayTime(new Date(duty.at), lang, now) }));
  else if (ctx.forChannel && !ack && ctx.claimsSent !== undefined) notes.unshift(t(lang, 'escalation.nobody', { count: ctx.claimsSent }));
  const actions: ButtonVM[] = [];
  if (!ack) {
    actions.push({ title: t(lang, 'escalation.button'), data: { action: 'ackEscalation', outageId: o.id, submitId: `ack-${o.id}` } });
    if (ctx.forChannel && o.status === 'suspected') actions.push({ title: t(lang, 'button.confirm'), data: { action: 'confirm', outageId: o.id, submitId: `confirm-${o.id}` } });
  }
  return adviceModel(lang, {
    title,
    contact: contactOf(instruction, 'driftvagt'),
    status,
    steps: instruction.steps.driftvagt.map((s) => fillText(s, { instruction, lang, system: o.system, at: now, start: new Date(o.start) })),
    note: notes.join(' '),
    actions,
  });
});

/** The 2-hour card as a message whose notification says what to do ("Ring til Regionens driftvagt nu: 3864 8888"). */
export function escalationMessage(o: Outage, round: number, ctx: EscalationViewContext): Partial<Activity> {
  const driftvagt = ctx.instruction.contacts.find((c) => c.id === 'driftvagt');
  const ack = o.escalation?.acknowledged;
  const summary = ack
    ? t(ctx.lang, 'escalation.acknowledged', { name: ack.by.name, when: formatDayTime(new Date(ack.at), ctx.lang, ctx.now) })
    : t(ctx.lang, 'summary.escalation', { phone: driftvagt?.phone ? formatPhone(driftvagt.phone) : '' });
  return cardMessage(escalationCard(o, round, ctx), summary);
}

/**
 * Out of hours, nobody carrying the 2-hour rule: asks a reporter whether they call
 * the driftvagt. The first "Jeg ringer" takes it; every other copy is then
 * replaced in place with who took it and when (or that the driftvagt was told).
 */
export const claimCard = defineCard('announcement', (o: Outage, round: number, ctx: TextContext & { readonly afterMinutes: number }): TemplateModels['announcement'] => {
  const { lang, now } = ctx;
  const systemTitleText = systemTitle(ctx.instruction, o.system, lang);
  const ack = o.escalation?.acknowledged;
  const duty = o.escalation?.duty;
  const hours = hoursText(lang, ctx.afterMinutes);
  if (ack || duty) {
    const by = ack?.by ?? duty!.by;
    const at = new Date(ack?.at ?? duty!.at);
    return {
      style: 'good',
      title: ack ? t(lang, 'claim.doneTitle') : t(lang, 'claim.takenTitle', { name: by.name }),
      lines: [line(ack ? t(lang, 'escalation.acknowledged', { name: by.name, when: formatDayTime(at, lang, now) }) : t(lang, 'claim.taken', { name: by.name, when: formatDayTime(at, lang, now) }))],
      contacts: [],
      actions: [],
    };
  }
  return {
    style: 'attention',
    title: round === 0 ? t(lang, 'claim.title', { systemTitle: systemTitleText, hours }) : t(lang, 'claim.titleRepeat', { hours, round }),
    lines: [
      line(t(lang, 'claim.ask')),
      line(t(lang, 'claim.since', { systemTitle: systemTitleText, since: formatDayTime(new Date(o.start), lang, now), when: formatDayTime(deadlineOf(o, ctx.afterMinutes), lang, now) })),
      line(t(lang, 'claim.first')),
    ],
    contacts: [],
    actions: [{ title: t(lang, 'claim.button'), data: { action: 'claimDriftvagt', outageId: o.id } }] satisfies ButtonVM[],
  };
});

export function claimMessage(o: Outage, round: number, ctx: TextContext & { readonly afterMinutes: number }): Partial<Activity> {
  const duty = o.escalation?.duty;
  const summary = duty
    ? t(ctx.lang, 'claim.takenTitle', { name: duty.by.name })
    : t(ctx.lang, 'summary.claim', { systemTitle: systemTitle(ctx.instruction, o.system, ctx.lang), hours: hoursText(ctx.lang, ctx.afterMinutes) });
  return cardMessage(claimCard(o, round, ctx), summary);
}

/** After the all-clear: tell the driftvagt that the system works again. */
export const backUpCard = defineCard('advice', (o: Outage, ctx: TextContext): TemplateModels['advice'] => {
  const { instruction, lang, now } = ctx;
  const told = o.escalation?.toldUp;
  const system = systemName(instruction, o.system, lang);
  return adviceModel(lang, {
    title: backUpTitle(o, ctx),
    contact: contactOf(instruction, 'driftvagt'),
    status: told ? t(lang, 'escalation.backDone', { system, name: told.by.name, when: formatDayTime(new Date(told.at), lang, now) }) : '',
    steps: instruction.steps.driftvagtBackUp.map((s) => fillText(s, { instruction, lang, system: o.system, at: now })),
    actions: told ? [] : ([{ title: t(lang, 'escalation.backButton'), data: { action: 'ackBackUp', outageId: o.id } }] satisfies ButtonVM[]),
  });
});

/** "Nexus virker igen: fortæl det til Regionens driftvagt" (the card's title and its notification). */
export function backUpTitle(o: Outage, ctx: TextContext): string {
  return t(ctx.lang, 'escalation.backTitle', { systemTitle: systemTitle(ctx.instruction, o.system, ctx.lang) });
}

/** To a reporter, 1:1: will you follow the outage after the Nexusteam closes? */
export const handoverOfferCard = defineCard('notice', (o: Outage, ctx: TextContext): TemplateModels['notice'] => {
  const { lang, instruction } = ctx;
  return noticeModel(
    t(lang, 'handover.offerTitle', { system: systemName(instruction, o.system, lang) }),
    [t(lang, 'handover.offerBody')],
    [{ title: t(lang, 'handover.accept'), data: { action: 'acceptHandover', outageId: o.id } }] satisfies ButtonVM[],
  );
});
