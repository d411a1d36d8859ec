import type { Activity, TurnContext } from 'botbuilder';
import { addMinutes } from 'date-fns';
import { escalationDue, newOutage, type CalledContact, type Outage, type Owner, type Person } from '../../domain/outage';
import { may, PERMISSIONS, type Verb } from '../../domain/permissions';
import { formatDayTime, formatPhone, resolveLocalDateTime } from '../../domain/time';
import type { SystemId } from '../../domain/types';
import type { CardAction } from '../actions';
import type { TurnServices } from '../dialogs/services';
import { t } from '../i18n';
import {
  declareFormCard,
  declarePreviewMessages,
  resolveMenuCard,
  contactName,
  sinceFields,
  statusCard,
  updateFormCard,
  type DeclareDraft,
} from '../outageViews';
import { cleanText } from '../../app/outageService';
import { historyLines, timelineCsv, timelineMarkdown } from '../../domain/export';
import { mailtoDraft } from '../../notify/mail';
import { renderMessage } from '../render';
import { cardMessage, noticeCard, systemList, textMessage, type ViewContext } from '../views';
import { defaultSystem, escalationAfter, systemName, systemTitle } from '../../domain/systems';

/**
 * One small handler per outage verb. Each is called only after the verb was
 * authorised (see `authorise`), parses what it needs, calls the outage service and
 * answers the person who pressed or typed.
 */

export interface Actor {
  readonly context: TurnContext;
  readonly services: TurnServices;
  readonly view: ViewContext;
  readonly person: Person;
  readonly isNexusteam: boolean;
}

const reply = (a: Actor, ...activities: Partial<Activity>[]) => a.context.sendActivities(activities);

/** The verb × role table decides; a refusal is answered kindly and changes nothing. */
export async function authorise(a: Actor, verb: Verb, outage?: Outage | null): Promise<boolean> {
  // Whether they reported it is asked of the report store only where it matters (and the Nexusteam need not).
  const roles: readonly string[] = PERMISSIONS[verb];
  const isReporter = outage && !a.isNexusteam && roles.includes('reporter') ? await a.services.outages.isReporter(outage.id, a.person.key) : false;
  if (may(verb, { key: a.person.key, isNexusteam: a.isNexusteam, isReporter }, outage)) return true;
  const ownerMay = verb === 'resolve' || verb === 'acknowledge';
  await reply(a, textMessage(t(a.view.lang, ownerMay ? 'denied.owner' : 'denied')));
  return false;
}

/** Who owns the case, said to someone who pressed "Jeg har ringet til …" or "Ja, jeg følger det" after them. */
function takenText(a: Actor, owner: Owner): string {
  const { lang, now, instruction } = a.view;
  if (owner.kind === 'nexusteam') return t(lang, 'calledKmd.takenNexusteam');
  const when = formatDayTime(new Date(owner.since), lang, now);
  return owner.contact
    ? t(lang, 'calledKmd.taken', { name: owner.person.name, contact: contactName(instruction, lang, owner.contact), when })
    : t(lang, 'calledKmd.takenHandover', { name: owner.person.name, when });
}

/** "Jeg har ringet til KMD / Bekey / IT": the first to press owns the case of that system out of hours. */
export async function called(a: Actor, system: SystemId, contact: CalledContact): Promise<void> {
  const { lang, now, instruction } = a.view;
  const result = await a.services.outages.claim(a.person, system, contact);
  if (result.kind === 'taken') return void (await reply(a, textMessage(takenText(a, result.owner))));
  const name = systemName(instruction, system, lang);
  const lines = [t(lang, 'calledKmd.owner', { contact: contactName(instruction, lang, contact), system: name })];
  const start = new Date(result.outage.start);
  // The 2-hour rule is the system's, whatever the cause: whoever called its vendor or IT carries it (the outage's one deadline).
  const escalateAt = escalationDue(result.outage, escalationAfter(instruction, system));
  if (escalateAt) {
    const driftvagt = instruction.contacts.find((c) => c.id === 'driftvagt');
    lines.push(
      t(lang, 'calledKmd.escalate', { system: name, when: formatDayTime(escalateAt, lang, now), phone: driftvagt?.phone ? formatPhone(driftvagt.phone) : '' }),
      t(lang, 'calledKmd.why', { system: name }),
    );
  }
  if (start.getTime() !== now.getTime()) lines.push(t(lang, 'calledKmd.since', { when: formatDayTime(start, lang, now) }));
  if (result.posted > 0) lines.push(t(lang, 'calledKmd.posted'));
  await reply(a, cardMessage(noticeCard(t(lang, 'calledKmd.title'), lines)));
}

