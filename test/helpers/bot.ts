import { MemoryStorage, type Activity, type Storage } from 'botbuilder';
import { DialogTestClient } from 'botbuilder-testing';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { ManualClock } from '../../src/domain/clock';
import { MainDialog } from '../../src/bot/dialogs/mainDialog';
import { turnServices, type TurnServices } from '../../src/bot/dialogs/services';
import { PersonLanguages } from '../../src/bot/language';
import type { ChannelDirectory, ChannelTarget } from '../../src/app/ports';
import { composeDuties, type Duties } from '../../src/app/duties';
import { outboxHooks } from '../../src/app/outboxHooks';
import { Scheduler } from '../../src/scheduler/scheduler';
import { brondby } from './instructions';
import { withEscalationAfter } from '../../src/domain/systems';
import type { Instruction } from '../../src/instruction/schema';
import { ChannelRegistry } from '../../src/store/channels';
import { Closures } from '../../src/store/closures';
import { sleep } from '../../src/lib/sleep';
import { officeHoursProvider } from '../../src/app/officeHoursProvider';
import { outboxSending, type OutboxSendingOptions } from '../../src/bot/outboxSending';
import type { Outbox } from '../../src/notify/outbox';
import { SendError, type Sender } from '../../src/notify/sender';
import { cardButtons, cardText } from './cards';

export const instruction = brondby;

/** Saturday 5 December 2026, 19:40 in Copenhagen (CET). */
export const SATURDAY_EVENING = '2026-12-05T19:40:00+01:00';
/** Monday 7 December 2026, 09:00 in Copenhagen. */
export const MONDAY_MORNING = '2026-12-07T09:00:00+01:00';

export const STAFF_CHANNEL: ChannelTarget = { conversationId: '19:staff@thread.tacv2', serviceUrl: 'http://connector.test' };
export const NEXUSTEAM_CHANNEL: ChannelTarget = { conversationId: '19:nexusteam@thread.tacv2', serviceUrl: 'http://connector.test' };

/** What the bot posted outside the conversation (channels), as the Teams edge would receive it. */
export interface Posted {
  readonly kind: 'send' | 'reply' | 'update';
  readonly conversationId: string;
  readonly activityId: string;
  readonly activity: Partial<Activity>;
}

/** The Teams edge we cannot reach in a dialog test: records posts instead of sending them. */
export function recordingSender(): Sender & { posted: Posted[]; failFor: Set<string>; failWith: Map<string, number>; slow: Map<string, number> } {
  const posted: Posted[] = [];
  /** Conversations that answer 502, as an unreachable recipient would. */
  const failFor = new Set<string>();
  /** Conversations that answer with this status (403: the person blocked the bot; 404: removed it). */
  const failWith = new Map<string, number>();
  /** Conversations whose new posts take this many ms to be accepted (a slow or throttled Teams). */
  const slow = new Map<string, number>();
  let n = 0;
  return {
    posted,
    failFor,
    failWith,
    slow,
    async send(target, activity) {
      const status = failFor.has(target.conversationId) ? 502 : failWith.get(target.conversationId);
      if (status !== undefined) {
        throw new SendError('send', { statusCode: status, code: undefined, retryable: status >= 500, retryAfterMs: undefined }, { cause: new Error(`HTTP ${status}`) });
      }
      const delay = slow.get(target.conversationId);
      if (delay) await sleep(delay);
      const activityId = `post-${++n}`;
      posted.push({ kind: 'send', conversationId: target.conversationId, activityId, activity });
      return { activityId };
    },
    async reply(target, root, activity) {
      const activityId = `reply-${++n}`;
      posted.push({ kind: 'reply', conversationId: `${target.conversationId};messageid=${root}`, activityId, activity });
      return { activityId };
    },
    async update(target, activityId, activity) {
      posted.push({ kind: 'update', conversationId: target.conversationId, activityId, activity });
    },
  };
}

