import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { deflateRawSync, deflateSync, inflateRawSync, inflateSync } from 'node:zlib';
import { type AppManifest, AppManifestUtils } from '@microsoft/app-manifest';
import { UsageError } from './args';

/**
 * Builds the Teams app package (manifest.json, en-us.json and the two icons in one
 * zip) from `manifest/`:
 *
 *   MicrosoftAppId=<bot app id> npm run --silent package
 *
 * 1. `${{…}}` placeholders in the template are filled: BOT_ID (MicrosoftAppId,
 *    required), TEAMS_APP_ID (default: the bot id), PUBLIC_BASE_URL (default
 *    https://nedbrud.example.org, must be https);
 * 2. the manifest and the localization file are validated offline against the
 *    schemas bundled with @microsoft/app-manifest (never fetched), plus the rules
 *    Teams applies that the schemas do not (https URLs, at most 10 commands per
 *    list, every command translated, files present);
 * 3. the icons are checked: color 192×192, outline 32×32 white on transparent;
 * 4. the zip is written (deterministic: same input, same bytes).
 *
 * Prints one JSON line `{"zip", "manifestVersion", "botId", "teamsAppId", "version"}`.
 * Exit 2 with one line on stderr for a missing or bad setting, exit 1 with one line
 * per problem when the manifest, the translations or the icons are not right.
 *
 * Everything but the entry at the bottom is pure or reads only the files it is
 * given, so tests can call it; only the entry reads process.env.
 */

/** Where the template, the translations and the icons live. */
export const MANIFEST_DIR = resolve(__dirname, '../../manifest');
export const TEMPLATE_FILE = 'manifest.template.json';
export const DEFAULT_ZIP = resolve(__dirname, '../../dist/nedbrud-teams-app.zip');
export const DEFAULT_PUBLIC_BASE_URL = 'https://nedbrud.example.org';
export const MISSING_APP_ID = "MicrosoftAppId is required to package the Teams app (the bot's app id)";

/** Teams shows at most 10 commands per command list (the schema allows 12). */
export const MAX_COMMANDS_PER_LIST = 10;
export const COLOR_ICON_SIZE = 192;
export const OUTLINE_ICON_SIZE = 32;

const GUID = /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;
const PLACEHOLDER = /\$\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;
const SCHEMA_HOST = 'https://developer.microsoft.com';

// ---------------------------------------------------------------------------
// Settings and placeholders
// ---------------------------------------------------------------------------

export interface PackageSettings {
  readonly botId: string;
  readonly teamsAppId: string;
  readonly publicBaseUrl: string;
}

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

/** The values of the template's placeholders. */
export function placeholderValues(s: PackageSettings): Record<string, string> {
  return { BOT_ID: s.botId, TEAMS_APP_ID: s.teamsAppId, PUBLIC_BASE_URL: s.publicBaseUrl };
}

/**
 * Fills `${{NAME}}` placeholders in JSON text (values are JSON-escaped, so the
 * result stays valid JSON). An unknown placeholder is an error, never left in.
 */
export function substitute(jsonText: string, values: Readonly<Record<string, string>>): string {
  const unknown = new Set<string>();
  const out = jsonText.replace(PLACEHOLDER, (whole, name: string) => {
    const v = values[name];
    if (v === undefined) {
      unknown.add(name);
      return whole;
    }
    return JSON.stringify(v).slice(1, -1);
  });
  if (unknown.size > 0) throw new Error(`unknown placeholder(s) ${[...unknown].map((n) => `\${{${n}}}`).join(', ')}`);
  return out;
}

// ---------------------------------------------------------------------------
// Validation (offline, against the schemas bundled with @microsoft/app-manifest)
// ---------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
type Schema = NonNullable<Parameters<typeof AppManifestUtils.validateAgainstSchema>[1]>;

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function schemaRoot(): string {
  return join(dirname(require.resolve('@microsoft/app-manifest')), 'json-schemas', 'teams');
}

