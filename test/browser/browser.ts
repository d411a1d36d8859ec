import { afterAll, beforeAll } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { DevRequest } from '../../src/dev/devConnector';

/**
 * Debian's Chromium driven by playwright-core (DESIGN.md, "Browser tests"):
 * `npx playwright install` cannot download here, so the system browser is used.
 * A missing browser fails the suite (never a skip): README and .ci/run install it.
 */

export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** As the machine notes say: without the networking flags Chromium keeps calling out and is refused. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  '--lang=da-DK',
];

export const PHONE = { width: 390, height: 844 } as const;
export const DESKTOP = { width: 1280, height: 800 } as const;

/** docs/screenshots when UPDATE_SCREENSHOTS=1 (they are committed), else a temporary folder. */
export const SCREENSHOT_DIR =
  process.env['UPDATE_SCREENSHOTS'] === '1' ? resolve(__dirname, '..', '..', 'docs', 'screenshots') : join(tmpdir(), 'nedbrud-screenshots');

export function missingChromiumMessage(): string {
  const install = '`apt-get update && apt-get install -y chromium`';
  return process.env['CI']
    ? `Chromium is missing at ${CHROMIUM_PATH} on CI: .ci/run installs it with ${install} before npm test; run the suite through .ci/run`
    : `Chromium is missing at ${CHROMIUM_PATH}: install it with ${install} (README, "Run it"), or point CHROMIUM_PATH at a Chromium`;
}

/**
 * Playwright makes a fresh, empty profile for every launch (its own
 * --user-data-dir in a temp folder; passing one in `args` is refused), so no
 * state leaks between runs.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(missingChromiumMessage());
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true, timeout: 30_000 });
}

/**
 * One Chromium for a test file: launched before its tests, closed after them. A
 * missing Chromium fails every test that asks for it (with how to install it),
 * never skips them.
 */
export function sharedChromium(): () => Browser {
  let browser: Browser | undefined;
  let launchError: unknown;
  beforeAll(async () => {
    try {
      browser = await launchChromium();
    } catch (err) {
      launchError = err;
    }
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw launchError instanceof Error ? launchError : new Error(String(launchError));
    return browser;
  };
}

export interface OpenedPage {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Requests the page made to anything but the app (must stay empty: no CDN, no network). */
  readonly external: string[];
  /** Script errors and console errors. */
  readonly errors: string[];
}

export async function openPlayground(browser: Browser, appUrl: string, viewport: { width: number; height: number }): Promise<OpenedPage> {
  const context = await browser.newContext({ viewport, locale: 'da-DK', timezoneId: 'Europe/Copenhagen', deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const external: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith(appUrl) && !url.startsWith('data:')) external.push(url);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(`${appUrl}/`);
  await page.locator('body[data-ready="true"]').waitFor();
  return { context, page, external, errors };
}

export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return join(SCREENSHOT_DIR, name);
}

export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'nedbrud-browser-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What the page shows: each message element's id, role and version (the page keeps only the open view in the DOM). */
export interface ShownMessage {
  readonly id: string;
  readonly role: string;
  readonly version: number;
}

export async function shownMessages(page: Page): Promise<ShownMessage[]> {
  return page.$$eval('[data-message-id]', (els) =>
    els.map((el) => {
      const e = el as HTMLElement;
      return { id: e.dataset['messageId'] ?? '', role: e.dataset['role'] ?? '', version: Number(e.dataset['version'] ?? '0') };
    }),
  );
}

export async function devLog(appUrl: string): Promise<DevRequest[]> {
  const res = await fetch(`${appUrl}/dev/log`);
  if (!res.ok) throw new Error(`GET /dev/log: HTTP ${res.status}`);
  return (await res.json()) as DevRequest[];
}

/**
 * Every message the page showed came the real way: a bot message from a POST the
 * development connector answered with that id (and one PUT per replacement), a
 * person's message from an activity that went into /api/messages and was answered 2xx.
 * Returns the problems (empty = all proven).
 */
export function unproven(shown: Iterable<ShownMessage>, log: readonly DevRequest[]): string[] {
  const problems: string[] = [];
  for (const m of shown) {
    if (m.role === 'bot') {
      const posted = log.some(
        (r) => r.via === 'connector' && r.method === 'POST' && r.status !== undefined && r.status < 300 && r.assignedId === m.id && r.path.startsWith('/v3/conversations/'),
      );
      if (!posted) problems.push(`bot message ${m.id}: no POST …/activities answered with this id`);
      const puts = log.filter((r) => r.via === 'connector' && r.method === 'PUT' && r.activityId === m.id && r.status === 200).length;
      if (puts < m.version) problems.push(`bot message ${m.id}: shown in version ${m.version} but only ${puts} PUT(s)`);
    } else {
      const inbound = log.some((r) => r.via === 'api' && r.path === '/api/messages' && r.activityId === m.id && r.status !== undefined && r.status < 300);
      if (!inbound) problems.push(`user message ${m.id}: no activity through /api/messages`);
    }
  }
  return problems;
}