export interface TestWorld {
  readonly clock: ManualClock;
  readonly services: TurnServices;
  readonly storage: Storage;
  readonly sender: ReturnType<typeof recordingSender>;
  readonly outages: Duties['outages'];
  readonly escalations: Duties['escalations'];
  readonly reminders: Duties['reminders'];
  readonly jobs: Duties['jobs'];
  readonly scheduler: Scheduler;
  readonly channels: ChannelRegistry;
  readonly subscriptions: Duties['subscriptions'];
  readonly notifications: Duties['notifications'];
  readonly alerts: Duties['alerts'];
  /** The app's outbox in front of the recording sender, as in production (started; `settle` waits for it). */
  readonly outbox: Outbox;
  /** Waits until the outbox has sent everything queued, hooks and the reports they queue included. */
  settle(): Promise<void>;
}

export interface TestOptions {
  readonly env?: Record<string, string>;
  readonly nexusteam?: readonly string[];
  readonly storage?: Storage;
  /** The outbox's settings beyond the test defaults (fast polls, short backoff, two tries, Teams' pacing wide open). */
  readonly outbox?: NonNullable<OutboxSendingOptions['outbox']>;
  /** Another municipality's instruction (default: the rule tests' Brøndby, test/fixtures). */
  readonly instruction?: Instruction;
}

export function testServices(at: string, opts: TestOptions = {}): TestWorld {
  const clock = new ManualClock(at);
  const config = loadConfig(opts.env ?? {});
  // As the composition root does: ESCALATION_AFTER_MINUTES overrides the instruction's 2-hour rule.
  const override = config.delays.escalationAfterMinutes;
  const instruction = override === undefined ? (opts.instruction ?? brondby) : withEscalationAfter(opts.instruction ?? brondby, override);
  const storage = opts.storage ?? new MemoryStorage();
  const sender = recordingSender();
  // The real registry on the test's storage, with a staff and a Nexusteam channel registered.
  const channels = new ChannelRegistry(storage);
  const ready = Promise.all([
    channels.setRoles(STAFF_CHANNEL.conversationId, ['staff'], { key: 'setup', name: 'Opsætning' }, clock.now(), { ...STAFF_CHANNEL, tenantId: 'tenant-test', teamId: '19:team@thread.tacv2', channelName: 'Personale' }),
    channels.setRoles(NEXUSTEAM_CHANNEL.conversationId, ['nexusteam'], { key: 'setup', name: 'Opsætning' }, clock.now(), { ...NEXUSTEAM_CHANNEL, tenantId: 'tenant-test', teamId: '19:nexusteam-team@thread.tacv2', channelName: 'Nexusteamet' }),
  ]);
  const directory: ChannelDirectory = { withRole: async (role) => (await ready, channels.withRole(role)) };
  const closures = new Closures(storage);
  const officeHours = officeHoursProvider(instruction, closures);
  const logger = pino({ level: 'silent' });
  // Every test sends through the app's outbox and its hooks, as production does; the recording sender is Teams.
  const sending = outboxSending({
    storage,
    teams: sender,
    instruction,
    logger,
    outbox: { pollMs: 10, idlePollMs: 100, maxAttempts: 2, backoff: { baseMs: 10, maxMs: 20 }, failureBatchMs: 10, pacing: { perConversation: [{ limit: 1000, windowMs: 1000 }], global: [{ limit: 10_000, windowMs: 1000 }] }, ...opts.outbox },
  });
  const duties = composeDuties({
    channels: directory,
    messenger: sending.messenger,
    clock,
    instruction,
    delays: config.delays,
    logger,
    officeHours: () => officeHours(),
    storage,
    mailer: null,
    kick: () => void scheduler.tick().catch((err: unknown) => logger.error({ err }, 'scheduler tick failed')),
  });
  const scheduler = new Scheduler({ store: duties.jobs, clock, logger, intervalMs: 1000, handlers: duties.jobHandlers, onFailed: (job) => duties.escalations.onJobFailed(job) });
  sending.connect(
    outboxHooks({
      recordAnnouncement: (id, a) => duties.outages.recordAnnouncement(id, a),
      recordEscalationPost: (id, post, reporter) => duties.escalations.recordDelivered(id, post, reporter),
      unsubscribe: (key) => duties.subscriptions.remove(key),
      channels,
      logger,
    }),
  );
  sending.outbox.start();
  const settle = async () => void (await sending.outbox.drain(10_000));
  const nexusteam = new Set(opts.nexusteam ?? []);
  const services = turnServices({
    instruction,
    clock,
    officeHours,
    delays: config.delays,
    duties,
    closures,
    languages: new PersonLanguages(storage, async (personKey, lang) => void (await duties.subscriptions.setLanguage(personKey, lang))),
    mail: { smtp: false, lists: [config.mail.allUsers, config.mail.providers] },
    access: {
      isNexusteam: async (context) => nexusteam.has(context.activity.from?.aadObjectId ?? ''),
      tenantAllowed: () => true,
    },
    channels: {
      registry: channels,
      mayChangeRoles: async (current, next, user) => {
        const admin = nexusteam.has(user.aadObjectId ?? '');
        if (current.includes('nexusteam') !== next.includes('nexusteam')) return admin ? { allowed: true } : { allowed: false, reason: 'configured-admin-only' };
        return admin ? { allowed: true } : { allowed: false, reason: 'nexusteam-only' };
      },
    },
  });
  return { clock, services, storage, sender, channels, scheduler, ...duties, outbox: sending.outbox, settle };
}

