import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { startTeamsEmulator, type RunningEmulator } from '../../src/cli/teamsEmulator';
import { ManualClock } from '../../src/domain/clock';
import { startApp, type RunningApp } from '../../src/index';
import { DESKTOP, screenshotPath, sharedChromium, tempDir } from './browser';

/**
 * Microsoft's own Teams emulator as a client: the Microsoft 365 Agents Playground
 * (npm @microsoft/m365agentsplayground, started the way `npm run teams-emulator`
 * starts it) talks to the bot's real /api/messages with its own connector, renders
 * the cards with its own Adaptive Cards renderer, and is driven here through its
 * own page in Debian's Chromium. Its user "Alex Wilber" has locale en-US, as many
 * Danish staff's Teams does. The bot runs in this process on a clock the test sets:
 * Saturday 5 December 2026, 19:40 in Copenhagen, out of the Nexusteam's hours.
 *
 * The page asks a CDN for fonts, icons and an animation; every request off this
 * machine is refused here, and the emulator works without them. The emulator
 * stamps each activity with the time zone of the machine it runs on (the suite's
 * TZ); the bot's times stay Copenhagen's.
 */

const SATURDAY_EVENING = '2026-12-05T19:40:00+01:00';

const sharedBrowser = sharedChromium();

interface World {
  readonly app: RunningApp;
  readonly clock: ManualClock;
  readonly emulator: RunningEmulator;
  readonly context: BrowserContext;
  readonly page: Page;
  readonly errors: string[];
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function world(): Promise<World> {
  const browser = sharedBrowser();
  const tmp = tempDir();
  const clock = new ManualClock(SATURDAY_EVENING);
  const app = await startApp({ PORT: '0', LOG_LEVEL: 'silent', SQLITE_PATH: join(tmp.dir, 'bot.sqlite') }, { clock });
  cleanups.push(async () => {
    await app.close();
    tmp.remove();
  });
  const emulator = await startTeamsEmulator({
    endpoint: `http://127.0.0.1:${app.port}/api/messages`,
    port: 0,
    logFile: join(tmp.dir, 'm365agentsplayground.log'),
    openBrowser: false,
  });
  cleanups.push(() => emulator.close());

  const context = await browser.newContext({ viewport: { width: DESKTOP.width, height: 1000 }, locale: 'en-US', timezoneId: 'Europe/Copenhagen' });
  cleanups.push(() => context.close());
  // Fonts, icons and an animation from a CDN: refused, as on a machine without the Internet.
  await context.route(
    (url) => url.hostname !== 'localhost' && url.hostname !== '127.0.0.1' && url.protocol !== 'data:',
    (route) => route.abort('internetdisconnected'),
  );
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(emulator.url);
  return { app, clock, emulator, context, page, errors };
}

/** Types into the emulator's message box (a lexical editor) and sends with Enter, as a person does. */
async function say(page: Page, text: string): Promise<void> {
  const box = page.locator('[data-lexical-editor=true]');
  await box.click();
  await box.pressSequentially(text);
  await page.keyboard.press('Enter');
}

/** The bot's messages in the open chat: each message's header names its author ("Test Bot"); the message is the header's parent. */
const botMessages = (page: Page) =>
  page.locator('[aria-label="Message header"]', { has: page.locator('[aria-label="Message author"]', { hasText: 'Test Bot' }) }).locator('xpath=..');

/** Presses the newest card button with this title. */
async function press(page: Page, title: string): Promise<void> {
  await page.getByRole('button', { name: title, exact: true }).last().click();
}

/** Waits until the bot has sent `count` messages in all, then returns the newest one's text. */
async function newestAfter(page: Page, count: number): Promise<string> {
  await expect.poll(() => botMessages(page).count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(count);
  return botMessages(page).last().innerText();
}

describe('Microsoft 365 Agents Playground (Teams emulator) as a client', () => {
  it('welcome card, "Nexus er nede", the card buttons to the KMD card out of hours, in Danish for an en-US user; a button pressed twice changes nothing', async () => {
    const w = await world();
    const { page } = w;

    // Installing the app in the emulator's personal chat: the welcome card, in Danish.
    await page.getByText('Nedbrud: hjælp når Nexus, Bekey eller internettet er nede').first().waitFor();
    await expect.poll(() => botMessages(page).count()).toBe(1);

    await say(page, 'Nexus er nede');
    await page.getByText('Er Nexus også nede hos dine kolleger?').last().waitFor();

    // What the emulator sent the bot (its log panel shows the request): locale en-US, and the
    // time zone of the machine running the emulator, which the bot must not go by.
    await page.getByText('message 200', { exact: true }).last().click();
    await page.getByText('"text": "Nexus er nede"').first().waitFor();
    await page.getByText('"locale": "en-US"').first().waitFor();
    await page.getByText(`"localTimezone": "${Intl.DateTimeFormat().resolvedOptions().timeZone}"`).first().waitFor();

    await press(page, 'Ja, også hos kolleger');
    await page.getByText('Virker internettet?').last().waitFor();
    await press(page, 'Ja, hjemmesiden kom frem');

    // The KMD card: the number, the menu, the 2-hour rule at 21.40, and the caller's button.
    await page.getByText('Ring til KMD-support').last().waitFor();
    const kmd = await page.getByRole('button', { name: 'Jeg har ringet til KMD', exact: true }).last().locator('xpath=ancestor::*[contains(@class, "ac-adaptiveCard")][1]').innerText();
    expect(kmd).toContain('4460 5040');
    expect(kmd).toContain('Tast 153#');
    expect(kmd).toContain('Virker Nexus stadig ikke kl. 21.40, ringer du til Regionens driftvagt: 3864 8888');
    // Danish throughout, though the emulator's user has an English Teams.
    const chat = await page.locator('body').innerText();
    for (const english of ['Is Nexus also down', 'Does the Internet work?', 'Call KMD support', 'I have called KMD']) expect(chat).not.toContain(english);
    await page.getByText('"locale": "en-US"').first().scrollIntoViewIfNeeded();
    await page.getByText('Ring til KMD-support').last().scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('teams-emulator-kmd-desktop.png') });

    // "Jeg har ringet til KMD": you own the case, the driftvagt at 21.40.
    const before = await botMessages(page).count();
    await press(page, 'Jeg har ringet til KMD');
    const first = await newestAfter(page, before + 1);
    expect(first).toContain('Du har nu sagen');
    expect(first).toContain('Virker Nexus stadig ikke i dag kl. 21.40');

    // Ten minutes later the same button again: one answer, the same owner and the same deadline.
    w.clock.advance(10 * 60_000);
    await press(page, 'Jeg har ringet til KMD');
    const second = await newestAfter(page, before + 2);
    expect(second).toContain('Du har nu sagen');
    expect(second).toContain('Virker Nexus stadig ikke i dag kl. 21.40');
    expect(second).not.toContain('21.50');
    await say(page, 'status');
    const status = await newestAfter(page, before + 3);
    expect(status).toContain('Nexus: nede siden i dag kl. 19.40. Alex Wilber har sagen.');
    expect(await botMessages(page).count()).toBe(before + 3);

    expect(w.errors).toEqual([]);
  }, 120_000);
});
