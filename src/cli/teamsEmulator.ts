import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { startApp, type RunningApp } from '../index';
import { oneOf, parseIntInRange, parseStrict, UsageError } from './args';

/**
 * Microsoft's own Teams emulator against the bot:
 *
 *   npm run teams-emulator [-- --port 56150]
 *
 * starts the bot in development mode (as `npm start`: port 3978, its playground
 * and clock bar at http://localhost:3978/) and the Microsoft 365 Agents
 * Playground (npm @microsoft/m365agentsplayground, a dev dependency) pointed at
 * its /api/messages as a Teams client: Teams-shaped personal, group and channel
 * conversations, its own connector and Adaptive Cards renderer, a user with
 * locale en-US. It opens the emulator in a browser unless
 * TEAMSAPPTESTER_BROWSER=none (the playground's own setting).
 *
 * The emulator sends no token, so the bot must run without MicrosoftAppId.
 * Ctrl+C stops both.
 */

export const EMULATOR_USAGE = `Usage: npm run teams-emulator [-- --port N] [--channel msteams|emulator|webchat]

  --port     the emulator's port (default 56150; another free one if that is taken)
  --channel  the channel the emulator plays (default msteams)
Starts the bot in development mode on PORT (default 3978) and Microsoft 365 Agents Playground against it.
Set TEAMSAPPTESTER_BROWSER=none to not open a browser. Its log: data/m365agentsplayground.log.
`;

export const DEFAULT_EMULATOR_PORT = 56150;
const CHANNELS = ['msteams', 'emulator', 'webchat'] as const;
/** How long the emulator may take to listen. */
const START_TIMEOUT_MS = 60_000;

export interface EmulatorOptions {
  /** The bot's messaging endpoint, e.g. http://127.0.0.1:3978/api/messages. */
  readonly endpoint: string;
  /** The emulator's port; 0 = any free port. */
  readonly port: number;
  readonly channel?: (typeof CHANNELS)[number] | undefined;
  /** Where the emulator writes its log. */
  readonly logFile: string;
  /** Open the emulator in the default browser (the playground's behaviour); tests pass false. */
  readonly openBrowser: boolean;
  /** Each line the emulator prints (default: ignored). */
  readonly onOutput?: ((line: string) => void) | undefined;
}

export interface RunningEmulator {
  /** http://localhost:PORT: the emulator's page. */
  readonly url: string;
  readonly port: number;
  /** Resolves when the emulator process has ended (by itself or by close()). */
  readonly exited: Promise<number | null>;
  close(): Promise<void>;
}

/** The emulator's own command line (cli.js of the npm package), run with this Node. */
function emulatorCli(): string {
  return require.resolve('@microsoft/m365agentsplayground/cli.js');
}

/** Starts the emulator and resolves once it listens; rejects with what it printed if it stops first. */
export async function startTeamsEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, M365_AGENTS_PLAYGROUND_LOGFILE: options.logFile };
  if (!options.openBrowser) env['TEAMSAPPTESTER_BROWSER'] = 'none';
  const child: ChildProcess = spawn(
    process.execPath,
    [emulatorCli(), '--app-endpoint', options.endpoint, '--channel-id', options.channel ?? 'msteams', '--port', String(options.port), '--disable-telemetry'],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const output: string[] = [];
  const port = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error(`the Teams emulator did not listen within ${START_TIMEOUT_MS / 1000} s: ${output.join(' | ')}`)), START_TIMEOUT_MS);
    const onLine = (line: string): void => {
      output.push(line);
      options.onOutput?.(line);
      const m = /Listening on (\d+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolvePort(Number(m[1]));
      }
    };
    for (const stream of [child.stdout, child.stderr]) if (stream) createInterface({ input: stream }).on('line', onLine);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the Teams emulator stopped (exit ${code}) before it listened: ${output.join(' | ')}`));
    });
  });
  let closing: Promise<void> | undefined;
  return {
    url: `http://localhost:${port}`,
    port,
    exited,
    close: () =>
      (closing ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(killer);
      })()),
  };
}

/** `npm run teams-emulator`: the bot and the emulator together; Ctrl+C stops both. */
export async function main(args: string[], env: Record<string, string | undefined>): Promise<void> {
  let port: number;
  let channel: (typeof CHANNELS)[number];
  try {
    const { values } = parseStrict({ args, options: { port: { type: 'string' }, channel: { type: 'string' }, help: { type: 'boolean' } }, strict: true, allowPositionals: false });
    if (values.help === true) {
      process.stdout.write(EMULATOR_USAGE);
      return;
    }
    port = values.port === undefined ? DEFAULT_EMULATOR_PORT : parseIntInRange('port', values.port, 0, 65535);
    channel = oneOf('channel', values.channel, CHANNELS) ?? 'msteams';
    if (env['MicrosoftAppId']?.trim()) {
      throw new UsageError('the emulator sends no token, so the bot runs here in development mode: unset MicrosoftAppId (e.g. MicrosoftAppId= npm run teams-emulator)');
    }
  } catch (err) {
    process.stderr.write(`teams-emulator: ${err instanceof Error ? err.message : String(err)}${err instanceof UsageError ? ' (see --help)' : ''}\n`);
    process.exitCode = 2;
    return;
  }

  let app: RunningApp;
  try {
    app = await startApp(env, { playground: true });
  } catch (err) {
    process.stderr.write(`Nedbrud cannot start: ${(err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ')}\n`);
    process.exitCode = 1;
    return;
  }
  let emulator: RunningEmulator;
  try {
    emulator = await startTeamsEmulator({
      endpoint: `http://127.0.0.1:${app.port}/api/messages`,
      port,
      channel,
      logFile: resolve('data', 'm365agentsplayground.log'),
      openBrowser: env['TEAMSAPPTESTER_BROWSER'] !== 'none',
      onOutput: (line) => process.stderr.write(`[agentsplayground] ${line}\n`),
    });
  } catch (err) {
    app.logger.error({ err }, 'the Teams emulator did not start');
    await app.close();
    process.exitCode = 1;
    return;
  }
  app.logger.info(
    { emulator: emulator.url, bot: app.url },
    `Teams emulator (Microsoft 365 Agents Playground) on ${emulator.url}, talking to the bot at ${app.url}/api/messages; the bot's clock bar is at ${app.url}/`,
  );

  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await emulator.close();
    await app.close();
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));
  void emulator.exited.then((code) => {
    if (stopping) return;
    app.logger.warn({ code }, 'the Teams emulator stopped; stopping the bot');
    void stop(code === 0 ? 0 : 1);
  });
}

if (require.main === module) {
  void main(process.argv.slice(2), process.env);
}
