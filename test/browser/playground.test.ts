import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { OffsetClock, systemClock } from '../../src/domain/clock';
import { startApp, type RunningApp } from '../../src/index';
import {
  DESKTOP,
  devLog,
  sharedChromium,
  openPlayground,
  PHONE,
  screenshotPath,
  shownMessages,
  tempDir,
  unproven,
  type OpenedPage,
  type ShownMessage,
} from './browser';

/**
 * "Try it without Teams": the playground page in Debian's Chromium, against the
 * app started in this process in development mode. The page talks to the real
 * /api/messages; the bot's replies, posts and card updates reach the built-in
 * development connector and come back to the page. The test moves the bot's
 * clock with the page's own controls (an OffsetClock over the system clock).
 */

const STAFF_CHANNEL = '19:playground-personale@thread.tacv2';
const NEXUS_CHANNEL = '19:playground-drift@thread.tacv2';

const sharedBrowser = sharedChromium();

interface World {
  readonly app: RunningApp;
  readonly opened: OpenedPage;
  readonly page: Page;
  /** Every message element seen on the page, by id, with the highest version seen. */
  readonly seen: Map<string, ShownMessage>;
}
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function world(viewport: { width: number; height: number }): Promise<World> {
  const browser = sharedBrowser();
  const tmp = tempDir();
  const app = await startApp({ PORT: '0', LOG_LEVEL: 'silent', SQLITE_PATH: join(tmp.dir, 'bot.sqlite') }, { clock: new OffsetClock(systemClock), playground: true });
  cleanups.push(async () => {
    await app.close();
    tmp.remove();
  });
  const opened = await openPlayground(browser, app.url, viewport);
  cleanups.push(() => opened.context.close());
  return { app, opened, page: opened.page, seen: new Map() };
}

/** Remembers what the open view shows (for the proof against the connector's log at the end). */
async function record(w: World): Promise<void> {
  for (const m of await shownMessages(w.page)) {
    const before = w.seen.get(m.id);
    if (!before || before.version < m.version) w.seen.set(m.id, m);
  }
}

const messages = (page: Page): Locator => page.getByTestId('messages');

async function waitForText(page: Page, text: string): Promise<Locator> {
  const found = messages(page).getByText(text, { exact: false }).last();
  await found.waitFor();
  return found;
}

/** Runs `action` and waits until the turn it starts (POST /api/messages) has been answered; returns that activity's id. */
async function turn(page: Page, action: () => Promise<void>): Promise<string> {
  const answered = page.waitForResponse((r) => r.url().endsWith('/api/messages') && r.request().method() === 'POST');
  await action();
  const res = await answered;
  expect(res.status()).toBeLessThan(300);
  return String((res.request().postDataJSON() as { id?: unknown }).id);
}

async function say(page: Page, text: string): Promise<string> {
  return turn(page, async () => {
    await page.getByTestId('composer-input').fill(text);
    await page.getByTestId('composer-send').click();
  });
}

/** Presses the button on the newest card that has it, as a person would. */
async function press(page: Page, title: string): Promise<string> {
  return turn(page, () => messages(page).getByRole('button', { name: title }).last().click());
}

async function setClock(page: Page, local: string, expected: string): Promise<void> {
  const toggle = page.locator('#clock-set-toggle');
  if (await toggle.isVisible()) await toggle.click();
  await page.getByTestId('clock-at').fill(local);
  const moved = page.waitForResponse((r) => r.url().endsWith('/dev/clock') && r.request().method() === 'POST');
  await page.getByTestId('clock-set').click();
  expect((await moved).status()).toBe(200);
  await expect.poll(() => page.getByTestId('clock-now').textContent()).toBe(expected);
}

async function openView(w: World, view: string): Promise<void> {
  await record(w);
  await w.page.locator(`.view-button[data-view="${view}"]`).click();
  await w.page.locator(`.view-button[data-view="${view}"][aria-current="page"]`).waitFor();
}

/** The message element (root post or reply) that contains `text`. */
function messageWith(page: Page, text: string): Locator {
  return messages(page).locator('[data-message-id]').filter({ hasText: text }).last();
}

async function proveAgainstLog(w: World): Promise<void> {
  await record(w);
  expect(w.seen.size).toBeGreaterThan(0);
  expect(unproven(w.seen.values(), await devLog(w.app.url))).toEqual([]);
  expect(w.opened.external, 'the page fetched nothing but the app').toEqual([]);
  expect(w.opened.errors).toEqual([]);
}

