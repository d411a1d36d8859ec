import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type AppManifest, AppManifestUtils } from '@microsoft/app-manifest';

/**
 * The Teams app manifest and its translations checked offline: against the
 * schemas bundled with @microsoft/app-manifest (never fetched), plus the rules
 * Teams applies that the schemas do not (https URLs, at most 10 commands per
 * list, every command translated, no placeholder left). `npm run package`
 * (package.ts) writes no zip while anything here reports a problem.
 */

/** `${{NAME}}` in the manifest template. */
export const PLACEHOLDER = /\$\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;
/** Teams shows at most 10 commands per command list (the schema allows 12). */
export const MAX_COMMANDS_PER_LIST = 10;
const SCHEMA_HOST = 'https://developer.microsoft.com';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };
type Schema = NonNullable<Parameters<typeof AppManifestUtils.validateAgainstSchema>[1]>;

export function isObject(v: unknown): v is JsonObject {
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
        const named = JSON.stringify(scope);
        if (!botScopes.includes(scope)) problem(`${at}/scopes: ${named} is not one of the bot's scopes`);
        if (seenScopes.has(scope)) problem(`${at}/scopes: ${named} has more than one command list`);
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
