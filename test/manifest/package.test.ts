import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args';
import {
  type PackageSettings,
  PackageProblems,
  MISSING_APP_ID,
  MANIFEST_DIR,
  TEMPLATE_FILE,
  buildTeamsApp,
  bundledManifestVersions,
  checkColorIcon,
  checkOutlineIcon,
  crc32,
  decodePng,
  encodePng,
  main,
  packageTeamsApp,
  readPngHeader,
  readZip,
  repairPattern,
  settingsFromEnv,
  substitute,
  validateLocalization,
  validateManifest,
  writeZip,
} from '../../src/cli/package';
import { recognizerFor } from '../../src/domain/intent';
import { loadInstruction } from '../../src/instruction/load';

const { recognize } = recognizerFor(loadInstruction().systems);

/*
 * The Teams app package: the template filled and validated offline against the
 * schema bundled with @microsoft/app-manifest, the icons checked pixel by pixel,
 * and the zip as `npm run package` writes it (DESIGN.md "Teams manifest").
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

/** A PNG of any colour type and bit depth from already packed rows (each row with its filter byte). */
function rawPng(width: number, height: number, bitDepth: number, colorType: number, rows: Buffer, extra: Array<[string, Buffer]> = []): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, 'latin1'), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = colorType;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...extra.map(([t, d]) => chunk(t, d)),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function solid(size: number, rgba: [number, number, number, number]): Uint8Array {
  const px = new Uint8Array(size * size * 4);
  for (let i = 0; i < px.length; i += 4) px.set(rgba, i);
  return px;
}

