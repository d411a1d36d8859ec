import type { Storage } from 'botbuilder';
import { z } from 'zod';
import { isRecord } from '../lib/isRecord';
import { schemaFor } from '../lib/schemaFor';
import { baseConversationId, tenantOf } from '../teams/addressing';
import { defaultDocumentLog, parseMap, type DocumentLog } from './document';
import { updateWithRetry } from './etag';

/**
 * The channel registry (DESIGN.md, "Channel roles"): where each Teams channel the
 * bot has seen lives, and which roles a Nexusteam member gave it. Storage has no
 * list or query, so the whole registry is ONE document (key `channels`), changed
 * only through `updateWithRetry` (eTag read-modify-write). A municipality has tens
 * of channels, not thousands: one small document is enough.
 *
 * Who may change roles is decided in src/bot/access.ts (NexusteamDirectory):
 * the `nexusteam` role only by a configured admin, other roles by any Nexusteam
 * member. This module stores; it does not authorise.
 */

export const CHANNEL_ROLES = ['staff', 'nexusteam', 'providers', 'homecare'] as const;
export type ChannelRole = (typeof CHANNEL_ROLES)[number];

export interface ChannelRecord {
  /** The channel's conversation id, never a thread's (no `;messageid=`). */
  readonly conversationId: string;
  readonly serviceUrl: string;
  readonly tenantId: string;
  readonly teamId: string;
  readonly teamName?: string;
  readonly channelName?: string;
  /** Empty = known but not registered for anything. */
  readonly roles: readonly ChannelRole[];
  /** Who last set the roles (a Teams/Entra key and display name). */
  readonly registeredBy?: { readonly key: string; readonly name: string };
  /** ISO 8601, when the record last changed. */
  readonly updatedAt: string;
}

/** Where a channel is, as read from an activity. */
export type ChannelLocation = Omit<ChannelRecord, 'roles' | 'updatedAt' | 'registeredBy'>;

/** A role that is not one of CHANNEL_ROLES (e.g. typed by hand); the bot answers kindly. */
export class UnknownChannelRoleError extends Error {
  override name = 'UnknownChannelRoleError';
  readonly role: string;
  readonly known: readonly ChannelRole[] = CHANNEL_ROLES;
  constructor(role: string) {
    super(`Unknown channel role "${role}"; known roles: ${CHANNEL_ROLES.join(', ')}`);
    this.role = role;
  }
}

/** setRoles on a channel the bot has never seen, without saying where it is. */
export class UnknownChannelError extends Error {
  override name = 'UnknownChannelError';
  readonly conversationId: string;
  constructor(conversationId: string) {
    super(`Channel ${conversationId} is not known yet: pass where it is (serviceUrl, tenant, team) to register it`);
    this.conversationId = conversationId;
  }
}

export const CHANNELS_KEY = 'channels';

export function isChannelRole(value: string): value is ChannelRole {
  return (CHANNEL_ROLES as readonly string[]).includes(value);
}

/** Checks, de-duplicates and orders roles (CHANNEL_ROLES order); throws UnknownChannelRoleError. */
export function parseRoles(roles: readonly string[]): ChannelRole[] {
  for (const role of roles) if (!isChannelRole(role)) throw new UnknownChannelRoleError(role);
  return CHANNEL_ROLES.filter((role) => roles.includes(role));
}

const recordSchema = schemaFor<ChannelRecord>()(
  z.object({
    conversationId: z.string().min(1),
    serviceUrl: z.string().min(1),
    tenantId: z.string(),
    teamId: z.string().min(1),
    teamName: z.string().optional(),
    channelName: z.string().optional(),
    // A role this version does not know (a later version's) is left out, not the channel.
    roles: z
      .array(z.string())
      .readonly()
      .transform((roles) => roles.filter(isChannelRole)),
    registeredBy: z.object({ key: z.string(), name: z.string() }).optional(),
    updatedAt: z.string(),
  }),
);

/** The stored document: channel conversation id → record. */
interface ChannelsDoc {
  readonly schema: 1;
  readonly channels: Readonly<Record<string, ChannelRecord>>;
}

/**
 * The stored document, channel by channel: a record that does not parse is left
 * out (and logged), and gone at the next change; a later message from that
 * channel makes it known again (its roles must then be set again).
 */
function parseDoc(value: unknown, log: DocumentLog): ChannelsDoc {
  const channels: Record<string, ChannelRecord> = {};
  const parsed = parseMap(recordSchema, isRecord(value) ? value['channels'] : undefined, log, CHANNELS_KEY, 'channels');
  for (const r of Object.values(parsed)) channels[r.conversationId] = makeRecord(r, r.roles, r.updatedAt, r.registeredBy);
  return { schema: 1, channels };
}

