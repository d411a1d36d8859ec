import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { toString as qrToString } from 'qrcode';
import { type Clock, systemClock } from '../domain/clock';
import { OfficeHours } from '../domain/officeHours';
import { posterContent, type PosterContent } from '../domain/poster';
import { loadInstruction } from '../instruction/load';
import { LANGUAGES } from '../instruction/schema';
import { posterHtml } from '../poster/html';
import { oneOf, parseInstant, parseStrict, UsageError } from './args';

/**
 * The emergency card for the wall by the phone (and a pocket copy):
 *
 *   npm run --silent poster [-- --out DIR] [--lang da|en] [--at ISO-8601]
 *
 * writes DIR/nedbrud-plakat.html (self-contained) and DIR/nedbrud-plakat.pdf (one
 * A4 page, printed by Chromium) from the configured instruction (INSTRUCTION_FILE,
 * else Brøndby's) and office hours. With MicrosoftAppId set, a QR code opens the
 * bot's chat in Teams on a phone; without it the poster says how to find the bot.
 *
 * Prints one JSON line {pdf, html, scale, chatLink}. Exit 2 with one line for a bad
 * argument or setting; exit 1 with one line when the page cannot be printed (no
 * Chromium: how to install it) or does not fit on one page.
 */

export const DEFAULT_OUT_DIR = resolve(__dirname, '../../dist');
export const POSTER_BASENAME = 'nedbrud-plakat';
export const CHROMIUM_DEFAULT = '/usr/bin/chromium';

export const POSTER_USAGE = `Usage: npm run --silent poster -- [--out DIR] [--lang da|en] [--at ISO-8601]

  --out   folder for nedbrud-plakat.pdf and nedbrud-plakat.html (default: dist/)
  --lang  da (default) or en
  --at    the moment the poster is made for: this week's hours, the coming closures (default: now)
Reads INSTRUCTION_FILE (default: the bundled instruction), MicrosoftAppId (the QR code to the bot's chat)
and CHROMIUM_PATH (default ${CHROMIUM_DEFAULT}).
`;

/** Chromium as the browser tests start it: no background calls out of a closed network. */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'];

const GUID = /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;

/** Smallest font scale tried before giving up on one page. */
const MIN_SCALE = 0.6;
const SCALE_STEP = 0.02;

export interface PosterEnv {
  readonly INSTRUCTION_FILE?: string | undefined;
  readonly MicrosoftAppId?: string | undefined;
  readonly CHROMIUM_PATH?: string | undefined;
}

export interface PosterResult {
  readonly pdf: string;
  readonly html: string;
  readonly scale: number;
  readonly chatLink: string | null;
}

export class PosterError extends Error {
  override name = 'PosterError';
}

const trimmed = (v: string | undefined): string | undefined => (v === undefined || v.trim() === '' ? undefined : v.trim());

/** The poster's content and the files' place, from the arguments and the environment (no browser yet). */
export function posterPlan(args: string[], env: PosterEnv, clock: Clock): { content: PosterContent; outDir: string } | { help: string } {
  const { values } = parseStrict({
    args,
    options: { out: { type: 'string' }, lang: { type: 'string' }, at: { type: 'string' }, help: { type: 'boolean' } },
    strict: true,
    allowPositionals: false,
  });
  if (values.help === true) return { help: POSTER_USAGE };
  const lang = oneOf('lang', values.lang, LANGUAGES) ?? 'da';
  const at = values.at === undefined ? clock.now() : parseInstant('at', values.at);
  const appId = trimmed(env.MicrosoftAppId);
  if (appId !== undefined && !GUID.test(appId)) throw new UsageError(`MicrosoftAppId must be a GUID (the bot's app id), got "${appId}"`);
  const instruction = loadInstruction(trimmed(env.INSTRUCTION_FILE));
  const content = posterContent(instruction, new OfficeHours(instruction, [], lang), at, { lang, appId });
  return { content, outDir: resolve(values.out ?? DEFAULT_OUT_DIR) };
}

