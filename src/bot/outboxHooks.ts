import { createHash } from 'node:crypto';
import type { Storage } from 'botbuilder';
import type { Logger } from 'pino';
import { systemClock } from '../domain/clock';
import type { Announcement } from '../domain/outage';
import { Outbox, type OutboxOptions, type OutboxRecord } from '../notify/outbox';
import { OutboxSender, outboxIdOfKey } from '../notify/outboxSender';
import type { Sender } from '../notify/sender';
import type { ChannelRecord } from '../store/channels';
import { t, type MessageKey } from './i18n';
import type { ChannelTarget, LateMessage } from './outageService';
import { textMessage } from './views';

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
 */
export interface OutboxHookDeps {
  /** Records a staff post delivered late and returns what its thread missed meanwhile (OutageService.lateAnnouncement). */
  readonly lateAnnouncement: (outageId: string, announcement: Announcement) => Promise<readonly LateMessage[]>;
  readonly channels: {
    get(conversationId: string): Promise<ChannelRecord | undefined>;
    withRole(role: 'nexusteam'): Promise<readonly ChannelTarget[]>;
  };
  readonly outbox: Pick<Outbox, 'enqueue'>;
  readonly logger: Logger;
}

/** Failures of these purposes are reported by the outbox hook (others by their own duty). */
const REPORTED = ['announcement', 'update', 'allclear', 'card-update', 'handover-offer', 'reminder'] as const;
type Reported = (typeof REPORTED)[number];
const isReported = (kind: string): kind is Reported => (REPORTED as readonly string[]).includes(kind);

/** Lines in one report; the rest are counted. */
const MAX_LINES = 20;

export function outboxHooks(deps: OutboxHookDeps) {
  return {
    onDelivered: async (record: OutboxRecord, activityId: string): Promise<void> => {
      const p = record.purpose;
      if (p.kind !== 'announcement' || record.op !== 'send' || !p['outageId'] || !activityId) return;
      const kind = p['announcement'] as Announcement['kind'] | undefined;
      if (kind !== 'announcement' && kind !== 'owner-notice' && kind !== 'suspected') return;
      const audience = p['audience'] === 'providers' ? ('providers' as const) : undefined;
      const late = await deps.lateAnnouncement(p['outageId'], { conversationId: record.target.conversationId, serviceUrl: record.target.serviceUrl, activityId, kind, ...(audience ? { audience } : {}) });
      // Queued, not awaited: a hook must not wait for other deliveries. Same ids as the normal path's keys.
      if (late.length > 0) await deps.outbox.enqueue(late.map((m) => ({ ...m, id: outboxIdOfKey(m.key), target: record.target })));
    },

    onFailed: async (records: readonly OutboxRecord[]): Promise<void> => {
      const missed = records.filter((r) => isReported(r.purpose.kind));
      if (missed.length === 0) return;
      const lines = await Promise.all(missed.slice(0, MAX_LINES).map((r) => describe(r, deps)));
      const text = [
        t('da', 'outbox.failed.head'),
        ...lines.map((l) => `- ${l}`),
        ...(missed.length > MAX_LINES ? [t('da', 'outbox.failed.more', { count: missed.length - MAX_LINES })] : []),
      ].join('\n');
      const targets = await deps.channels.withRole('nexusteam');
      if (targets.length === 0) {
        deps.logger.error({ missed: missed.length }, 'outbox: messages failed and no nexusteam channel is registered to be told');
        return;
      }
      // Keyed by the failed ids: a hook that runs again does not report twice.
      const digest = createHash('sha256').update(missed.map((r) => r.id).join('\n')).digest('hex').slice(0, 32);
      await deps.outbox.enqueue(
        targets.map((target) => ({ id: `report:${digest}:${target.conversationId}`, op: 'send' as const, target, activity: textMessage(text), purpose: { kind: 'report' } })),
      );
    },
  };
}

async function describe(r: OutboxRecord, deps: OutboxHookDeps): Promise<string> {
  const kind = r.purpose.kind as Reported;
  const system = r.purpose['system'] ? t('da', `system.${r.purpose['system']}` as MessageKey) : '';
  const what = t('da', `outbox.failed.${kind}`, { system });
  const status = r.error?.statusCode !== undefined ? `HTTP ${r.error.statusCode}` : (r.error?.code ?? r.error?.message ?? '?');
  if (r.target.conversationType === 'personal' || r.target.conversationId.startsWith('a:')) return t('da', 'outbox.failed.toChat', { what, status });
  const channelId = r.target.conversationId.split(';')[0] ?? r.target.conversationId;
  const channel = await deps.channels.get(channelId);
  const name = (channel && [channel.teamName, channel.channelName].filter(Boolean).join(' › ')) || channelId;
  return t('da', 'outbox.failed.toChannel', { what, channel: name, status });
}

export interface OutboxSendingOptions {
  readonly storage: Storage;
  /** Teams: an AdapterSender made with `{ maxAttempts: 1 }` (the outbox does the retrying). */
  readonly teams: Sender;
  readonly logger: Logger;
  /** How long a send waits for delivery before it tells its caller it is late (default 120 s). */
  readonly waitMs?: number;
  /** Anything else of the outbox's (lease, pacing, tries, …). */
  readonly outbox?: Partial<Omit<OutboxOptions, 'storage' | 'sender' | 'logger' | 'onDelivered' | 'onFailed'>>;
}

/**
 * The app's sending, one way for every proactive message: the durable outbox in
 * front of Teams, the Sender the duties use, and the hooks above, connected once
 * the outage service and the channel registry exist (they need the sender first).
 */
export function outboxSending(o: OutboxSendingOptions): { outbox: Outbox; sender: OutboxSender; connect(deps: Pick<OutboxHookDeps, 'lateAnnouncement' | 'channels'>): void } {
  let hooks: ReturnType<typeof outboxHooks> | undefined;
  const outbox = new Outbox({
    // Pacing and backoff follow real time, even when the bot's clock is moved (tests, playground).
    clock: systemClock,
    ...o.outbox,
    storage: o.storage,
    sender: o.teams,
    logger: o.logger,
    onDelivered: (record, activityId) => hooks?.onDelivered(record, activityId),
    onFailed: (records) => {
      o.logger.error({ failed: records.map((r) => ({ id: r.id, conversationId: r.target.conversationId, error: r.error?.message })) }, 'outbox: messages could not be delivered');
      return hooks?.onFailed(records);
    },
  });
  return {
    outbox,
    sender: new OutboxSender(outbox, o.waitMs !== undefined ? { waitMs: o.waitMs } : {}),
    connect: (deps) => {
      hooks = outboxHooks({ ...deps, outbox, logger: o.logger.child({ component: 'outbox-hooks' }) });
    },
  };
}