/** The Teams manifest versions whose schemas ship with @microsoft/app-manifest, oldest first. */
export function bundledManifestVersions(): string[] {
  const num = (v: string): number[] => v.split('.').map(Number);
  return readdirSync(schemaRoot())
    .filter((d) => /^v\d+\.\d+$/.test(d) && existsSync(join(schemaRoot(), d, 'MicrosoftTeams.schema.json')))
    .map((d) => d.slice(1))
    .sort((a, b) => {
      const [a1 = 0, a2 = 0] = num(a);
      const [b1 = 0, b2 = 0] = num(b);
      return a1 - b1 || a2 - b2;
    });
}

export function schemaUrl(manifestVersion: string, kind: 'manifest' | 'localization'): string {
  const file = kind === 'manifest' ? 'MicrosoftTeams.schema.json' : 'MicrosoftTeams.Localization.schema.json';
  return `${SCHEMA_HOST}/json-schemas/teams/v${manifestVersion}/${file}`;
}

/** The bundled schema, read from disk; null when this version is not bundled. */
function bundledSchema(manifestVersion: string, kind: 'manifest' | 'localization'): Schema | null {
  if (!/^\d+\.\d+$/.test(manifestVersion)) return null;
  const file = join(schemaRoot(), `v${manifestVersion}`, kind === 'manifest' ? 'MicrosoftTeams.schema.json' : 'MicrosoftTeams.Localization.schema.json');
  if (!existsSync(file)) return null;
  // Some Microsoft schemas carry \a and \v escapes, which JSON does not allow.
  const text = readFileSync(file, 'utf8').replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b');
  return repairPatterns(JSON.parse(text) as Json) as unknown as Schema;
}

/**
 * Ajv compiles patterns with the `u` flag, where a lone `]` is a syntax error; the
 * 1.2x localization schemas have two such keys (`…\b]\.description$`), meant as
 * `\]`. Escape lone `]` in any pattern that does not compile, leave the rest alone.
 */
export function repairPattern(pattern: string): string {
  try {
    new RegExp(pattern, 'u');
    return pattern;
  } catch {
    let out = '';
    let inClass = false;
    for (let i = 0; i < pattern.length; i++) {
      const ch = pattern[i] ?? '';
      if (ch === '\\') {
        out += ch + (pattern[i + 1] ?? '');
        i++;
      } else if (ch === '[' && !inClass) {
        inClass = true;
        out += ch;
      } else if (ch === ']') {
        out += inClass ? ch : '\\]';
        inClass = false;
      } else out += ch;
    }
    return out;
  }
}

function repairPatterns(node: Json): Json {
  if (Array.isArray(node)) return node.map(repairPatterns);
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'pattern' && typeof value === 'string') out[key] = repairPattern(value);
    else if (key === 'patternProperties' && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([p, v]) => [repairPattern(p), repairPatterns(v)]));
    } else out[key] = repairPatterns(value);
  }
  return out;
}