export async function worksAgain(a: Actor, system: SystemId): Promise<void> {
  const { lang } = a.view;
  const outage = await a.services.outages.worksAgain(system, a.person);
  await reply(
    a,
    textMessage(outage ? t(lang, 'worksAgain.thanks') : t(lang, 'worksAgain.noOutage', { system: systemName(a.view.instruction, system, lang) })),
  );
}

export async function status(a: Actor): Promise<void> {
  const open = await a.services.outages.open();
  if (open.length === 0) {
    await reply(a, textMessage(t(a.view.lang, 'status.none')));
    return;
  }
  const counts = new Map(await Promise.all(open.map(async (o) => [o.id, await a.services.outages.reportCount(o.id)] as const)));
  await reply(a, cardMessage(statusCard(open, a.view, counts)));
}

// --- declare ---------------------------------------------------------------

export async function openDeclareForm(a: Actor, system?: SystemId, draft?: DeclareDraft, error = ''): Promise<void> {
  const chosen = draft?.system ?? system ?? defaultSystem(a.view.instruction);
  const known = await a.services.outages.known(chosen);
  const since = known ? new Date(known.start) : ((await a.services.outages.earliestWaiting(chosen)) ?? a.view.now);
  const base: DeclareDraft = draft ?? { system: chosen, description: known?.description ?? '', expected: known?.expected ?? '', ...sinceFields(since) };
  await reply(a, cardMessage(declareFormCard(base, a.view, a.services.newId(), error)));
}

const MAX_AGE_DAYS = 7;

/** "Nede siden" as an instant, or the reason it can't be used. */
export function parseSince(draft: DeclareDraft, now: Date): { ok: true; start: Date } | { ok: false; reason: 'format' | 'future' | 'old' } {
  const time = /^\d{2}:\d{2}(:\d{2})?$/.test(draft.sinceTime) ? draft.sinceTime.slice(0, 5) : null;
  if (!time || !/^\d{4}-\d{2}-\d{2}$/.test(draft.sinceDate)) return { ok: false, reason: 'format' };
  let resolved;
  try {
    resolved = resolveLocalDateTime(`${draft.sinceDate}T${time}`);
  } catch {
    return { ok: false, reason: 'format' };
  }
  // In the autumn overlap take the earlier instant (the outage has lasted longer, never shorter); a spring gap is not a time.
  const start = resolved.kind === 'ok' ? resolved.instant : resolved.kind === 'ambiguous' ? resolved.earlier : null;
  if (!start) return { ok: false, reason: 'format' };
  if (start.getTime() > addMinutes(now, 5).getTime()) return { ok: false, reason: 'future' };
  if (start.getTime() < addMinutes(now, -MAX_AGE_DAYS * 24 * 60).getTime()) return { ok: false, reason: 'old' };
  return { ok: true, start };
}

function draftOf(a: Actor, action: { system?: SystemId | undefined; description?: string | undefined; sinceDate?: string | undefined; sinceTime?: string | undefined; expected?: string | undefined }): DeclareDraft {
  return {
    system: action.system ?? defaultSystem(a.view.instruction),
    description: cleanText(action.description ?? '', 500).text ?? '',
    sinceDate: (action.sinceDate ?? '').trim(),
    sinceTime: (action.sinceTime ?? '').trim(),
    expected: cleanText(action.expected ?? '', 200).text ?? '',
  };
}

