import type { DestinationStream } from 'pino';
import type { CloudAdapter } from 'botbuilder';
import { NexusteamDirectory, TeamsMemberLookup, turnAccess } from './bot/access';
import { composeDuties } from './app/duties';
import { Closures } from './store/closures';
import { officeHoursProvider } from './app/officeHoursProvider';
import { outboxHooks } from './app/outboxHooks';
import { NedbrudBot } from './bot/nedbrudBot';
import { AdapterSender } from './notify/sender';
import { outboxSending } from './bot/outboxSending';
import { Scheduler } from './scheduler/scheduler';
import { ChannelRegistry } from './store/channels';
import { OutageMailer } from './notify/mail';
import { turnServices } from './bot/dialogs/services';
import { PersonLanguages } from './bot/language';
import { ConfigError, loadConfig, type Config } from './config';
import { OffsetClock, systemClock, type Clock } from './domain/clock';
import { withEscalationAfter } from './domain/systems';
import { InstructionError, loadInstruction } from './instruction/load';
import type { Instruction } from './instruction/schema';
import { createLogger, type Logger } from './log';
import { createAdapter } from './server/adapter';
import { mountPlayground, PLAYGROUND_ADMIN_ID, type Playground } from './dev/playground';
import { createServer } from './server/server';
import { createStorage, type StorageHandle } from './server/storage';

/**
 * The composition root: the only place that reads process.env (through main) and
 * builds everything else: config → logger → instruction → clock → storage →
 * adapter → sending → duties and their scheduler → bot → server. Nothing below
 * reaches for globals.
 */

export interface StartOverrides {
  /** The app's clock (tests, playground); default the system clock. */
  readonly clock?: Clock;
  /** Where log lines go (tests capture them); default stdout. */
  readonly logDestination?: DestinationStream;
  /**
   * Serve the "try it without Teams" playground (page, development connector,
   * development clock) and register its channels. Development mode only: ignored
   * when MicrosoftAppId is set. `main` (npm start) turns it on; default off, so
   * other in-process tests see no extra channels.
   */
  readonly playground?: boolean;
}

export interface RunningApp {
  readonly port: number;
  /** http://localhost:PORT (or the configured HOST). */
  readonly url: string;
  readonly config: Config;
  readonly logger: Logger;
  /** Resolves once the outbox has sent everything queued so far (hooks included); rejects after timeoutMs. */
  settle(timeoutMs?: number): Promise<void>;
  /** Stops accepting, finishes in-flight turns, closes the storage. Safe to call twice. */
  close(): Promise<void>;
}

/** Builds and starts the whole app in this process; throws ConfigError/InstructionError on bad settings. */
export async function startApp(env: Record<string, string | undefined>, overrides: StartOverrides = {}): Promise<RunningApp> {
  const config = loadConfig(env);
  const logger = createLogger(config, overrides.logDestination);
  for (const warning of config.warnings) logger.warn({ warning }, warning);

  // The 2-hour rule's delay has one source, the instruction; ESCALATION_AFTER_MINUTES overrides it (training) here, once.
  const override = config.delays.escalationAfterMinutes;
  const instruction = override === undefined ? loadInstruction(config.instructionFile) : withEscalationAfter(loadInstruction(config.instructionFile), override);
  if (override !== undefined) logger.warn({ escalationAfterMinutes: override }, `ESCALATION_AFTER_MINUTES=${override} overrides the instruction's 2-hour rule (training only)`);
  const playgroundOn = config.development && overrides.playground === true && config.devPlayground !== false;
  // In development the playground may move the bot's clock (never the system clock): an offset from it.
  const clock = overrides.clock ?? (config.development ? new OffsetClock(systemClock) : systemClock);
  const storage = createStorage(config);
  try {
    await storage.ping().catch((err: unknown) => {
      const hint = config.storage.kind === 'blob' ? 'BLOB_CONNECTION_STRING' : config.storage.kind === 'sqlite' ? 'SQLITE_PATH' : 'STORAGE';
      throw new ConfigError(`storage (STORAGE=${config.storage.kind}) is not reachable: ${err instanceof Error ? err.message : String(err)}. Check ${hint}.`);
    });
    const adapter = createAdapter(config, logger, instruction);
    const { bot, scheduler, reminders, notifications, outageStore, outages, channels, mailer, outbox } = createBot({ config, instruction, clock, storage, logger, adapter, playground: playgroundOn });
    await outageStore.sweep();
    await outages.adoptReports();
    await reminders.ensureScheduled();
    await notifications.scheduleRetention(clock.now());
    outbox.start();
    scheduler.start();
    const server = createServer({ config, adapter, bot, storage: storage.storage, logger });
    const playground: Playground | undefined = playgroundOn
      ? mountPlayground({ server: server.server, clock, channels, tick: () => scheduler.tick(), logger })
      : undefined;
    const { port } = await server.listen();
    const url = `http://${config.host ?? 'localhost'}:${port}`;
    try {
      await playground?.start(url);
    } catch (err) {
      playground?.close();
      await scheduler.stop();
      await outbox.stop();
      await server.close();
      throw err;
    }
    logger.info(
      { port, url, development: config.development, storage: storage.kind, appType: config.development ? undefined : config.bot.appType },
      `Nedbrud listening on ${url} ${config.development ? '(development mode: no authentication)' : '(Bot Framework authentication on)'}`,
    );

    let closing: Promise<void> | undefined;
    return {
      port,
      url,
      config,
      logger,
      settle: async (timeoutMs = 10_000) => void (await outbox.drain(timeoutMs)),
      close: () =>
        (closing ??= (async () => {
          try {
            await scheduler.stop();
            playground?.close();
            await server.close();
            await outbox.stop();
            mailer?.close();
          } finally {
            await storage.close();
          }
          logger.info('Nedbrud stopped');
        })()),
    };
  } catch (err) {
    await storage.close();
    throw err;
  }
}



