import { describeIssues } from '../../instruction/load';
import { adhocClosureSchema } from '../../instruction/schema';
import { formatLocalDate, localDate } from '../../domain/time';
import type { StoredClosure } from '../../store/closures';
import type { CardAction } from '../actions';
import { renderCard } from '../cards';
import { t } from '../i18n';
import { cleanText } from '../../app/outageService';
import { cardMessage, textMessage } from '../views';
import { authorise, type Actor } from './outageHandlers';

/**
 * "lukket": the Nexusteam adds or removes an ad-hoc closure ("lukket i dag pga.
 * kursus") without a code change; from then on staff are sent to KMD, Bekey or IT
 * in that time, and the hours card names the reason.
 */
function when(a: Actor, c: { from: string; to?: string | undefined; closedFrom?: string | undefined }): string {
  const { lang } = a.view;
  const from = formatLocalDate(c.from, lang);
  const to = c.to && c.to !== c.from ? ` – ${formatLocalDate(c.to, lang)}` : '';
  const time = c.closedFrom ? (lang === 'da' ? ` fra kl. ${c.closedFrom.replace(':', '.')}` : ` from ${c.closedFrom}`) : '';
  return `${from}${to}${time}`;
}

export async function closedCommand(a: Actor, error = ''): Promise<void> {
  if (!(await authorise(a, 'closed'))) return;
  const { lang } = a.view;
  const current = await a.services.closures.list();
  const card = renderCard('closedForm', {
    title: t(lang, 'closed.title'),
    error,
    current: current.map((c) => ({ text: t(lang, 'closed.current', { when: when(a, c), reason: c.reason[lang] }) })),
    from: localDate(a.view.now),
    labels: {
      from: t(lang, 'closed.from'),
      to: t(lang, 'closed.to'),
      closedFrom: t(lang, 'closed.closedFrom'),
      reason: t(lang, 'closed.reason'),
      add: t(lang, 'closed.add'),
    },
    addData: { action: 'closedAdd' },
    removeButtons: current.map((c: StoredClosure) => ({ title: t(lang, 'closed.remove', { when: when(a, c) }), data: { action: 'closedRemove', id: c.id } })),
  });
  await a.context.sendActivity(cardMessage(card));
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
  await a.context.sendActivity(textMessage(t(lang, 'closed.added', { when: when(a, stored), reason: stored.reason[lang] })));
}

export async function closedRemove(a: Actor, id: string): Promise<void> {
  if (!(await authorise(a, 'closed'))) return;
  const removed = await a.services.closures.remove(id);
  await a.context.sendActivity(textMessage(t(a.view.lang, removed ? 'closed.removed' : 'outage.gone')));
}
