import type { Activity } from 'botbuilder';
import {
  ComponentDialog,
  type DialogTurnResult,
  WaterfallDialog,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { advise } from '../../domain/advise';
import type { Recognizer } from '../../domain/intent';
import { escalationAfter } from '../../domain/systems';
import type { Advice, InternetState, Scope, SystemId } from '../../domain/types';
import { triageValue, type TriageValue } from '../actions';
import { t } from '../i18n';
import { knownOutageCard } from '../outageViews';
import { adviceMessage, cardMessage, cardsMessage, questionCard, worthKnowingCard, type ViewContext } from '../views';
import { CardPrompt } from './cardPrompt';
import { personOf } from '../person';
import type { TurnServices } from './services';

export const TRIAGE_DIALOG = 'triage';
export const SYSTEM_PROMPT = 'triage.system';
export const SCOPE_PROMPT = 'triage.scope';
export const INTERNET_PROMPT = 'triage.internet';

/** The field of a triage button's data, if the value is a triage button. */
function fromButton<K extends keyof TriageValue>(value: unknown, key: K): TriageValue[K] | undefined {
  const parsed = triageValue.safeParse(value);
  return parsed.success ? parsed.data[key] : undefined;
}

/** How each question's answer is read: a button's data, else the typed text. */
export function parsersFor(r: Recognizer) {
  return {
    [SYSTEM_PROMPT]: (value: unknown, text: string): SystemId | undefined => fromButton(value, 'system') ?? r.parseSystem(text) ?? undefined,
    [SCOPE_PROMPT]: (value: unknown, text: string): Scope | undefined => fromButton(value, 'scope') ?? r.parseScope(text) ?? undefined,
    [INTERNET_PROMPT]: (value: unknown, text: string): InternetState | undefined => fromButton(value, 'internet') ?? r.parseInternet(text) ?? undefined,
  } as const;
}
export type TriagePromptId = keyof ReturnType<typeof parsersFor>;
export const TRIAGE_PROMPTS: readonly TriagePromptId[] = [SYSTEM_PROMPT, SCOPE_PROMPT, INTERNET_PROMPT];

/** What the help command says for each question. */
export const promptHelp: Record<TriagePromptId, 'help.system' | 'help.scope' | 'help.internet'> = {
  [SYSTEM_PROMPT]: 'help.system',
  [SCOPE_PROMPT]: 'help.scope',
  [INTERNET_PROMPT]: 'help.internet',
};

/**
 * The instruction's decision path for a member of staff: which system → just me
 * or colleagues too → (out of hours) does the Internet work → whom to call.
 * Every decision is a call into the domain's advise(); no number, hour or
 * sentence lives here. Answers already known (from the message or a button) skip
 * their question.
 */
export class TriageDialog extends ComponentDialog {
  constructor(private readonly services: TurnServices) {
    super(TRIAGE_DIALOG);
    const parsers = parsersFor(services.recognizer);
    this.addDialog(new CardPrompt(SYSTEM_PROMPT, parsers[SYSTEM_PROMPT]))
      .addDialog(new CardPrompt(SCOPE_PROMPT, parsers[SCOPE_PROMPT]))
      .addDialog(new CardPrompt(INTERNET_PROMPT, parsers[INTERNET_PROMPT]))
      .addDialog(
        new WaterfallDialog(`${TRIAGE_DIALOG}.steps`, [
          this.askSystem.bind(this),
          this.askScope.bind(this),
          this.askInternet.bind(this),
          this.answer.bind(this),
        ]),
      );
    this.initialDialogId = `${TRIAGE_DIALOG}.steps`;
  }

  /** The answers so far, kept in the waterfall's values (saved with the dialog state). */
  private answers(step: WaterfallStepContext): TriageValue {
    const values = step.values as { answers?: TriageValue };
    if (values.answers) return values.answers;
    const parsed = triageValue.safeParse({ ...(step.options as object | undefined), action: 'triage' });
    values.answers = parsed.success ? parsed.data : { action: 'triage' };
    return values.answers;
  }

  private remember(step: WaterfallStepContext, patch: Partial<TriageValue>): TriageValue {
    const values = step.values as { answers?: TriageValue };
    values.answers = { ...this.answers(step), ...patch };
    return values.answers;
  }

  /** The person behind the turn, with the language they use with the bot (1:1 cards to them use it). */
  private async person(step: WaterfallStepContext) {
    return personOf(step.context.activity, (await this.view(step)).lang);
  }

  private async view(step: WaterfallStepContext): Promise<ViewContext> {
    return this.services.view(step.context);
  }

  private async prompt(step: WaterfallStepContext, id: TriagePromptId, card: Partial<Activity>): Promise<DialogTurnResult> {
    const view = await this.view(step);
    return step.prompt(id, {
      prompt: card,
      retryPrompt: { ...card, text: t(view.lang, 'triage.retry') },
    });
  }

  private async askSystem(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const answers = this.answers(step);
    if (answers.system) return step.next(answers.system);
    return this.prompt(step, SYSTEM_PROMPT, cardMessage(questionCard('system', answers, await this.view(step))));
  }

  private async askScope(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const answers = this.remember(step, { system: step.result as SystemId });
    if (!answers.skipKnown && (await this.answerKnownOutage(step, answers.system as SystemId))) return step.endDialog();
    if (answers.scope) return step.next(answers.scope);
    return this.prompt(step, SCOPE_PROMPT, cardMessage(questionCard('scope', answers, await this.view(step))));
  }

  private async askInternet(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const answers = this.remember(step, { scope: step.result as Scope });
    const values = step.values as { others?: number; start?: string };
    if (answers.scope === 'general' && answers.system) {
      if (!answers.skipKnown) {
        // "Colleagues too" is a report: counted towards detection at once, whatever comes next.
        const report = await this.services.outages.reportGeneral(answers.system, await this.person(step));
        values.others = report.others;
        values.start = report.start.toISOString();
      } else {
        const known = await this.services.outages.known(answers.system);
        if (known) values.start = known.start;
      }
    }
    const advice = await this.advise(step, answers);
    if (!advice.checkInternetFirst) return step.next(answers.internet);
    const view = await this.view(step);
    return this.prompt(step, INTERNET_PROMPT, cardMessage(questionCard('internet', answers, view, advice.steps)));
  }

  private async answer(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const internet = step.result as InternetState | undefined;
    const answers = this.remember(step, internet ? { internet } : {});
    const advice = await this.advise(step, answers);
    const view = await this.view(step);
    const others = (step.values as { others?: number }).others ?? 0;
    const intro = others > 0 ? t(view.lang, 'report.others', { count: others, minutes: this.services.detectionWindowMinutes }) : undefined;
    await step.context.sendActivity(adviceMessage(advice, view, intro));
    return step.endDialog(advice);
  }

  /** A known outage answers at once: since when, the latest news, who owns it; the report is counted. */
  private async answerKnownOutage(step: WaterfallStepContext, system: SystemId): Promise<boolean> {
    const known = await this.services.outages.known(system);
    if (!known) return false;
    const view = await this.view(step);
    const report = await this.services.outages.reportGeneral(system, await this.person(step));
    const outage = report.outage ?? known;
    const card = knownOutageCard(outage, {
      lang: view.lang,
      now: view.now,
      instruction: view.instruction,
      nexusteamOpen: view.hours.status(view.now).open,
      afterMinutes: escalationAfter(view.instruction, outage.system),
      reporters: report.count ?? (await this.services.outages.reportCount(outage.id)),
    });
    const advice = await this.advise(step, { action: 'triage', system, scope: 'general' });
    const worth = worthKnowingCard(advice.worthKnowing, view);
    await step.context.sendActivity(cardsMessage(worth ? [card, worth] : [card]));
    return true;
  }

  private async advise(step: WaterfallStepContext, answers: TriageValue): Promise<Advice> {
    const view = await this.view(step);
    const { system, scope } = answers;
    if (!system || !scope) throw new Error('triage: advise called before system and scope are known');
    // One deadline per outage: the advice counts 2 hours from the outage's start (the report just made when there is none yet).
    const start = (step.values as { start?: string }).start;
    return advise(
      view.instruction,
      view.hours,
      { system, scope, internet: answers.internet, vendorSaysInternal: answers.vendorSaysInternal, start: start ? new Date(start) : undefined },
      view.now,
      { lang: view.lang },
    );
  }
}
