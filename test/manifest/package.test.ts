import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args';
import { bundledManifestVersions, repairPattern, validateLocalization, validateManifest } from '../../src/cli/manifestValidation';
import { MISSING_APP_ID, PackageProblems, main, packageTeamsApp, settingsFromEnv } from '../../src/cli/package';
import { MANIFEST_DIR, TEMPLATE_FILE, buildTeamsApp, substitute, type PackageSettings } from '../../src/cli/teamsApp';
import { recognizerFor } from '../../src/domain/intent';
import { loadInstruction } from '../../src/instruction/load';
import { readZip } from '../support/zip';

const { recognize } = recognizerFor(loadInstruction().systems);

/*
 * The Teams app package: the template filled and validated offline against the
 * schema bundled with @microsoft/app-manifest, the committed icons checked pixel
 * by pixel (pngjs), and the zip as `npm run package` writes it, read back with
 * yauzl (DESIGN.md "Teams manifest").
 */

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist/cli/package.js');
const BOT_ID = '00000000-0000-4000-8000-000000000abc';
const OTHER_ID = '11111111-2222-4333-8444-555555555555';
const SETTINGS: PackageSettings = { botId: BOT_ID, teamsAppId: BOT_ID, publicBaseUrl: 'https://nedbrud.example.org' };
const FILES = ['color.png', 'en-us.json', 'manifest.json', 'outline.png'];

interface Command {
  title: string;
  description?: string;
}
interface CommandList {
  scopes: string[];
  commands: Command[];
}
interface Bot {
  botId?: string;
  scopes: string[];
  supportsFiles?: boolean;
  isNotificationOnly?: boolean;
  commandLists: CommandList[];
}
interface Manifest {
  $schema: string;
  manifestVersion: string;
  version: string;
  id: string;
  localizationInfo: { defaultLanguageTag: string; additionalLanguages: Array<{ languageTag: string; file: string }> };
  developer: { name: string; websiteUrl: string; privacyUrl: string; termsOfUseUrl: string };
  name: { short: string; full: string };
  description: { short: string; full: string };
  icons: { color: string; outline: string };
  accentColor: string;
  bots: Bot[];
  validDomains?: string[];
}
type Localization = Record<string, string>;

let manifest: Manifest;
let english: Localization;

/** A deep copy of the filled manifest to break in one place. */
function copy(): Manifest {
  return JSON.parse(JSON.stringify(manifest)) as Manifest;
}

function bot(m: Manifest): Bot {
  const b = m.bots[0];
  if (b === undefined) throw new Error('the manifest has no bot');
  return b;
}

function listFor(scope: string): CommandList {
  const list = bot(manifest).commandLists.find((l) => l.scopes.includes(scope));
  if (list === undefined) throw new Error(`no command list for ${scope}`);
  return list;
}

beforeAll(async () => {
  const pkg = await buildTeamsApp(SETTINGS);
  expect(pkg.problems).toEqual([]);
  manifest = pkg.manifest as unknown as Manifest;
  english = JSON.parse(readFileSync(join(MANIFEST_DIR, 'en-us.json'), 'utf8')) as Localization;
});