/** A URL's schema file name without the locale segment developer.microsoft.com accepts (/en-us/). */
function normalizeSchemaUrl(url: string): string {
  return url.replace(/^https:\/\/developer\.microsoft\.com\/[a-z]{2}(?:-[a-z]{2})?\/json-schemas\//i, `${SCHEMA_HOST}/json-schemas/`);
}

async function againstSchema(doc: unknown, schema: Schema, label: string): Promise<string[]> {
  const errors = await AppManifestUtils.validateAgainstSchema(doc as AppManifest, schema);
  return errors.map((e) => `${label}: ${e.startsWith(' ') ? `(root)${e}` : e}`);
}

/**
 * The filled manifest against its bundled schema and the Teams rules the schema
 * leaves out. Each message starts with "manifest.json: " and the field's JSON
 * pointer, e.g. `manifest.json: /name/short must NOT have more than 30 characters`.
 */
export async function validateManifest(manifest: unknown): Promise<string[]> {
  const label = 'manifest.json';
  if (!isObject(manifest)) return [`${label}: must be a JSON object`];
  const version = manifest.manifestVersion;
  if (typeof version !== 'string') return [`${label}: /manifestVersion is missing`];
  const schema = bundledSchema(version, 'manifest');
  if (schema === null) {
    return [`${label}: /manifestVersion "${version}" has no schema bundled with @microsoft/app-manifest (bundled: ${bundledManifestVersions().join(', ')})`];
  }
  const errors = await againstSchema(manifest, schema, label);
  const problem = (msg: string): void => {
    errors.push(`${label}: ${msg}`);
  };

  if (typeof manifest.$schema !== 'string' || normalizeSchemaUrl(manifest.$schema) !== schemaUrl(version, 'manifest')) {
    problem(`/$schema must be ${schemaUrl(version, 'manifest')} (to match /manifestVersion)`);
  }
  const leftover = JSON.stringify(manifest).match(PLACEHOLDER);
  if (leftover !== null) problem(`placeholders left unfilled: ${[...new Set(leftover)].join(', ')}`);

  const developer = manifest.developer;
  if (isObject(developer)) {
    for (const key of ['websiteUrl', 'privacyUrl', 'termsOfUseUrl'] as const) {
      const v = developer[key];
      if (typeof v === 'string' && !/^https:\/\//i.test(v)) problem(`/developer/${key} must be an https address (got "${v}")`);
    }
  }

  const bots = Array.isArray(manifest.bots) ? manifest.bots : [];
  bots.forEach((bot, b) => {
    if (!isObject(bot)) return;
    const botScopes = Array.isArray(bot.scopes) ? bot.scopes : [];
    const seenScopes = new Set<Json>();
    const lists = Array.isArray(bot.commandLists) ? bot.commandLists : [];
    lists.forEach((list, l) => {
      if (!isObject(list)) return;
      const at = `/bots/${b}/commandLists/${l}`;
      for (const scope of Array.isArray(list.scopes) ? list.scopes : []) {
        if (!botScopes.includes(scope)) problem(`${at}/scopes: "${String(scope)}" is not one of the bot's scopes`);
        if (seenScopes.has(scope)) problem(`${at}/scopes: "${String(scope)}" has more than one command list`);
        seenScopes.add(scope);
      }
      const commands = Array.isArray(list.commands) ? list.commands : [];
      if (commands.length > MAX_COMMANDS_PER_LIST) problem(`${at}/commands has ${commands.length} commands; Teams shows at most ${MAX_COMMANDS_PER_LIST}`);
      const titles = new Set<string>();
      commands.forEach((c, i) => {
        const title = isObject(c) && typeof c.title === 'string' ? c.title.trim().toLowerCase() : '';
        if (title === '') problem(`${at}/commands/${i}/title must not be empty`);
        else if (titles.has(title)) problem(`${at}/commands/${i}/title "${title}" appears twice in the list`);
        titles.add(title);
      });
    });
  });
  return errors;
}

const COMMAND_KEY = /^bots\[(\d+)\]\.commandLists\[(\d+)\]\.commands\[(\d+)\]\.(title|description)$/;

/**
 * A localization file against its bundled schema and the manifest it translates:
 * same schema version, every key points at something in the manifest, and every
 * command's title and description is translated.
 */
export async function validateLocalization(localization: unknown, manifest: unknown, fileName: string): Promise<string[]> {
  if (!isObject(localization)) return [`${fileName}: must be a JSON object`];
  if (!isObject(manifest) || typeof manifest.manifestVersion !== 'string') return [`${fileName}: the manifest has no /manifestVersion`];
  const version = manifest.manifestVersion;
  const schema = bundledSchema(version, 'localization');
  if (schema === null) return [`${fileName}: no localization schema bundled for manifest version ${version}`];
  const errors = await againstSchema(localization, schema, fileName);
  const problem = (msg: string): void => {
    errors.push(`${fileName}: ${msg}`);
  };
  if (typeof localization.$schema !== 'string' || normalizeSchemaUrl(localization.$schema) !== schemaUrl(version, 'localization')) {
    problem(`/$schema must be ${schemaUrl(version, 'localization')} (the manifest's version)`);
  }

  const bots = Array.isArray(manifest.bots) ? manifest.bots : [];
  const commandAt = (b: number, l: number, c: number): JsonObject | undefined => {
    const bot = bots[b];
    const list = isObject(bot) && Array.isArray(bot.commandLists) ? bot.commandLists[l] : undefined;
    const command = isObject(list) && Array.isArray(list.commands) ? list.commands[c] : undefined;
    return isObject(command) ? command : undefined;
  };
  for (const key of Object.keys(localization)) {
    const m = COMMAND_KEY.exec(key);
    if (m === null) continue;
    const command = commandAt(Number(m[1]), Number(m[2]), Number(m[3]));
    if (command === undefined) problem(`"${key}" translates a command the manifest does not have`);
    else if (m[4] === 'description' && typeof command.description !== 'string') problem(`"${key}" translates a description the manifest does not have`);
  }
  bots.forEach((bot, b) => {
    const lists = isObject(bot) && Array.isArray(bot.commandLists) ? bot.commandLists : [];
    lists.forEach((list, l) => {
      const commands = isObject(list) && Array.isArray(list.commands) ? list.commands : [];
      commands.forEach((command, c) => {
        const fields = isObject(command) && typeof command.description === 'string' ? ['title', 'description'] : ['title'];
        for (const field of fields) {
          const key = `bots[${b}].commandLists[${l}].commands[${c}].${field}`;
          if (typeof localization[key] !== 'string') problem(`"${key}" is missing (every command needs a translation)`);
        }
      });
    });
  });
  return errors;
}

// ---------------------------------------------------------------------------
// PNG: header, decoding (for the pixel checks) and a small encoder
// ---------------------------------------------------------------------------

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface PngHeader {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  /** 0 grey, 2 RGB, 3 palette, 4 grey + alpha, 6 RGBA. */
  readonly colorType: number;
  readonly interlace: number;
}

interface PngChunk {
  readonly type: string;
  readonly data: Buffer;
}

function pngChunks(buf: Buffer): PngChunk[] {
  if (buf.length < 8 || !buf.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('is not a PNG file');
  const chunks: PngChunk[] = [];
  let pos = 8;
  while (pos + 12 <= buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    if (pos + 12 + len > buf.length) throw new Error(`is a truncated PNG (chunk ${type})`);
    chunks.push({ type, data: buf.subarray(pos + 8, pos + 8 + len) });
    pos += 12 + len;
    if (type === 'IEND') break;
  }
  if (chunks[0]?.type !== 'IHDR') throw new Error('is a PNG without IHDR');
  return chunks;
}

/** The IHDR of a PNG (throws for anything that is not a PNG). */
export function readPngHeader(buf: Buffer): PngHeader {
  const ihdr = pngChunks(buf)[0];
  if (ihdr === undefined || ihdr.data.length < 13) throw new Error('is a PNG with a short IHDR');
  const d = ihdr.data;
  return { width: d.readUInt32BE(0), height: d.readUInt32BE(4), bitDepth: d[8] ?? 0, colorType: d[9] ?? 0, interlace: d[12] ?? 0 };
}

export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  /** Whether the file can hold transparency at all (alpha channel or tRNS). */
  readonly hasAlpha: boolean;
  /** width × height × 4 bytes, rows top to bottom. */
  readonly rgba: Uint8Array;
}

const CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Decodes any non-interlaced PNG (all colour types and bit depths) to 8-bit RGBA. */
export function decodePng(buf: Buffer): RgbaImage {
  const chunks = pngChunks(buf);
  const { width, height, bitDepth, colorType, interlace } = readPngHeader(buf);
  const channels = CHANNELS[colorType];
  if (channels === undefined) throw new Error(`has an unknown PNG colour type ${colorType}`);
  if (interlace !== 0) throw new Error('is an interlaced PNG; save it without interlacing');
  if (width === 0 || height === 0 || width * height > 4096 * 4096) throw new Error(`has an unsupported size ${width}×${height}`);
  const bitsPerPixel = channels * bitDepth;
  const bpp = Math.max(1, bitsPerPixel >> 3);
  const stride = Math.ceil((width * bitsPerPixel) / 8);

  const raw = inflateSync(Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data)));
  if (raw.length < (stride + 1) * height) throw new Error('is a PNG with too little image data');
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = y * stride;
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? (pixels[out + i - bpp] ?? 0) : 0;
      const b = y > 0 ? (pixels[out - stride + i] ?? 0) : 0;
      const c = y > 0 && i >= bpp ? (pixels[out - stride + i - bpp] ?? 0) : 0;
      const x = line[i] ?? 0;
      let v: number;
      switch (filter) {
        case 0: v = x; break;
        case 1: v = x + a; break;
        case 2: v = x + b; break;
        case 3: v = x + ((a + b) >> 1); break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          v = x + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
          break;
        }
        default: throw new Error(`is a PNG with an unknown filter ${String(filter)} in row ${y}`);
      }
      pixels[out + i] = v & 0xff;
    }
  }

  const sample = (x: number, y: number, ch: number): number => {
    const row = y * stride;
    if (bitDepth === 8) return pixels[row + x * channels + ch] ?? 0;
    if (bitDepth === 16) return pixels.readUInt16BE(row + (x * channels + ch) * 2);
    const bit = (x * channels + ch) * bitDepth;
    const byte = pixels[row + (bit >> 3)] ?? 0;
    return (byte >> (8 - bitDepth - (bit & 7))) & ((1 << bitDepth) - 1);
  };
  const max = (1 << bitDepth) - 1;
  const to8 = (v: number): number => Math.round((v * 255) / max);
  const plte = chunks.find((c) => c.type === 'PLTE')?.data;
  const trns = chunks.find((c) => c.type === 'tRNS')?.data;
  if (colorType === 3 && plte === undefined) throw new Error('is a palette PNG without a palette');

  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      let r: number, g: number, b: number, a: number;
      if (colorType === 3) {
        const idx = sample(x, y, 0);
        r = plte?.[idx * 3] ?? 0;
        g = plte?.[idx * 3 + 1] ?? 0;
        b = plte?.[idx * 3 + 2] ?? 0;
        a = trns !== undefined && idx < trns.length ? (trns[idx] ?? 255) : 255;
      } else if (colorType === 0 || colorType === 4) {
        const grey = sample(x, y, 0);
        r = g = b = to8(grey);
        a = colorType === 4 ? to8(sample(x, y, 1)) : trns !== undefined && trns.length >= 2 && trns.readUInt16BE(0) === grey ? 0 : 255;
      } else {
        const rs = sample(x, y, 0);
        const gs = sample(x, y, 1);
        const bs = sample(x, y, 2);
        [r, g, b] = [to8(rs), to8(gs), to8(bs)];
        if (colorType === 6) a = to8(sample(x, y, 3));
        else a = trns !== undefined && trns.length >= 6 && trns.readUInt16BE(0) === rs && trns.readUInt16BE(2) === gs && trns.readUInt16BE(4) === bs ? 0 : 255;
      }
      rgba[o] = r;
      rgba[o + 1] = g;
      rgba[o + 2] = b;
      rgba[o + 3] = a;
    }
  }
  return { width, height, hasAlpha: colorType === 4 || colorType === 6 || trns !== undefined, rgba };
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** An 8-bit RGBA PNG (filter 0 on every row); enough for icons and test images. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  if (rgba.length !== width * height * 4) throw new Error(`encodePng: expected ${width * height * 4} bytes, got ${rgba.length}`);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0;
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  }
  return Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(raw, { level: 9 })), pngChunk('IEND', Buffer.alloc(0))]);
}