/** A record with no `undefined` fields (storage round trips drop them; comparisons stay exact). */
function makeRecord(
  where: ChannelLocation,
  roles: readonly ChannelRole[],
  updatedAt: string,
  registeredBy: { key: string; name: string } | undefined,
): ChannelRecord {
  return {
    ...locationOf(where),
    roles: [...roles],
    ...(registeredBy !== undefined ? { registeredBy: { key: registeredBy.key, name: registeredBy.name } } : {}),
    updatedAt,
  };
}

/** Just the location fields, without undefined ones. */
function locationOf(c: ChannelLocation): ChannelLocation {
  return {
    conversationId: c.conversationId,
    serviceUrl: c.serviceUrl,
    tenantId: c.tenantId,
    teamId: c.teamId,
    ...(c.teamName !== undefined ? { teamName: c.teamName } : {}),
    ...(c.channelName !== undefined ? { channelName: c.channelName } : {}),
  };
}

/** The newly seen location; a name the activity did not carry keeps the stored one. */
function mergeLocation(current: ChannelLocation | undefined, seen: ChannelLocation): ChannelLocation {
  const teamName = seen.teamName ?? current?.teamName;
  const channelName = seen.channelName ?? current?.channelName;
  return locationOf({ ...seen, ...(teamName !== undefined ? { teamName } : {}), ...(channelName !== undefined ? { channelName } : {}) });
}

export class ChannelRegistry {
  readonly #storage: Storage;
  readonly #log: DocumentLog;

  constructor(storage: Storage, log: DocumentLog = defaultDocumentLog()) {
    this.#storage = storage;
    this.#log = log;
  }

