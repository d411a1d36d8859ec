import { ActivityHandler, ConversationState, type StatePropertyAccessor, type Storage, type TurnContext } from 'botbuilder';
import { loadConfig } from '../src/config';
import { loadInstruction } from '../src/instruction/load';
import { createLogger } from '../src/log';
import { createAdapter } from '../src/server/adapter';
import { createServer } from '../src/server/server';
import { createStorage } from '../src/server/storage';

/**
 * The benchmark's floor: the app's own adapter, server and storage (createAdapter,
 * createServer, createStorage from the same configuration) around a bot that per
 * turn reads and writes one state property (ConversationState over the same
 * storage) and sends one reply. Whatever the real bot costs beyond this is the
 * bot's own work.
 *
 * Entry: `node dist-bench/bench/echoBot.js` with the app's environment (PORT, 0 = any;
 * SQLITE_PATH; LOG_LEVEL). Prints one JSON line with `port` once listening,
 * whatever the log level.
 */
export class EchoBot extends ActivityHandler {
  private readonly state: ConversationState;
  private readonly turns: StatePropertyAccessor<number>;

  constructor(storage: Storage) {
    super();
    this.state = new ConversationState(storage);
    this.turns = this.state.createProperty<number>('echoTurns');
    this.onMessage(async (context, next) => {
      const n = (await this.turns.get(context, 0)) + 1;
      await this.turns.set(context, n);
      const said = context.activity.text ?? (context.activity.value === undefined ? '' : '(button)');
      await context.sendActivity(`echo ${n}: ${said}`);
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    await this.state.saveChanges(context, false);
  }
}

export interface RunningEcho {
  readonly port: number;
  close(): Promise<void>;
}

export async function startEcho(env: Record<string, string | undefined>): Promise<RunningEcho> {
  const config = loadConfig(env);
  const logger = createLogger(config);
  const instruction = loadInstruction(config.instructionFile);
  const storage = createStorage(config);
  try {
    await storage.ping();
    const adapter = createAdapter(config, logger, instruction);
    const bot = new EchoBot(storage.storage);
    const server = createServer({ config, adapter, bot, storage: storage.storage, logger });
    const { port } = await server.listen();
    let closing: Promise<void> | undefined;
    return {
      port,
      close: () =>
        (closing ??= (async () => {
          try {
            await server.close();
          } finally {
            await storage.close();
          }
        })()),
    };
  } catch (err) {
    await storage.close();
    throw err;
  }
}

async function main(): Promise<void> {
  let echo: RunningEcho;
  try {
    echo = await startEcho(process.env);
  } catch (err) {
    process.stderr.write(`echo bot cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  process.stdout.write(`${JSON.stringify({ name: 'nedbrud-echo', port: echo.port, msg: `echo floor listening on ${echo.port}` })}\n`);
  const stop = (): void => {
    echo.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (typeof require !== 'undefined' && typeof module !== 'undefined' && require.main === module) {
  void main();
}