function pngProblems(name: string, check: () => string[]): string[] {
  try {
    return check().map((p) => `${name}: ${p}`);
  } catch (err) {
    return [`${name}: ${err instanceof Error ? err.message : String(err)}`];
  }
}

/** The colour icon: a PNG of exactly 192×192. */
export function checkColorIcon(buf: Buffer, name = 'color icon'): string[] {
  return pngProblems(name, () => {
    const { width, height } = readPngHeader(buf);
    if (width !== COLOR_ICON_SIZE || height !== COLOR_ICON_SIZE) {
      return [`must be ${COLOR_ICON_SIZE}×${COLOR_ICON_SIZE} pixels, is ${width}×${height}`];
    }
    const img = decodePng(buf);
    let visible = 0;
    for (let i = 3; i < img.rgba.length; i += 4) if ((img.rgba[i] ?? 0) > 0) visible++;
    return visible === 0 ? ['is completely transparent'] : [];
  });
}

/**
 * The outline icon: a PNG of exactly 32×32 with transparency, whose pixels are
 * either fully transparent or white (any opacity, for smooth edges), with
 * something to see.
 */
export function checkOutlineIcon(buf: Buffer, name = 'outline icon'): string[] {
  return pngProblems(name, () => {
    const { width, height } = readPngHeader(buf);
    if (width !== OUTLINE_ICON_SIZE || height !== OUTLINE_ICON_SIZE) {
      return [`must be ${OUTLINE_ICON_SIZE}×${OUTLINE_ICON_SIZE} pixels, is ${width}×${height}`];
    }
    const img = decodePng(buf);
    if (!img.hasAlpha) return ['must have a transparent background (no alpha channel)'];
    let transparent = 0;
    let white = 0;
    const wrong: string[] = [];
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const o = (y * width + x) * 4;
        const [r = 0, g = 0, b = 0, a = 0] = img.rgba.subarray(o, o + 4);
        if (a === 0) transparent++;
        else if (r === 255 && g === 255 && b === 255) white++;
        else wrong.push(`(${x},${y}) is rgba(${r},${g},${b},${a})`);
      }
    }
    const problems: string[] = [];
    if (wrong.length > 0) problems.push(`must be white on transparent: ${wrong.length} pixel(s) are neither, e.g. ${wrong.slice(0, 3).join(', ')}`);
    if (transparent === 0) problems.push('must have a transparent background');
    if (white === 0) problems.push('has no white pixels (nothing to see)');
    return problems;
  });
}

