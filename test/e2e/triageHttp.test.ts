import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock';
import { startApp, type RunningApp } from '../../src/index';
import { messageActivity, postActivity } from '../helpers/activities';
import { cardButtons, cardText } from '../helpers/cards';
import { startConnector, type Connector, type SentActivity } from '../support/connector';

/**
 * The triage over real HTTP: Teams' requests POSTed to /api/messages, the bot's
 * replies captured by a local connector, buttons pressed by sending their data
 * back as the activity's value, exactly as Teams does.
 */
let app: RunningApp;
let connector: Connector;
let dir: string;
const clock = new ManualClock('2026-12-05T19:40:00+01:00'); // a Saturday evening

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nedbrud-e2e-'));
  connector = await startConnector();
  app = await startApp({ PORT: '0', LOG_LEVEL: 'silent', SQLITE_PATH: join(dir, 'bot.sqlite') }, { clock });
});
afterAll(async () => {
  await app?.close();
  await connector?.close();
  rmSync(dir, { recursive: true, force: true });
});

function repliesSince(n: number): SentActivity[] {
  return connector.activities().slice(n);
}
const textOf = (activities: SentActivity[]) =>
  activities.map((a) => [a.text ?? '', ...(a.attachments ?? []).map((x) => cardText(x.content))].join('\n')).join('\n');

/** Sends, and returns the replies the bot delivered during that turn. */
async function turn(input: { text?: string; value?: Record<string, unknown> }, extra: Partial<Parameters<typeof messageActivity>[0]> = {}) {
  const before = connector.activities().length;
  const res = await postActivity(app.url, messageActivity({ serviceUrl: connector.url, conversationId: 'a:1saturday', ...input, ...extra }));
  expect(res.status).toBeLessThan(300);
  return repliesSince(before);
}

function button(replies: SentActivity[], title: string): Record<string, unknown> {
  for (const r of replies) {
    for (const a of r.attachments ?? []) {
      const b = cardButtons(a.content).find((x) => x.title.includes(title));
      if (b) return b.data;
    }
  }
  throw new Error(`no button "${title}"`);
}

describe('a Saturday evening over HTTP', () => {
  it('walks from "Nexus er nede" to the KMD card by pressing buttons', async () => {
    const scope = await turn({ text: 'Nexus er nede' });
    expect(textOf(scope)).toContain('Er Nexus også nede hos dine kolleger?');
    // Replies go back into the same conversation, as replies to the inbound activity.
    expect(scope[0]?.toConversationId).toBe('a:1saturday');

    const internet = await turn({ value: button(scope, 'også hos kolleger') });
    expect(textOf(internet)).toContain('Virker internettet?');

    const kmd = await turn({ value: button(internet, 'hjemmesiden kom frem') });
    const text = textOf(kmd);
    expect(text).toContain('Ring til KMD-support');
    expect(text).toContain('4460 5040');
    expect(text).toContain('153#');
    expect(text).toContain('FMK-online');
  });

  it('remembers the open question across turns (state in SQLite)', async () => {
    await turn({ text: 'bekey virker ikke' }, { conversationId: 'a:1typed' });
    // A bare "ja" to "Er Bekey også nede hos dine kolleger?" is colleagues too.
    await turn({ text: 'ja' }, { conversationId: 'a:1typed' });
    const bekey = textOf(await turn({ text: 'ja' }, { conversationId: 'a:1typed' }));
    expect(bekey).toContain('4330 0505');
  });

  it('in a channel it answers when mentioned and keeps each person’s triage apart', async () => {
    const channel = '19:carehome@thread.tacv2';
    const channelData = { team: { id: '19:team@thread.tacv2' }, channel: { id: channel } };
    const anna = { id: '29:anna', name: 'Anna', aadObjectId: '00000000-0000-4000-8000-0000000000a1' };
    const bo = { id: '29:bo', name: 'Bo', aadObjectId: '00000000-0000-4000-8000-0000000000b0' };
    const mention = (text: string) => ({
      text: `<at>Nedbrud</at> ${text}`,
    });
    const inChannel = { conversationId: channel, conversationType: 'channel' as const, channelData };

    const annaScope = await turn(mention('Nexus er nede'), { ...inChannel, from: anna });
    expect(textOf(annaScope)).toContain('Er Nexus også nede hos dine kolleger?');
    const boScope = await turn(mention('Bekey er nede'), { ...inChannel, from: bo });
    expect(textOf(boScope)).toContain('Er Bekey også nede hos dine kolleger?');
    // Anna's typed answer continues Anna's triage, not Bo's.
    const annaNext = textOf(await turn(mention('også kolleger'), { ...inChannel, from: anna }));
    expect(annaNext).toContain('Virker internettet?');
    const annaKmd = textOf(await turn(mention('ja'), { ...inChannel, from: anna }));
    expect(annaKmd).toContain('4460 5040');
    expect(annaKmd).not.toContain('4330 0505');
  });
});
