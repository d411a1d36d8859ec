import {
  ActivityTypes,
  PrivateConversationState,
  type Storage,
  TeamsActivityHandler,
  TurnContext,
} from 'botbuilder';
import { DialogSet, DialogTurnStatus, type DialogState } from 'botbuilder-dialogs';
import type { Logger } from 'pino';
import { maskCpr } from '../domain/cpr';
import { FloodGuard } from '../domain/floodGuard';
import { formatPhone } from '../domain/time';
import { personOf } from './person';
import { t } from './i18n';
import { turnLanguage } from './language';
import { CPR_MASKED, MAIN_DIALOG, MainDialog } from './dialogs/mainDialog';
import type { TurnServices } from './dialogs/services';
import { cardMessage, textMessage, welcomeCard } from './views';
import { channelFromActivity } from '../store/channels';
import type { Clock } from '../domain/clock';

export interface BotDeps {
  readonly storage: Storage;
  readonly services: TurnServices;
  readonly logger: Logger;
  readonly clock: Clock;
}

/**
 * Thin Teams edge: guards the input, loads the person's dialog state (and their
 * language, src/bot/language.ts), runs the main dialog and saves the state once
 * per turn. Dialog state is kept per person per conversation
 * (PrivateConversationState), so in a channel each member has their own triage.
 */
export class NedbrudBot extends TeamsActivityHandler {
  private readonly state: PrivateConversationState;
  private readonly dialogs: DialogSet;

  constructor(private readonly deps: BotDeps) {
    super();
    this.state = new PrivateConversationState(deps.storage);
    const dialogState = this.state.createProperty<DialogState>('dialogState');
    this.dialogs = new DialogSet(dialogState).add(new MainDialog(deps.services));

    this.onMessage(async (context, next) => {
      guardInput(context);
      const dc = await this.dialogs.createContext(context);
      const result = await dc.continueDialog();
      if (result.status === DialogTurnStatus.empty) await dc.beginDialog(MAIN_DIALOG);
      await next();
    });

    this.onInstallationUpdateRemove(async (context, next) => {
      const teamId = (context.activity.channelData as { team?: { id?: string } } | undefined)?.team?.id;
      if (teamId) await deps.services.channels.registry.removeTeam(teamId);
      await next();
    });
    this.onTeamsChannelDeletedEvent(async (channel, _team, _context, next) => {
      if (channel.id) await deps.services.channels.registry.remove(channel.id);
      await next();
    });
    this.onTeamsTeamDeletedEvent(async (team, _context, next) => {
      if (team.id) await deps.services.channels.registry.removeTeam(team.id);
      await next();
    });

    this.onMembersAdded(async (context, next) => {
      const botId = context.activity.recipient?.id;
      const personal = context.activity.conversation?.conversationType === 'personal';
      const added = (context.activity.membersAdded ?? []).some((m) => m.id !== botId);
      // In the person's language if they have used the bot before, else Danish (never by the Teams locale).
      if (personal && added) await context.sendActivity(cardMessage(welcomeCard(await deps.services.languages.of(context), deps.services.instruction)));
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    const { services, logger, clock } = this.deps;
    if (!services.access.tenantAllowed(context)) {
      logger.warn({ activityId: context.activity.id, conversationId: context.activity.conversation?.id }, 'activity from a tenant the bot does not serve; refused');
      if (context.activity.type === ActivityTypes.Message) {
        // Nothing is read for a tenant the bot does not serve: the language of the text, else Danish.
        await context.sendActivity(textMessage(t(turnLanguage(context), 'denied.tenant', { municipality: services.instruction.municipality })));
      }
      return;
    }
    // Where channels are: from installs, channel events and any channel message (written only on change).
    const where = channelFromActivity(context.activity);
    if (where) {
      try {
        await services.channels.registry.remember(where, clock.now());
      } catch (err) {
        logger.warn({ err, conversationId: where.conversationId }, 'could not remember the channel');
      }
    }
    if (context.activity.type === ActivityTypes.Message) {
      const verdict = this.flood.check(personOf(context.activity).key, clock.now());
      if (verdict !== 'ok') {
        logger.warn({ activityId: context.activity.id, conversationId: context.activity.conversation?.id, verdict }, 'too many messages from one person');
        if (verdict === 'warn') await context.sendActivity(textMessage(floodText(await services.languages.of(context), services)));
        return;
      }
      // The person's language and their dialog state: two reads side by side, not one after the other.
      await Promise.all([this.state.load(context), services.languages.load(context)]);
    }
    await super.run(context);
    await this.state.saveChanges(context, false);
  }

  private readonly flood = new FloodGuard();
}

function floodText(lang: 'da' | 'en', services: TurnServices): string {
  const nexusteam = services.instruction.contacts.find((c) => c.id === 'nexusteam');
  return t(lang, 'input.flood', { phone: nexusteam?.phone ? formatPhone(nexusteam.phone) : '' });
}

/**
 * Before anything reads the text: drop the @mention of the bot (channels, group
 * chats) and mask CPR-like numbers, so no state, log or reply ever holds one.
 */
export function guardInput(context: TurnContext): void {
  const activity = context.activity;
  if (activity.type !== ActivityTypes.Message) return;
  if (activity.conversation?.conversationType && activity.conversation.conversationType !== 'personal') {
    TurnContext.removeRecipientMention(activity);
  }
  if (typeof activity.text === 'string') {
    const { text, masked } = maskCpr(activity.text);
    if (masked > 0) {
      activity.text = text;
      context.turnState.set(CPR_MASKED, true);
    }
  }
}
