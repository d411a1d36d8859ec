import { describeIssues } from '../../instruction/load';
import { adhocClosureSchema } from '../../instruction/schema';
import type { CardAction } from '../actions';
import { t } from '../i18n';
import { cleanText } from '../../app/outageService';
import { cardMessage, closedFormCard, closureWhen, textMessage } from '../views';
import { authorise, type Actor } from './outageHandlers';

/**
 * "lukket": the Nexusteam adds or removes an ad-hoc closure ("lukket i dag pga.
 * kursus") without a code change; from then on staff are sent to KMD, Bekey or IT
 * in that time, and the hours card names the reason.
 */
export async function closedCommand(a: Actor, error = ''): Promise<void> {
  if (!(await authorise(a, 'closed'))) return;
  await a.context.sendActivity(cardMessage(closedFormCard(a.view, await a.services.closures.list(), error)));
}

export async function closedAdd(a: Actor, action: Extract<CardAction, { action: 'closedAdd' }>): Promise<void> {
  if (!(await authorise(a, 'closed'))) return;
  const { lang } = a.view;
  const reason = cleanText(action.reason ?? '', 100).text;
  const candidate = {
    from: (action.from ?? '').trim(),
    ...(action.to?.trim() ? { to: action.to.trim() } : {}),
    ...(action.closedFrom?.trim() ? { closedFrom: action.closedFrom.trim().slice(0, 5) } : {}),
    reason: { da: reason ?? '', en: reason ?? '' },
  };
  const parsed = adhocClosureSchema.safeParse(candidate);
  if (!parsed.success) {
    await closedCommand(a, t(lang, 'closed.bad', { reason: describeIssues(parsed.error) }));
    return;
  }
  const stored = await a.services.closures.add(parsed.data, a.person.key);
  await a.context.sendActivity(textMessage(t(lang, 'closed.added', { when: closureWhen(lang, stored), reason: stored.reason[lang] })));
}

export async function closedRemove(a: Actor, id: string): Promise<void> {
  if (!(await authorise(a, 'closed'))) return;
  const removed = await a.services.closures.remove(id);
  await a.context.sendActivity(textMessage(t(a.view.lang, removed ? 'closed.removed' : 'outage.gone')));
}
