import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isObject, PLACEHOLDER, validateLocalization, validateManifest, type JsonObject } from './manifestValidation';

/**
 * The Teams app's files from `manifest/`: the template with its `${{…}}`
 * placeholders filled (BOT_ID, TEAMS_APP_ID, PUBLIC_BASE_URL), the translations
 * likewise, and the two icons, which are shipped as files. Everything Teams would
 * refuse is collected as a problem: the manifest and the translations validated
 * offline (manifestValidation.ts), the icons by their PNG headers (color
 * 192×192, outline 32×32; the tests hold the committed icons to their colours,
 * the outline white on transparent, pixel by pixel). Reads files, writes
 * nothing: package.ts zips the result.
 */

/** Where the template, the translations and the icons live. */
export const MANIFEST_DIR = resolve(__dirname, '../../manifest');
export const TEMPLATE_FILE = 'manifest.template.json';

const COLOR_ICON_SIZE = 192;
const OUTLINE_ICON_SIZE = 32;

export interface PackageSettings {
  readonly botId: string;
  readonly teamsAppId: string;
  readonly publicBaseUrl: string;
}

export interface PackageFile {
  /** A file name at the zip's root. */
  readonly name: string;
  readonly data: Buffer;
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

// --- icons ----------------------------------------------------------------------------

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A PNG of `size`×`size` pixels, read from its header (IHDR comes first; no pixel is decoded). */
/** An icon's file name as the manifest gives it (a string, else as JSON). */
function nameOf(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function iconProblems(name: string, data: Buffer, size: number): string[] {
  if (data.length < 24 || !data.subarray(0, 8).equals(PNG_SIGNATURE) || data.toString('latin1', 12, 16) !== 'IHDR') return [`${name}: is not a PNG file`];
  const [width, height] = [data.readUInt32BE(16), data.readUInt32BE(20)];
  return width === size && height === size ? [] : [`${name}: must be ${size}×${size} pixels, is ${width}×${height}`];
}

// --- the app ----------------------------------------------------------------------------

export interface TeamsAppPackage {
  /** The filled manifest as it goes into the zip. */
  readonly manifest: JsonObject;
  /** The zip's files, manifest.json first. */
  readonly files: readonly PackageFile[];
  /** Everything wrong; the package must not be written unless this is empty. */
  readonly problems: readonly string[];
}

function parseJson(text: string, name: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`${name} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
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
  const files: PackageFile[] = [{ name: 'manifest.json', data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8') }];
  const add = (name: unknown, what: string): Buffer | undefined => {
    if (typeof name !== 'string' || name === '') return undefined;
    if (name.includes('/') || name.includes('\\')) {
      problems.push(`manifest.json: ${what} "${name}" must be a file at the package root`);
      return undefined;
    }
    const already = files.find((f) => f.name === name);
    if (already !== undefined) return already.data;
    const data = readFileIn(manifestDir, name);
    if (data === undefined) {
      problems.push(`manifest.json: ${what} "${name}" is not in ${manifestDir}`);
      return undefined;
    }
    files.push({ name, data });
    return data;
  };

  const icons = isObject(manifest.icons) ? manifest.icons : {};
  const color = add(icons.color, '/icons/color');
  if (color !== undefined) problems.push(...iconProblems(nameOf(icons.color), color, COLOR_ICON_SIZE));
  const outline = add(icons.outline, '/icons/outline');
  if (outline !== undefined) problems.push(...iconProblems(nameOf(icons.outline), outline, OUTLINE_ICON_SIZE));

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
    const i = files.findIndex((f) => f.name === file);
    files[i] = { name: file, data: Buffer.from(filled, 'utf8') };
  }
  return { manifest, files, problems };
}

