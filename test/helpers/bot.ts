import type { Activity } from 'botbuilder';
import { DialogTestClient } from 'botbuilder-testing';
import { ManualClock } from '../../src/domain/clock';
import { OfficeHours } from '../../src/domain/officeHours';
import { MainDialog } from '../../src/bot/dialogs/mainDialog';
import { turnServices } from '../../src/bot/dialogs/services';
import { loadInstruction } from '../../src/instruction/load';
import { cardButtons, cardText } from './cards';

export const instruction = loadInstruction();

/** Saturday 5 December 2026, 19:40 in Copenhagen (CET). */
export const SATURDAY_EVENING = '2026-12-05T19:40:00+01:00';
/** Monday 7 December 2026, 09:00 in Copenhagen. */
export const MONDAY_MORNING = '2026-12-07T09:00:00+01:00';

export function testServices(at: string, escalationAfterMinutes = 120) {
  const clock = new ManualClock(at);
  const services = turnServices({
    instruction,
    clock,
    officeHours: async (lang) => new OfficeHours(instruction, [], lang),
    escalationAfterMinutes,
  });
  return { clock, services };
}

/** A person talking to the main dialog, as Teams would deliver it. */
export class Conversation {
  readonly client: DialogTestClient;
  constructor(at: string, private readonly locale = 'da-DK') {
    const { services } = testServices(at);
    this.client = new DialogTestClient('msteams', new MainDialog(services));
  }

  /** Sends text or a button's data; returns every reply of the turn. */
  async send(input: string | Record<string, unknown>): Promise<Reply[]> {
    const activity: Partial<Activity> =
      typeof input === 'string'
        ? { type: 'message', text: input, locale: this.locale }
        : { type: 'message', value: input, locale: this.locale };
    const first = (await this.client.sendActivity(activity)) as Partial<Activity> | undefined;
    const replies: Partial<Activity>[] = first ? [first] : [];
    for (let next = this.client.getNextReply(); next; next = this.client.getNextReply()) replies.push(next);
    return replies.map(toReply);
  }

  /** Presses the button whose title contains `title` on the last card that has one. */
  async press(replies: Reply[], title: string): Promise<Reply[]> {
    for (const reply of [...replies].reverse()) {
      const button = reply.buttons.find((b) => b.title.includes(title));
      if (button) return this.send(button.data);
    }
    throw new Error(`no button "${title}" in: ${replies.flatMap((r) => r.buttons.map((b) => b.title)).join(' | ')}`);
  }
}

export interface Reply {
  readonly text: string;
  readonly card: unknown;
  readonly buttons: { title: string; data: Record<string, unknown> }[];
}

function toReply(activity: Partial<Activity>): Reply {
  const card = activity.attachments?.[0]?.content;
  return {
    text: [activity.text ?? '', card ? cardText(card) : ''].filter(Boolean).join('\n'),
    card,
    buttons: card ? cardButtons(card) : [],
  };
}

export const allText = (replies: Reply[]) => replies.map((r) => r.text).join('\n');
