import type { Activity } from 'botbuilder';
import { ComponentDialog, Dialog, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import type { Intent } from '../../domain/intent';
import { defaultSystem, isSystem, systemName, systemOfContact } from '../../domain/systems';
import { localDate } from '../../domain/time';
import type { SystemId } from '../../domain/types';
import type { Language } from '../../instruction/schema';
import type { CalledContact } from '../../domain/outage';
import { parseCardAction, triageValue, type CardAction } from '../actions';
import * as channelHandlers from '../handlers/channelHandlers';
import * as closureHandlers from '../handlers/closureHandlers';
import { poster } from '../handlers/posterHandler';
import { MembershipLookupError } from '../access';
import { PERMISSIONS, type Verb } from '../../domain/permissions';
import * as handlers from '../handlers/outageHandlers';
import type { Actor } from '../handlers/outageHandlers';
import { t } from '../i18n';
import {
  cardMessage,
  contactsCard,
  hoursCard,
  reviewCard,
  systemList,
  textMessage,
  welcomeCard,
  type ViewContext,
} from '../views';
import { personOf } from '../person';
import type { TurnServices } from './services';
import { INTERNET_PROMPT, TRIAGE_DIALOG, TRIAGE_PROMPTS, TriageDialog, parsersFor, promptHelp, type TriagePromptId } from './triageDialog';

export const MAIN_DIALOG = 'main';

/** Longest text we read; longer messages get a kind "too long" answer. */
export const MAX_TEXT_LENGTH = 2000;

/** Set by the CPR guard when it masked something in this turn's text. */
export const CPR_MASKED = Symbol('cprMasked');

/**
 * The root of every conversation with a person. It never ends: it routes each
 * activity to the triage or to a small handler, and lets "hjælp" and "forfra"
 * interrupt any question. Card buttons are parsed (zod) before use.
 */
export class MainDialog extends ComponentDialog {
  private readonly parsers: ReturnType<typeof parsersFor>;

  constructor(private readonly services: TurnServices) {
    super(MAIN_DIALOG);
    this.parsers = parsersFor(services.recognizer);
    this.addDialog(new TriageDialog(services));
  }

  protected override async onBeginDialog(innerDc: DialogContext): Promise<DialogTurnResult> {
    return this.route(innerDc);
  }

  protected override async onContinueDialog(innerDc: DialogContext): Promise<DialogTurnResult> {
    return this.route(innerDc);
  }

  private async route(dc: DialogContext): Promise<DialogTurnResult> {
    const { activity } = dc.context;
    if (activity.type !== 'message') return Dialog.EndOfTurn;
    const text = (activity.text ?? '').trim();
    const typed = (activity.value === undefined || activity.value === null) && text.length > 0 && text.length <= MAX_TEXT_LENGTH;
    const typedIntent = typed ? this.services.recognizer.recognize(text) : null;
    // The language follows what the person writes ("english" / "dansk" are a choice, below; a button press is not writing).
    if (typedIntent && typedIntent.kind !== 'language') await this.services.languages.noteText(dc.context, text);
    const view = await this.services.view(dc.context);
    const { lang } = view;

    if (dc.context.turnState.get(CPR_MASKED)) await dc.context.sendActivity(textMessage(t(lang, 'input.cpr')));

    const { instruction } = this.services;
    const action = parseCardAction(activity.value, { system: (id) => isSystem(instruction, id), contact: (id) => instruction.contacts.some((c) => c.id === id) });
    if (action && 'invalid' in action) {
      await dc.context.sendActivities([textMessage(t(lang, 'input.staleButton')), cardMessage(welcomeCard(lang, this.services.instruction))]);
      return Dialog.EndOfTurn;
    }
    if (action) return this.whenAccessKnown(dc, view, () => this.onAction(dc, action, view));

    if (text.length === 0) {
      const hasAttachment = (activity.attachments ?? []).some((a) => !a.contentType.startsWith('text/html'));
      await dc.context.sendActivities([
        textMessage(t(lang, hasAttachment ? 'input.attachment' : 'input.empty')),
        cardMessage(welcomeCard(lang, this.services.instruction)),
      ]);
      return Dialog.EndOfTurn;
    }
    if (text.length > MAX_TEXT_LENGTH) {
      await dc.context.sendActivity(textMessage(t(lang, 'input.tooLong')));
      return Dialog.EndOfTurn;
    }

    const intent = typedIntent ?? this.services.recognizer.recognize(text);
    const prompt = activePrompt(dc);
    if (intent.kind === 'help') return this.help(dc, view, prompt);
    if (intent.kind === 'restart') {
      await dc.cancelAllDialogs();
      await dc.context.sendActivities([textMessage(t(lang, 'restart.done')), cardMessage(welcomeCard(lang, this.services.instruction))]);
      return Dialog.EndOfTurn;
    }
    if (intent.kind === 'language') return this.chooseLanguage(dc, intent.lang);
    // A report of another system starts its own triage, even mid-question.
    const current = triageSystem(dc);
    const otherSystem =
      intent.kind === 'outage' &&
      intent.system !== null &&
      current !== undefined &&
      intent.system !== current &&
      // "ingen net" typed to "Virker internettet?" is an answer, not a new triage.
      !(prompt === INTERNET_PROMPT && instruction.systems.some((s) => s.id === intent.system && s.outOfHours === null));
    // Otherwise an answer to the open question wins over other readings ("ingen net" answers "Virker internettet?").
    if (prompt && !otherSystem && this.parsers[prompt](activity.value, text) !== undefined) return this.continueInner(dc);
    return this.whenAccessKnown(dc, view, () => this.onIntent(dc, intent, view, prompt));
  }

  /** A membership lookup Teams could not answer gets "try again", not an error. */
  private async whenAccessKnown(dc: DialogContext, view: ViewContext, run: () => Promise<DialogTurnResult>): Promise<DialogTurnResult> {
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof MembershipLookupError)) throw err;
      await dc.context.sendActivity(textMessage(t(view.lang, 'access.unavailable')));
      return Dialog.EndOfTurn;
    }
  }

  private async continueInner(dc: DialogContext): Promise<DialogTurnResult> {
    await dc.continueDialog();
    return Dialog.EndOfTurn;
  }

  /** The person and their rights, worked out once per turn. */
  /**
   * The person and their rights. Only verbs that need a role ask Teams who is in
   * the Nexusteam: staff pressing their buttons must not wait on (or fail with)
   * a membership lookup when Teams is throttling.
   */
  private async actor(dc: DialogContext, view: ViewContext, needsRole = true): Promise<Actor> {
    const isNexusteam = needsRole ? await this.services.access.isNexusteam(dc.context) : false;
    return { context: dc.context, services: this.services, view, person: personOf(dc.context.activity, view.lang), isNexusteam };
  }

  private async onAction(dc: DialogContext, action: CardAction, view: ViewContext): Promise<DialogTurnResult> {
    const { lang } = view;
    const a = await this.actor(dc, view, !anyoneMay(action.action));
    const outages = this.services.outages;
    switch (action.action) {
      case 'triage':
        await dc.cancelAllDialogs();
        await dc.beginDialog(TRIAGE_DIALOG, action);
        break;
      case 'called':
        await dc.cancelAllDialogs();
        await handlers.called(a, action.system, action.contact);
        break;
      case 'calledKmd':
        await dc.cancelAllDialogs();
        // Only Brøndby's Nexus cards ever carried it (the action parser refuses it where there is no "nexus").
        await handlers.called(a, 'nexus', 'kmd');
        break;
      case 'claimDriftvagt':
        if (await handlers.authorise(a, 'claimDriftvagt', await outages.get(action.outageId))) await handlers.claimDriftvagt(a, action.outageId);
        break;
      case 'worksAgain':
        await dc.cancelAllDialogs();
        await handlers.worksAgain(a, action.system);
        break;
      case 'status':
        await handlers.status(a);
        break;
      case 'contacts':
        await dc.context.sendActivity(cardMessage(contactsCard(view)));
        break;
      case 'hours':
        await dc.context.sendActivity(cardMessage(hoursCard(view, localDate(view.now))));
        break;
      case 'help':
        return this.help(dc, view, activePrompt(dc));
      case 'restart':
        await dc.cancelAllDialogs();
        await dc.context.sendActivities([textMessage(t(lang, 'restart.done')), cardMessage(welcomeCard(lang, this.services.instruction))]);
        break;
      case 'language':
        return this.chooseLanguage(dc, action.lang);
      case 'declare':
        if (await handlers.authorise(a, 'declare')) await handlers.openDeclareForm(a, action.system, action.draft);
        break;
      case 'declarePreview':
        if (await handlers.authorise(a, 'declare')) await handlers.previewDeclare(a, action);
        break;
      case 'declareSend':
        if (await handlers.authorise(a, 'declare')) await handlers.sendDeclare(a, action);
        break;
      case 'confirm':
        if (await handlers.authorise(a, 'confirm')) await handlers.confirmSuspected(a, action);
        break;
      case 'update':
        if (await handlers.authorise(a, 'update')) await handlers.openUpdateForm(a);
        break;
      case 'updateSend':
        if (await handlers.authorise(a, 'update')) await handlers.sendUpdate(a, action);
        break;
      case 'resolveMenu':
        await handlers.openResolveMenu(a);
        break;
      case 'resolve':
        if (await handlers.authorise(a, 'resolve', await outages.get(action.outageId))) await handlers.resolveOutage(a, action);
        break;
      case 'channelSave':
        await channelHandlers.channelSave(a, action.roles, false);
        break;
      case 'channelRemove':
        await channelHandlers.channelSave(a, undefined, true);
        break;
      case 'ackEscalation': {
        const outage = await outages.get(action.outageId);
        if (await handlers.authorise(a, 'acknowledge', outage)) await handlers.ackEscalation(a, action);
        break;
      }
      case 'ackBackUp': {
        const outage = await outages.get(action.outageId);
        if (await handlers.authorise(a, 'acknowledge', outage)) await handlers.ackBackUp(a, action);
        break;
      }
      case 'takeHandover':
        if (await handlers.authorise(a, 'handover')) await handlers.takeHandover(a, action);
        break;
      case 'offerHandover':
        if (await handlers.authorise(a, 'handover')) await handlers.offerHandover(a, action.outageId);
        break;
      case 'acceptHandover':
        if (await handlers.authorise(a, 'acceptHandover', await outages.get(action.outageId))) await handlers.takeHandover(a, action);
        break;
      case 'export':
        await handlers.exportTimeline(a, action.outageId);
        break;
      case 'closedAdd':
        await closureHandlers.closedAdd(a, action);
        break;
      case 'closedRemove':
        await closureHandlers.closedRemove(a, action.id);
        break;
      default: {
        const unhandled: never = action;
        throw new Error(`unhandled card action ${JSON.stringify(unhandled)}`);
      }
    }
    return Dialog.EndOfTurn;
  }

  private async onIntent(
    dc: DialogContext,
    intent: Intent,
    view: ViewContext,
    prompt: TriagePromptId | null,
  ): Promise<DialogTurnResult> {
    const { lang } = view;
    const send = (...activities: Partial<Activity>[]) => dc.context.sendActivities(activities);
    switch (intent.kind) {
      case 'outage':
        await dc.cancelAllDialogs();
        await dc.beginDialog(TRIAGE_DIALOG, intent.system ? { system: intent.system } : {});
        return Dialog.EndOfTurn;
      case 'called': {
        // Typed: the system of the triage in progress, else the one the contact serves (IT: the open outage, else Nexus).
        const system = triageSystem(dc) ?? (await this.calledSystem(intent.contact));
        await dc.cancelAllDialogs();
        await handlers.called(await this.actor(dc, view, false), system, intent.contact);
        return Dialog.EndOfTurn;
      }
      case 'contacts':
        await send(cardMessage(contactsCard(view)));
        return this.repromptIfOpen(dc, prompt);
      case 'hours':
        await send(cardMessage(hoursCard(view, localDate(view.now))));
        return this.repromptIfOpen(dc, prompt);
      case 'status':
        await handlers.status(await this.actor(dc, view, false));
        return this.repromptIfOpen(dc, prompt);
      case 'statusQuestion': {
        const known = intent.system ? await this.services.outages.known(intent.system) : null;
        if (!intent.system || known) await handlers.status(await this.actor(dc, view, false));
        else await send(textMessage(t(lang, 'status.noneFor', { system: systemName(view.instruction, intent.system, lang) })));
        return this.repromptIfOpen(dc, prompt);
      }
      case 'worksAgain':
        await dc.cancelAllDialogs();
        await handlers.worksAgain(await this.actor(dc, view, false), intent.system ?? this.firstSystem());
        return Dialog.EndOfTurn;
      case 'notOutage':
        await send(textMessage(t(lang, 'notOutage.ok')));
        return this.repromptIfOpen(dc, prompt);
      case 'greeting':
        if (prompt) return this.continueInner(dc);
        await send(textMessage(t(lang, 'greeting.hello', { systems: systemList(view.instruction, lang) })), cardMessage(welcomeCard(lang, view.instruction)));
        return Dialog.EndOfTurn;
      case 'help':
        return this.help(dc, view, prompt);
      case 'restart':
        await dc.cancelAllDialogs();
        await send(textMessage(t(lang, 'restart.done')), cardMessage(welcomeCard(lang, this.services.instruction)));
        return Dialog.EndOfTurn;
      case 'language':
        return this.chooseLanguage(dc, intent.lang);
      case 'declare': {
        const a = await this.actor(dc, view).catch((err: unknown) => {
          if (err instanceof MembershipLookupError) return this.actor(dc, view, false);
          throw err;
        });
        if (!a.isNexusteam) {
          // Staff writing "meld nedbrud" are reporting one.
          await dc.cancelAllDialogs();
          await dc.beginDialog(TRIAGE_DIALOG, intent.system ? { system: intent.system } : {});
          return Dialog.EndOfTurn;
        }
        await handlers.openDeclareForm(a, intent.system ?? undefined);
        return Dialog.EndOfTurn;
      }
      case 'update': {
        const a = await this.actor(dc, view);
        if (await handlers.authorise(a, 'update')) await handlers.openUpdateForm(a);
        return Dialog.EndOfTurn;
      }
      case 'resolve': {
        const a = await this.actor(dc, view);
        const mine = (await this.services.outages.open()).some((o) => o.owner?.kind === 'person' && o.owner.person.key === a.person.key);
        if (a.isNexusteam || mine) await handlers.openResolveMenu(a);
        else await handlers.worksAgain(a, intent.system ?? this.firstSystem());
        return Dialog.EndOfTurn;
      }
      case 'channel':
        await channelHandlers.channelCommand(await this.actor(dc, view));
        return Dialog.EndOfTurn;
      case 'bilag1':
        await handlers.bilag1(await this.actor(dc, view));
        return Dialog.EndOfTurn;
      case 'poster':
        await poster(await this.actor(dc, view));
        return Dialog.EndOfTurn;
      case 'follow':
        await handlers.follow(await this.actor(dc, view, false), intent.system);
        return Dialog.EndOfTurn;
      case 'unfollow':
        await handlers.unfollow(await this.actor(dc, view, false));
        return Dialog.EndOfTurn;
      case 'history':
        await handlers.history(await this.actor(dc, view));
        return Dialog.EndOfTurn;
      case 'export':
        await handlers.exportTimeline(await this.actor(dc, view), undefined);
        return Dialog.EndOfTurn;
      case 'closed':
        await closureHandlers.closedCommand(await this.actor(dc, view));
        return Dialog.EndOfTurn;
      case 'unknown':
        // An open question gets its retry prompt; otherwise the short help card.
        if (prompt) return this.continueInner(dc);
        await send(textMessage(t(lang, 'input.unknown')), cardMessage(welcomeCard(lang, this.services.instruction)));
        return Dialog.EndOfTurn;
    }
  }

  /**
   * "english" / "dansk" or the welcome card's button: remembered for the person,
   * confirmed in the new language with the menu. An open question is dropped: its
   * card is in the old language (the menu starts it again).
   */
  private async chooseLanguage(dc: DialogContext, lang: Language): Promise<DialogTurnResult> {
    await this.services.languages.choose(dc.context, lang);
    await dc.cancelAllDialogs();
    await dc.context.sendActivities([textMessage(t(lang, 'language.chosen')), cardMessage(welcomeCard(lang, this.services.instruction))]);
    return Dialog.EndOfTurn;
  }

  /** The system a contact serves ("kmd" → Nexus); for IT the open outage (the first system's first), else the first system. */
  private async calledSystem(contact: CalledContact): Promise<SystemId> {
    const served = systemOfContact(this.services.instruction, contact);
    if (served) return served.id;
    const open = await this.services.outages.open();
    const first = this.firstSystem();
    return open.find((o) => o.system === first)?.system ?? open[0]?.system ?? first;
  }

  private firstSystem(): SystemId {
    return defaultSystem(this.services.instruction);
  }

  private async repromptIfOpen(dc: DialogContext, prompt: TriagePromptId | null): Promise<DialogTurnResult> {
    if (prompt) await dc.repromptDialog();
    return Dialog.EndOfTurn;
  }

  private async help(dc: DialogContext, view: ViewContext, prompt: TriagePromptId | null): Promise<DialogTurnResult> {
    const { lang } = view;
    if (!prompt) {
      const messages = [cardMessage(welcomeCard(lang, this.services.instruction)), textMessage(t(lang, 'help.commands'))];
      // Admins see that the instruction is past its review date; staff are not bothered with it.
      if (this.services.reviewOverdue() && (await this.services.access.isNexusteam(dc.context).catch(() => false))) {
        messages.push(cardMessage(reviewCard(view.instruction)));
      }
      await dc.context.sendActivities(messages);
      return Dialog.EndOfTurn;
    }
    const system = triageSystem(dc);
    await dc.context.sendActivity(
      textMessage(`${t(lang, promptHelp[prompt], { system: system ? systemName(view.instruction, system, lang) : '', systems: systemList(view.instruction, lang) })} ${t(lang, 'help.commands')}`),
    );
    await dc.repromptDialog();
    return Dialog.EndOfTurn;
  }
}

/** The id of the question waiting for an answer, if any. */
export function activePrompt(dc: DialogContext): TriagePromptId | null {
  let leaf: DialogContext = dc;
  while (leaf.child) leaf = leaf.child;
  const id = leaf.activeDialog?.id;
  return TRIAGE_PROMPTS.find((p) => p === id) ?? null;
}

/** The system the open triage is about, read from the waterfall's remembered answers. */
function triageSystem(dc: DialogContext): SystemId | undefined {
  let current: DialogContext | undefined = dc;
  while (current) {
    // The waterfall sits below its open prompt on the stack, so look at every instance.
    for (const instance of current.stack) {
      const values = (instance.state as { values?: { answers?: unknown } } | undefined)?.values;
      const answers = triageValue.safeParse({ ...(values?.answers as object | undefined), action: 'triage' });
      if (answers.success && answers.data.system) return answers.data.system;
    }
    current = current.child;
  }
  return undefined;
}

/** Card actions anyone may press (no role lookup needed). */
function anyoneMay(action: CardAction['action']): boolean {
  return action in PERMISSIONS && (PERMISSIONS[action as Verb] as readonly string[]).includes('anyone');
}
