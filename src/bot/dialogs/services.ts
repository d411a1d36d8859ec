import type { TurnContext } from 'botbuilder';
import type { Clock } from '../../domain/clock';
import type { OfficeHours } from '../../domain/officeHours';
import type { Instruction } from '../../instruction/schema';
import { languageOf } from '../i18n';
import type { ViewContext } from '../views';

/** What dialogs need from the outside world, handed in by the composition root. */
export interface TurnServices {
  view(context: TurnContext): Promise<ViewContext>;
  readonly escalationAfterMinutes: number;
}

export interface TurnServicesDeps {
  readonly instruction: Instruction;
  readonly clock: Clock;
  /** Office hours with the current ad-hoc closures applied. */
  readonly officeHours: (lang: ViewContext['lang']) => Promise<OfficeHours>;
  readonly escalationAfterMinutes: number;
}

export function turnServices(deps: TurnServicesDeps): TurnServices {
  return {
    escalationAfterMinutes: deps.escalationAfterMinutes,
    async view(context) {
      const lang = languageOf(context.activity.locale);
      return { lang, instruction: deps.instruction, now: deps.clock.now(), hours: await deps.officeHours(lang) };
    },
  };
}
