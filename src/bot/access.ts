import { TeamsInfo, type CloudAdapter } from 'botbuilder';
import type { Config } from '../config';
import type { Clock } from '../domain/clock';
import type { Logger } from '../log';
import { runProactive } from '../notify/sender';
import type { ChannelRegistry, ChannelRole } from '../store/channels';
import { tenantOf } from '../teams/addressing';

/**
 * Who is Nexusteam (DESIGN.md, Rulings):
 *   1. the Entra object ids in configuration (NEXUSTEAM_IDS): the configured admins;
 *   2. members of a team whose channel holds the `nexusteam` role.
 * Nobody else can make themselves admin, because only a configured admin may give
 * (or take away) the `nexusteam` role; every other role may be set by any
 * Nexusteam member (`mayChangeRoles`). The bot must ask before every setRoles /
 * remove, on the server, whatever the card showed.
 *
 * Membership is asked of Teams (MemberLookup) and cached for `cacheMinutes`
 * (default 10), yes and no alike, by the injected clock. Which teams count is read
 * from the registry on every check, so removing the role takes effect at once; a
 * person removed from the team keeps access until their cached "yes" expires.
 */

export interface MemberLookup {
  /** Is `userId` (an Entra object id or a Teams 29: id) a member of the team? */
  isMember(teamId: string, userId: string, where: { serviceUrl: string; tenantId?: string }): Promise<boolean>;
}

export interface TeamsUser {
  readonly aadObjectId?: string;
  /** The Teams id (29:…). */
  readonly id: string;
}

export interface Where {
  readonly serviceUrl: string;
  readonly tenantId?: string;
}

/** Why a role change is refused, for a kind answer. */
export type RoleChangeDecision =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      /** `configured-admin-only`: the change gives or takes the `nexusteam` role; `nexusteam-only`: the person is not Nexusteam. */
      readonly reason: 'configured-admin-only' | 'nexusteam-only';
    };

/** A membership lookup that failed (network, throttling); the answer is unknown, not "no". */
export class MembershipLookupError extends Error {
  override name = 'MembershipLookupError';
}

interface CachedAnswer {
  readonly member: boolean;
  readonly expiresAt: number;
}

/** Past this many cached answers, expired ones are dropped on the next insert. */
const CACHE_PRUNE_AT = 2_000;

export class NexusteamDirectory {
  readonly #admins: ReadonlySet<string>;
  readonly #channels: ChannelRegistry;
  readonly #members: MemberLookup;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #cache = new Map<string, CachedAnswer>();
  readonly #inFlight = new Map<string, Promise<boolean>>();

  constructor(opts: { config: Pick<Config, 'nexusteamIds'>; channels: ChannelRegistry; members: MemberLookup; clock: Clock; cacheMinutes?: number }) {
    this.#admins = new Set(opts.config.nexusteamIds.map(normaliseId));
    this.#channels = opts.channels;
    this.#members = opts.members;
    this.#clock = opts.clock;
    const minutes = opts.cacheMinutes ?? 10;
    if (!(minutes >= 0)) throw new RangeError(`NexusteamDirectory: cacheMinutes must be 0 or more, got ${minutes}`);
    this.#ttlMs = minutes * 60_000;
  }

  /** One of the Entra object ids in NEXUSTEAM_IDS (case-insensitive). */
  isConfiguredAdmin(aadObjectId: string | undefined): boolean {
    return aadObjectId !== undefined && aadObjectId !== '' && this.#admins.has(normaliseId(aadObjectId));
  }

  /**
   * A configured admin, or a member of a team with a `nexusteam` channel. Teams of
   * another tenant than `where.tenantId` are not asked. Throws MembershipLookupError
   * when no team said yes and a lookup failed (unknown is not "no": the person gets
   * "try again", not "you may not").
   */
  async isNexusteam(user: TeamsUser, where: Where): Promise<boolean> {
    if (this.isConfiguredAdmin(user.aadObjectId)) return true;
    const userId = user.aadObjectId || user.id;
    if (!userId) return false;

    const teams = new Map<string, Where>();
    for (const channel of await this.#channels.withRole('nexusteam')) {
      if (where.tenantId && channel.tenantId && channel.tenantId !== where.tenantId) continue;
      if (!teams.has(channel.teamId)) teams.set(channel.teamId, { serviceUrl: channel.serviceUrl, tenantId: channel.tenantId });
    }

    let failure: unknown;
    for (const [teamId, teamWhere] of teams) {
      try {
        if (await this.#isMember(teamId, userId, teamWhere)) return true;
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure !== undefined) {
      throw new MembershipLookupError('Could not check membership of the Nexusteam team', { cause: failure });
    }
    return false;
  }

  /**
   * May `user` change a channel's roles from `current` to `next`? Giving or taking
   * the `nexusteam` role needs a configured admin (else any Nexusteam member could
   * make a team of their choosing Nexusteam); other roles need a Nexusteam member.
   */
  async mayChangeRoles(
    current: readonly ChannelRole[],
    next: readonly ChannelRole[],
    user: TeamsUser,
    where: Where,
  ): Promise<RoleChangeDecision> {
    const touchesNexusteam = current.includes('nexusteam') !== next.includes('nexusteam');
    if (touchesNexusteam) {
      return this.isConfiguredAdmin(user.aadObjectId) ? { allowed: true } : { allowed: false, reason: 'configured-admin-only' };
    }
    return (await this.isNexusteam(user, where)) ? { allowed: true } : { allowed: false, reason: 'nexusteam-only' };
  }

  /** Registering a channel not registered before (no roles yet) with `roles`. */
  async mayRegister(roles: readonly ChannelRole[], user: TeamsUser, where: Where): Promise<RoleChangeDecision> {
    return this.mayChangeRoles([], roles, user, where);
  }

  async #isMember(teamId: string, userId: string, where: Where): Promise<boolean> {
    const key = `${teamId}\n${normaliseId(userId)}`;
    const now = this.#clock.now().getTime();
    const cached = this.#cache.get(key);
    if (cached && cached.expiresAt > now) return cached.member;

    const pending = this.#inFlight.get(key);
    if (pending) return pending;
    const lookup = this.#members.isMember(teamId, userId, where).then((member) => {
      this.#remember(key, member);
      return member;
    });
    this.#inFlight.set(key, lookup);
    try {
      return await lookup;
    } finally {
      this.#inFlight.delete(key);
    }
  }

  #remember(key: string, member: boolean): void {
    if (this.#ttlMs === 0) return;
    const now = this.#clock.now().getTime();
    if (this.#cache.size >= CACHE_PRUNE_AT) {
      for (const [k, v] of this.#cache) if (v.expiresAt <= now) this.#cache.delete(k);
    }
    this.#cache.set(key, { member, expiresAt: now + this.#ttlMs });
  }
}

