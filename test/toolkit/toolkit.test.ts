import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { loadConfig } from '../../src/config';
import { waitUntil } from '../helpers/wait';

/*
 * The Microsoft 365 Agents Toolkit layout cannot be provisioned or deployed from
 * this offline machine, and no npm package ships a Bicep compiler. What can be
 * checked here is that the toolkit would find everything it is told about: every
 * file a step names, every ${{VARIABLE}} a step, the manifest or the ARM
 * parameters use (from the environment file, an earlier step's output, or the
 * Bicep template's outputs), every parameter and module parameter the Bicep
 * declares, and that the app settings the Bicep gives App Service start the bot
 * as it must run there. The staged deployment package is started for real.
 */

const ROOT = resolve(__dirname, '../..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

/** The toolkit's actions these files use (Microsoft's own templates use the same). */
const ACTIONS = new Set([
  'teamsApp/create',
  'teamsApp/validateManifest',
  'teamsApp/zipAppPackage',
  'teamsApp/validateAppPackage',
  'teamsApp/update',
  'teamsApp/publishAppPackage',
  'arm/deploy',
  'aadApp/create',
  'botFramework/create',
  'cli/runNpmCommand',
  'file/createOrUpdateEnvironmentFile',
  'azureAppService/zipDeploy',
]);

/** Variables a person (or the toolkit's sign-in and tunnel) fills in, not a step of these files. */
const FILLED_IN = new Set(['AZURE_SUBSCRIPTION_ID', 'AZURE_RESOURCE_GROUP_NAME', 'RESOURCE_SUFFIX', 'NEXUSTEAM_IDS', 'BOT_ENDPOINT', 'BOT_DOMAIN', 'TEAMS_APP_TENANT_ID']);

const PROJECTS = [
  { file: 'm365agents.yml', env: 'dev' },
  { file: 'm365agents.local.yml', env: 'local' },
  { file: 'm365agents.playground.yml', env: 'playground' },
] as const;

const LIFECYCLES = ['provision', 'deploy', 'publish'] as const;

interface Step {
  readonly uses: string;
  readonly name?: string;
  readonly with?: Record<string, unknown>;
  readonly writeToEnvironmentFile?: Record<string, string>;
}

interface Project {
  readonly version: string;
  readonly environmentFolderPath?: string;
  readonly provision?: Step[];
  readonly deploy?: Step[];
  readonly publish?: Step[];
}

function parseYaml(file: string): Project {
  const doc = parseDocument(read(file));
  expect(doc.errors.map((e) => e.message), file).toEqual([]);
  expect(doc.warnings.map((e) => e.message), file).toEqual([]);
  return doc.toJS() as Project;
}

/** KEY=value lines of an env file (comments and blank lines skipped). */
function envFile(path: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of read(path).split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) vars.set(m[1] ?? '', m[2] ?? '');
  }
  return vars;
}

const placeholders = (text: string): string[] => [...text.matchAll(/\$\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)].map((m) => m[1] ?? '');

/** `param name type [= default]` of a Bicep file: name → whether it has a default. */
function bicepParams(path: string): Map<string, boolean> {
  const params = new Map<string, boolean>();
  for (const m of read(path).matchAll(/^param\s+(\w+)\s+\w+(\s*=)?/gm)) params.set(m[1] ?? '', m[2] !== undefined);
  return params;
}

const bicepOutputs = (path: string): string[] => [...read(path).matchAll(/^output\s+(\w+)\s/gm)].map((m) => m[1] ?? '');

/** The body of `<keyword> … = {` up to its matching brace. */
function block(text: string, start: RegExp): string {
  const m = start.exec(text);
  if (!m) throw new Error(`no ${start} in the template`);
  let depth = 0;
  for (let i = m.index + m[0].length - 1; i < text.length; i++) {
    if (text[i] === '{') depth++;
    if (text[i] === '}' && --depth === 0) return text.slice(m.index + m[0].length, i);
  }
  throw new Error(`unbalanced braces after ${start}`);
}