describe('the manifest template, filled', () => {
  it('validates against the bundled schema with zero errors, and so does the English file', async () => {
    expect(await validateManifest(manifest)).toEqual([]);
    expect(await validateLocalization(english, manifest, 'en-us.json')).toEqual([]);
  });

  it('uses a manifest version whose schema ships with @microsoft/app-manifest, so validation never needs the network', () => {
    expect(bundledManifestVersions()).toContain(manifest.manifestVersion);
    expect(manifest.$schema).toBe(`https://developer.microsoft.com/json-schemas/teams/v${manifest.manifestVersion}/MicrosoftTeams.schema.json`);
    expect(english.$schema).toBe(`https://developer.microsoft.com/json-schemas/teams/v${manifest.manifestVersion}/MicrosoftTeams.Localization.schema.json`);
  });

  it('fills the placeholders: app id, bot id, https developer links; none is left', () => {
    const template = readFileSync(join(MANIFEST_DIR, TEMPLATE_FILE), 'utf8');
    for (const p of ['${{TEAMS_APP_ID}}', '${{BOT_ID}}', '${{PUBLIC_BASE_URL}}']) expect(template).toContain(p);
    expect(JSON.stringify(manifest)).not.toContain('${{');
    expect(manifest.id).toBe(BOT_ID);
    expect(bot(manifest).botId).toBe(BOT_ID);
    for (const url of [manifest.developer.websiteUrl, manifest.developer.privacyUrl, manifest.developer.termsOfUseUrl]) {
      expect(url.startsWith('https://nedbrud.example.org/')).toBe(true);
    }
  });

  it('is Danish first with an English translation, named and described as agreed', () => {
    expect(manifest.version).toBe('1.0.0');
    expect(manifest.localizationInfo.defaultLanguageTag).toBe('da-dk');
    expect(manifest.localizationInfo.additionalLanguages).toEqual([{ languageTag: 'en-us', file: 'en-us.json' }]);
    expect(manifest.developer.name).toBe('Brøndby Kommune');
    expect(manifest.name).toEqual({ short: 'Nedbrud', full: 'Nedbrud – hjælp ved nedbrud på Nexus, Bekey og internet' });
    expect(manifest.description.short.length).toBeLessThanOrEqual(80);
    expect(manifest.description.full.length).toBeLessThanOrEqual(4000);
    expect(manifest.accentColor).toMatch(/^#[0-9A-Fa-f]{6}$/);
    expect(english['name.short']).toBe('Nedbrud');
    expect(english['description.short']).toMatch(/Nexus, Bekey or the Internet is down/);
  });

  it('has one conversational bot for personal, team and group chat, without files', () => {
    expect(manifest.bots).toHaveLength(1);
    const b = bot(manifest);
    expect([...b.scopes].sort()).toEqual(['groupChat', 'personal', 'team']);
    expect(b.supportsFiles).toBe(false);
    expect(b.isNotificationOnly).toBe(false);
    expect(b.commandLists.map((l) => l.scopes)).toEqual([['personal'], ['team'], ['groupChat']]);
  });

  it('offers the Danish commands people type, at most 10 per scope, each with a Danish description', () => {
    const titles = (scope: string): string[] => listFor(scope).commands.map((c) => c.title);
    const everyone = ['Nexus er nede', 'hjælp', 'status', 'kontakter', 'åbningstider', 'forfra'];
    for (const scope of ['personal', 'team', 'groupChat']) {
      expect(titles(scope)).toEqual(expect.arrayContaining(everyone));
      expect(titles(scope).length).toBeLessThanOrEqual(10);
    }
    expect(titles('team')).toEqual(expect.arrayContaining(['meld nedbrud', 'opdater', 'løst', 'kanal']));
    expect(titles('personal')).toEqual(expect.arrayContaining(['Bekey er nede', 'Internettet er nede', 'Nexus virker igen', 'følg nedbrud']));
    for (const list of bot(manifest).commandLists) {
      for (const c of list.commands) expect(c.description ?? '').toMatch(/\S/);
    }
    expect(listFor('personal').commands.find((c) => c.title === 'hjælp')?.description).toBe('Se hvad Nedbrud kan hjælpe med');
  });

  it('translates every command title and description to English, keyed by position', () => {
    bot(manifest).commandLists.forEach((list, l) => {
      list.commands.forEach((_c, i) => {
        expect(english[`bots[0].commandLists[${l}].commands[${i}].title`]).toMatch(/\S/);
        expect(english[`bots[0].commandLists[${l}].commands[${i}].description`]).toMatch(/\S/);
      });
    });
    expect(english['bots[0].commandLists[0].commands[0].title']).toBe('Nexus is down');
    expect(english['bots[0].commandLists[1].commands[2].title']).toBe('declare outage');
  });

  it('offers only commands the bot understands, in Danish and in English', () => {
    const expected: Record<string, string> = {
      'Nexus er nede': 'outage', 'Nexus is down': 'outage',
      'Bekey er nede': 'outage', 'Bekey is down': 'outage',
      'Internettet er nede': 'outage', 'Internet is down': 'outage',
      'Nexus virker igen': 'worksAgain', 'Nexus works again': 'worksAgain',
      status: 'status', kontakter: 'contacts', contacts: 'contacts',
      åbningstider: 'hours', 'opening hours': 'hours',
      'følg nedbrud': 'follow', 'follow outages': 'follow',
      hjælp: 'help', help: 'help', forfra: 'restart', 'start over': 'restart',
      'meld nedbrud': 'declare', 'declare outage': 'declare',
      opdater: 'update', update: 'update', løst: 'resolve', resolved: 'resolve',
      kanal: 'channel', channel: 'channel',
    };
    const offered = new Set<string>();
    bot(manifest).commandLists.forEach((list, l) => {
      list.commands.forEach((c, i) => {
        offered.add(c.title);
        offered.add(english[`bots[0].commandLists[${l}].commands[${i}].title`] ?? '');
      });
    });
    for (const title of offered) {
      expect(expected[title], `no expectation for "${title}"`).toBeDefined();
      expect(recognize(title).kind, title).toBe(expected[title]);
    }
  });
});

describe('validation rejects a broken manifest, naming the field', () => {
  async function errorsAfter(change: (m: Manifest) => void): Promise<string[]> {
    const m = copy();
    change(m);
    return validateManifest(m);
  }

  it('a short name over 30 characters', async () => {
    const errors = await errorsAfter((m) => {
      m.name.short = 'Nedbrud – hjælp ved nedbrud nu!';
    });
    expect(errors.some((e) => e.includes('/name/short') && e.includes('30'))).toBe(true);
  });

  it('a short description over 80 characters', async () => {
    const errors = await errorsAfter((m) => {
      m.description.short = 'x'.repeat(81);
    });
    expect(errors.some((e) => e.includes('/description/short'))).toBe(true);
  });

  it('an app id that is not a GUID', async () => {
    const errors = await errorsAfter((m) => {
      m.id = 'nedbrud';
    });
    expect(errors.some((e) => e.startsWith('manifest.json: /id ') && e.includes('pattern'))).toBe(true);
  });

  it('a missing bot id', async () => {
    const errors = await errorsAfter((m) => {
      delete bot(m).botId;
    });
    expect(errors.some((e) => e.includes('/bots/0') && e.includes('botId'))).toBe(true);
  });

  it('a bot scope typo, in the bot and in a command list', async () => {
    const errors = await errorsAfter((m) => {
      bot(m).scopes = ['personal', 'team', 'groupchat'];
      const list = bot(m).commandLists[2];
      if (list) list.scopes = ['groupchat'];
    });
    expect(errors.some((e) => e.includes('/bots/0/scopes/2') && e.includes('allowed values'))).toBe(true);
    expect(errors.some((e) => e.includes('/bots/0/commandLists/2/scopes'))).toBe(true);
  });

  it('more than 10 commands in a list, and a title twice', async () => {
    const errors = await errorsAfter((m) => {
      const list = bot(m).commandLists[0];
      if (list) list.commands.push({ title: 'hjælp', description: 'igen' });
    });
    expect(errors).toContain('manifest.json: /bots/0/commandLists/0/commands has 11 commands; Teams shows at most 10');
    expect(errors.some((e) => e.includes('/bots/0/commandLists/0/commands/10/title'))).toBe(true);
  });

  it('an http developer link, a $schema of another version, an unfilled placeholder', async () => {
    const errors = await errorsAfter((m) => {
      m.developer.privacyUrl = 'http://nedbrud.example.org/privatliv';
      m.$schema = 'https://developer.microsoft.com/json-schemas/teams/v1.17/MicrosoftTeams.schema.json';
      m.developer.termsOfUseUrl = '${{PUBLIC_BASE_URL}}/vilkaar';
    });
    expect(errors.some((e) => e.includes('/developer/privacyUrl must be an https address'))).toBe(true);
    expect(errors.some((e) => e.includes('/$schema must be'))).toBe(true);
    expect(errors.some((e) => e.includes('placeholders left unfilled: ${{PUBLIC_BASE_URL}}'))).toBe(true);
  });

  it('a manifest version without a bundled schema (instead of fetching one)', async () => {
    const errors = await errorsAfter((m) => {
      m.manifestVersion = '9.9';
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/\/manifestVersion "9\.9" has no schema bundled/);
  });

  it('a translation that is too long, points nowhere, or is missing', async () => {
    const loc: Localization = { ...english, 'name.short': 'Nedbrud – help when things break' };
    loc['bots[0].commandLists[0].commands[10].title'] = 'extra';
    delete loc['bots[0].commandLists[1].commands[3].description'];
    const errors = await validateLocalization(loc, manifest, 'en-us.json');
    expect(errors.some((e) => e.includes('/name.short') && e.includes('30'))).toBe(true);
    expect(errors).toContain('en-us.json: "bots[0].commandLists[0].commands[10].title" translates a command the manifest does not have');
    expect(errors).toContain('en-us.json: "bots[0].commandLists[1].commands[3].description" is missing (every command needs a translation)');
  });

  it('repairs the bundled localization schema patterns Ajv cannot compile, and only those', () => {
    expect(repairPattern('^a\\[\\b(1|2)\\b]\\.x$')).toBe('^a\\[\\b(1|2)\\b\\]\\.x$');
    expect(repairPattern('^[0-9a-f]{8}$')).toBe('^[0-9a-f]{8}$');
  });
});

describe('settings and placeholders', () => {
  it('needs MicrosoftAppId; the Teams app id defaults to it, the base URL to the placeholder', () => {
    expect(() => settingsFromEnv({})).toThrow(UsageError);
    expect(() => settingsFromEnv({ MicrosoftAppId: '  ' })).toThrow(MISSING_APP_ID);
    expect(settingsFromEnv({ MicrosoftAppId: BOT_ID })).toEqual(SETTINGS);
    expect(settingsFromEnv({ MicrosoftAppId: BOT_ID, TEAMS_APP_ID: OTHER_ID, PUBLIC_BASE_URL: 'https://nedbrud.brondby.example.org/bot/' })).toEqual({
      botId: BOT_ID,
      teamsAppId: OTHER_ID,
      publicBaseUrl: 'https://nedbrud.brondby.example.org/bot',
    });
  });

  it('refuses a bot id or Teams app id that is not a GUID, and a base URL that is not https', () => {
    expect(() => settingsFromEnv({ MicrosoftAppId: 'nedbrud-bot' })).toThrow(/MicrosoftAppId must be a GUID/);
    expect(() => settingsFromEnv({ MicrosoftAppId: BOT_ID, TEAMS_APP_ID: 'x' })).toThrow(/TEAMS_APP_ID must be a GUID/);
    expect(() => settingsFromEnv({ MicrosoftAppId: BOT_ID, PUBLIC_BASE_URL: 'http://nedbrud.example.org' })).toThrow(/PUBLIC_BASE_URL must be an https address/);
    expect(() => settingsFromEnv({ MicrosoftAppId: BOT_ID, PUBLIC_BASE_URL: 'nedbrud.example.org' })).toThrow(UsageError);
  });

  it('substitutes JSON-escaped values and refuses an unknown placeholder', () => {
    const text = substitute('{"a":"${{A}}","b":"x${{ B }}y"}', { A: 'say "hi"', B: '1' });
    expect(JSON.parse(text)).toEqual({ a: 'say "hi"', b: 'x1y' });
    expect(() => substitute('{"a":"${{NOPE}}"}', { A: '1' })).toThrow(/unknown placeholder\(s\) \$\{\{NOPE\}\}/);
  });
});

/** A PNG of one colour, as an image tool would save it (RGBA, or RGB without alpha). */
function solidPng(size: number, rgba: [number, number, number, number], colorType: 2 | 6 = 6): Buffer {
  const png = new PNG({ width: size, height: size });
  for (let i = 0; i < png.data.length; i += 4) png.data.set(rgba, i);
  return PNG.sync.write(png, { colorType });
}

describe('icons', () => {
  const color = PNG.sync.read(readFileSync(join(MANIFEST_DIR, 'color.png')));
  const outline = PNG.sync.read(readFileSync(join(MANIFEST_DIR, 'outline.png')));

  it('the colour icon is a 192×192 PNG, opaque, with a white symbol on the accent colour', () => {
    expect([color.width, color.height]).toEqual([192, 192]);
    const colours = new Set<string>();
    let white = 0;
    for (let i = 0; i < color.data.length; i += 4) {
      expect(color.data[i + 3]).toBe(255);
      const c = `${color.data[i]},${color.data[i + 1]},${color.data[i + 2]}`;
      colours.add(c);
      if (c === '255,255,255') white++;
    }
    expect(colours.has('11,83,148')).toBe(true); // the accent colour #0B5394
    expect(white).toBeGreaterThan(192 * 192 * 0.1);
    expect(manifest.accentColor.toLowerCase()).toBe('#0b5394');
  });

  it('the outline icon is a 32×32 PNG with transparency, of only white or transparent pixels', () => {
    expect([outline.width, outline.height]).toEqual([32, 32]);
    expect(outline.alpha).toBe(true);
    let transparent = 0;
    let opaqueWhite = 0;
    for (let i = 0; i < outline.data.length; i += 4) {
      const [r, g, b, a] = [outline.data[i], outline.data[i + 1], outline.data[i + 2], outline.data[i + 3]];
      if (a === 0) transparent++;
      else {
        expect([r, g, b]).toEqual([255, 255, 255]);
        if (a === 255) opaqueWhite++;
      }
    }
    expect(transparent).toBeGreaterThan(32 * 32 * 0.4);
    expect(opaqueWhite).toBeGreaterThan(32 * 2);
  });
});

describe('packaging', () => {
  let tmp = '';
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'nedbrud-manifest-'));
  });
  afterAll(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  it('refuses to write a zip for a broken template and lists every problem', async () => {
    const dir = join(tmp, 'broken');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    for (const f of readdirSync(MANIFEST_DIR)) copyFileSync(join(MANIFEST_DIR, f), join(dir, f));
    const broken = readFileSync(join(dir, TEMPLATE_FILE), 'utf8').replace('"short": "Nedbrud"', '"short": "Nedbrud – hjælp ved nedbrud på Nexus"');
    writeFileSync(join(dir, TEMPLATE_FILE), broken);
    copyFileSync(join(MANIFEST_DIR, 'color.png'), join(dir, 'outline.png'));
    const out = join(tmp, 'broken.zip');
    const failure = await packageTeamsApp(SETTINGS, out, dir).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PackageProblems);
    const problems = (failure as PackageProblems).problems;
    expect(problems.some((p) => p.startsWith('manifest.json: /name/short'))).toBe(true);
    expect(problems).toContain('outline.png: must be 32×32 pixels, is 192×192');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses icons Teams would refuse: a colour icon of the wrong size, an outline that is not a PNG', async () => {
    const dir = join(tmp, 'icons');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    for (const f of readdirSync(MANIFEST_DIR)) copyFileSync(join(MANIFEST_DIR, f), join(dir, f));
    writeFileSync(join(dir, 'color.png'), solidPng(96, [11, 83, 148, 255]));
    writeFileSync(join(dir, 'outline.png'), 'not a png');
    const out = join(tmp, 'icons.zip');
    const failure = await packageTeamsApp(SETTINGS, out, dir).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PackageProblems);
    expect((failure as PackageProblems).problems).toEqual(['color.png: must be 192×192 pixels, is 96×96', 'outline.png: is not a PNG file']);
    expect(existsSync(out)).toBe(false);
  });

  it('gives the same bytes for the same input: every file is dated 1980-01-01 00:00, not when it was packaged', async () => {
    const first = join(tmp, 'first.zip');
    const second = join(tmp, 'second.zip');
    await packageTeamsApp(SETTINGS, first);
    await packageTeamsApp(SETTINGS, second);
    expect(readFileSync(first).equals(readFileSync(second))).toBe(true);
    for (const [name, file] of await readZip(first)) expect(file.modified, name).toEqual(new Date(1980, 0, 1));
  });

  it('main(): exit 2 with one line for an unknown argument; --help prints the usage', async () => {
    const lines: string[] = [];
    const errs: string[] = [];
    expect(await main(['--bogus'], { MicrosoftAppId: BOT_ID }, (l) => lines.push(l), (l) => errs.push(l))).toBe(2);
    expect(errs).toEqual(['unknown argument "--bogus" (see --help)']);
    expect(lines).toEqual([]);
    expect(await main(['--help'], {}, (l) => lines.push(l), (l) => errs.push(l))).toBe(0);
    expect(lines.join('\n')).toMatch(/^Usage: MicrosoftAppId=/);
  });
});

