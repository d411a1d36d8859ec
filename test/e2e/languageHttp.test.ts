import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock';
import { startApp, type RunningApp } from '../../src/index';
import { BOT, postActivity, TENANT_ID } from '../helpers/activities';
import { cardButtons } from '../helpers/cards';
import { startConnector, type Connector, type SentActivity } from '../support/connector';
import { cardsOf, channel, personal, say, textOf, who, type Turn, type Where, type Who } from '../helpers/httpWorld';
import { readDoc } from '../helpers/sqliteDoc';
import { waitUntil } from '../helpers/wait';

/**
 * The language follows the person (DESIGN.md, "Language"), over real HTTP: their
 * explicit choice, else the language they last wrote clearly, else Danish; never
 * the Teams locale (many Danish staff run an English Teams, and Microsoft's Agents
 * Playground sends en-US). State in a SQLite file on disk, so a restart of the
 * bot is a new app on the same file.
 */

/** Saturday 5 December 2026, 19:40 in Copenhagen: the Nexusteam is closed. */
const SATURDAY_EVENING = '2026-12-05T19:40:00+01:00';
/** Monday 7 December 2026, 09:00 in Copenhagen: office hours. */
const MONDAY_MORNING = '2026-12-07T09:00:00+01:00';

const ADMIN = who(900, 'Heidi Nexusteam');
const STAFF_CHANNEL = channel('19:team-care@thread.tacv2', '19:staff-general@thread.tacv2', { team: 'Ældre og Omsorg', channel: 'Personale' });

/** Someone whose Teams is in English (every activity carries locale en-US). */
const englishTeams = (n: number, name: string): Who => ({ ...who(n, name), locale: 'en-US' });

let connector: Connector;
beforeAll(async () => {
  connector = await startConnector();
});
afterAll(async () => {
  await connector?.close();
});

interface Bot {
  app: RunningApp;
  readonly dir: string;
  readonly sqlitePath: string;
  readonly clock: ManualClock;
  say(person: Who, input: string | Record<string, unknown>, where?: Where): Promise<Turn>;
  /** Stops the app and starts a new one on the same SQLite file (a restart of the bot). */
  restart(): Promise<void>;
}

const bots: Bot[] = [];
afterEach(async () => {
  for (const bot of bots.splice(0)) {
    await bot.app.close();
    rmSync(bot.dir, { recursive: true, force: true });
  }
});

async function startBot(at: string): Promise<Bot> {
  const dir = mkdtempSync(join(tmpdir(), 'nedbrud-e2e-language-'));
  const sqlitePath = join(dir, 'bot.sqlite');
  const clock = new ManualClock(at);
  const env = { PORT: '0', LOG_LEVEL: 'silent', SQLITE_PATH: sqlitePath, NEXUSTEAM_IDS: ADMIN.aadObjectId, SCHEDULER_INTERVAL_SECONDS: '0.2' };
  const bot: Bot = {
    app: await startApp(env, { clock }),
    dir,
    sqlitePath,
    clock,
    say: (person, input, where = personal(person)) => say(bot.app.url, connector, person, input, where),
    async restart() {
      await bot.app.close();
      bot.app = await startApp(env, { clock });
    },
  };
  bots.push(bot);
  return bot;
}

/** What Teams sends when a person installs the bot for themselves (the bot and the person join the 1:1 chat). */
function installActivity(person: Who) {
  const { locale, ...from } = person;
  return {
    type: 'conversationUpdate',
    id: `install-${randomUUID()}`,
    timestamp: '2026-12-05T18:40:00.000Z',
    channelId: 'msteams',
    serviceUrl: connector.url,
    from: { ...from, role: 'user' },
    conversation: { id: personal(person).conversationId, conversationType: 'personal', tenantId: TENANT_ID },
    recipient: { ...BOT, role: 'bot' },
    membersAdded: [{ id: person.id }, { id: BOT.id }],
    channelData: { tenant: { id: TENANT_ID } },
    locale: locale ?? 'da-DK',
  };
}

const toChat = (person: Who): SentActivity[] => connector.activities().filter((a) => a.toConversationId === personal(person).conversationId);
const buttonTitles = (turn: Turn): string[] => turn.replies.flatMap((r) => cardsOf(r).flatMap((c) => cardButtons(c).map((b) => b.title)));