/** Files the manifest template names (the localization file, the icons), besides itself. */
function manifestFiles(): string[] {
  const manifest = JSON.parse(read('manifest/manifest.template.json')) as {
    icons: { color: string; outline: string };
    localizationInfo?: { additionalLanguages?: { file: string }[] };
  };
  return ['manifest/manifest.template.json', `manifest/${manifest.icons.color}`, `manifest/${manifest.icons.outline}`, ...(manifest.localizationInfo?.additionalLanguages ?? []).map((l) => `manifest/${l.file}`)];
}

const ignoredByGit = (path: string): boolean => spawnSync('git', ['check-ignore', '-q', path], { cwd: ROOT }).status === 0;
const packageScripts = (): Record<string, string> => (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;

describe.each(PROJECTS)('$file', ({ file, env }) => {
  const envPath = `env/.env.${env}`;
  let parsed: Project | undefined;
  const project = (): Project => (parsed ??= parseYaml(file));

  it('is a toolkit project of schema v1.x whose environment file exists', () => {
    expect(project().version).toMatch(/^v1\.\d+$/);
    expect(project().environmentFolderPath).toBe('./env');
    expect(existsSync(join(ROOT, envPath)), envPath).toBe(true);
    expect(envFile(envPath).get('TEAMSFX_ENV')).toBe(env);
  });

  it("uses only the toolkit's actions, and every file and npm script a step names exists", () => {
    const scripts = packageScripts();
    for (const lifecycle of LIFECYCLES) {
      const produced = new Set<string>();
      for (const step of project()[lifecycle] ?? []) {
        expect(ACTIONS, `${lifecycle}: ${step.uses}`).toContain(step.uses);
        const w = step.with ?? {};
        for (const key of ['manifestPath']) if (typeof w[key] === 'string') expect(existsSync(join(ROOT, w[key])), `${step.uses} ${key}`).toBe(true);
        if (step.uses === 'teamsApp/validateManifest') for (const f of manifestFiles()) expect(existsSync(join(ROOT, f)), f).toBe(true);
        for (const t of (w['templates'] as { path: string; parameters: string }[] | undefined) ?? []) {
          expect(existsSync(join(ROOT, t.path)), t.path).toBe(true);
          expect(existsSync(join(ROOT, t.parameters)), t.parameters).toBe(true);
        }
        // A package is validated, updated or published only after a step of the same lifecycle zipped it.
        if (typeof w['appPackagePath'] === 'string') expect(produced, `${lifecycle}: ${step.uses}`).toContain(w['appPackagePath']);
        if (typeof w['outputZipPath'] === 'string') produced.add(w['outputZipPath']);
        if (step.uses === 'cli/runNpmCommand') {
          const run = /^run\s+(\S+)/.exec(String(w['args']));
          if (run) expect(Object.keys(scripts), `npm ${String(w['args'])}`).toContain(run[1]);
        }
        if (step.uses === 'azureAppService/zipDeploy') {
          expect(w['artifactFolder']).toBe('./.deployment');
          expect(scripts['stage:app-service']).toContain('scripts/stage-app-service.mjs');
        }
      }
    }
  });

  it('has every ${{VARIABLE}} of its steps, the manifest and the ARM parameters defined before the step that uses it', () => {
    const declared = envFile(envPath);
    const available = new Set<string>(['TEAMSFX_ENV', ...[...declared].filter(([, v]) => v !== '').map(([k]) => k)]);
    for (const name of FILLED_IN) if (declared.has(name)) available.add(name);
    const missing: string[] = [];
    const need = (names: readonly string[], where: string): void => {
      for (const n of names) if (!available.has(n)) missing.push(`${where}: ${n}`);
    };
    for (const lifecycle of LIFECYCLES) {
      for (const step of project()[lifecycle] ?? []) {
        const where = `${lifecycle} ${step.uses}`;
        need(placeholders(JSON.stringify(step.with ?? {})), where);
        if (step.uses === 'teamsApp/validateManifest' || step.uses === 'teamsApp/zipAppPackage') {
          for (const f of manifestFiles().filter((x) => x.endsWith('.json'))) need(placeholders(read(f)), `${where} (${f})`);
        }
        for (const t of ((step.with ?? {})['templates'] as { path: string; parameters: string }[] | undefined) ?? []) {
          need(placeholders(read(t.parameters)), `${where} (${t.parameters})`);
          for (const o of bicepOutputs(t.path)) available.add(o);
        }
        for (const v of Object.values(step.writeToEnvironmentFile ?? {})) available.add(v);
      }
    }
    expect(missing).toEqual([]);
    // Whatever a step writes is declared in the environment file, so a reader finds it there.
    for (const lifecycle of LIFECYCLES) {
      for (const step of project()[lifecycle] ?? []) {
        for (const v of Object.values(step.writeToEnvironmentFile ?? {})) if (!v.startsWith('SECRET_')) expect([...declared.keys()], `${file}: ${v}`).toContain(v);
        for (const t of ((step.with ?? {})['templates'] as { path: string }[] | undefined) ?? []) {
          for (const o of bicepOutputs(t.path)) expect([...declared.keys()], `${file}: output ${o}`).toContain(o);
        }
      }
    }
  });

  it('writes its outputs only where git ignores them, and keeps secrets out of committed files', () => {
    for (const lifecycle of LIFECYCLES) {
      for (const step of project()[lifecycle] ?? []) {
        const w = step.with ?? {};
        for (const key of ['outputZipPath', 'outputFolder', 'artifactFolder', 'target']) {
          if (typeof w[key] !== 'string') continue;
          // A folder is asked about through a file inside it (it need not exist yet).
          const path = `${String(w[key]).replace('${{TEAMSFX_ENV}}', env)}${key.endsWith('Folder') ? '/any' : ''}`;
          expect(ignoredByGit(path), `${step.uses} ${key}`).toBe(true);
        }
      }
    }
    expect(ignoredByGit(`${envPath}.user`)).toBe(true);
    expect(ignoredByGit(envPath)).toBe(false);
    for (const [key, value] of envFile(envPath)) expect(key.startsWith('SECRET_') && value !== '', key).toBe(false);
  });
});

describe('infra/ (Bicep)', () => {
  const template = read('infra/azure.bicep');
  const params = bicepParams('infra/azure.bicep');

  it('gets a value for every parameter without a default from azure.parameters.json, and no unknown ones', () => {
    const given = Object.keys((JSON.parse(read('infra/azure.parameters.json')) as { parameters: Record<string, unknown> }).parameters);
    for (const name of given) expect([...params.keys()], name).toContain(name);
    for (const [name, hasDefault] of params) if (!hasDefault) expect(given, name).toContain(name);
  });

  it('passes the Azure Bot module exactly the parameters it declares, and the module exists', () => {
    const m = /module\s+\w+\s+'([^']+)'/.exec(template);
    const path = join('infra', m?.[1] ?? '');
    expect(path).toBe(join('infra', 'botRegistration', 'azurebot.bicep'));
    expect(existsSync(join(ROOT, path))).toBe(true);
    const declared = bicepParams(path);
    const passed = [...block(template, /module\s+\w+\s+'[^']+'\s*=\s*\{/).matchAll(/^\s{4}(\w+):/gm)].map((x) => x[1] ?? '');
    for (const name of passed) expect([...declared.keys()], name).toContain(name);
    for (const [name, hasDefault] of declared) if (!hasDefault) expect(passed, name).toContain(name);
    const bot = read(path);
    expect(bot).toContain("msaAppType: 'UserAssignedMSI'");
    expect(bot).toContain("channelName: 'MsTeamsChannel'");
    expect(bot).toContain("endpoint: 'https://${botAppDomain}/api/messages'");
  });

  it('runs App Service on Linux with Node 22 LTS, always on, the health check on /readyz and the start command of npm start', () => {
    const site = block(template, /resource webApp '[^']+' = \{/);
    expect(site).toContain("linuxFxVersion: 'NODE|22-lts'");
    expect(site).toContain('alwaysOn: true');
    expect(site).toContain("healthCheckPath: '/readyz'");
    const command = /appCommandLine: '([^']+)'/.exec(site)?.[1]?.replace('${heapMb}', String(/param heapMb int = (\d+)/.exec(template)?.[1]));
    expect(command).toBe('node --max-old-space-size=224 dist/index.js');
    expect(packageScripts()['start']).toContain(command);
  });

  it('gives App Service settings the bot knows, and with them the bot starts as a UserAssignedMSI bot on Blob storage', () => {
    const settings = new Map<string, string>();
    for (const m of block(template, /resource appSettings '[^']+' = \{/).matchAll(/^\s{4}(\w+):\s*(.+)$/gm)) settings.set(m[1] ?? '', m[2] ?? '');
    const known = envFile('.env.example');
    for (const name of settings.keys()) if (!/^(WEBSITE|SCM)_/.test(name)) expect([...known.keys()], name).toContain(name);
    // What App Service would hold once Azure has filled in the expressions.
    const env: Record<string, string> = {};
    const filled: Record<string, string> = {
      MicrosoftAppId: '11111111-2222-3333-4444-555555555555',
      MicrosoftAppTenantId: '66666666-7777-8888-9999-000000000000',
      PUBLIC_BASE_URL: 'https://nedbrud-abc123.azurewebsites.net',
      BLOB_CONNECTION_STRING: 'DefaultEndpointsProtocol=https;AccountName=nedbrudabc;AccountKey=a2V5;EndpointSuffix=core.windows.net',
      BLOB_CONTAINER: 'nedbrud',
    };
    for (const [name, value] of settings) {
      if (/^(WEBSITE|SCM)_/.test(name)) continue;
      const literal = /^'([^'$]*)'$/.exec(value);
      env[name] = filled[name] ?? (literal ? (literal[1] ?? '') : '');
    }
    const config = loadConfig(env);
    expect(config.development).toBe(false);
    expect(config.bot.appType).toBe('UserAssignedMSI');
    expect(config.storage.kind).toBe('blob');
    expect(config.devPlayground).toBe(false);
  });
});