/** Entra object ids are GUIDs: compare without case. Teams ids keep their case but are compared the same way. */
function normaliseId(id: string): string {
  return id.trim().toLowerCase();
}

/** True when the bot serves this tenant: ALLOWED_TENANT_IDS (or the app's tenant); empty = any (development). */
export function tenantAllowed(config: Pick<Config, 'allowedTenantIds'>, tenantId: string | undefined): boolean {
  if (config.allowedTenantIds.length === 0) return true;
  return tenantId !== undefined && config.allowedTenantIds.includes(tenantId);
}

/** The parts of a turn the per-turn checks read (a TurnContext fits). */
export interface TurnLike {
  readonly activity: {
    readonly from: { readonly id: string; readonly aadObjectId?: string };
    readonly serviceUrl: string;
    readonly conversation?: { readonly tenantId?: string };
    readonly channelData?: unknown;
  };
}

/**
 * The per-turn checks the dialogs use (structurally the bot's AccessCheck):
 * isNexusteam for the activity's sender, tenantAllowed for its tenant.
 */
export function turnAccess(directory: NexusteamDirectory, config: Pick<Config, 'allowedTenantIds'>) {
  return {
    isNexusteam(context: TurnLike): Promise<boolean> {
      const { from, serviceUrl } = context.activity;
      const tenantId = tenantOf(context.activity);
      return directory.isNexusteam(
        { id: from.id, ...(from.aadObjectId ? { aadObjectId: from.aadObjectId } : {}) },
        { serviceUrl, ...(tenantId ? { tenantId } : {}) },
      );
    },
    tenantAllowed(context: TurnLike): boolean {
      return tenantAllowed(config, tenantOf(context.activity));
    },
  };
}

/**
 * Asks Teams: GET /v3/conversations/{teamId}/members/{userId} through
 * TeamsInfo.getTeamMember in a proactive turn (so it works from any turn, and
 * from the scheduler). 404 (not a member) and 403 (the bot is no longer in that
 * team, or blocked) are "no"; anything else (throttling, network) throws, and the
 * directory does not cache it. The SDK's own HTTP retry stays on here: a GET is
 * safe to repeat.
 */
export class TeamsMemberLookup implements MemberLookup {
  readonly #adapter: CloudAdapter;
  readonly #appId: string;
  readonly #logger: Logger | undefined;

  constructor(adapter: CloudAdapter, appId: string, logger?: Logger) {
    this.#adapter = adapter;
    this.#appId = appId;
    this.#logger = logger;
  }

  async isMember(teamId: string, userId: string, where: Where): Promise<boolean> {
    const reference = {
      channelId: 'msteams' as const,
      serviceUrl: where.serviceUrl,
      conversation: {
        id: teamId,
        isGroup: true,
        conversationType: 'channel',
        name: '',
        ...(where.tenantId !== undefined ? { tenantId: where.tenantId } : {}),
      },
      ...(this.#appId !== '' ? { bot: { id: this.#appId, name: '' } } : {}),
    };
    try {
      const member = await runProactive(this.#adapter, this.#appId, reference, (ctx) => TeamsInfo.getTeamMember(ctx, teamId, userId));
      return typeof member?.id === 'string' && member.id !== '';
    } catch (err) {
      const status = statusOf(err);
      if (status === 404) return false;
      if (status === 403) {
        this.#logger?.warn({ teamId, statusCode: status }, 'Teams refused the member lookup (bot removed from the team?); treating as not a member');
        return false;
      }
      throw err;
    }
  }
}

function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null || !('statusCode' in err)) return undefined;
  return typeof err.statusCode === 'number' ? err.statusCode : undefined;
}