  /**
   * From installationUpdate / conversationUpdate / any channel message: remember
   * where a channel is. Roles are never changed here. Writes nothing when the
   * stored record already says the same (a name missing from the activity keeps
   * the stored name), so calling it on every message costs one read.
   */
  async remember(c: ChannelLocation, at: Date): Promise<void> {
    const location = normaliseLocation(c);
    await this.#update((doc) => {
      const current = doc.channels[location.conversationId];
      const next = mergeLocation(current, location);
      if (current && sameLocation(current, next)) return undefined;
      return put(doc, makeRecord(next, current?.roles ?? [], at.toISOString(), current?.registeredBy));
    });
  }

  /**
   * Replaces the channel's roles (an empty list unregisters it but keeps where it
   * is). `where` registers a channel not seen before on the spot and refreshes the
   * location of a known one. Throws UnknownChannelRoleError for a role not in
   * CHANNEL_ROLES and UnknownChannelError for an unknown channel without `where`.
   * Authorisation is the caller's (NexusteamDirectory.mayChangeRoles).
   */
  async setRoles(
    conversationId: string,
    roles: readonly string[],
    by: { key: string; name: string },
    at: Date,
    where?: ChannelLocation,
  ): Promise<ChannelRecord> {
    const id = baseConversationId(conversationId);
    const valid = parseRoles(roles);
    const location = where ? normaliseLocation(where) : undefined;
    if (location && location.conversationId !== id) {
      throw new TypeError(`setRoles: where.conversationId ${location.conversationId} is not the channel ${id}`);
    }
    const stored = await this.#update((doc) => {
      const current = doc.channels[id];
      const seen = location ?? current;
      if (!seen) throw new UnknownChannelError(id);
      const next = mergeLocation(current, seen);
      if (current && sameLocation(current, next) && sameRoles(current.roles, valid)) return undefined;
      return put(doc, makeRecord(next, valid, at.toISOString(), by));
    });
    const record = stored.channels[id];
    if (!record) throw new Error(`setRoles: channel ${id} missing after the update`);
    return record;
  }

  /** Forgets the channel: its roles and the record. A later message there makes it known again, without roles. */
  async remove(conversationId: string): Promise<void> {
    const id = baseConversationId(conversationId);
    await this.#update((doc) => {
      if (!doc.channels[id]) return undefined;
      return { schema: 1, channels: Object.fromEntries(Object.entries(doc.channels).filter(([key]) => key !== id)) };
    });
  }

  /** Forgets every channel of a team (the bot was removed from it, or the team was deleted). */
  async removeTeam(teamId: string): Promise<void> {
    await this.#update((doc) => {
      const kept = Object.values(doc.channels).filter((c) => c.teamId !== teamId);
      if (kept.length === Object.keys(doc.channels).length) return undefined;
      return { schema: 1, channels: Object.fromEntries(kept.map((c) => [c.conversationId, c])) };
    });
  }

  async get(conversationId: string): Promise<ChannelRecord | undefined> {
    return (await this.#read()).channels[baseConversationId(conversationId)];
  }

  /** Every known channel: registered ones (with roles) first, then by team, channel name and id. */
  async list(): Promise<ChannelRecord[]> {
    const channels = Object.values((await this.#read()).channels);
    return channels.sort(
      (a, b) =>
        Number(b.roles.length > 0) - Number(a.roles.length > 0) ||
        compare(a.teamName ?? a.teamId, b.teamName ?? b.teamId) ||
        compare(a.channelName ?? '', b.channelName ?? '') ||
        compare(a.conversationId, b.conversationId),
    );
  }

  /** The channels holding `role` (throws UnknownChannelRoleError for an unknown role). */
  async withRole(role: ChannelRole): Promise<ChannelRecord[]> {
    if (!isChannelRole(role)) throw new UnknownChannelRoleError(role);
    return (await this.list()).filter((c) => c.roles.includes(role));
  }

  /** Team ids with at least one channel holding `role`, each once. */
  async teamsWithRole(role: ChannelRole): Promise<string[]> {
    return [...new Set((await this.withRole(role)).map((c) => c.teamId))];
  }

  async #read(): Promise<ChannelsDoc> {
    const items = await this.#storage.read([CHANNELS_KEY]);
    return parseDoc(items[CHANNELS_KEY], this.#log);
  }

  /** updateWithRetry on the parsed document; resolves to the document as stored afterwards. */
  async #update(change: (doc: ChannelsDoc) => ChannelsDoc | undefined): Promise<ChannelsDoc> {
    const stored = await updateWithRetry<ChannelsDoc>(
      this.#storage,
      CHANNELS_KEY,
      (current) => change(parseDoc(current, this.#log)),
      // Every conflict means another writer succeeded; allow for many at once.
      { attempts: 50 },
    );
    return parseDoc(stored, this.#log);
  }
}

function put(doc: ChannelsDoc, record: ChannelRecord): ChannelsDoc {
  return { schema: 1, channels: { ...doc.channels, [record.conversationId]: record } };
}

function normaliseLocation(c: ChannelLocation): ChannelLocation {
  const conversationId = baseConversationId(c.conversationId);
  if (conversationId === '' || c.serviceUrl === '' || c.teamId === '') {
    throw new TypeError('channel location needs a conversation id, serviceUrl and team id');
  }
  return locationOf({ ...c, conversationId });
}

function sameLocation(a: ChannelLocation, b: ChannelLocation): boolean {
  return (
    a.conversationId === b.conversationId &&
    a.serviceUrl === b.serviceUrl &&
    a.tenantId === b.tenantId &&
    a.teamId === b.teamId &&
    a.teamName === b.teamName &&
    a.channelName === b.channelName
  );
}

function sameRoles(a: readonly ChannelRole[], b: readonly ChannelRole[]): boolean {
  return a.length === b.length && a.every((r, i) => r === b[i]);
}

function compare(a: string, b: string): number {
  return a.localeCompare(b, 'da');
}


/** The parts of a Teams activity this module reads. */
export interface ChannelActivity {
  readonly channelId?: string;
  readonly serviceUrl?: string;
  readonly conversation?: { readonly id?: string; readonly tenantId?: string };
  readonly channelData?: unknown;
}

/** conversationUpdate events whose subject is channelData.channel, not the conversation (the team's General channel). */
const CHANNEL_EVENTS = new Set(['channelCreated', 'channelRenamed', 'channelRestored']);

/**
 * Where the channel of a Teams activity is, or null when the activity is not
 * from a team's channel (1:1 and group chats have no channelData.team).
 *
 * - conversation id without `;messageid=…`;
 * - tenant from conversation.tenantId, else channelData.tenant.id;
 * - channel name only when channelData.channel is this conversation's channel;
 * - for conversationUpdate channelCreated / channelRenamed / channelRestored the
 *   subject is channelData.channel (the activity's conversation is the General
 *   channel), so that channel is returned.
 */
export function channelFromActivity(activity: ChannelActivity): ChannelLocation | null {
  if (activity.channelId !== undefined && activity.channelId !== 'msteams') return null;
  const data = isRecord(activity.channelData) ? activity.channelData : {};
  const team = isRecord(data['team']) ? data['team'] : undefined;
  const channel = isRecord(data['channel']) ? data['channel'] : undefined;
  const teamId = str(team?.['id']);
  const serviceUrl = activity.serviceUrl;
  const tenantId = tenantOf(activity);
  if (!teamId || !serviceUrl || !tenantId) return null;

  const eventType = str(data['eventType']);
  const channelId = str(channel?.['id']);
  const conversationId =
    eventType !== undefined && CHANNEL_EVENTS.has(eventType) && channelId
      ? channelId
      : baseConversationId(activity.conversation?.id ?? '');
  if (conversationId === '') return null;

  const teamName = str(team?.['name']);
  const channelName = channelId !== undefined && baseConversationId(channelId) === conversationId ? str(channel?.['name']) : undefined;
  return {
    conversationId,
    serviceUrl,
    tenantId,
    teamId,
    ...(teamName !== undefined ? { teamName } : {}),
    ...(channelName !== undefined ? { channelName } : {}),
  };
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