/** Validates the form; shows the draft as staff will see it, or the form again with what to fix. */
export async function previewDeclare(a: Actor, action: Extract<CardAction, { action: 'declarePreview' }>): Promise<void> {
  const { lang, now, instruction } = a.view;
  const draft = draftOf(a, action);
  const since = parseSince(draft, now);
  if (!since.ok) {
    await openDeclareForm(a, draft.system, draft, t(lang, 'declare.badStart', { reason: t(lang, `declare.badStart.${since.reason}`) }));
    return;
  }
  const known = await a.services.outages.known(draft.system);
  const preview: Outage = {
    ...(known ?? emptyOutage(draft.system, since.start)),
    status: 'active',
    start: since.start.toISOString(),
    description: draft.description || null,
    expected: draft.expected || null,
    owner: known?.owner?.kind === 'person' ? known.owner : { kind: 'nexusteam', since: now.toISOString() },
  };
  const mail = a.services.mail;
  const mailto = mail.smtp ? null : mailtoDraft(preview, instruction, mail.lists, now);
  await reply(a, ...declarePreviewMessages(preview, draft, instruction, lang, now, action.submitId, mailto));
}

export async function sendDeclare(a: Actor, action: Extract<CardAction, { action: 'declareSend' }>): Promise<void> {
  const { lang, now } = a.view;
  const draft = draftOf(a, action.draft);
  const since = parseSince(draft, now);
  if (!since.ok) {
    await openDeclareForm(a, draft.system, draft, t(lang, 'declare.badStart', { reason: t(lang, `declare.badStart.${since.reason}`) }));
    return;
  }
  const outcome = await a.services.outages.declare({
    submitId: action.submitId,
    system: draft.system,
    description: draft.description,
    start: since.start,
    expected: draft.expected,
    by: a.person,
  });
  if (outcome.kind !== 'done') {
    await reply(a, textMessage(t(lang, 'declare.alreadySent')));
    return;
  }
  const { posted, updatedInPlace } = outcome.value;
  await reply(a, textMessage(posted + updatedInPlace > 0 ? t(lang, 'declare.sent', { count: posted + updatedInPlace }) : t(lang, 'declare.noChannels')));
}

export async function confirmSuspected(a: Actor, action: Extract<CardAction, { action: 'confirm' }>): Promise<void> {
  const outcome = await a.services.outages.confirm(action.submitId, action.outageId, a.person);
  if (outcome.kind === 'gone') return void (await reply(a, textMessage(t(a.view.lang, 'outage.gone'))));
  if (outcome.kind === 'duplicate') return void (await reply(a, textMessage(t(a.view.lang, 'declare.alreadySent'))));
  await openDeclareForm(a, outcome.value.system);
}

// --- update and all-clear ----------------------------------------------------

export async function openUpdateForm(a: Actor): Promise<void> {
  const open = (await a.services.outages.open()).filter((o) => o.status === 'active');
  if (open.length === 0) return void (await reply(a, textMessage(t(a.view.lang, 'outage.none'))));
  await reply(a, cardMessage(updateFormCard(open, a.view, a.services.newId())));
}

export async function sendUpdate(a: Actor, action: Extract<CardAction, { action: 'updateSend' }>): Promise<void> {
  const { lang } = a.view;
  const text = cleanText(action.text, 1000).text;
  if (!text) return void (await reply(a, textMessage(t(lang, 'update.empty'))));
  const outageId = action.outageId ?? (await a.services.outages.open())[0]?.id;
  if (!outageId) return void (await reply(a, textMessage(t(lang, 'outage.none'))));
  const outcome = await a.services.outages.update(action.submitId, outageId, text, a.person);
  if (outcome.kind === 'gone') return void (await reply(a, textMessage(t(lang, 'outage.gone'))));
  if (outcome.kind === 'duplicate') return void (await reply(a, textMessage(t(lang, 'declare.alreadySent'))));
  await reply(a, textMessage(t(lang, 'update.sent')));
}

/** The outages this person may resolve: all for the Nexusteam, their own for an owner. */
export async function openResolveMenu(a: Actor): Promise<void> {
  const open = (await a.services.outages.open()).filter((o) => may('resolve', { key: a.person.key, isNexusteam: a.isNexusteam }, o));
  if (open.length === 0) {
    await reply(a, textMessage(t(a.view.lang, a.isNexusteam ? 'outage.none' : 'denied.owner')));
    return;
  }
  await reply(a, cardMessage(resolveMenuCard(open, a.view, a.services.newId())));
}