interface BotWiring {
  readonly config: Config;
  readonly instruction: Instruction;
  readonly clock: Clock;
  readonly storage: StorageHandle;
  readonly logger: Logger;
  readonly adapter: CloudAdapter;
  /** The playground's Nexusteam persona is a configured admin (development mode only). */
  readonly playground: boolean;
}

function createBot({ config, instruction, clock, storage, logger, adapter, playground }: BotWiring) {
  // Stored documents that do not parse are logged there (src/store/document.ts).
  const storeLog = logger.child({ component: 'store' });
  const channels = new ChannelRegistry(storage.storage, storeLog);
  // Every proactive message (channel posts, thread replies, card updates, reminders, escalations,
  // personal alerts) goes through the durable outbox: pacing within Teams' limits, one shared
  // throttle across instances, retries, nothing lost on a restart. The duties queue typed messages
  // (rendered for Teams, stored) and go on; the hooks record Teams' ids of delivered posts, and tell
  // the Nexusteam which recipients a message missed for good.
  const { outbox, messenger, connect } = outboxSending({
    storage: storage.storage,
    teams: new AdapterSender(adapter, config.bot.appId, logger.child({ component: 'sender' })),
    instruction,
    logger: logger.child({ component: 'outbox' }),
    outbox: { leaseMs: config.delays.outboxLeaseSeconds * 1000 },
  });
  const directory = new NexusteamDirectory({
    config: playground && config.development ? { ...config, nexusteamIds: [...config.nexusteamIds, PLAYGROUND_ADMIN_ID] } : config,
    channels,
    clock,
    members: new TeamsMemberLookup(adapter, config.bot.appId, logger.child({ component: 'members' })),
  });
  // Ad-hoc closures the Nexusteam added with "lukket" join the instruction's own.
  const closures = new Closures(storage.storage, undefined, storeLog);
  const officeHours = officeHoursProvider(instruction, closures);
  const mailer = config.mail.smtpUrl
    ? new OutageMailer({ smtpUrl: config.mail.smtpUrl, from: config.mail.from, to: [config.mail.allUsers, config.mail.providers], logger: logger.child({ component: 'mail' }), clock })
    : null;
  const duties = composeDuties({
    channels,
    messenger,
    clock,
    instruction,
    delays: config.delays,
    logger,
    officeHours: () => officeHours(),
    storage: storage.storage,
    mailer,
    kick: () => void scheduler.tick().catch((err: unknown) => logger.error({ err }, 'scheduler tick failed')),
  });
  const scheduler = new Scheduler({
    store: duties.jobs,
    clock,
    logger: logger.child({ component: 'scheduler' }),
    intervalMs: config.delays.schedulerIntervalSeconds * 1000,
    leaseMs: config.delays.schedulerLeaseSeconds * 1000,
    handlers: duties.jobHandlers,
    onFailed: (job) => duties.escalations.onJobFailed(job),
  });
  connect(
    outboxHooks({
      recordAnnouncement: (outageId, announcement) => duties.outages.recordAnnouncement(outageId, announcement),
      recordEscalationPost: (outageId, post, reporter) => duties.escalations.recordDelivered(outageId, post, reporter),
      unsubscribe: (key) => duties.subscriptions.remove(key),
      channels,
      logger: logger.child({ component: 'outbox-hooks' }),
    }),
  );
  const services = turnServices({
    instruction,
    clock,
    officeHours,
    delays: config.delays,
    duties,
    closures,
    // Each person's language; a subscriber's personal alerts follow it when it changes.
    languages: new PersonLanguages(storage.storage, async (personKey, lang) => void (await duties.subscriptions.setLanguage(personKey, lang)), storeLog),
    mail: { smtp: mailer !== null, lists: [config.mail.allUsers, config.mail.providers] },
    access: turnAccess(directory, config),
    channels: { registry: channels, mayChangeRoles: (current, next, user, where) => directory.mayChangeRoles(current, next, user, where) },
  });
  const bot = new NedbrudBot({ storage: storage.storage, services, clock, logger: logger.child({ component: 'bot' }) });
  const { reminders, notifications, outageStore, outages } = duties;
  return { bot, scheduler, reminders, notifications, outageStore, outages, channels, mailer, outbox };
}

/** How long a SIGTERM/SIGINT may take before the process exits anyway. */
export const SHUTDOWN_TIMEOUT_MS = 10_000;

/** The process entry: start, or print one line and exit 1; stop cleanly on SIGTERM/SIGINT. */
export async function main(env: Record<string, string | undefined> = process.env): Promise<void> {
  let app: RunningApp;
  try {
    app = await startApp(env, { playground: true });
  } catch (err) {
    process.stderr.write(`Nedbrud cannot start: ${startErrorLine(err)}\n`);
    if (!isOperatorError(err) && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    process.exit(1);
  }
  const { logger } = app;

  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason }, 'unhandled promise rejection; stopping');
    process.exit(1);
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const hard = setTimeout(() => {
      logger.error({ timeoutMs: SHUTDOWN_TIMEOUT_MS }, 'shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    hard.unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

function isOperatorError(err: unknown): boolean {
  if (err instanceof ConfigError || err instanceof InstructionError) return true;
  // listen EADDRINUSE, EACCES, a storage file that cannot be opened, …
  return err instanceof Error && 'code' in err && typeof err.code === 'string';
}

function startErrorLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/\s+/g, ' ').trim();
}

if (typeof require !== 'undefined' && typeof module !== 'undefined' && require.main === module) {
  void main();
}
