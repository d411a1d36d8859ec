import { channelFromActivity, parseRoles, UnknownChannelRoleError, type ChannelRole } from '../../store/channels';
import { t } from '../i18n';
import { cardMessage, channelCard, textMessage } from '../views';
import { authorise, type Actor } from './outageHandlers';

/**
 * "kanal": a Nexusteam member registers the channel they write in for one or
 * more roles. Giving or taking the nexusteam role needs a configured admin, so
 * nobody can make themselves Nexusteam.
 */

function roleNames(a: Actor, roles: readonly ChannelRole[]): string {
  return roles.length === 0 ? t(a.view.lang, 'channel.none') : roles.map((r) => t(a.view.lang, `channel.role.${r}`).split(':')[0]).join(', ');
}

async function registeredLines(a: Actor): Promise<{ text: string }[]> {
  const all = await a.services.channels.registry.list();
  return all
    .filter((c) => c.roles.length > 0)
    .map((c) => ({
      text: t(a.view.lang, 'channel.registeredLine', {
        name: [c.teamName, c.channelName].filter(Boolean).join(' / ') || c.conversationId,
        roles: roleNames(a, c.roles),
      }),
    }));
}

export async function channelCommand(a: Actor): Promise<void> {
  if (!(await authorise(a, 'channel'))) return;
  const where = channelFromActivity(a.context.activity);
  const { lang } = a.view;
  if (!where) {
    const lines = await registeredLines(a);
    await a.context.sendActivities([
      textMessage(t(lang, 'channel.onlyInChannel')),
      ...(lines.length > 0 ? [textMessage(`${t(lang, 'channel.registeredTitle')}:\n${lines.map((l) => l.text).join('\n')}`)] : []),
    ]);
    return;
  }
  const current = (await a.services.channels.registry.get(where.conversationId))?.roles ?? [];
  await a.context.sendActivity(cardMessage(channelCard(lang, current, await registeredLines(a))));
}

export async function channelSave(a: Actor, rolesInput: string | undefined, remove: boolean): Promise<void> {
  if (!(await authorise(a, 'channel'))) return;
  const { lang } = a.view;
  const where = channelFromActivity(a.context.activity);
  if (!where) return void (await a.context.sendActivity(textMessage(t(lang, 'channel.onlyInChannel'))));
  let next: ChannelRole[];
  try {
    next = remove ? [] : parseRoles((rolesInput ?? '').split(',').map((r) => r.trim()).filter(Boolean));
  } catch (err) {
    if (err instanceof UnknownChannelRoleError) return void (await a.context.sendActivity(textMessage(t(lang, 'channel.badRole', { role: err.role }))));
    throw err;
  }
  const registry = a.services.channels.registry;
  const current = (await registry.get(where.conversationId))?.roles ?? [];
  const activity = a.context.activity;
  const decision = await a.services.channels.mayChangeRoles(current, next, { id: activity.from.id, ...(activity.from.aadObjectId ? { aadObjectId: activity.from.aadObjectId } : {}) }, {
    serviceUrl: activity.serviceUrl,
    ...(where.tenantId ? { tenantId: where.tenantId } : {}),
  });
  if (!decision.allowed) {
    await a.context.sendActivity(textMessage(t(lang, decision.reason === 'configured-admin-only' ? 'channel.adminOnlyNexusteamRole' : 'denied')));
    return;
  }
  if (next.length === 0) {
    await registry.remove(where.conversationId);
    await a.context.sendActivity(textMessage(t(lang, 'channel.removed')));
    return;
  }
  await registry.setRoles(where.conversationId, next, a.person, a.view.now, where);
  await a.context.sendActivity(textMessage(t(lang, 'channel.saved', { roles: roleNames(a, next) })));
}
