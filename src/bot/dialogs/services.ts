import { randomUUID } from 'node:crypto';
import type { TurnContext } from 'botbuilder';
import type { Clock } from '../../domain/clock';
import { recognizerFor, type Recognizer } from '../../domain/intent';
import type { OfficeHours } from '../../domain/officeHours';
import type { Config } from '../../config';
import type { Instruction } from '../../instruction/schema';
import type { Duties } from '../../app/duties';
import type { ChannelRegistry } from '../../store/channels';
import type { Subscriptions } from '../../store/subscriptions';
import type { Closures } from '../../store/closures';
import type { NexusteamDirectory } from '../access';
import type { PersonLanguages } from '../language';
import type { EscalationService } from '../../app/escalationService';
import type { OutageService } from '../../app/outageService';
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
  readonly instruction: Instruction;
  /** Free text read with the vocabulary of the instruction's systems. */
  readonly recognizer: Recognizer;
  readonly detectionWindowMinutes: number;
  readonly outages: OutageService;
  readonly escalations: EscalationService;
  readonly access: AccessCheck;
  readonly channels: ChannelAdmin;
  /** Whether the instruction is past its review date (admins see it). */
  reviewOverdue(): boolean;
  readonly subscriptions: Subscriptions;
  readonly closures: Closures;
  /** The language each person uses with the bot (their choice, else their last clear text, else Danish). */
  readonly languages: PersonLanguages;
  /** The mailing lists; `smtp` false means the declare preview offers a mailto: draft. */
  readonly mail: { readonly smtp: boolean; readonly lists: readonly string[] };
  /** A fresh id for a card's submit (idempotency key). */
  newId(): string;
}

export interface TurnServicesDeps {
  readonly instruction: Instruction;
  readonly clock: Clock;
  /** Office hours with the current ad-hoc closures applied. */
  readonly officeHours: (lang: ViewContext['lang']) => Promise<OfficeHours>;
  readonly delays: Pick<Config['delays'], 'detectionWindowMinutes'>;
  /** The outage workflow and its duties (composeDuties). */
  readonly duties: Pick<Duties, 'outages' | 'escalations' | 'reminders' | 'subscriptions'>;
  readonly access: AccessCheck;
  readonly channels: ChannelAdmin;
  readonly closures: Closures;
  readonly languages: PersonLanguages;
  readonly mail: { readonly smtp: boolean; readonly lists: readonly string[] };
}

export function turnServices(deps: TurnServicesDeps): TurnServices {
  return {
    instruction: deps.instruction,
    recognizer: recognizerFor(deps.instruction.systems),
    detectionWindowMinutes: deps.delays.detectionWindowMinutes,
    outages: deps.duties.outages,
    access: deps.access,
    channels: deps.channels,
    escalations: deps.duties.escalations,
    reviewOverdue: () => deps.duties.reminders.reviewOverdue(deps.clock.now()),
    subscriptions: deps.duties.subscriptions,
    closures: deps.closures,
    languages: deps.languages,
    mail: deps.mail,
    newId: () => randomUUID(),
    async view(context) {
      const lang = await deps.languages.of(context);
      return { lang, instruction: deps.instruction, now: deps.clock.now(), hours: await deps.officeHours(lang) };
    },
  };
}
