import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { ZipFile } from 'yazl';
import { UsageError } from './args';
import { buildTeamsApp, MANIFEST_DIR, type PackageFile, type PackageSettings } from './teamsApp';

/**
 * Builds the Teams app package (manifest.json, en-us.json and the two icons in one
 * zip) from `manifest/`:
 *
 *   MicrosoftAppId=<bot app id> npm run --silent package
 *
 * The settings come from the environment: MicrosoftAppId (the bot id, required),
 * TEAMS_APP_ID (default: the bot id), PUBLIC_BASE_URL (default
 * https://nedbrud.example.org, must be https). teamsApp.ts fills and checks the
 * files; when nothing is wrong they are zipped with yazl (fixed entry times: the
 * same input gives the same bytes).
 *
 * Prints one JSON line `{"zip", "manifestVersion", "botId", "teamsAppId", "version"}`.
 * Exit 2 with one line on stderr for a missing or bad setting, exit 1 with one line
 * per problem when the manifest, the translations or the icons are not right.
 * Only the entry at the bottom reads process.env.
 */

export const DEFAULT_ZIP = resolve(__dirname, '../../dist/nedbrud-teams-app.zip');
export const DEFAULT_PUBLIC_BASE_URL = 'https://nedbrud.example.org';
export const MISSING_APP_ID = "MicrosoftAppId is required to package the Teams app (the bot's app id)";

const GUID = /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;

export interface PackageEnv {
  readonly MicrosoftAppId?: string | undefined;
  readonly TEAMS_APP_ID?: string | undefined;
  readonly PUBLIC_BASE_URL?: string | undefined;
}

function setting(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v === undefined || v === '' ? undefined : v;
}

/** The settings from the environment; a missing or malformed one is a UsageError (exit 2). */
export function settingsFromEnv(env: PackageEnv): PackageSettings {
  const botId = setting(env.MicrosoftAppId);
  if (botId === undefined) throw new UsageError(MISSING_APP_ID);
  if (!GUID.test(botId)) throw new UsageError(`MicrosoftAppId must be a GUID (the bot's app id), got "${botId}"`);
  const teamsAppId = setting(env.TEAMS_APP_ID) ?? botId;
  if (!GUID.test(teamsAppId)) throw new UsageError(`TEAMS_APP_ID must be a GUID, got "${teamsAppId}"`);
  const base = setting(env.PUBLIC_BASE_URL) ?? DEFAULT_PUBLIC_BASE_URL;
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new UsageError(`PUBLIC_BASE_URL must be an https address, got "${base}"`);
  }
  if (url.protocol !== 'https:') throw new UsageError(`PUBLIC_BASE_URL must be an https address, got "${base}"`);
  if (url.search !== '' || url.hash !== '') throw new UsageError(`PUBLIC_BASE_URL must have no query or fragment, got "${base}"`);
  return { botId, teamsAppId, publicBaseUrl: url.href.replace(/\/+$/, '') };
}

/** 1980-01-01 00:00, the earliest DOS time, as local time (which is what yazl writes): every entry's time, in any time zone. */
const ZIP_TIME = new Date(1980, 0, 1);

/** The files as a zip, in the given order; the same files give the same bytes. */
export function zipFiles(files: readonly PackageFile[]): Promise<Buffer> {
  const zip = new ZipFile();
  for (const file of files) zip.addBuffer(file.data, file.name, { mtime: ZIP_TIME, forceDosTimestamp: true });
  zip.end();
  return buffer(zip.outputStream);
}

export interface PackageResult {
  readonly zip: string;
  readonly manifestVersion: string;
  readonly botId: string;
  readonly teamsAppId: string;
  readonly version: string;
}

/** Builds and, when nothing is wrong, writes the zip. Throws an Error listing the problems otherwise. */
export async function packageTeamsApp(settings: PackageSettings, outFile: string = DEFAULT_ZIP, manifestDir: string = MANIFEST_DIR): Promise<PackageResult> {
  const pkg = await buildTeamsApp(settings, manifestDir);
  if (pkg.problems.length > 0) throw new PackageProblems(pkg.problems);
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, await zipFiles(pkg.files));
  return {
    zip: outFile,
    manifestVersion: textOf(pkg.manifest.manifestVersion),
    botId: settings.botId,
    teamsAppId: settings.teamsAppId,
    version: textOf(pkg.manifest.version),
  };
}

/** A manifest field as text (a string or number as it is, anything else as JSON). */
function textOf(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value);
}

export class PackageProblems extends Error {
  override name = 'PackageProblems';
  constructor(readonly problems: readonly string[]) {
    super(`the Teams app package has ${problems.length} problem(s)`);
  }
}

export const PACKAGE_USAGE = `Usage: MicrosoftAppId=<bot app id> npm run --silent package [-- --out FILE]

Builds the Teams app package (manifest.json, en-us.json, color.png, outline.png)
from manifest/ into dist/nedbrud-teams-app.zip.

  MicrosoftAppId   the bot's app id (required)
  TEAMS_APP_ID     the Teams app id (default: the bot's app id)
  PUBLIC_BASE_URL  https address for the developer links (default ${DEFAULT_PUBLIC_BASE_URL})
  --out FILE       where to write the zip
`;

/** The command: exit code 0, 1 (problems in the package) or 2 (bad setting or argument). */
export async function main(args: readonly string[], env: PackageEnv, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  try {
    let outFile = DEFAULT_ZIP;
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (a === '--help' || a === '-h') {
        out(PACKAGE_USAGE.trimEnd());
        return 0;
      }
      if (a === '--out' || a?.startsWith('--out=') === true) {
        const file = a === '--out' ? args[++i] : a.slice('--out='.length);
        if (file === undefined || file === '') throw new UsageError('--out needs a file name (see --help)');
        outFile = resolve(file);
      } else throw new UsageError(`unknown argument "${a ?? ''}" (see --help)`);
    }
    const settings = settingsFromEnv(env);
    if (setting(env.PUBLIC_BASE_URL) === undefined) {
      err(`warning: PUBLIC_BASE_URL is not set; the developer links point at the placeholder ${DEFAULT_PUBLIC_BASE_URL}`);
    }
    out(JSON.stringify(await packageTeamsApp(settings, outFile)));
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      err(e.message);
      return 2;
    }
    if (e instanceof PackageProblems) {
      for (const p of e.problems) err(p);
      return 1;
    }
    err(`package: ${e instanceof Error ? e.message : String(e)}`.replace(/\s*\n\s*/g, ' '));
    return 1;
  }
}

if (require.main === module) {
  void main(
    process.argv.slice(2),
    { MicrosoftAppId: process.env.MicrosoftAppId, TEAMS_APP_ID: process.env.TEAMS_APP_ID, PUBLIC_BASE_URL: process.env.PUBLIC_BASE_URL },
    (line) => process.stdout.write(`${line}\n`),
    (line) => process.stderr.write(`${line}\n`),
  ).then((code) => {
    process.exitCode = code;
  });
}
