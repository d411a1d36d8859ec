import type { Logger } from 'pino';
import { maskCpr } from '../domain/cpr';
import type { Outage } from '../domain/outage';
import type { Language } from '../instruction/schema';
import type { Subscriptions } from '../store/subscriptions';
import type { Message } from './messages';
import { messageId, type Messenger, type Outgoing } from './ports';

/**
 * Personal alerts: the announcement, each update and the all-clear of an outage,
 * queued 1:1 for everyone who follows that system (or all systems), in each
 * subscriber's language (kept with the subscription). Each is one outbox message
 * per person and message (its id names the outage, the message and the person),
 * so however often the fan-out runs, nobody gets it twice. A subscriber Teams no
 * longer reaches (403, 404: they blocked or removed the bot) is removed by the
 * outbox's hook (src/app/outboxHooks.ts), which also reports other failures.
 *
 * Privacy: every string in what is queued passes through maskCpr, although the
 * outage service masked the texts already (defence in depth).
 */

/** Message keys of the personal alerts of one outage. */
export const alertMessageKey = {
  announcement: 'announcement',
  update: (updateId: string) => `update:${updateId}`,
  allclear: 'allclear',
} as const;

export interface PersonalAlertsOptions {
  readonly subscriptions: Subscriptions;
  readonly messenger: Messenger;
  readonly logger: Logger;
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

export class PersonalAlerts {
  readonly #subscriptions: Subscriptions;
  readonly #messenger: Messenger;
  readonly #logger: Logger;

  constructor(options: PersonalAlertsOptions) {
    this.#subscriptions = options.subscriptions;
    this.#messenger = options.messenger;
    this.#logger = options.logger;
  }

  /**
   * Queues `message` (one, or one per language) for every subscriber of the
   * outage's system (and of all systems), each in their language. Returns how
   * many were queued; storage errors propagate (the job runs again, and the ids
   * keep it from queueing anything twice).
   */
  async fanOut(outage: Outage, messageKey: string, message: Message | ((lang: Language) => Message)): Promise<number> {
    const subscribers = await this.#subscriptions.forSystem(outage.system);
    const rendered = new Map<Language, Message>();
    const inLanguage = (lang: Language): Message => {
      let masked = rendered.get(lang);
      if (masked === undefined) {
        masked = maskDeep(typeof message === 'function' ? message(lang) : message);
        rendered.set(lang, masked);
      }
      return masked;
    };
    const messages = subscribers.map(
      (sub): Outgoing => ({
        id: messageId(`${outage.id}:alert:${messageKey}:${sub.key}`),
        op: 'send',
        target: sub.reach,
        message: inLanguage(sub.lang),
        purpose: { kind: 'alert', outageId: outage.id, system: outage.system, subscriber: sub.key, message: messageKey },
      }),
    );
    await this.#messenger.queue(messages);
    if (messages.length > 0) this.#logger.info({ outageId: outage.id, messageKey, queued: messages.length }, 'personal alerts queued');
    return messages.length;
  }
}