async function scrollToTop(locator: Locator): Promise<void> {
  await locator.evaluate((el) => el.scrollIntoView({ block: 'start' }));
}

describe('the playground in Chromium', () => {
  it('a member of staff on a Saturday evening, on a phone: "Nexus er nede" → the KMD card', async () => {
    const w = await world(PHONE);
    const { page } = w;
    await expect.poll(() => page.locator('#persona-select option:checked').textContent()).toContain('Anna Hjemmepleje');
    await setClock(page, '2026-12-05T19:40', 'lørdag 5. december 2026 kl. 19.40');

    await say(page, 'Nexus er nede');
    await waitForText(page, 'Er Nexus også nede hos dine kolleger?');
    // The person's own message is shown too: it went into /api/messages.
    await messageWith(page, 'Nexus er nede').waitFor();

    await press(page, 'Ja, også hos kolleger');
    await waitForText(page, 'Virker internettet?');
    await press(page, 'Ja, hjemmesiden kom frem');
    const kmd = await waitForText(page, 'Ring til KMD-support');
    await waitForText(page, '4460 5040');
    // The number as text, once in large type, and a tel: link beside it (Markdown rendered safely).
    expect(await messages(page).locator('a[href="tel:+4544605040"]').filter({ hasText: 'Ring op' }).count()).toBeGreaterThan(0);
    expect(await messageWith(page, 'Ring til KMD-support').getByText('4460 5040', { exact: true }).count()).toBe(1);
    await waitForText(page, 'Mens du ringer');
    await waitForText(page, 'Efter opkaldet');
    // Buttons stack on a phone and nothing scrolls sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

    const card = messageWith(page, 'Ring til KMD-support');
    await scrollToTop(card);
    await page.screenshot({ path: screenshotPath('triage-kmd-phone.png'), animations: 'disabled' });
    expect(await kmd.isVisible()).toBe(true);

    await proveAgainstLog(w);
  });

  it('the Nexusteam declares, gets the 2-hour reminder, records the call, and posts the all-clear', async () => {
    const w = await world(DESKTOP);
    const { page } = w;
    await setClock(page, '2026-12-07T09:00', 'mandag 7. december 2026 kl. 9.00');
    // Heidi is the Nexusteam persona (a configured admin in development mode).
    await page.getByTestId('persona-select').selectOption({ label: 'Heidi Nexusteam (Nexusteamet)' });

    await say(page, 'meld nedbrud');
    await waitForText(page, 'Meld nedbrud');
    const form = messageWith(page, 'Vis udkast');
    await form.getByLabel('Kort beskrivelse').fill('Nexus svarer ikke ved login');
    await form.getByLabel('Forventes at virke igen').fill('i løbet af formiddagen');
    await press(page, 'Vis udkast');
    await waitForText(page, 'Udkast: sådan ser meldingen ud');
    await press(page, 'Send til alle');
    await waitForText(page, 'Meldingen er sendt til 1 kanal');

    // The announcement, in the staff channel.
    await openView(w, STAFF_CHANNEL);
    const announcement = messageWith(page, 'Nedbrud: Nexus er nede');
    await announcement.waitFor();
    await announcement.getByText('Nexus svarer ikke ved login').waitFor();
    const announcementId = await announcement.getAttribute('data-message-id');
    expect(announcementId).toBeTruthy();
    await page.screenshot({ path: screenshotPath('announcement-desktop.png'), animations: 'disabled' });

    // Two hours on: the reminder to call the Region's driftvagt.
    await openView(w, NEXUS_CHANNEL);
    const moved = page.waitForResponse((r) => r.url().endsWith('/dev/clock') && r.request().method() === 'POST');
    await page.getByTestId('clock-plus-120').click();
    expect((await moved).status()).toBe(200);
    await expect.poll(() => page.getByTestId('clock-now').textContent()).toBe('mandag 7. december 2026 kl. 11.00');
    const escalation = messageWith(page, 'ring til Regionens driftvagt');
    await escalation.waitFor();
    const escalationId = await escalation.getAttribute('data-message-id');
    expect(await escalation.getAttribute('data-version')).toBe('0');
    const positionBefore = await escalationPosition(page, escalationId ?? '');

    await page.setViewportSize(PHONE);
    await scrollToTop(messageWith(page, 'ring til Regionens driftvagt'));
    await page.screenshot({ path: screenshotPath('escalation-phone.png'), animations: 'disabled' });
    await page.setViewportSize(DESKTOP);

    // "Driftvagten er underrettet": the same card, replaced in place.
    await press(page, 'Driftvagten er underrettet');
    const updated = messages(page).locator(`[data-message-id="${escalationId}"][data-version="1"]`);
    // The card says it (its notification line above the card says it too).
    await updated.locator('.card-host').getByText('Driftvagten er underrettet af Heidi Nexusteam').waitFor();
    expect(await updated.getByRole('button', { name: 'Driftvagten er underrettet' }).count()).toBe(0);
    expect(await escalationPosition(page, escalationId ?? '')).toBe(positionBefore);
    expect(await messages(page).locator(`[data-message-id="${escalationId}"]`).count()).toBe(1);
    await page.screenshot({ path: screenshotPath('escalation-acknowledged-desktop.png'), animations: 'disabled' });

    // Heidi's own chat got the reminder too (she declared it), also replaced.
    await openView(w, 'chat');
    await messages(page).locator('[data-message-id][data-version="1"]').filter({ hasText: 'Driftvagten er underrettet af Heidi Nexusteam' }).waitFor();

    // The all-clear.
    await say(page, 'løst');
    await press(page, 'Meld Nexus løst');
    await waitForText(page, 'Løst-meldingen er sendt');

    await openView(w, STAFF_CHANNEL);
    const resolved = messages(page).locator(`[data-message-id="${announcementId}"]`);
    await resolved.locator('.card-host').getByText('Løst: Nexus virker igen').waitFor();
    expect(Number(await resolved.getAttribute('data-version'))).toBeGreaterThanOrEqual(1);
    // The all-clear reply sits in the announcement's thread, under its root.
    const thread = messages(page).locator(`.thread[data-thread-id="${announcementId}"]`);
    await thread.locator('.replies [data-message-id]').filter({ hasText: 'Nexus virker igen fra' }).waitFor();
    await page.screenshot({ path: screenshotPath('resolved-desktop.png'), animations: 'disabled' });
    await page.setViewportSize(PHONE);
    await scrollToTop(thread);
    await page.screenshot({ path: screenshotPath('resolved-phone.png'), animations: 'disabled' });

    await proveAgainstLog(w);
  });

  it('out of hours with nobody carrying it: each reporter and the declarer get the claim card; the first "Jeg ringer" takes it and the other card says who', async () => {
    const w = await world(DESKTOP);
    const { page } = w;
    // Monday: the Nexusteam is open until 15.30.
    await setClock(page, '2026-12-07T14:00', 'mandag 7. december 2026 kl. 14.00');

    // Anna reports it: Nexus is down for her colleagues too.
    await say(page, 'Nexus er nede');
    await waitForText(page, 'Er Nexus også nede hos dine kolleger?');
    await press(page, 'Ja, også hos kolleger');

    // Heidi declares it, down since Anna's report.
    await asPersona(w, 'Heidi Nexusteam (Nexusteamet)');
    await say(page, 'meld nedbrud');
    const form = messageWith(page, 'Vis udkast');
    await form.getByLabel('Kort beskrivelse').fill('Nexus svarer ikke ved login');
    expect(await form.getByLabel('Nede siden (klokkeslæt)').inputValue()).toBe('14:00');
    await press(page, 'Vis udkast');
    await waitForText(page, 'Udkast: sådan ser meldingen ud');
    await press(page, 'Send til alle');
    await waitForText(page, 'Meldingen er sendt til 1 kanal');

    // 16.00: the Nexusteam closed at 15.30, nobody took the hand-over, and the 2 hours are up.
    await asPersona(w, 'Anna Hjemmepleje (medarbejder)');
    await setClock(page, '2026-12-07T16:00', 'mandag 7. december 2026 kl. 16.00');
    const annasClaim = messageWith(page, 'Kan du ringe til Regionens driftvagt?');
    await annasClaim.getByText('Nexus har været nede i 2 timer, og ingen har sagt, at de har ringet til Regionens driftvagt').waitFor();
    await annasClaim.getByRole('button', { name: 'Jeg ringer' }).waitFor();
    // Asking is not telling: the number comes only to whoever takes it.
    expect(await annasClaim.getByText('3864 8888').count()).toBe(0);

    await page.setViewportSize(PHONE);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await scrollToTop(messageWith(page, 'Kan du ringe til Regionens driftvagt?'));
    await page.screenshot({ path: screenshotPath('claim-phone.png'), animations: 'disabled' });
    await page.setViewportSize(DESKTOP);

    // Heidi declared it, so she is asked too.
    await asPersona(w, 'Heidi Nexusteam (Nexusteamet)');
    const heidisClaim = messageWith(page, 'Kan du ringe til Regionens driftvagt?');
    await heidisClaim.getByRole('button', { name: 'Jeg ringer' }).waitFor();
    const heidisClaimId = (await heidisClaim.getAttribute('data-message-id')) ?? '';
    expect(heidisClaimId).not.toBe('');
    expect(await heidisClaim.getAttribute('data-version')).toBe('0');
    const heidisClaimPosition = await chatPosition(page, heidisClaimId);

    // In the Nexusteam's channel: the hand-over card from before closing, untaken, and
    // the driftvagt card saying that nobody carries it and how many were asked.
    await openView(w, NEXUS_CHANNEL);
    await messageWith(page, 'hvem følger nedbruddet på Nexus?').getByRole('button', { name: 'Jeg følger det efter lukketid' }).waitFor();
    await messageWith(page, 'ring til Regionens driftvagt nu').getByText('2 kolleger er spurgt 1:1, om de kan ringe').waitFor();
    await openView(w, 'chat');

    // Anna takes it, and gets the number in the same turn.
    await asPersona(w, 'Anna Hjemmepleje (medarbejder)');
    const claimed = await press(page, 'Jeg ringer');
    await waitForText(page, 'Du ringer til Regionens driftvagt');
    const duty = messageWith(page, 'ring til Regionens driftvagt nu');
    await duty.locator('.card-host').getByText('3864 8888', { exact: true }).waitFor();
    await duty.getByRole('button', { name: 'Driftvagten er underrettet' }).waitFor();
    // It answered her press (a reply in that turn), not a later scheduled send.
    const dutyId = await duty.getAttribute('data-message-id');
    expect((await devLog(w.app.url)).some((r) => r.via === 'connector' && r.method === 'POST' && r.activityId === claimed && r.assignedId === dutyId)).toBe(true);
    // Her own claim card now says she has it.
    await messages(page).locator('[data-message-id][data-version="1"]').filter({ hasText: 'Anna Hjemmepleje ringer til Regionens driftvagt' }).waitFor();

    // Heidi's card is replaced in place: same message, same spot, no button, who took it.
    await asPersona(w, 'Heidi Nexusteam (Nexusteamet)');
    const replaced = messages(page).locator(`[data-message-id="${heidisClaimId}"][data-version="1"]`);
    await replaced.locator('.card-host').getByText('Anna Hjemmepleje ringer til Regionens driftvagt').waitFor();
    await replaced.getByText('Anna Hjemmepleje tog opgaven i dag kl. 16.00 og ringer til Regionens driftvagt').waitFor();
    expect(await replaced.getByRole('button').count()).toBe(0);
    expect(await messages(page).getByRole('button', { name: 'Jeg ringer' }).count()).toBe(0);
    expect(await messages(page).locator(`[data-message-id="${heidisClaimId}"]`).count()).toBe(1);
    expect(await chatPosition(page, heidisClaimId)).toBe(heidisClaimPosition);
    await scrollToTop(replaced);
    await page.screenshot({ path: screenshotPath('claim-taken-desktop.png'), animations: 'disabled' });

    await proveAgainstLog(w);
  });
});

/** Switches the persona the page writes as (its 1:1 chat opens), remembering what the open view showed. */
async function asPersona(w: World, label: string): Promise<void> {
  await record(w);
  await w.page.getByTestId('persona-select').selectOption({ label });
  const name = label.replace(/ \(.*\)$/, '');
  await expect.poll(() => w.page.locator('.view-button[data-view="chat"][aria-current="page"] .view-sub').textContent()).toBe(`1:1 som ${name}`);
}

/** Where a message sits among the chat's messages. */
async function chatPosition(page: Page, id: string): Promise<number> {
  return messages(page).evaluate((box, messageId) => Array.prototype.findIndex.call(box.children, (el: Element) => el.getAttribute('data-message-id') === messageId), id);
}

/** Where an element sits among the messages box's children (a thread root: its thread's index). */
async function escalationPosition(page: Page, id: string): Promise<number> {
  return messages(page).evaluate((box, messageId) => {
    const el = box.querySelector(`[data-message-id="${CSS.escape(messageId)}"]`);
    const top = el?.closest('.thread') ?? el;
    return top ? Array.prototype.indexOf.call(box.children, top) : -1;
  }, id);
}