describe('icons', () => {
  const color = readFileSync(join(MANIFEST_DIR, 'color.png'));
  const outline = readFileSync(join(MANIFEST_DIR, 'outline.png'));

  it('the colour icon is a 192×192 PNG, opaque, with a white symbol on one background colour', () => {
    expect(readPngHeader(color)).toMatchObject({ width: 192, height: 192 });
    expect(checkColorIcon(color)).toEqual([]);
    const img = decodePng(color);
    const colours = new Set<string>();
    let white = 0;
    for (let i = 0; i < img.rgba.length; i += 4) {
      expect(img.rgba[i + 3]).toBe(255);
      const c = `${img.rgba[i]},${img.rgba[i + 1]},${img.rgba[i + 2]}`;
      colours.add(c);
      if (c === '255,255,255') white++;
    }
    expect(colours.has('11,83,148')).toBe(true); // the accent colour #0B5394
    expect(white).toBeGreaterThan(192 * 192 * 0.1);
    expect(manifest.accentColor.toLowerCase()).toBe('#0b5394');
  });

  it('the outline icon is a 32×32 PNG of only white or transparent pixels', () => {
    expect(readPngHeader(outline)).toMatchObject({ width: 32, height: 32 });
    expect(checkOutlineIcon(outline)).toEqual([]);
    const img = decodePng(outline);
    let transparent = 0;
    let opaqueWhite = 0;
    for (let i = 0; i < img.rgba.length; i += 4) {
      const [r, g, b, a] = [img.rgba[i], img.rgba[i + 1], img.rgba[i + 2], img.rgba[i + 3]];
      if (a === 0) transparent++;
      else {
        expect([r, g, b]).toEqual([255, 255, 255]);
        if (a === 255) opaqueWhite++;
      }
    }
    expect(transparent).toBeGreaterThan(32 * 32 * 0.4);
    expect(opaqueWhite).toBeGreaterThan(32 * 2);
  });

  it('rejects wrong sizes, a coloured or opaque outline, and files that are not PNGs', () => {
    expect(checkColorIcon(encodePng(96, 96, solid(96, [11, 83, 148, 255])))).toEqual(['color icon: must be 192×192 pixels, is 96×96']);
    expect(checkOutlineIcon(color)).toEqual(['outline icon: must be 32×32 pixels, is 192×192']);

    const red = decodePng(outline).rgba.slice();
    red.set([255, 0, 0, 255], (5 * 32 + 3) * 4);
    expect(checkOutlineIcon(encodePng(32, 32, red))).toEqual([expect.stringMatching(/must be white on transparent: 1 pixel\(s\) are neither, e\.g\. \(3,5\) is rgba\(255,0,0,255\)/)]);

    expect(checkOutlineIcon(encodePng(32, 32, solid(32, [255, 255, 255, 255])))).toEqual(['outline icon: must have a transparent background']);
    const rgbRows = Buffer.alloc((32 * 3 + 1) * 32, 255);
    for (let y = 0; y < 32; y++) rgbRows[y * (32 * 3 + 1)] = 0;
    expect(checkOutlineIcon(rawPng(32, 32, 8, 2, rgbRows))).toEqual(['outline icon: must have a transparent background (no alpha channel)']);
    expect(checkOutlineIcon(encodePng(32, 32, solid(32, [0, 0, 0, 0])))).toEqual(['outline icon: has no white pixels (nothing to see)']);
    expect(checkColorIcon(Buffer.from('not a png'))).toEqual(['color icon: is not a PNG file']);
  });

  it('reads what image tools save: a 2-bit palette with tRNS, and every row filter', () => {
    // 32×32, 2 bits per pixel, palette [transparent, white]: a white square in the middle.
    const stride = 8;
    const rows = Buffer.alloc((stride + 1) * 32);
    for (let y = 0; y < 32; y++) {
      for (let x = 8; x < 24 && y >= 8 && y < 24; x++) {
        const bit = x * 2;
        const at = y * (stride + 1) + 1 + (bit >> 3);
        rows[at] = (rows[at] ?? 0) | (1 << (6 - (bit & 7)));
      }
    }
    const palette = rawPng(32, 32, 2, 3, rows, [['PLTE', Buffer.from([0, 0, 0, 255, 255, 255])], ['tRNS', Buffer.from([0, 255])]]);
    expect(checkOutlineIcon(palette)).toEqual([]);
    expect(decodePng(palette).rgba.subarray((10 * 32 + 10) * 4, (10 * 32 + 10) * 4 + 4)).toEqual(new Uint8Array([255, 255, 255, 255]));

    // 3×2 RGBA with the filters Sub, Up, Average and Paeth.
    const pixels = [10, 20, 30, 255, 40, 50, 60, 128, 70, 80, 90, 0, 15, 25, 35, 255, 45, 55, 65, 200, 75, 85, 95, 100];
    for (const filter of [1, 2, 3, 4]) {
      const raw = Buffer.alloc(2 * (1 + 12));
      for (let y = 0; y < 2; y++) {
        raw[y * 13] = filter;
        for (let i = 0; i < 12; i++) {
          const x = pixels[y * 12 + i] ?? 0;
          const a = i >= 4 ? (pixels[y * 12 + i - 4] ?? 0) : 0;
          const b = y > 0 ? (pixels[(y - 1) * 12 + i] ?? 0) : 0;
          const c = y > 0 && i >= 4 ? (pixels[(y - 1) * 12 + i - 4] ?? 0) : 0;
          const p = a + b - c;
          const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
          const pred = filter === 1 ? a : filter === 2 ? b : filter === 3 ? (a + b) >> 1 : paeth;
          raw[y * 13 + 1 + i] = (x - pred) & 0xff;
        }
      }
      expect(Array.from(decodePng(rawPng(3, 2, 8, 6, raw)).rgba), `filter ${filter}`).toEqual(pixels);
    }
  });

  it('encodes and decodes RGBA losslessly', () => {
    const px = new Uint8Array(5 * 3 * 4).map((_v, i) => (i * 37) & 0xff);
    const back = decodePng(encodePng(5, 3, px));
    expect(back).toMatchObject({ width: 5, height: 3, hasAlpha: true });
    expect(Array.from(back.rgba)).toEqual(Array.from(px));
  });
});

