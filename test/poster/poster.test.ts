import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPhone } from '../../src/domain/time';
import bundled from '../../src/instruction/brondby.json';
import { instructionSchema } from '../../src/instruction/schema';
import { SCREENSHOT_DIR } from '../browser/browser';

/*
 * `npm run poster` as an admin runs it: the built CLI as a process, Chromium
 * printing the PDF, and the PDF read back the way a person would meet it: its
 * page count and size (pdfinfo), its words (pdftotext), and the QR code a phone
 * would scan (the page rendered by pdftoppm, decoded by jsQR).
 */

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist/cli/poster.js');
const APP_ID = '9a1b2c3d-1111-2222-3333-444455556666';
const CHAT_LINK = `https://teams.microsoft.com/l/chat/0/0?users=28:${APP_ID}`;
/** A Sunday morning in December: this week is 30 November – 6 December, Christmas is coming. */
const AT = '2026-12-06T09:55';
const instruction = instructionSchema.parse(bundled);

let tmp = '';

function tool(name: string, args: string[]): string {
  const r = spawnSync(name, args, { encoding: 'utf8' });
  if (r.error) {
    throw new Error(
      `${name} is missing (${r.error.message}): install Debian's poppler-utils with \`apt-get update && apt-get install -y poppler-utils\` (.ci/run does this on a fresh machine)`,
    );
  }
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

interface Made {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly pdf: string;
  readonly html: string;
}

/** Runs the poster command into a fresh folder. */
function makePoster(name: string, env: Record<string, string> = {}, args: string[] = []): Made {
  const out = join(tmp, name);
  const { INSTRUCTION_FILE: _i, MicrosoftAppId: _a, ...inherited } = process.env;
  const r = spawnSync(process.execPath, [CLI, '--out', out, '--at', AT, ...args], { cwd: ROOT, env: { ...inherited, ...env }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, pdf: join(out, 'nedbrud-plakat.pdf'), html: join(out, 'nedbrud-plakat.html') };
}

/** The PDF's words in reading order, every run of white space as one space. */
const pdfText = (pdf: string): string => tool('pdftotext', ['-enc', 'UTF-8', pdf, '-']).replace(/\s+/g, ' ');
/** The PDF's lines as they sit on the page (a table row stays one line), white space collapsed. */
const pdfRows = (pdf: string): string[] =>
  tool('pdftotext', ['-layout', '-enc', 'UTF-8', pdf, '-'])
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim());
/** Whether some line of the page ends with this row (the hours sit in the right-hand column). */
const hasRow = (rows: readonly string[], row: string): boolean => rows.some((l) => l.endsWith(row));

/** What a phone's camera reads off the printed page (rendered at 150 dpi), or null. */
function scanQr(pdf: string): string | null {
  const prefix = `${pdf}.scan`;
  tool('pdftoppm', ['-r', '150', '-png', '-singlefile', pdf, prefix]);
  const png = PNG.sync.read(readFileSync(`${prefix}.png`));
  return jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height)?.data ?? null;
}

let withAppId: Made;

