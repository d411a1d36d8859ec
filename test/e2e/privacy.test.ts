import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock';
import { startApp, type RunningApp } from '../../src/index';
import { messageActivity, postActivity } from '../helpers/activities';
import { cardButtons, cardText } from '../helpers/cards';
import { startConnector, type Connector, type SentActivity } from '../support/connector';
import { captureLogs, type CapturedLogs } from '../helpers/logs';
import { received, server as smtp } from '../helpers/smtp';
import { waitUntil } from '../helpers/wait';

/**
 * End to end: an outage whose description and update carry CPR numbers. Nothing
 * that is stored, logged, mailed, exported or sent to Teams holds them unmasked;
 * the phone numbers in the same text stay intact.
 */
const CPR_DASHED = '010190-1234';
const CPR_PLAIN = '3112991234';
const ADMIN = { id: '29:privacy-admin', name: 'Heidi', aadObjectId: '00000000-0000-4000-8000-0000000a11ce' };
const STAFF = { id: '29:privacy-staff', name: 'Bo', aadObjectId: '00000000-0000-4000-8000-00000000b0b0' };
const CHANNEL = '19:privacy-staff@thread.tacv2';

let app: RunningApp;
let connector: Connector;
let logs: CapturedLogs;
let dir: string;
const clock = new ManualClock('2026-12-07T09:00:00+01:00');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nedbrud-privacy-'));
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  connector = await startConnector();
  logs = captureLogs();
  app = await startApp(
    {
      PORT: '0',
      LOG_LEVEL: 'debug',
      SQLITE_PATH: join(dir, 'bot.sqlite'),
      NEXUSTEAM_IDS: ADMIN.aadObjectId,
      SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
      MAIL_TO_ALL_USERS: 'socialfv-nexus@example.org',
      MAIL_TO_PROVIDERS: 'nedbrud-care-privatelev@example.org',
      SCHEDULER_INTERVAL_SECONDS: '0.2',
    },
    { clock, logDestination: logs },
  );
});
afterAll(async () => {
  await app?.close();
  await connector?.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

async function say(from: typeof ADMIN, input: { text?: string; value?: Record<string, unknown> }, where: 'personal' | 'channel' = 'personal'): Promise<SentActivity[]> {
  const before = connector.activities().length;
  const channel = where === 'channel';
  const activity = messageActivity({
    serviceUrl: connector.url,
    from,
    conversationId: channel ? CHANNEL : `a:1privacy-${from.id}`,
    conversationType: channel ? 'channel' : 'personal',
    ...(channel ? { channelData: { team: { id: '19:privacy-team@thread.tacv2' }, channel: { id: CHANNEL } } } : {}),
    ...input,
  });
  const res = await postActivity(app.url, activity);
  expect(res.status).toBeLessThan(300);
  return connector.activities().slice(before);
}

function button(replies: SentActivity[], title: string): Record<string, unknown> {
  for (const r of replies) for (const a of r.attachments ?? []) {
    const b = cardButtons(a.content).find((x) => x.title.includes(title));
    if (b) return b.data;
  }
  throw new Error(`no button ${title}`);
}

const hasCpr = (text: string) => text.includes(CPR_DASHED) || text.includes(CPR_PLAIN) || text.includes('010190 1234');

describe('CPR numbers never leave the bot unmasked', () => {
  it('through declare, update, mail, personal alerts, export, storage and logs', async () => {
    await say(ADMIN, { text: '<at>Nedbrud</at> kanal' }, 'channel');
    await say(ADMIN, { value: { action: 'channelSave', roles: 'staff' } }, 'channel');
    const followed = await say(STAFF, { text: 'følg nedbrud' });
    expect(followed.map((a) => [a.text ?? '', ...(a.attachments ?? []).map((x) => cardText(x.content))].join('\n')).join('\n')).toContain('Du får nu en personlig besked');

    const form = await say(ADMIN, { text: 'meld nedbrud' });
    const preview = await say(ADMIN, {
      value: {
        ...button(form, 'Vis udkast'),
        system: 'nexus',
        description: `Borger ${CPR_DASHED} kan ikke få medicin. Ring 4460 5040.`,
        sinceDate: '2026-12-07',
        sinceTime: '08:40',
        expected: '',
      },
    });
    await say(ADMIN, { value: button(preview, 'Send til alle') });
    const updateForm = await say(ADMIN, { text: 'opdater' });
    await say(ADMIN, { value: { ...button(updateForm, 'Send opdatering'), text: `Også ${CPR_PLAIN} og 010190 1234 ramt. Nexusteamet: 4328 2020.` } });

    // Mail to both lists for the announcement and the update; the follower's personal alerts.
    await waitUntil(() => received.length >= 4, 10_000, 'four mails');
    await waitUntil(() => connector.activities().filter((a) => a.toConversationId === `a:1privacy-${STAFF.id}`).length >= 3, 10_000, "the follower's three alerts");

    clock.set('2026-12-07T10:30:00+01:00');
    const exported = await say(ADMIN, { text: 'eksport' });
    const exportText = exported.map((a) => a.text ?? '').join('\n');
    expect(exportText).toContain('tidspunkt;hændelse;af;tekst');

    // Mail: decoded bodies and subjects, and the raw message.
    for (const m of received) {
      expect(hasCpr(m.raw)).toBe(false);
      expect(hasCpr(m.mail.text + m.mail.html + m.mail.subject)).toBe(false);
    }
    expect(received.map((m) => m.mail.text).join('\n')).toContain('4460 5040');
    expect(new Set(received.flatMap((m) => m.rcptTo))).toEqual(new Set(['socialfv-nexus@example.org', 'nedbrud-care-privatelev@example.org']));

    // Everything sent to Teams (channel posts, thread replies, personal alerts, answers).
    const payloads = JSON.stringify(connector.requests.map((r) => r.body));
    expect(hasCpr(payloads)).toBe(false);
    expect(payloads).toContain('4460 5040');
    expect(payloads).toContain('4328 2020');
    expect(payloads).toContain('******-****');

    // The export.
    expect(hasCpr(exportText)).toBe(false);
    expect(exportText).toContain('4460 5040');

    // The logs.
    expect(hasCpr(logs.text())).toBe(false);

    // The SQLite file (and its write-ahead log) on disk.
    await app.close();
    const files = readdirSync(dir).map((f) => readFileSync(join(dir, f)).toString('latin1'));
    expect(files.length).toBeGreaterThan(0);
    for (const bytes of files) expect(hasCpr(bytes)).toBe(false);
    expect(files.join('').includes('4460 5040')).toBe(true);
  }, 60_000);
});