describe('zip', () => {
  it('writes entries that read back byte for byte, the same bytes every time', () => {
    const entries = [
      { name: 'manifest.json', data: Buffer.from('{"å":"ø"}\n'.repeat(50), 'utf8') },
      { name: 'tiny.txt', data: Buffer.from('x') },
      { name: 'empty', data: Buffer.alloc(0) },
    ];
    const zip = writeZip(entries);
    expect(readZip(zip)).toEqual(entries);
    expect(writeZip(entries).equals(zip)).toBe(true);
    const tiny = { name: 'tiny.txt', data: Buffer.from('x') };
    expect(() => writeZip([tiny, tiny])).toThrow(/duplicate entry/);
    expect(() => writeZip([{ name: '../evil', data: Buffer.alloc(1) }])).toThrow(/bad entry name/);
  });

  it('notices a corrupted entry', () => {
    const zip = writeZip([{ name: 'a.txt', data: Buffer.from('hello hello hello') }]);
    const bad = Buffer.from(zip);
    bad[30 + 'a.txt'.length] = (bad[30 + 'a.txt'.length] ?? 0) ^ 0x01;
    expect(() => readZip(bad)).toThrow(/zip/);
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

  it('main(): exit 1 with one line per problem, exit 2 for a bad argument', async () => {
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

  it('writes dist/nedbrud-teams-app.zip with exactly the four files at the root, the bot id inside', () => {
    const r = run({ MicrosoftAppId: BOT_ID });
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const out = JSON.parse(r.stdout) as { zip: string; manifestVersion: string; botId: string; teamsAppId: string; version: string };
    expect(out).toEqual({ zip: join(ROOT, 'dist/nedbrud-teams-app.zip'), manifestVersion: manifest.manifestVersion, botId: BOT_ID, teamsAppId: BOT_ID, version: '1.0.0' });
    expect(r.stderr).toMatch(/^warning: PUBLIC_BASE_URL is not set/);

    const entries = readZip(readFileSync(out.zip));
    expect(entries.map((e) => e.name).sort()).toEqual(FILES);
    const byName = new Map(entries.map((e) => [e.name, e.data]));
    const packed = JSON.parse(byName.get('manifest.json')?.toString('utf8') ?? '{}') as Manifest;
    expect(bot(packed).botId).toBe(BOT_ID);
    expect(packed.id).toBe(BOT_ID);
    expect(packed).toEqual(manifest);
    expect(byName.get('en-us.json')?.equals(readFileSync(join(MANIFEST_DIR, 'en-us.json')))).toBe(true);
    expect(byName.get('color.png')?.equals(readFileSync(join(MANIFEST_DIR, 'color.png')))).toBe(true);
    expect(byName.get('outline.png')?.equals(readFileSync(join(MANIFEST_DIR, 'outline.png')))).toBe(true);
  });

  it('writes a zip another reader accepts (python3 -m zipfile)', () => {
    const zip = join(tmp, 'app.zip');
    const r = run({ MicrosoftAppId: BOT_ID, TEAMS_APP_ID: OTHER_ID, PUBLIC_BASE_URL: 'https://nedbrud.brondby.example.org' }, ['--out', zip]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { zip: string }).zip).toBe(zip);
    const packed = JSON.parse(readZip(readFileSync(zip)).find((e) => e.name === 'manifest.json')?.data.toString('utf8') ?? '{}') as Manifest;
    expect(packed.id).toBe(OTHER_ID);
    expect(bot(packed).botId).toBe(BOT_ID);
    expect(packed.developer.privacyUrl).toBe('https://nedbrud.brondby.example.org/privatliv');

    const py = spawnSync('python3', ['-c', 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print("\\n".join(sorted(z.namelist())))', zip], { encoding: 'utf8' });
    if (py.error !== undefined) return; // no python3 on this machine: the in-process reader above has checked the zip
    expect(py.stderr).toBe('');
    expect(py.stdout.trim().split('\n')).toEqual(FILES);
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