describe('the language follows the person, not the Teams locale', () => {
  it('a Danish writer on an English Teams gets Danish throughout: the welcome card on install, the questions, the KMD card', async () => {
    const bot = await startBot(SATURDAY_EVENING);
    const dorte = englishTeams(1, 'Dorte Jensen');

    const installed = await postActivity(bot.app.url, installActivity(dorte));
    expect(installed.status).toBeLessThan(300);
    const welcome = textOf(toChat(dorte));
    expect(welcome).toContain('Nedbrud: hjælp når Nexus, Bekey eller internettet er nede');
    expect(welcome).not.toContain('help when Nexus');
    expect(toChat(dorte).flatMap((a) => cardsOf(a).flatMap((c) => cardButtons(c).map((b) => b.title)))).toContain('English');

    const scope = await bot.say(dorte, 'Nexus er nede');
    expect(scope.text).toContain('Er Nexus også nede hos dine kolleger?');
    const internet = await bot.say(dorte, scope.press('også hos kolleger'));
    expect(internet.text).toContain('Virker internettet?');
    const kmd = await bot.say(dorte, internet.press('hjemmesiden kom frem'));
    expect(kmd.text).toContain('Ring til KMD-support');
    expect(kmd.text).toContain('4460 5040');
    expect(kmd.text).not.toMatch(/Call KMD|Does Nexus/);
    // Most people write Danish: the bot keeps no language record about them at all.
    expect(readDoc(bot.sqlitePath, `people/${dorte.aadObjectId}`)).toBeUndefined();
  });

  it('someone who writes English gets English, whatever their Teams language', async () => {
    const bot = await startBot(SATURDAY_EVENING);
    const emma = who(2, 'Emma Smith'); // a Danish Teams (da-DK)

    const scope = await bot.say(emma, 'Nexus is down');
    expect(scope.text).toContain('Is Nexus down for your colleagues too?');
    expect(scope.text).not.toContain('Virker Nexus');
    const internet = await bot.say(emma, scope.press('colleagues too'));
    expect(internet.text).toContain('Does the Internet work?');
    // A word that is neither language keeps the language she wrote last.
    expect((await bot.say(emma, 'status')).text).toContain('No outages are reported right now.');
  });

  it('"english" is remembered across turns and a restart; Danish text does not switch back; "dansk" does', async () => {
    const bot = await startBot(SATURDAY_EVENING);
    const erik = englishTeams(3, 'Erik Hansen');

    const chosen = await bot.say(erik, 'english');
    expect(chosen.text).toContain('I will write to you in English from now on.');
    expect(chosen.text).toContain('Nedbrud: help when Nexus, Bekey or the Internet is down');
    expect(buttonTitles(chosen)).toContain('Dansk');
    expect(buttonTitles(chosen)).not.toContain('English');
    expect((await bot.say(erik, 'status')).text).toContain('No outages are reported right now.');

    await bot.restart();
    // Danish-looking text after an explicit "english": still English.
    const scope = await bot.say(erik, 'Nexus er nede');
    expect(scope.text).toContain('Is Nexus down for your colleagues too?');
    expect(scope.text).not.toContain('Virker Nexus');

    const dansk = await bot.say(erik, 'dansk');
    expect(dansk.text).toContain('Jeg skriver dansk til dig fra nu af.');
    expect(dansk.text).toContain('Nedbrud: hjælp når Nexus, Bekey eller internettet er nede');
    expect(buttonTitles(dansk)).toContain('English');
    // And now English-looking text does not switch him either: "dansk" was a choice.
    expect((await bot.say(erik, 'Nexus is down')).text).toContain('Er Nexus også nede hos dine kolleger?');
    await bot.restart();
    expect((await bot.say(erik, 'status')).text).toContain('Der er ikke meldt nogen nedbrud lige nu.');
  });

  it('the welcome card\'s "English" button switches, and the choice holds in a channel too', async () => {
    const bot = await startBot(SATURDAY_EVENING);
    const frida = englishTeams(4, 'Frida Berg');

    const hello = await bot.say(frida, 'hej');
    expect(hello.text).toContain('Hej. Jeg hjælper');
    const english = await bot.say(frida, hello.press('English'));
    expect(english.text).toContain('I will write to you in English from now on.');
    expect((await bot.say(frida, 'hej')).text).toContain('Hello. I help when Nexus, Bekey or the Internet is down.');
    // The same person mentioning the bot in a channel: her language, not the channel's.
    expect((await bot.say(frida, 'status', STAFF_CHANNEL)).text).toContain('No outages are reported right now.');
  });

  it('a personal alert goes out in each subscriber\'s language', async () => {
    const bot = await startBot(MONDAY_MORNING);
    const grete = englishTeams(5, 'Grete Olsen'); // follows in English
    const hans = englishTeams(6, 'Hans Madsen'); // follows in Danish on an English Teams
    const ib = who(7, 'Ib Larsen'); // follows in Danish, then says "english"

    const staff = await bot.say(ADMIN, 'kanal', STAFF_CHANNEL);
    await bot.say(ADMIN, staff.press('Gem', { roles: 'staff' }), STAFF_CHANNEL);
    expect((await bot.say(grete, 'follow outages')).text).toContain('You now get a personal message');
    expect((await bot.say(hans, 'følg nedbrud')).text).toContain('Du får nu en personlig besked');
    expect((await bot.say(ib, 'følg nedbrud')).text).toContain('Du får nu en personlig besked');
    expect((await bot.say(ib, 'english')).text).toContain('I will write to you in English');

    const form = await bot.say(ADMIN, 'meld nedbrud');
    const preview = await bot.say(ADMIN, form.press('Vis udkast', { system: 'nexus', description: 'Nexus svarer ikke', sinceDate: '2026-12-07', sinceTime: '08:40', expected: '' }));
    await bot.say(ADMIN, preview.press('Send til alle'));

    const alertTo = (person: Who) => textOf(toChat(person).filter((a) => a.kind === 'send'));
    await waitUntil(() => [grete, hans, ib].every((p) => alertTo(p) !== ''), 10_000, 'the personal alerts');
    expect(alertTo(grete)).toContain('Outage: Nexus is down');
    expect(alertTo(grete)).not.toContain('Nedbrud: Nexus er nede');
    expect(alertTo(ib)).toContain('Outage: Nexus is down');
    expect(alertTo(hans)).toContain('Nedbrud: Nexus er nede');
    expect(alertTo(hans)).not.toContain('Outage: Nexus is down');
    // The staff channel's post is Danish whoever follows.
    const post = textOf(connector.activities().filter((a) => a.kind === 'send' && a.toConversationId === STAFF_CHANNEL.conversationId));
    expect(post).toContain('Nedbrud: Nexus er nede');
  });
});