// ---------------------------------------------------------------------------
// Zip (store or deflate, no data descriptors, no zip64): writer and reader
// ---------------------------------------------------------------------------

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = (CRC_TABLE[(c ^ (data[i] ?? 0)) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export interface ZipEntry {
  readonly name: string;
  readonly data: Buffer;
}

/** Fixed entry time (1980-01-01 00:00, the earliest DOS time) so equal input gives equal bytes. */
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const UTF8_FLAG = 0x0800;

/**
 * A zip archive of the entries, in the given order; each entry deflated when that
 * makes it smaller, else stored. Names are plain relative paths ("manifest.json").
 */
export function writeZip(entries: readonly ZipEntry[]): Buffer {
  const seen = new Set<string>();
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const { name, data } of entries) {
    if (name === '' || name.startsWith('/') || name.includes('\\') || name.split('/').includes('..')) throw new Error(`zip: bad entry name "${name}"`);
    if (seen.has(name)) throw new Error(`zip: duplicate entry "${name}"`);
    seen.add(name);
    const nameBytes = Buffer.from(name, 'utf8');
    const deflated = deflateRawSync(data, { level: 9 });
    const method = deflated.length < data.length ? 8 : 0;
    const body = method === 8 ? deflated : data;
    const crc = crc32(data);
    if (offset > 0xfffffffe || body.length > 0xfffffffe) throw new Error('zip: archive too large (zip64 is not supported)');

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0
    local.writeUInt16LE(UTF8_FLAG, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);
    parts.push(local, nameBytes, body);

    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, 2.0
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(UTF8_FLAG, 8);
    cd.writeUInt16LE(method, 10);
    cd.writeUInt16LE(DOS_TIME, 12);
    cd.writeUInt16LE(DOS_DATE, 14);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(body.length, 20);
    cd.writeUInt32LE(data.length, 24);
    cd.writeUInt16LE(nameBytes.length, 28);
    // extra length, comment length, disk number, internal attributes: 0
    cd.writeUInt32LE((0o100644 << 16) >>> 0, 38); // external attributes: regular file rw-r--r--
    cd.writeUInt32LE(offset, 42);
    central.push(cd, nameBytes);
    offset += local.length + nameBytes.length + body.length;
  }
  const cdBuf = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cdBuf.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cdBuf, end]);
}