export async function resolveOutage(a: Actor, action: Extract<CardAction, { action: 'resolve' }>): Promise<void> {
  const { lang } = a.view;
  const outcome = await a.services.outages.resolve(action.submitId, action.outageId, a.person);
  if (outcome.kind === 'gone') return void (await reply(a, textMessage(t(lang, 'resolve.already'))));
  if (outcome.kind === 'duplicate') return void (await reply(a, textMessage(t(lang, 'resolve.already'))));
  await reply(a, textMessage(t(lang, 'resolve.sent')));
}

function emptyOutage(system: SystemId, start: Date): Outage {
  return newOutage({ id: 'preview', system, status: 'active', start, at: start });
}

// --- the 2-hour rule ---------------------------------------------------------

export async function ackEscalation(a: Actor, action: Extract<CardAction, { action: 'ackEscalation' }>): Promise<void> {
  const { lang, now } = a.view;
  const outcome = await a.services.escalations.acknowledge(action.outageId, a.person);
  if (outcome.kind !== 'done') return void (await reply(a, textMessage(t(lang, 'outage.gone'))));
  const ack = outcome.value.outage.escalation.acknowledged;
  if (!outcome.value.first && ack) {
    await reply(a, textMessage(t(lang, 'escalation.already', { name: ack.by.name, when: formatDayTime(new Date(ack.at), lang, now) })));
    return;
  }
  await reply(a, textMessage(t(lang, 'escalation.thanks')));
}

export async function ackBackUp(a: Actor, action: Extract<CardAction, { action: 'ackBackUp' }>): Promise<void> {
  const outcome = await a.services.escalations.ackBackUp(action.outageId, a.person);
  if (outcome.kind === 'gone') return void (await reply(a, textMessage(t(a.view.lang, 'outage.gone'))));
  await reply(a, textMessage(t(a.view.lang, 'escalation.backThanks')));
}

export async function takeHandover(a: Actor, action: Extract<CardAction, { action: 'takeHandover' | 'acceptHandover' }>): Promise<void> {
  const { lang } = a.view;
  const result = await a.services.outages.takeHandover(action.outageId, a.person, action.action === 'acceptHandover');
  if (!result) return void (await reply(a, textMessage(t(lang, 'outage.gone'))));
  const owner = result.outage.owner;
  if (!result.taken && owner) return void (await reply(a, textMessage(takenText(a, owner))));
  await reply(a, textMessage(t(lang, 'handover.taken', { name: a.person.name })));
}

/** The Nexusteam asks those who reported the outage whether one of them follows it after closing. */
export async function offerHandover(a: Actor, outageId: string): Promise<void> {
  const { lang } = a.view;
  const outage = await a.services.outages.get(outageId);
  if (!outage || outage.status === 'resolved') return void (await reply(a, textMessage(t(lang, 'outage.gone'))));
  const asked = await a.services.outages.askReporters(outage);
  await reply(a, textMessage(t(lang, 'handover.asked', { count: asked })));
}

/** "bilag 1": the list of numbers KMD texts during an outage (kept in the instruction by the Nexusteam). */
export async function bilag1(a: Actor): Promise<void> {
  if (!(await authorise(a, 'bilag1'))) return;
  const { lang, instruction } = a.view;
  const entries = instruction.bilag1.entries;
  const lines = [
    instruction.bilag1.description[lang],
    ...(entries.length === 0 ? [t(lang, 'bilag1.empty')] : entries.map((e) => t(lang, 'bilag1.line', { name: e.name, phone: formatPhone(e.phone) }))),
  ];
  await reply(a, cardMessage(noticeCard(t(lang, 'bilag1.title'), lines)));
}

// --- beyond the channel --------------------------------------------------------