beforeAll(() => {
  spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT, encoding: 'utf8' });
  expect(existsSync(CLI), `${CLI} was not built`).toBe(true);
  expect(statSync(CLI).mtimeMs).toBeGreaterThanOrEqual(statSync(join(ROOT, 'src/cli/poster.ts')).mtimeMs);
  tmp = mkdtempSync(join(tmpdir(), 'nedbrud-poster-'));
  withAppId = makePoster('brondby', { MicrosoftAppId: APP_ID });
}, 120_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('npm run poster', () => {
  it('writes one A4 page as PDF, and the same page as HTML that needs nothing from the network', () => {
    expect(withAppId.stderr).toBe('');
    expect(withAppId.code).toBe(0);
    expect(JSON.parse(withAppId.stdout)).toMatchObject({ pdf: withAppId.pdf, html: withAppId.html, chatLink: CHAT_LINK });
    const info = tool('pdfinfo', [withAppId.pdf]);
    expect(info).toMatch(/^Pages:\s+1$/m);
    expect(info).toMatch(/^Page size:.*\(A4\)$/m);
    const html = readFileSync(withAppId.html, 'utf8');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/(src|href)="https?:/);
  });

  it('holds every phone number of the instruction, the Danish way, and the KMD menu', () => {
    const text = pdfText(withAppId.pdf);
    const phones = instruction.contacts.flatMap((c) => (c.phone ? [formatPhone(c.phone)] : []));
    expect(phones).toEqual(['4328 2020', '4460 5040', '4330 0505', '2365 0248', '3864 8888']);
    for (const phone of phones) expect(text).toContain(phone);
    for (const c of instruction.contacts) if (c.email) expect(text).toContain(c.email);
    const kmd = instruction.systems.find((sys) => sys.outOfHours?.contact === 'kmd')?.outOfHours;
    expect(kmd?.whileCalling.length).toBeGreaterThan(0);
    for (const step of kmd?.whileCalling ?? []) expect(text).toContain(step.da);
  });

  it("shows this week's hours, the coming closures by name, the 2-hour rule and the keep-working facts", () => {
    const text = pdfText(withAppId.pdf);
    const rows = pdfRows(withAppId.pdf);
    expect(text).toContain('Nexusteamets åbningstider denne uge');
    for (const row of [
      'mandag 30. november 8.00–15.30',
      'torsdag 3. december 8.00–18.00',
      'fredag 4. december 8.00–13.00',
      'lørdag 5. december Lukket',
      'torsdag 24. december Lukket (Juleaftensdag)',
      'fredag 25. december Lukket (Juledag)',
      'fredag 1. januar Lukket (Nytårsdag)',
    ]) {
      expect(hasRow(rows, row), row).toBe(true);
    }
    expect(text).toContain('Nexus nede i mere end 2 timer');
    expect(text).toContain('3864 8888');
    for (const w of instruction.worthKnowing) expect(text).toContain(w.title.da);
    expect(text).toContain('Lavet 6. december 2026 kl. 9.55');
    expect(text).toContain('senest revideret december 2021 og godkendt 3. september 2018 af Topledergruppen');
  });

  it("has a QR code that a phone reads as the link to the bot's chat in Teams", () => {
    expect(scanQr(withAppId.pdf)).toBe(CHAT_LINK);
    // The README's picture of the poster (UPDATE_SCREENSHOTS=1, as the browser tests' pictures).
    if (process.env['UPDATE_SCREENSHOTS'] === '1') tool('pdftoppm', ['-r', '96', '-png', '-singlefile', withAppId.pdf, join(SCREENSHOT_DIR, 'poster-a4')]);
  });

  it('without an app id says how to find the bot instead of printing a QR code that leads nowhere', () => {
    const made = makePoster('no-app-id');
    expect(made.code).toBe(0);
    expect(made.stderr).toMatch(/^warning: MicrosoftAppId is not set/);
    expect(JSON.parse(made.stdout)).toMatchObject({ chatLink: null });
    expect(scanQr(made.pdf)).toBeNull();
    expect(pdfText(made.pdf)).toContain('Find Nedbrud i Teams på din telefon: Chat, søg efter "Nedbrud". (Ingen QR-kode');
  });

  it('follows INSTRUCTION_FILE: a changed number and a changed opening hour are what the poster prints', () => {
    const changed = structuredClone(bundled);
    const kmd = changed.contacts.find((c) => c.id === 'kmd');
    if (!kmd) throw new Error('no kmd contact');
    kmd.phone = '44605099';
    changed.officeHours.weekly.thursday = [{ from: '08:00', to: '17:00' }];
    const file = join(tmp, 'changed.json');
    writeFileSync(file, JSON.stringify(changed));
    const made = makePoster('changed', { INSTRUCTION_FILE: file, MicrosoftAppId: APP_ID });
    expect(made.stderr).toBe('');
    const text = pdfText(made.pdf);
    expect(text).toContain('4460 5099');
    expect(text).not.toContain('4460 5040');
    expect(hasRow(pdfRows(made.pdf), 'torsdag 3. december 8.00–17.00')).toBe(true);
    expect(text).not.toContain('8.00–18.00');
    expect(tool('pdfinfo', [made.pdf])).toMatch(/^Pages:\s+1$/m);
  });

  it('in English when asked, with the same numbers', () => {
    const made = makePoster('english', { MicrosoftAppId: APP_ID }, ['--lang', 'en']);
    expect(made.code).toBe(0);
    const text = pdfText(made.pdf);
    expect(text).toContain('Nexus, Bekey or the Internet is down?');
    expect(hasRow(pdfRows(made.pdf), 'Thursday 24 December Closed (Christmas Eve)')).toBe(true);
    expect(text).toContain('4460 5040');
  });

  it('refuses a malformed app id or argument with one line and exit 2, and writes nothing', () => {
    const bad = makePoster('bad-id', { MicrosoftAppId: 'not-a-guid' });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('MicrosoftAppId must be a GUID');
    expect(existsSync(bad.pdf)).toBe(false);
    const unknown = makePoster('bad-arg', {}, ['--colour', 'red']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^poster: .*colour.*\(see --help\)\n$/);
  });
});