/** Reads a zip written by writeZip (or any plain store/deflate zip), checking each CRC. */
export function readZip(buf: Buffer): ZipEntry[] {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('zip: no end of central directory');
  const count = buf.readUInt16LE(eocd + 10);
  let pos = buf.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(pos) !== 0x02014b50) throw new Error(`zip: bad central directory entry ${n}`);
    const method = buf.readUInt16LE(pos + 10);
    const crc = buf.readUInt32LE(pos + 16);
    const size = buf.readUInt32LE(pos + 20);
    const nameLen = buf.readUInt16LE(pos + 28);
    const extraLen = buf.readUInt16LE(pos + 30);
    const commentLen = buf.readUInt16LE(pos + 32);
    const localOffset = buf.readUInt32LE(pos + 42);
    const name = buf.toString('utf8', pos + 46, pos + 46 + nameLen);
    pos += 46 + nameLen + extraLen + commentLen;

    if (buf.readUInt32LE(localOffset) !== 0x04034b50) throw new Error(`zip: bad local header for ${name}`);
    const start = localOffset + 30 + buf.readUInt16LE(localOffset + 26) + buf.readUInt16LE(localOffset + 28);
    const body = buf.subarray(start, start + size);
    let data: Buffer;
    if (method === 0) data = Buffer.from(body);
    else if (method === 8) {
      try {
        data = inflateRawSync(body);
      } catch (err) {
        throw new Error(`zip: cannot inflate ${name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    else throw new Error(`zip: ${name} uses unsupported method ${method}`);
    if (crc32(data) !== crc) throw new Error(`zip: CRC mismatch for ${name}`);
    entries.push({ name, data });
  }
  return entries;
}

// ---------------------------------------------------------------------------
// The package
// ---------------------------------------------------------------------------

export interface TeamsAppPackage {
  /** The filled manifest as it goes into the zip. */
  readonly manifest: JsonObject;
  /** The zip's files, manifest.json first. */
  readonly entries: readonly ZipEntry[];
  /** Everything wrong; the package must not be written unless this is empty. */
  readonly problems: readonly string[];
}

function parseJson(text: string, name: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`${name} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function readFileIn(dir: string, name: string): Buffer | undefined {
  const file = join(dir, name);
  return existsSync(file) ? readFileSync(file) : undefined;
}

/**
 * Fills and validates the template in `manifestDir` and collects the files for the
 * zip. Reads files, writes nothing.
 */
export async function buildTeamsApp(settings: PackageSettings, manifestDir: string = MANIFEST_DIR): Promise<TeamsAppPackage> {
  const values = placeholderValues(settings);
  const template = readFileIn(manifestDir, TEMPLATE_FILE);
  if (template === undefined) throw new Error(`${join(manifestDir, TEMPLATE_FILE)} is missing`);
  const manifest = parseJson(substitute(template.toString('utf8'), values), TEMPLATE_FILE);
  if (!isObject(manifest)) throw new Error(`${TEMPLATE_FILE} must hold a JSON object`);

  const problems = [...(await validateManifest(manifest))];
  const entries: ZipEntry[] = [{ name: 'manifest.json', data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8') }];
  const add = (name: unknown, what: string): Buffer | undefined => {
    if (typeof name !== 'string' || name === '') return undefined;
    if (name.includes('/') || name.includes('\\')) {
      problems.push(`manifest.json: ${what} "${name}" must be a file at the package root`);
      return undefined;
    }
    if (entries.some((e) => e.name === name)) return entries.find((e) => e.name === name)?.data;
    const data = readFileIn(manifestDir, name);
    if (data === undefined) {
      problems.push(`manifest.json: ${what} "${name}" is not in ${manifestDir}`);
      return undefined;
    }
    entries.push({ name, data });
    return data;
  };

  const icons = isObject(manifest.icons) ? manifest.icons : {};
  const color = add(icons.color, '/icons/color');
  if (color !== undefined) problems.push(...checkColorIcon(color, String(icons.color)));
  const outline = add(icons.outline, '/icons/outline');
  if (outline !== undefined) problems.push(...checkOutlineIcon(outline, String(icons.outline)));

  const loc = isObject(manifest.localizationInfo) ? manifest.localizationInfo : {};
  const languageFiles = [
    ...(typeof loc.defaultLanguageFile === 'string' ? [loc.defaultLanguageFile] : []),
    ...(Array.isArray(loc.additionalLanguages) ? loc.additionalLanguages : []).map((l) => (isObject(l) ? l.file : undefined)),
  ];
  for (const file of languageFiles) {
    const raw = add(file, '/localizationInfo language file');
    if (raw === undefined || typeof file !== 'string') continue;
    const filled = substitute(raw.toString('utf8'), values);
    problems.push(...(await validateLocalization(parseJson(filled, file), manifest, file)));
    const i = entries.findIndex((e) => e.name === file);
    entries[i] = { name: file, data: Buffer.from(filled, 'utf8') };
  }
  return { manifest, entries, problems };
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
  writeFileSync(outFile, writeZip(pkg.entries));
  return {
    zip: outFile,
    manifestVersion: String(pkg.manifest.manifestVersion),
    botId: settings.botId,
    teamsAppId: settings.teamsAppId,
    version: String(pkg.manifest.version),
  };
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
