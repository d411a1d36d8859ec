import { randomUUID } from 'node:crypto';
import type { Activity, TurnContext } from 'botbuilder';
import type { Clock } from '../../domain/clock';
import type { OfficeHours } from '../../domain/officeHours';
import type { Person } from '../../domain/outage';
import type { Instruction } from '../../instruction/schema';
import type { ChannelRegistry } from '../../store/channels';
import type { NexusteamDirectory } from '../access';
import { languageOf } from '../i18n';
import type { OutageService } from '../outageService';
import type { ViewContext } from '../views';

/** Who may act as the Nexusteam; decided on the server for every submit and command. */
export interface AccessCheck {
  isNexusteam(context: Pick<TurnContext, 'activity'>): Promise<boolean>;
  /** False when the activity comes from a tenant the bot does not serve. */
  tenantAllowed(context: Pick<TurnContext, 'activity'>): boolean;
}

/** The channel registry and the rule for changing a channel's roles. */
export interface ChannelAdmin {
  readonly registry: ChannelRegistry;
  mayChangeRoles: NexusteamDirectory['mayChangeRoles'];
}

/** What dialogs and handlers need from the outside world, handed in by the composition root. */
export interface TurnServices {
  view(context: TurnContext): Promise<ViewContext>;
  readonly escalationAfterMinutes: number;
  readonly detectionWindowMinutes: number;
  readonly outages: OutageService;
  readonly access: AccessCheck;
  readonly channels: ChannelAdmin;
  /** A fresh id for a card's submit (idempotency key). */
  newId(): string;
}

export interface TurnServicesDeps {
  readonly instruction: Instruction;
  readonly clock: Clock;
  /** Office hours with the current ad-hoc closures applied. */
  readonly officeHours: (lang: ViewContext['lang']) => Promise<OfficeHours>;
  readonly escalationAfterMinutes: number;
  readonly detectionWindowMinutes: number;
  readonly outages: OutageService;
  readonly access: AccessCheck;
  readonly channels: ChannelAdmin;
}

export function turnServices(deps: TurnServicesDeps): TurnServices {
  return {
    escalationAfterMinutes: deps.escalationAfterMinutes,
    detectionWindowMinutes: deps.detectionWindowMinutes,
    outages: deps.outages,
    access: deps.access,
    channels: deps.channels,
    newId: () => randomUUID(),
    async view(context) {
      const lang = languageOf(context.activity.locale);
      return { lang, instruction: deps.instruction, now: deps.clock.now(), hours: await deps.officeHours(lang) };
    },
  };
}

/** The person behind an activity: the Entra object id when Teams gives one, else the Teams id. */
export function personOf(activity: Partial<Activity>): Person {
  const from = activity.from;
  return { key: from?.aadObjectId || from?.id || 'unknown', name: from?.name?.trim() || 'En kollega' };
}