describe('the deployment package (npm run stage:app-service)', () => {
  const out = mkdtempSync(join(tmpdir(), 'nedbrud-stage-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('holds the built bot without dev dependencies, and the bot starts from it and answers /readyz', async () => {
    spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT, encoding: 'utf8' });
    const staged = spawnSync(process.execPath, [join(ROOT, 'scripts/stage-app-service.mjs'), '--out', out], { cwd: ROOT, encoding: 'utf8' });
    expect(staged.status, staged.stderr).toBe(0);
    for (const part of ['dist/index.js', 'cards/welcome.json', 'node_modules/botbuilder', 'node_modules/restify']) expect(existsSync(join(out, part)), part).toBe(true);
    for (const dev of ['node_modules/typescript', 'node_modules/vitest', 'node_modules/playwright-core', 'node_modules/azurite', 'node_modules/@microsoft/m365agentsplayground', 'test', 'src']) {
      expect(existsSync(join(out, dev)), dev).toBe(false);
    }
    // The staged bot on its own, as App Service starts it (development mode, memory storage: no Azure here).
    const bot = spawn(process.execPath, ['--max-old-space-size=224', 'dist/index.js'], {
      cwd: out,
      env: { PATH: process.env['PATH'] ?? '', PORT: '0', HOST: '127.0.0.1', STORAGE: 'memory', DEV_PLAYGROUND: 'false', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let log = '';
      bot.stdout.on('data', (d: Buffer) => (log += d.toString()));
      bot.stderr.on('data', (d: Buffer) => (log += d.toString()));
      await waitUntil(() => /listening on http:\/\/[^:]+:(\d+)/.test(log) || bot.exitCode !== null, 20_000, 'the staged bot to listen');
      const port = /listening on http:\/\/[^:]+:(\d+)/.exec(log)?.[1];
      expect(port, log).toBeDefined();
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
    } finally {
      const exited = new Promise((done) => bot.once('exit', done));
      if (bot.exitCode === null) bot.kill('SIGTERM');
      await exited;
    }
  }, 180_000);
});