/** The QR code of a link as inline SVG (quiet zone of 4 modules, medium error correction). */
export async function qrSvg(link: string): Promise<string> {
  return qrToString(link, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
}

/** Writes the HTML, then prints it to a one-page A4 PDF in Chromium, shrinking the type until it fits. */
export async function writePoster(content: PosterContent, outDir: string, chromiumPath: string): Promise<PosterResult> {
  mkdirSync(outDir, { recursive: true });
  const qr = content.chat.link ? await qrSvg(content.chat.link) : null;
  const htmlFile = join(outDir, `${POSTER_BASENAME}.html`);
  const pdfFile = join(outDir, `${POSTER_BASENAME}.pdf`);
  writeFileSync(htmlFile, posterHtml({ content, qrSvg: qr }));

  if (!existsSync(chromiumPath)) {
    throw new PosterError(
      `Chromium is missing at ${chromiumPath}: the HTML is written (${htmlFile}); for the PDF install it with \`apt-get update && apt-get install -y chromium\`, or point CHROMIUM_PATH at a Chromium`,
    );
  }
  const browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS, headless: true, timeout: 30_000 });
  try {
    // 210 mm at 96 dpi: the page as it prints.
    const page = await browser.newPage({ viewport: { width: 794, height: 1123 } });
    await page.emulateMedia({ media: 'print' });
    let scale = 1;
    await page.setContent(posterHtml({ content, qrSvg: qr, scale }), { waitUntil: 'load' });
    while (!(await page.evaluate(fitsOnePage)) && scale > MIN_SCALE) {
      scale = Math.round((scale - SCALE_STEP) * 100) / 100;
      await page.evaluate((s) => document.documentElement.style.setProperty('--scale', String(s)), scale);
    }
    if (!(await page.evaluate(fitsOnePage))) {
      throw new PosterError(`the instruction's text does not fit on one A4 page even at ${Math.round(MIN_SCALE * 100)} % type; shorten its steps or worth-knowing texts`);
    }
    writeFileSync(htmlFile, posterHtml({ content, qrSvg: qr, scale }));
    await page.pdf({ path: pdfFile, preferCSSPageSize: true, printBackground: true });
    return { pdf: pdfFile, html: htmlFile, scale, chatLink: content.chat.link };
  } finally {
    await browser.close();
  }
}

/**
 * Runs in the page: whether every part stays inside its box and the page (the page
 * itself has a fixed A4 height and hides what overflows, so overflow is measured).
 */
function fitsOnePage(): boolean {
  const page = document.querySelector('.page');
  if (!page) return false;
  const inside = (box: Element): boolean => {
    const bottom = box.getBoundingClientRect().bottom + 1;
    return [...box.querySelectorAll('*')].every((e) => e.getBoundingClientRect().bottom <= bottom);
  };
  const parts = [...page.children];
  const pageBottom = page.getBoundingClientRect().bottom - parseFloat(getComputedStyle(page).paddingBottom) + 1;
  return parts.every((part) => inside(part) && part.getBoundingClientRect().bottom <= pageBottom) && [...page.querySelectorAll('main > *')].every(inside);
}

export async function main(args: string[], env: PosterEnv, clock: Clock, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  try {
    const plan = posterPlan(args, env, clock);
    if ('help' in plan) {
      out(plan.help.trimEnd());
      return 0;
    }
    if (plan.content.chat.link === null) {
      err('warning: MicrosoftAppId is not set; the poster has no QR code to the bot\'s chat and says how to find the bot instead');
    }
    out(JSON.stringify(await writePoster(plan.content, plan.outDir, trimmed(env.CHROMIUM_PATH) ?? CHROMIUM_DEFAULT)));
    return 0;
  } catch (e) {
    const message = (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ');
    if (e instanceof UsageError) {
      err(`poster: ${message} (see --help)`);
      return 2;
    }
    err(`poster: ${message}`);
    return 1;
  }
}

if (require.main === module) {
  void main(
    process.argv.slice(2),
    { INSTRUCTION_FILE: process.env.INSTRUCTION_FILE, MicrosoftAppId: process.env.MicrosoftAppId, CHROMIUM_PATH: process.env.CHROMIUM_PATH },
    systemClock,
    (line) => process.stdout.write(`${line}\n`),
    (line) => process.stderr.write(`${line}\n`),
  ).then((code) => {
    process.exitCode = code;
  });
}
