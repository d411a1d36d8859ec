import type { TurnContext } from 'botbuilder';
import { Prompt, type PromptOptions, type PromptRecognizerResult } from 'botbuilder-dialogs';

/**
 * A prompt answered by a card button (the button's data arrives as the activity's
 * value) or by typing. `parse` gets the activity's value and text and returns the
 * answer, or undefined when the input is not an answer to this question; then the
 * retry prompt is sent.
 */
export class CardPrompt<T> extends Prompt<T> {
  constructor(
    dialogId: string,
    private readonly parse: (value: unknown, text: string) => T | undefined,
  ) {
    super(dialogId);
  }

  /** Whether this input answers the question (the router asks before interrupting). */
  accepts(value: unknown, text: string): boolean {
    return this.parse(value, text) !== undefined;
  }

  protected override async onPrompt(
    context: TurnContext,
    _state: object,
    options: PromptOptions,
    isRetry: boolean,
  ): Promise<void> {
    const prompt = isRetry && options.retryPrompt ? options.retryPrompt : options.prompt;
    if (prompt) await context.sendActivity(prompt);
  }

  protected override async onRecognize(context: TurnContext): Promise<PromptRecognizerResult<T>> {
    const value = this.parse(context.activity.value, context.activity.text ?? '');
    return value === undefined ? { succeeded: false } : { succeeded: true, value };
  }
}
