import type { Storage } from 'botbuilder';
import type { SystemId } from '../domain/types';
import { ID_PATTERN, LANGUAGES, type Language } from '../instruction/schema';
import { SharedDocument } from './document';
import { updateWithRetry } from './etag';

/**
 * Personal alerts ("følg nedbrud" / "stop nedbrud", DESIGN.md): who wants the
 * announcement, the updates and the all-clear in their 1:1 chat, and which
 * personal alerts each has already had.
 *
 * - The subscribers are ONE document (`subscriptions`, a SharedDocument): storage
 *   has no list or query, and a municipality has hundreds of subscribers at most.
 *   A record holds only what delivery needs: the person's key and display name,
 *   their 1:1 chat, the system (or all), since when, and the language the alerts
 *   are written in (theirs when they subscribed, kept up to date when it changes). Unsubscribing deletes
 *   the record entirely (DESIGN.md, Privacy: "in a subscription while it lasts").
 * - Deliveries are one document per outage (`alerts/<outageId>`): per message key
 *   (e.g. `announcement`, `update:<id>`, `allclear`) the person keys it reached,
 *   plus short-lived claims. It is deleted with the outage by the retention purge
 *   (src/store/retention.ts), so it lives no longer than the timeline.
 *
 * Exactly once: a sender first claims (person, message) — one eTag-checked write,
 * so two processes cannot both send — then sends, then marks it delivered. A claim
 * older than its lease counts as free again: if the process died between claim
 * and send, a later fan-out sends it (at least once, never zero). A death between
 * Teams accepting and the record being written means a second copy after the lease.
 */

export const SUBSCRIPTIONS_KEY = 'subscriptions';
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

export interface MessageDeliveries {
  /** The message key: 'announcement', 'update:<updateId>', 'allclear'. */
  readonly key: string;
  /** Person keys that got it. */
  readonly delivered: readonly string[];
  /** Sends in progress: person key and when the claim was made (ISO). */
  readonly claims: readonly { readonly person: string; readonly at: string }[];
}

export interface AlertsDoc {
  readonly messages: readonly MessageDeliveries[];
}

export type SubscribeResult =
  | { readonly kind: 'new'; readonly subscription: Subscription }
  | { readonly kind: 'changed'; readonly subscription: Subscription; readonly previous: SystemId | null }
  | { readonly kind: 'same'; readonly subscription: Subscription };

export type ClaimOutcome = 'claimed' | 'delivered' | 'busy';

/** How long a claim holds before another fan-out may send the same message (default 2 min). */
export const DEFAULT_CLAIM_LEASE_MS = 2 * 60_000;

const isSystem = (s: unknown): s is SystemId => typeof s === 'string' && ID_PATTERN.test(s);
const isLanguage = (l: unknown): l is Language => typeof l === 'string' && (LANGUAGES as readonly string[]).includes(l);
/** A stored list, or none if the document holds something else; `Array.isArray` alone would make a readonly list `any[]`. */
const listOf = <T>(stored: readonly T[] | undefined): readonly T[] => (Array.isArray(stored) ? (stored as readonly T[]) : []);

function normaliseSubscriptions(stored: Partial<SubscriptionsDoc> | undefined): SubscriptionsDoc {
  const list = listOf(stored?.subscribers);
  return {
    subscribers: list
      .filter(
        (s): s is Subscription =>
          typeof s === 'object' &&
          s !== null &&
          typeof s.key === 'string' &&
          typeof s.reach?.conversationId === 'string' &&
          typeof s.reach.serviceUrl === 'string' &&
          (s.system === null || isSystem(s.system)),
      )
      .map((s) => (isLanguage(s.lang) ? s : { ...s, lang: 'da' })),
  };
}