/** "følg nedbrud [system]": personal alerts in the 1:1 chat. */
export async function follow(a: Actor, system: SystemId | null): Promise<void> {
  const { lang, now, instruction } = a.view;
  const reach = a.person.reach;
  if (!reach) return void (await reply(a, textMessage(t(lang, 'follow.onlyPersonal'))));
  const result = await a.services.subscriptions.subscribe(a.person, reach, system, now);
  const what = system ? systemName(instruction, system, lang) : t(lang, 'follow.all', { systems: systemList(instruction, lang, 'and') });
  await reply(a, textMessage(t(lang, result.kind === 'new' ? 'follow.new' : result.kind === 'changed' ? 'follow.changed' : 'follow.same', { what })));
}

export async function unfollow(a: Actor): Promise<void> {
  const removed = await a.services.subscriptions.unsubscribe(a.person.key);
  await reply(a, textMessage(t(a.view.lang, removed ? 'unfollow.done' : 'unfollow.none')));
}

/** "historik": the last 30 days, each with an export button. */
export async function history(a: Actor): Promise<void> {
  if (!(await authorise(a, 'history'))) return;
  const { lang, now, instruction } = a.view;
  const lines = historyLines(instruction, await a.services.outages.history(), now, 30, lang);
  if (lines.length === 0) return void (await reply(a, textMessage(t(lang, 'history.none'))));
  await reply(
    a,
    cardMessage(
      noticeCard(
        t(lang, 'history.title'),
        lines.map((l) => l.text),
        lines.slice(-6).map((l) => ({ title: `${t(lang, 'history.export', { system: systemTitle(instruction, l.system, lang) })} (${l.text.split(':').slice(1).join(':').trim().slice(0, 24)})`, data: { action: 'export', outageId: l.id } })),
      ),
    ),
  );
}

/** "eksport": one outage's timeline as Markdown, and the same as CSV, for the review afterwards. */
export async function exportTimeline(a: Actor, outageId: string | undefined): Promise<void> {
  if (!(await authorise(a, 'export'))) return;
  const { lang } = a.view;
  // Without an id: the open outage, else the most recent one.
  const id = outageId ?? (await a.services.outages.open())[0]?.id ?? (await a.services.outages.history()).slice(-1)[0]?.id;
  const found = id ? await a.services.outages.get(id) : null;
  if (!found) return void (await reply(a, textMessage(t(lang, outageId ? 'outage.gone' : 'export.which'))));
  const outage = await a.services.outages.withAllReports(found);
  await reply(
    a,
    { type: 'message', textFormat: 'markdown', text: timelineMarkdown(a.view.instruction, outage, lang) },
    { type: 'message', textFormat: 'markdown', text: `${t(lang, 'export.csvIntro')}\n\n\`\`\`\n${timelineCsv(outage).replace(/^\uFEFF/, '')}\n\`\`\`` },
  );
}

/** "Jeg ringer" on the claim card: the first to press carries the driftvagt duty and gets the card with the number at once. */
export async function claimDriftvagt(a: Actor, outageId: string): Promise<void> {
  const { lang, now } = a.view;
  const outcome = await a.services.escalations.claimDuty(outageId, a.person);
  if (outcome.kind !== 'done') return void (await reply(a, textMessage(t(lang, 'outage.gone'))));
  const { taker, outage } = outcome.value;
  const ack = outage.escalation.acknowledged;
  if (ack) {
    await reply(a, textMessage(t(lang, 'escalation.already', { name: ack.by.name, when: formatDayTime(new Date(ack.at), lang, now) })));
    return;
  }
  if (taker.by.key !== a.person.key) {
    await reply(a, textMessage(t(lang, 'claim.taken', { name: taker.by.name, when: formatDayTime(new Date(taker.at), lang, now) })));
    return;
  }
  const [, sent] = await reply(a, textMessage(t(lang, 'claim.yours')), renderMessage(a.services.escalations.dutyCard(outage, lang), a.view.instruction));
  const { conversation, serviceUrl } = a.context.activity;
  if (sent?.id && conversation?.id && serviceUrl) {
    await a.services.escalations.recordPost(outageId, { conversationId: conversation.id, serviceUrl, activityId: sent.id, kind: 'escalation', lang });
  }
}