export interface TestPerson {
  readonly id: string;
  readonly name: string;
  readonly aadObjectId: string;
}

export const person = (n: number | string, name = `Kollega ${n}`): TestPerson => ({
  id: `29:user-${n}`,
  name,
  aadObjectId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
});

/** A person talking to the main dialog, as Teams would deliver it. */
export class Conversation {
  readonly client: DialogTestClient;
  readonly world: TestWorld;
  constructor(at: string | TestWorld, private readonly locale = 'da-DK', who: TestPerson = person(1, 'Test Person')) {
    this.world = typeof at === 'string' ? testServices(at) : at;
    this.client = new DialogTestClient('msteams', new MainDialog(this.world.services));
    this.from = { id: who.id, name: who.name, aadObjectId: who.aadObjectId };
    this.conversation = { id: `a:1personal-${who.id}`, conversationType: 'personal', isGroup: false, name: '' };
  }

  private readonly from: { id: string; name: string; aadObjectId: string };
  private readonly conversation: { id: string; conversationType: string; isGroup: boolean; name: string };

  /** Sends text or a button's data; returns every reply of the turn. */
  async send(input: string | Record<string, unknown>): Promise<Reply[]> {
    const activity: Partial<Activity> =
      typeof input === 'string'
        ? { type: 'message', text: input, locale: this.locale, from: this.from, conversation: this.conversation }
        : { type: 'message', value: input, locale: this.locale, from: this.from, conversation: this.conversation };
    const first = (await this.client.sendActivity(activity)) as Partial<Activity> | undefined;
    const replies: Partial<Activity>[] = first ? [first] : [];
    for (let next = this.client.getNextReply(); next; next = this.client.getNextReply()) replies.push(next);
    // What the turn queued for others (channel posts, cards replaced) has reached the recording Teams.
    await this.world.settle();
    return replies.map(toReply);
  }

  /** Presses the button whose title contains `title` on the last card that has one. */
  async press(replies: Reply[], title: string, inputs: Record<string, unknown> = {}): Promise<Reply[]> {
    return this.send({ ...findButton(replies, title), ...inputs });
  }
}

export function findButton(replies: Reply[], title: string): Record<string, unknown> {
  for (const reply of [...replies].reverse()) {
    const button = reply.buttons.find((b) => b.title.includes(title));
    if (button) return button.data;
  }
  throw new Error(`no button "${title}" in: ${replies.flatMap((r) => r.buttons.map((b) => b.title)).join(' | ')}`);
}

export interface Reply {
  readonly text: string;
  /** The first card (most messages carry one). */
  readonly card: unknown;
  /** Every card of the message, in order (the advice and what is worth knowing come as one message). */
  readonly cards: unknown[];
  readonly buttons: { title: string; data: Record<string, unknown> }[];
}

export function toReply(activity: Partial<Activity>): Reply {
  const cards = (activity.attachments ?? []).map((a) => a.content as unknown).filter((c) => c !== undefined);
  return {
    text: [activity.text ?? '', ...cards.map((c) => cardText(c))].filter(Boolean).join('\n'),
    card: cards[0],
    cards,
    buttons: cards.flatMap((c) => cardButtons(c)),
  };
}

export const allText = (replies: Reply[]) => replies.map((r) => r.text).join('\n');
