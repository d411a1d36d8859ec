import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Announcement } from '../domain/outage';
import { ID_PATTERN, type SystemId } from '../instruction/schema';
import type { OutboxRecord } from '../notify/outbox';
import { outboxIdOfKey } from '../notify/outboxSender';
import type { ChannelRecord } from '../store/channels';
import { CHANNEL_LANGUAGE, type UndeliveredItem, type UndeliveredKind } from './messages';
import type { LateMessage } from './outageService';
import type { ChannelTarget, QueuedMessage } from './ports';

/**
 * What the app does when the outbox finishes a message, whoever sent it and
 * however late (after a restart, or after the caller stopped waiting):
 *
 * - delivered: an announcement is recorded on its outage (idempotent), and its
 *   thread gets what it missed while queued (the updates; after the all-clear,
 *   the all-clear and the card shown resolved), so a post that its caller
 *   stopped waiting for is not left behind;
 * - failed for good: the Nexusteam's channels are told which message missed which
 *   recipient, so someone passes it on by phone or mail. Escalations and personal
 *   alerts are left out here (their duties report them, with what to do), and so
 *   are the reports themselves.
 *
 * Each hook returns the messages to queue (not awaited: a hook must not wait for
 * other deliveries); the outbox's wiring (src/bot/outboxSending.ts) renders and queues them.
 */
export interface OutboxHookDeps {
  /** Records a staff post delivered late and returns what its thread missed meanwhile (OutageService.lateAnnouncement). */
  readonly lateAnnouncement: (outageId: string, announcement: Announcement) => Promise<readonly LateMessage[]>;
  readonly channels: {
    get(conversationId: string): Promise<ChannelRecord | undefined>;
    withRole(role: 'nexusteam'): Promise<readonly ChannelTarget[]>;
  };
  readonly logger: Logger;
}

export interface OutboxHooks {
  onDelivered(record: OutboxRecord, activityId: string): Promise<readonly QueuedMessage[]>;
  onFailed(records: readonly OutboxRecord[]): Promise<readonly QueuedMessage[]>;
}

/** Failures of these purposes are reported by the outbox hook (others by their own duty). */
const REPORTED: readonly UndeliveredKind[] = ['announcement', 'update', 'allclear', 'card-update', 'handover-offer', 'reminder'];
const isReported = (kind: string): kind is UndeliveredKind => (REPORTED as readonly string[]).includes(kind);
const isSystem = (id: string | undefined): id is SystemId => id !== undefined && ID_PATTERN.test(id);

/** Lines in one report; the rest are counted. */
const MAX_LINES = 20;

export function outboxHooks(deps: OutboxHookDeps): OutboxHooks {
  return {
    onDelivered: async (record, activityId) => {
      const p = record.purpose;
      if (p.kind !== 'announcement' || record.op !== 'send' || !p['outageId'] || !activityId) return [];
      const kind = p['announcement'] as Announcement['kind'] | undefined;
      if (kind !== 'announcement' && kind !== 'owner-notice' && kind !== 'suspected') return [];
      const audience = p['audience'] === 'providers' ? ('providers' as const) : undefined;
      const late = await deps.lateAnnouncement(p['outageId'], { conversationId: record.target.conversationId, serviceUrl: record.target.serviceUrl, activityId, kind, ...(audience ? { audience } : {}) });
      // Same ids as the normal path's keys.
      return late.map((m) => ({ ...m, id: outboxIdOfKey(m.key), target: record.target }));
    },

    onFailed: async (records) => {
      const missed = records.filter((r) => isReported(r.purpose.kind));
      if (missed.length === 0) return [];
      const items = await Promise.all(missed.slice(0, MAX_LINES).map((r) => describe(r, deps)));
      const targets = await deps.channels.withRole('nexusteam');
      if (targets.length === 0) {
        deps.logger.error({ missed: missed.length }, 'outbox: messages failed and no nexusteam channel is registered to be told');
        return [];
      }
      // Keyed by the failed ids: a hook that runs again does not report twice.
      const digest = createHash('sha256').update(missed.map((r) => r.id).join('\n')).digest('hex').slice(0, 32);
      const more = Math.max(0, missed.length - MAX_LINES);
      return targets.map((target) => ({
        id: `report:${digest}:${target.conversationId}`,
        op: 'send' as const,
        target,
        message: { kind: 'undelivered' as const, lang: CHANNEL_LANGUAGE, items, more },
        purpose: { kind: 'report' },
      }));
    },
  };
}

async function describe(r: OutboxRecord, deps: OutboxHookDeps): Promise<UndeliveredItem> {
  const what = r.purpose.kind as UndeliveredKind;
  const system = isSystem(r.purpose['system']) ? r.purpose['system'] : null;
  const status = r.error?.statusCode !== undefined ? `HTTP ${r.error.statusCode}` : (r.error?.code ?? r.error?.message ?? '?');
  if (r.target.conversationType === 'personal' || r.target.conversationId.startsWith('a:')) return { what, system, channel: null, status };
  const channelId = r.target.conversationId.split(';')[0] ?? r.target.conversationId;
  const channel = await deps.channels.get(channelId);
  const name = (channel && [channel.teamName, channel.channelName].filter(Boolean).join(' › ')) || channelId;
  return { what, system, channel: name, status };
}
