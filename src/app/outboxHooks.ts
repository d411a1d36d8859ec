import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Announcement } from '../domain/outage';
import { ID_PATTERN, type SystemId } from '../instruction/schema';
import type { OutboxRecord } from '../notify/outbox';
import type { OutboxPurpose } from '../notify/outbox/purpose';
import type { ChannelRecord } from '../store/channels';
import { CHANNEL_LANGUAGE, type Message, type UndeliveredItem, type UndeliveredKind } from './messages';
import type { ChannelTarget, Outgoing } from './ports';

/**
 * What the app does when the outbox finishes a message, whoever queued it and
 * however late (after a restart too; at least once, so every step is idempotent):
 *
 * - delivered: a post that others refer to (an announcement, a driftvagt, claim
 *   or back-up card) gets Teams' id recorded where it is kept, so a reply or a
 *   replacement queued later names it by that id;
 * - failed for good: the Nexusteam's channels are told which message missed which
 *   recipient, so someone passes it on by phone or mail (driftvagt cards and
 *   personal alerts get their own reports, with what to do); a subscriber Teams no
 *   longer reaches (403/404: they blocked or removed the bot) is unsubscribed.
 *   Reports themselves are never reported.
 *
 * onFailed returns the reports to queue (a hook does not wait for other deliveries).
 */
export interface OutboxHookDeps {
  /** Notes an announcement's Teams id on its outage (OutageService.recordAnnouncement). */
  readonly recordAnnouncement: (outageId: string, announcement: Announcement) => Promise<unknown>;
  /** Notes a driftvagt, claim or back-up card's Teams id (EscalationService.recordDelivered). */
  readonly recordEscalationPost: (outageId: string, post: Announcement, reporter: string | undefined) => Promise<void>;
  /** Removes a subscription (Subscriptions.remove). */
  readonly unsubscribe: (subscriberKey: string) => Promise<unknown>;
  readonly channels: {
    get(conversationId: string): Promise<ChannelRecord | undefined>;
    withRole(role: 'nexusteam'): Promise<readonly ChannelTarget[]>;
  };
  readonly logger: Logger;
}

export interface OutboxHooks {
  onDelivered(record: OutboxRecord, activityId: string): Promise<void>;
  onFailed(records: readonly OutboxRecord[]): Promise<readonly Outgoing[]>;
}

const ANNOUNCED: readonly Announcement['kind'][] = ['announcement', 'owner-notice', 'suspected'];
const isSystem = (id: string | undefined): id is SystemId => id !== undefined && ID_PATTERN.test(id);
const gone = (r: OutboxRecord) => r.error?.statusCode === 403 || r.error?.statusCode === 404;

/** Lines in one report; the rest are counted. */
const MAX_LINES = 20;

export function outboxHooks(deps: OutboxHookDeps): OutboxHooks {
  return {
    onDelivered: async (record, activityId) => {
      const p = record.purpose;
      if (p.kind !== 'post' || record.op !== 'send' || activityId === '') return;
      const post: Announcement = {
        conversationId: record.target.conversationId,
        serviceUrl: record.target.serviceUrl,
        activityId,
        messageId: record.id,
        kind: p.post,
        ...(p.lang ? { lang: p.lang } : {}),
        ...(p.audience ? { audience: p.audience } : {}),
      };
      if (ANNOUNCED.includes(p.post)) await deps.recordAnnouncement(p.outageId, post);
      else await deps.recordEscalationPost(p.outageId, post, p.reporter);
    },

    onFailed: async (records) => {
      const reports: { about: string; message: Message }[] = [];

      const alerts = records.filter((r) => r.purpose.kind === 'alert');
      for (const r of alerts.filter(gone)) {
        if (r.purpose.kind !== 'alert') continue;
        await deps.unsubscribe(r.purpose.subscriber);
        deps.logger.info({ outageId: r.purpose.outageId, statusCode: r.error?.statusCode }, 'subscriber unreachable (blocked or removed the bot): subscription deleted');
      }
      const missedAlerts = new Map<SystemId, OutboxRecord[]>();
      for (const r of alerts.filter((a) => !gone(a))) {
        const system = systemOf(r.purpose);
        if (system) missedAlerts.set(system, [...(missedAlerts.get(system) ?? []), r]);
      }
      for (const [system, missed] of missedAlerts) {
        reports.push({ about: `alerts:${digest(missed)}`, message: { kind: 'alertsUndelivered', lang: CHANNEL_LANGUAGE, system, count: missed.length } });
      }

      const cards = records.filter((r) => r.purpose.kind === 'post' && !ANNOUNCED.includes(r.purpose.post));
      if (cards.length > 0) reports.push({ about: `escalation:${digest(cards)}`, message: { kind: 'escalationUndelivered', lang: CHANNEL_LANGUAGE, count: cards.length } });

      const missed = records.filter((r) => reportedAs(r.purpose) !== undefined);
      if (missed.length > 0) {
        const items = await Promise.all(missed.slice(0, MAX_LINES).map((r) => describe(r, deps)));
        reports.push({ about: digest(missed), message: { kind: 'undelivered', lang: CHANNEL_LANGUAGE, items, more: Math.max(0, missed.length - MAX_LINES) } });
      }

      if (reports.length === 0) return [];
      const targets = await deps.channels.withRole('nexusteam');
      if (targets.length === 0) {
        deps.logger.error({ failed: records.length }, 'outbox: messages failed and no nexusteam channel is registered to be told');
        return [];
      }
      // Keyed by the failed ids: a hook that runs again does not report twice.
      return reports.flatMap(({ about, message }) =>
        targets.map((target): Outgoing => ({ id: `report:${about}:${target.conversationId}`, op: 'send', target, message, purpose: { kind: 'report' } })),
      );
    },
  };
}

/** How a failure is named in the Nexusteam's report (undefined: reported elsewhere, or never). */
function reportedAs(p: OutboxPurpose): UndeliveredKind | undefined {
  switch (p.kind) {
    case 'post':
      return ANNOUNCED.includes(p.post) ? 'announcement' : undefined;
    case 'update':
    case 'allclear':
    case 'card-update':
    case 'handover-offer':
    case 'reminder':
      return p.kind;
    case 'alert':
    case 'report':
    case 'other':
      return undefined;
  }
}

function systemOf(p: OutboxPurpose): SystemId | null {
  return 'system' in p && isSystem(p.system) ? p.system : null;
}

function digest(records: readonly OutboxRecord[]): string {
  return createHash('sha256').update(records.map((r) => r.id).join('\n')).digest('hex').slice(0, 32);
}

async function describe(r: OutboxRecord, deps: OutboxHookDeps): Promise<UndeliveredItem> {
  const what = reportedAs(r.purpose) ?? 'announcement';
  const system = systemOf(r.purpose);
  const status = r.error?.statusCode !== undefined ? `HTTP ${r.error.statusCode}` : (r.error?.code ?? r.error?.message ?? '?');
  if (r.target.conversationType === 'personal' || r.target.conversationId.startsWith('a:')) return { what, system, channel: null, status };
  const channelId = r.target.conversationId.split(';')[0] ?? r.target.conversationId;
  const channel = await deps.channels.get(channelId);
  const name = (channel && [channel.teamName, channel.channelName].filter(Boolean).join(' › ')) || channelId;
  return { what, system, channel: name, status };
}