describe('npm run package (node dist/cli/package.js)', () => {
  let tmp = '';
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'nedbrud-package-'));
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npx tsc -p tsconfig.json first`);
  });
  afterAll(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  function run(env: Record<string, string>, args: string[] = []): { code: number | null; stdout: string; stderr: string } {
    const { MicrosoftAppId: _a, TEAMS_APP_ID: _t, PUBLIC_BASE_URL: _p, ...inherited } = process.env;
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...inherited, ...env }, encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it('writes dist/nedbrud-teams-app.zip with exactly the four files at the root, the bot id inside, the icons as committed', async () => {
    const r = run({ MicrosoftAppId: BOT_ID });
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const out = JSON.parse(r.stdout) as { zip: string; manifestVersion: string; botId: string; teamsAppId: string; version: string };
    expect(out).toEqual({ zip: join(ROOT, 'dist/nedbrud-teams-app.zip'), manifestVersion: manifest.manifestVersion, botId: BOT_ID, teamsAppId: BOT_ID, version: '1.0.0' });
    expect(r.stderr).toMatch(/^warning: PUBLIC_BASE_URL is not set/);

    const files = await readZip(out.zip);
    expect([...files.keys()].sort()).toEqual(FILES);
    const data = (name: string): Buffer => files.get(name)?.data ?? Buffer.alloc(0);
    const packed = JSON.parse(data('manifest.json').toString('utf8')) as Manifest;
    expect(bot(packed).botId).toBe(BOT_ID);
    expect(packed.id).toBe(BOT_ID);
    expect(packed).toEqual(manifest);
    expect(data('en-us.json').equals(readFileSync(join(MANIFEST_DIR, 'en-us.json')))).toBe(true);
    for (const [name, size] of [['color.png', 192], ['outline.png', 32]] as const) {
      expect(data(name).equals(readFileSync(join(MANIFEST_DIR, name))), name).toBe(true);
      const png = PNG.sync.read(data(name));
      expect([png.width, png.height], name).toEqual([size, size]);
    }
  });

  it('--out, TEAMS_APP_ID and PUBLIC_BASE_URL: the zip where asked, with that app id, the bot id and https links', async () => {
    const zip = join(tmp, 'app.zip');
    const r = run({ MicrosoftAppId: BOT_ID, TEAMS_APP_ID: OTHER_ID, PUBLIC_BASE_URL: 'https://nedbrud.brondby.example.org' }, ['--out', zip]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { zip: string }).zip).toBe(zip);
    const files = await readZip(zip);
    expect([...files.keys()].sort()).toEqual(FILES);
    const packed = JSON.parse(files.get('manifest.json')?.data.toString('utf8') ?? '{}') as Manifest;
    expect(packed.id).toBe(OTHER_ID);
    expect(bot(packed).botId).toBe(BOT_ID);
    expect(packed.developer.privacyUrl).toBe('https://nedbrud.brondby.example.org/privatliv');
  });

  it('without MicrosoftAppId: exit 2, one line on stderr, nothing on stdout', () => {
    const r = run({});
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`${MISSING_APP_ID}\n`);
  });

  it('an http PUBLIC_BASE_URL or a bot id that is not a GUID: exit 2, one line', () => {
    const cases: Array<Record<string, string>> = [{ MicrosoftAppId: BOT_ID, PUBLIC_BASE_URL: 'http://nedbrud.example.org' }, { MicrosoftAppId: 'my-bot' }];
    for (const env of cases) {
      const r = run(env, ['--out', join(tmp, 'never.zip')]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(existsSync(join(tmp, 'never.zip'))).toBe(false);
  });
});
