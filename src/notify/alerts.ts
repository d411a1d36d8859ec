import type { Activity } from 'botbuilder';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../domain/clock';
import { maskCpr } from '../domain/cpr';
import type { Outage } from '../domain/outage';
import type { Language } from '../instruction/schema';
import type { SendOptions } from './sender';
import { DEFAULT_CLAIM_LEASE_MS, type Reach, type Subscription, type Subscriptions } from '../store/subscriptions';

/**
 * Personal alerts: the announcement, each update and the all-clear of an outage,
 * sent 1:1 to everyone who follows that system (or all systems), in each
 * subscriber's language (kept with the subscription), each exactly once per
 * person however often the fan-out runs (claim, send, record: see
 * src/store/subscriptions.ts). A subscriber who blocked or removed the bot (403,
 * 404) is removed; any other failure is left for a later run and returned.
 *
 * Privacy: every string in what is sent (an activity's text, summary and card
 * content, or every text of the app's message) passes through maskCpr before it
 * leaves, although the outage service masked the texts already (defence in depth).
 */

/** The 1:1 sending the fan-out needs: an activity, or the app's typed message (Messenger.send, src/app/ports.ts). */
export interface AlertSender<M = Partial<Activity>> {
  send(target: Reach, message: M, options?: SendOptions): Promise<{ activityId: string }>;
}

/** Message keys of the personal alerts of one outage. */
export const alertMessageKey = {
  announcement: 'announcement',
  update: (updateId: string) => `update:${updateId}`,
  allclear: 'allclear',
} as const;

export interface PersonalAlertsOptions<M> {
  readonly subscriptions: Subscriptions;
  readonly sender: AlertSender<M>;
  readonly logger: Logger;
  readonly clock?: Clock | undefined;
  /** How long a claim blocks another fan-out of the same message (default 2 min). */
  readonly leaseMs?: number | undefined;
  /** Sends in flight at once (different people's chats; default 4). */
  readonly concurrency?: number | undefined;
}

export interface FanOutFailure {
  readonly personKey: string;
  readonly statusCode: number | undefined;
  readonly error: string;
}

export interface FanOutResult {
  /** Sent now. */
  readonly sent: number;
  /** Already delivered earlier (or being sent by another run right now). */
  readonly skipped: number;
  /** Subscribers removed because the bot can no longer reach them (403/404). */
  readonly removed: number;
  /** Not delivered, left for a retry (run fanOut again with the same key). */
  readonly failed: readonly FanOutFailure[];
}

/** Every string in a JSON-like value with CPR-like numbers masked (a copy; the input is not changed). */
export function maskDeep<T>(value: T): T {
  return maskValue(value) as T;
}

function maskValue(value: unknown): unknown {
  if (typeof value === 'string') return maskCpr(value).text;
  if (Array.isArray(value)) return value.map(maskValue);
  if (value instanceof Date) return value;
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, k, { value: maskValue(v), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { statusCode?: unknown; status?: unknown };
  if (typeof e.statusCode === 'number') return e.statusCode;
  return typeof e.status === 'number' ? e.status : undefined;
}

function messageOf(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return maskCpr(text.slice(0, 300)).text;
}

type Outcome = { kind: 'sent' } | { kind: 'skipped' } | { kind: 'removed' } | { kind: 'failed'; failure: FanOutFailure };

export class PersonalAlerts<M = Partial<Activity>> {
  readonly #subscriptions: Subscriptions;
  readonly #sender: AlertSender<M>;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #leaseMs: number;
  readonly #concurrency: number;

  constructor(options: PersonalAlertsOptions<M>) {
    this.#subscriptions = options.subscriptions;
    this.#sender = options.sender;
    this.#logger = options.logger;
    this.#clock = options.clock ?? systemClock;
    this.#leaseMs = options.leaseMs ?? DEFAULT_CLAIM_LEASE_MS;
    this.#concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  }

  /**
   * Sends `activity` (one message, or one per language) to every subscriber of
   * the outage's system (and of all systems) who has not had `messageKey` of this
   * outage yet, each in their language. Never throws for a recipient's failure;
   * storage errors do propagate.
   */
  async fanOut(outage: Outage, messageKey: string, activity: M | ((lang: Language) => M)): Promise<FanOutResult> {
    const subscribers = await this.#subscriptions.forSystem(outage.system);
    const rendered = new Map<Language, M>();
    const inLanguage = (lang: Language): M => {
      let masked = rendered.get(lang);
      if (masked === undefined) {
        masked = maskDeep(typeof activity === 'function' ? (activity as (lang: Language) => M)(lang) : activity);
        rendered.set(lang, masked);
      }
      return masked;
    };
    const outcomes: Outcome[] = [];
    let next = 0;
    const worker = async () => {
      while (next < subscribers.length) {
        const sub = subscribers[next++];
        if (sub) outcomes.push(await this.#deliver(outage, messageKey, inLanguage(sub.lang), sub));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, subscribers.length) }, worker));
    const result: FanOutResult = {
      sent: outcomes.filter((o) => o.kind === 'sent').length,
      skipped: outcomes.filter((o) => o.kind === 'skipped').length,
      removed: outcomes.filter((o) => o.kind === 'removed').length,
      failed: outcomes.flatMap((o) => (o.kind === 'failed' ? [o.failure] : [])),
    };
    if (subscribers.length > 0) {
      this.#logger.info(
        { outageId: outage.id, messageKey, sent: result.sent, skipped: result.skipped, removed: result.removed, failed: result.failed.length },
        'personal alerts sent',
      );
    }
    return result;
  }

  async #deliver(outage: Outage, messageKey: string, activity: M, sub: Subscription): Promise<Outcome> {
    const claim = await this.#subscriptions.claim(outage.id, messageKey, sub.key, this.#clock.now(), this.#leaseMs);
    if (claim !== 'claimed') return { kind: 'skipped' };
    try {
      await this.#sender.send(sub.reach, activity, { key: `${outage.id}:alert:${messageKey}:${sub.key}`, purpose: { kind: 'alert', outageId: outage.id, system: outage.system } });
    } catch (err) {
      const statusCode = statusOf(err);
      await this.#subscriptions.release(outage.id, messageKey, sub.key);
      if (statusCode === 403 || statusCode === 404) {
        await this.#subscriptions.remove(sub.key);
        this.#logger.info({ outageId: outage.id, messageKey, statusCode }, 'subscriber unreachable (blocked or removed the bot): subscription deleted');
        return { kind: 'removed' };
      }
      const failure: FanOutFailure = { personKey: sub.key, statusCode, error: messageOf(err) };
      this.#logger.warn({ outageId: outage.id, messageKey, statusCode, error: failure.error }, 'personal alert not delivered; left for a retry');
      return { kind: 'failed', failure };
    }
    await this.#subscriptions.markDelivered(outage.id, messageKey, sub.key);
    return { kind: 'sent' };
  }
}
