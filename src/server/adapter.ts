import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import { turnLanguage } from '../bot/language';
import type { Config } from '../config';
import { formatPhone } from '../domain/time';
import { outOfHoursContact } from '../domain/systems';
import type { ContactId, Instruction, Language } from '../instruction/schema';
import { redactActivity } from '../log';

/**
 * The Bot Framework adapter, authenticated from the configuration (never from
 * process.env). An empty app id is local development mode: no JWT check at all
 * (DESIGN.md, "Auth"); with an app id, requests without a valid token get 401.
 *
 * Trap: botbuilder asserts an app id, password and tenant for SingleTenant as soon
 * as the authentication is built, and config's MicrosoftAppType defaults to
 * SingleTenant; in development the type is therefore passed as MultiTenant, the
 * only type that accepts an empty app id (and then disables the JWT check).
 */
export function createAdapter(config: Config, logger: Logger, instruction: Instruction): CloudAdapter {
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: config.bot.appId,
    MicrosoftAppPassword: config.bot.appPassword,
    MicrosoftAppType: config.development ? 'MultiTenant' : config.bot.appType,
    MicrosoftAppTenantId: config.bot.tenantId,
  });
  const adapter = new CloudAdapter(auth);
  adapter.onTurnError = turnErrorHandler(logger, instruction);
  return adapter;
}

/**
 * Logs the failure with the conversation and activity ids (masked by the logger)
 * and tells the person, kindly, what to do now. Conversation state is kept: a
 * person in the middle of a triage should not lose their place because of one
 * failed turn.
 */
export function turnErrorHandler(logger: Logger, instruction: Instruction) {
  return async (context: TurnContext, error: Error): Promise<void> => {
    const activity = redactActivity(context.activity);
    logger.error(
      { err: error, conversationId: activity.conversationId, activityId: activity.id, activity },
      'turn failed',
    );
    // Only a person's message or card press deserves an answer; events and invokes do not.
    if (activity.type !== 'message') return;
    try {
      await context.sendActivity({ type: 'message', text: turnErrorText(instruction, turnLanguage(context)) });
    } catch (sendError) {
      logger.error(
        { err: sendError, conversationId: activity.conversationId, activityId: activity.id },
        'could not tell the user about the failed turn',
      );
    }
  };
}

/** "Beklager, noget gik galt hos mig. … ring til Nexusteamet: 4328 2020 (eller KMD-support: 4460 5040 uden for åbningstid)." */
export function turnErrorText(instruction: Instruction, lang: Language): string {
  const nexusteam = contactLine(instruction, 'nexusteam', lang);
  // Out of hours: the vendor of the instruction's first system (KMD for Nexus).
  const first = instruction.systems[0];
  const kmd = first ? contactLine(instruction, outOfHoursContact(first), lang) : undefined;
  if (lang === 'en') {
    const urgent = nexusteam
      ? ` If it is urgent, call ${nexusteam}${kmd ? ` (or ${kmd} outside opening hours)` : ''}.`
      : '';
    return `Sorry, something went wrong on my side. Please try again in a moment.${urgent}`;
  }
  const urgent = nexusteam
    ? ` Haster det, så ring til ${nexusteam}${kmd ? ` (eller ${kmd} uden for åbningstid)` : ''}.`
    : '';
  return `Beklager, noget gik galt hos mig. Prøv igen om lidt.${urgent}`;
}

function contactLine(instruction: Instruction, id: ContactId, lang: Language): string | undefined {
  const contact = instruction.contacts.find((c) => c.id === id);
  if (!contact?.phone) return undefined;
  return `${contact.name[lang]}: ${formatPhone(contact.phone)}`;
}