function normaliseAlerts(stored: Partial<AlertsDoc> | undefined): AlertsDoc {
  const list = listOf(stored?.messages);
  return {
    messages: list.map((m) => ({
      key: String(m.key),
      delivered: listOf(m.delivered),
      claims: listOf(m.claims),
    })),
  };
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

function withMessage(doc: AlertsDoc, key: string, change: (m: MessageDeliveries) => MessageDeliveries): AlertsDoc {
  const existing = doc.messages.find((m) => m.key === key) ?? { key, delivered: [], claims: [] };
  const next = change(existing);
  const others = doc.messages.filter((m) => m.key !== key);
  return { messages: [...others, next] };
}

export class Subscriptions {
  readonly #doc: SharedDocument<SubscriptionsDoc>;

  constructor(private readonly storage: Storage) {
    this.#doc = new SharedDocument<SubscriptionsDoc>(storage, SUBSCRIPTIONS_KEY, normaliseSubscriptions);
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

  // -- deliveries ---------------------------------------------------------

  async #alerts(outageId: string): Promise<AlertsDoc> {
    const items = (await this.storage.read([alertsKey(outageId)])) as Record<string, (Partial<AlertsDoc> & { eTag?: string }) | undefined>;
    const { eTag: _eTag, ...doc } = items[alertsKey(outageId)] ?? {};
    return normaliseAlerts(doc);
  }

  async #changeAlerts<R>(outageId: string, change: (doc: AlertsDoc) => { doc?: AlertsDoc; result: R }): Promise<R> {
    let result: R | undefined;
    await updateWithRetry<AlertsDoc>(
      this.storage,
      alertsKey(outageId),
      (current) => {
        const out = change(normaliseAlerts(current));
        result = out.result;
        return out.doc;
      },
      { attempts: 200 },
    );
    return result as R;
  }

  async wasDelivered(outageId: string, messageKey: string, personKey: string): Promise<boolean> {
    const doc = await this.#alerts(outageId);
    return doc.messages.some((m) => m.key === messageKey && m.delivered.includes(personKey));
  }

  /** Person keys that already got this message. */
  async deliveredTo(outageId: string, messageKey: string): Promise<ReadonlySet<string>> {
    const doc = await this.#alerts(outageId);
    return new Set(doc.messages.find((m) => m.key === messageKey)?.delivered ?? []);
  }

  /**
   * Claims the right to send this message to this person: 'claimed' (go ahead,
   * then markDelivered or release), 'delivered' (already done), or 'busy' (another
   * send holds a claim younger than the lease).
   */
  claim(outageId: string, messageKey: string, personKey: string, at: Date, leaseMs = DEFAULT_CLAIM_LEASE_MS): Promise<ClaimOutcome> {
    return this.#changeAlerts<ClaimOutcome>(outageId, (doc) => {
      const m = doc.messages.find((x) => x.key === messageKey);
      if (m?.delivered.includes(personKey)) return { result: 'delivered' };
      const held = m?.claims.find((c) => c.person === personKey);
      if (held && at.getTime() - Date.parse(held.at) < leaseMs) return { result: 'busy' };
      const next = withMessage(doc, messageKey, (x) => ({
        ...x,
        claims: [...x.claims.filter((c) => c.person !== personKey), { person: personKey, at: at.toISOString() }],
      }));
      return { doc: next, result: 'claimed' };
    });
  }

  /** Gives a claim back without delivering (the send failed; a later fan-out may try again). */
  release(outageId: string, messageKey: string, personKey: string): Promise<void> {
    return this.#changeAlerts<void>(outageId, (doc) => {
      const m = doc.messages.find((x) => x.key === messageKey);
      if (!m?.claims.some((c) => c.person === personKey)) return { result: undefined };
      return { doc: withMessage(doc, messageKey, (x) => ({ ...x, claims: x.claims.filter((c) => c.person !== personKey) })), result: undefined };
    });
  }

  /** Records that the person got the message (and drops their claim). Idempotent. */
  markDelivered(outageId: string, messageKey: string, personKey: string): Promise<void> {
    return this.#changeAlerts<void>(outageId, (doc) => {
      const m = doc.messages.find((x) => x.key === messageKey);
      if (m?.delivered.includes(personKey) && !m.claims.some((c) => c.person === personKey)) return { result: undefined };
      return {
        doc: withMessage(doc, messageKey, (x) => ({
          key: x.key,
          delivered: x.delivered.includes(personKey) ? x.delivered : [...x.delivered, personKey],
          claims: x.claims.filter((c) => c.person !== personKey),
        })),
        result: undefined,
      };
    });
  }

  /** Deletes an outage's delivery records (the retention purge does this with the outage). */
  async purgeAlerts(outageId: string): Promise<void> {
    await this.storage.delete([alertsKey(outageId)]);
  }
}
