import type { Storage } from 'botbuilder';
import { z } from 'zod';
import type { SystemId } from '../domain/types';
import { ID_PATTERN, LANGUAGES, type Language } from '../instruction/schema';
import { isRecord } from '../lib/isRecord';
import { schemaFor } from '../lib/schemaFor';
import { defaultDocumentLog, parseList, SharedDocument, type DocumentLog } from './document';

/**
 * Personal alerts ("følg nedbrud" / "stop nedbrud", DESIGN.md): who wants the
 * announcement, the updates and the all-clear in their 1:1 chat.
 *
 * - The subscribers are ONE document (`subscriptions`, a SharedDocument): storage
 *   has no list or query, and a municipality has hundreds of subscribers at most.
 *   A record holds only what delivery needs: the person's key and display name,
 *   their 1:1 chat, the system (or all), since when, and the language the alerts
 *   are written in (theirs when they subscribed, kept up to date when it changes). Unsubscribing deletes
 *   the record entirely (DESIGN.md, Privacy: "in a subscription while it lasts").

/*
 * Each alert is one outbox message per person and message (src/app/alerts.ts):
 * its id keeps it from going out twice, so no delivery ledger is kept here.
 */

export const SUBSCRIPTIONS_KEY = 'subscriptions';
/** Where the first version kept each outage's alert deliveries; the retention purge still deletes what is left. */
export const alertsKey = (outageId: string) => `alerts/${outageId}`;

/** Where to reach a person: their 1:1 conversation with the bot. */
export interface Reach {
  readonly conversationId: string;
  readonly serviceUrl: string;
  readonly tenantId?: string | undefined;
}

export interface Subscription {
  /** Entra object id when Teams gives one, else the Teams user id (as Person.key). */
  readonly key: string;
  readonly name: string;
  readonly reach: Reach;
  /** One system, or null for all. */
  readonly system: SystemId | null;
  /** ISO instant of the (latest) subscribe. */
  readonly since: string;
  /** The language their alerts are written in (records from before it was kept: Danish). */
  readonly lang: Language;
}

export interface SubscriptionsDoc {
  readonly subscribers: readonly Subscription[];
}

export type SubscribeResult =
  | { readonly kind: 'new'; readonly subscription: Subscription }
  | { readonly kind: 'changed'; readonly subscription: Subscription; readonly previous: SystemId | null }
  | { readonly kind: 'same'; readonly subscription: Subscription };


const reachSchema = schemaFor<Reach>()(z.object({ conversationId: z.string(), serviceUrl: z.string(), tenantId: z.string().optional() }));

const subscriptionSchema = schemaFor<Subscription>()(
  z.object({
    key: z.string(),
    name: z.string(),
    reach: reachSchema,
    system: z.string().regex(ID_PATTERN).nullable(),
    since: z.string(),
    // Records from before the language was kept have none (and their alerts were Danish).
    lang: z.enum(LANGUAGES).catch('da'),
  }),
);

/** The subscribers that parse; one that does not is left out (and logged), and is gone at the next change. */
function parseSubscriptions(stored: unknown, log: DocumentLog): SubscriptionsDoc {
  return { subscribers: parseList(subscriptionSchema, isRecord(stored) ? stored['subscribers'] : undefined, log, SUBSCRIPTIONS_KEY, 'subscribers') };
}

function cleanReach(reach: Reach): Reach {
  return {
    conversationId: reach.conversationId,
    serviceUrl: reach.serviceUrl,
    ...(reach.tenantId ? { tenantId: reach.tenantId } : {}),
  };
}

function sameReach(a: Reach, b: Reach): boolean {
  return a.conversationId === b.conversationId && a.serviceUrl === b.serviceUrl && (a.tenantId ?? '') === (b.tenantId ?? '');
}

export class Subscriptions {
  readonly #doc: SharedDocument<SubscriptionsDoc, unknown>;

  constructor(
    private readonly storage: Storage,
    log: DocumentLog = defaultDocumentLog(),
  ) {
    this.#doc = new SharedDocument<SubscriptionsDoc, unknown>(storage, SUBSCRIPTIONS_KEY, (stored) => parseSubscriptions(stored, log));
  }

  /**
   * Subscribes a person to one system's alerts, or to all (`system` null). The
   * latest choice wins ("følg nedbrud bekey" after "følg nedbrud" means Bekey only);
   * the 1:1 chat and the language (`person.lang`, default Danish) are refreshed every time.
   */
  subscribe(
    person: { readonly key: string; readonly name: string; readonly lang?: Language | undefined },
    reach: Reach,
    system: SystemId | null,
    at: Date,
  ): Promise<SubscribeResult> {
    const lang = person.lang ?? 'da';
    const subscription: Subscription = { key: person.key, name: person.name, reach: cleanReach(reach), system, since: at.toISOString(), lang };
    return this.#doc.change((doc): { doc?: SubscriptionsDoc; result: SubscribeResult } => {
      const existing = doc.subscribers.find((s) => s.key === person.key);
      if (!existing) return { doc: { subscribers: [...doc.subscribers, subscription] }, result: { kind: 'new', subscription } };
      if (existing.system === system && existing.name === person.name && existing.lang === lang && sameReach(existing.reach, subscription.reach)) {
        return { result: { kind: 'same', subscription: existing } };
      }
      const next: Subscription = { ...subscription, since: existing.system === system ? existing.since : subscription.since };
      return {
        doc: { subscribers: doc.subscribers.map((s) => (s.key === person.key ? next : s)) },
        result: existing.system === system ? { kind: 'same', subscription: next } : { kind: 'changed', subscription: next, previous: existing.system },
      };
    });
  }

  /**
   * The person's language changed ("english", "dansk", or they now write the other
   * language): their alerts follow. Writes only when they subscribe and it differs;
   * true if it did.
   */
  setLanguage(key: string, lang: Language): Promise<boolean> {
    return this.#doc.change((doc) => {
      if (!doc.subscribers.some((s) => s.key === key && s.lang !== lang)) return { result: false };
      return { doc: { subscribers: doc.subscribers.map((s) => (s.key === key ? { ...s, lang } : s)) }, result: true };
    });
  }

  /** "stop nedbrud": deletes the person's record entirely. True if there was one. */
  unsubscribe(key: string): Promise<boolean> {
    return this.#doc.change((doc) => {
      if (!doc.subscribers.some((s) => s.key === key)) return { result: false };
      return { doc: { subscribers: doc.subscribers.filter((s) => s.key !== key) }, result: true };
    });
  }

  /** Removes a subscriber the bot can no longer reach (blocked, uninstalled: 403/404). Same as unsubscribe. */
  remove(key: string): Promise<boolean> {
    return this.unsubscribe(key);
  }

  async get(key: string): Promise<Subscription | null> {
    return (await this.#doc.read()).subscribers.find((s) => s.key === key) ?? null;
  }

  async all(): Promise<readonly Subscription[]> {
    return (await this.#doc.read()).subscribers;
  }

  /** Everyone who wants alerts about this system: subscribers of it and of all systems. */
  async forSystem(system: SystemId): Promise<Subscription[]> {
    return (await this.#doc.read()).subscribers.filter((s) => s.system === null || s.system === system);
  }
}
