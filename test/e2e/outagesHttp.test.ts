import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cardAction } from '../../src/bot/actions';
import { PERMISSIONS, type Verb } from '../../src/domain/permissions';
import { FIRST_REPORTS } from '../../src/domain/outage';
import { ReportStore } from '../../src/store/reports';
import { SqliteStorage } from '../../src/store/sqliteStorage';
import { ensureBuilt, startBotProcess, type BotProcess } from '../helpers/botProcess';
import { cardText } from '../helpers/cards';
import { startConnector, type Connector } from '../support/connector';
import {
  cardsOf,
  channel,
  personal,
  say,
  startWorld,
  textOf,
  who,
  type HttpWorld,
  type Turn,
  type Where,
  type Who,
  type WorldOptions,
} from '../helpers/httpWorld';
import { readDoc } from '../helpers/sqliteDoc';
import { outboxDrained } from '../helpers/outboxDocs';

/**
 * Outages end to end over real HTTP: Teams' activities POSTed to /api/messages,
 * the bot's posts, replies and updates captured by a local Bot Connector, state in
 * a SQLite file. Each test starts its own app, connector and file.
 */

/** Saturday 5 December 2026, 19:40 in Copenhagen: the Nexusteam is closed. */
const SATURDAY_EVENING = '2026-12-05T19:40:00+01:00';
/** Monday 7 December 2026, 09:00 in Copenhagen: office hours. */
const MONDAY_MORNING = '2026-12-07T09:00:00+01:00';

/** A configured admin (NEXUSTEAM_IDS). */
const ADMIN = who(900, 'Heidi Nexusteam');
/** A Nexusteam member by team membership only (not in NEXUSTEAM_IDS). */
const NIELS = who(800, 'Niels Nexusteam');

const STAFF_TEAM = '19:team-care@thread.tacv2';
const NEXUS_TEAM = '19:team-nexus@thread.tacv2';
const STAFF_CHANNEL = channel(STAFF_TEAM, '19:staff-general@thread.tacv2', { team: 'Ældre og Omsorg', channel: 'Personale' });
const NEXUS_CHANNEL = channel(NEXUS_TEAM, '19:nexusteam-drift@thread.tacv2', { team: 'Nexusteamet', channel: 'Drift' });
/** Another channel of the staff's team, not registered for anything. */
const CAREHOME_CHANNEL = channel(STAFF_TEAM, '19:carehome-east@thread.tacv2', { team: 'Ældre og Omsorg', channel: 'Plejecenter Øst' });

const BASE_ENV = { NEXUSTEAM_IDS: ADMIN.aadObjectId };
const TRIAGE_GENERAL = { action: 'triage', system: 'nexus', scope: 'general' } as const;
const CALLED_KMD = { action: 'calledKmd', system: 'nexus' } as const;
const DECLARE_INPUTS = {
  system: 'nexus',
  description: 'Nexus svarer ikke ved login',
  sinceDate: '2026-12-07',
  sinceTime: '08:40',
  expected: 'i løbet af formiddagen',
};

const worlds: HttpWorld[] = [];
async function world(at: string, opts: Omit<WorldOptions, 'at'> = {}): Promise<HttpWorld> {
  const w = await startWorld({ ...opts, at, env: { ...BASE_ENV, ...opts.env } });
  worlds.push(w);
  return w;
}
afterEach(async () => {
  await Promise.all(worlds.splice(0).map((w) => w.dispose()));
});

/** "kanal" in the channel, then "Gem" with the chosen roles (Teams merges the multi-select's value into the submit). */
async function registerChannel(w: HttpWorld, person: Who, place: Where, roles: string): Promise<Turn> {
  const card = await w.say(person, 'kanal', place);
  return w.say(person, card.press('Gem', { roles }), place);
}

/** "meld nedbrud" → "Vis udkast" → "Send til alle"; returns the last turn and the value of "Send til alle". */
async function declareNexus(w: HttpWorld, person: Who = ADMIN): Promise<{ sent: Turn; sendValue: Record<string, unknown> }> {
  const form = await w.say(person, 'meld nedbrud');
  const preview = await w.say(person, form.press('Vis udkast', DECLARE_INPUTS));
  expect(preview.text).toContain('Udkast');
  const sendValue = preview.press('Send til alle');
  return { sent: await w.say(person, sendValue), sendValue };
}


interface LiveReport {
  readonly person: { readonly key: string; readonly name: string };
}
interface LiveOutage {
  readonly id: string;
  readonly status: string;
  readonly reports: readonly LiveReport[];
  readonly owner: { readonly kind: string; readonly person?: { readonly key: string } } | null;
}
interface LiveDoc {
  readonly open?: Partial<Record<string, LiveOutage>>;
}
const liveDoc = (sqlitePath: string): LiveDoc => (readDoc(sqlitePath, 'outages/live') as LiveDoc | undefined) ?? {};

/** Every reporter's key, as the app stored them (src/store/reports.ts), read from the file after the app stopped. */
async function storedReporters(sqlitePath: string, outageId: string): Promise<string[]> {
  const storage = new SqliteStorage({ path: sqlitePath });
  try {
    return (await new ReportStore(storage).all(outageId)).map((r) => r.person.key);
  } finally {
    storage.close();
  }
}

const noTurnFailed = (turns: readonly Turn[]) => {
  for (const t of turns) {
    expect(t.status).toBeLessThan(300);
    expect(t.text).not.toContain('noget gik galt');
  }
};

describe('the "Done when" walk over HTTP (office hours)', () => {
  it('register channels, declare, "known" for staff, update in the thread, all-clear in the thread and on the card', async () => {
    const w = await world(MONDAY_MORNING);
    // A configured admin registers a staff channel and the Nexusteam's channel, in two teams.
    expect((await registerChannel(w, ADMIN, STAFF_CHANNEL, 'staff')).text).toContain('Gemt. Kanalen bruges nu til: Personale');
    expect((await registerChannel(w, ADMIN, NEXUS_CHANNEL, 'nexusteam')).text).toContain('Gemt. Kanalen bruges nu til: Nexusteamet');

    // Declare a Nexus outage.
    const { sent } = await declareNexus(w);
    expect(sent.text).toContain('Meldingen er sendt til 1 kanal');
    const announcements = w.postsTo(STAFF_CHANNEL.conversationId);
    expect(announcements).toHaveLength(1);
    const announcement = announcements[0]!;
    const announced = textOf([announcement]);
    expect(announced).toContain('Nedbrud: Nexus er nede');
    expect(announced).toContain('Nexus svarer ikke ved login');
    expect(announced).toContain('Nede siden i dag kl. 8.40');
    // A new post in the channel (POST /v3/conversations/{channel}/activities), not a reply to anything.
    const post = w.connector.requests.find((r) => r.assignedId === announcement.assignedId);
    expect(post).toMatchObject({ method: 'POST', conversationId: STAFF_CHANNEL.conversationId, activityId: undefined });
    expect(post?.path).toBe(`/v3/conversations/${encodeURIComponent(STAFF_CHANNEL.conversationId)}/activities`);
    // The Nexusteam's channel is not where staff announcements go.
    expect(w.postsTo(NEXUS_CHANNEL.conversationId)).toHaveLength(0);

    // A member of staff in a 1:1 chat is told it is known.
    const known = await w.say(who(1), 'Nexus er nede');
    expect(known.text).toContain('Det ved vi');
    expect(known.text).toContain('Nexus svarer ikke ved login');
    expect(known.text).not.toContain('Er Nexus også nede hos dine kolleger?');

    // An update lands in the announcement's thread.
    const thread = `${STAFF_CHANNEL.conversationId};messageid=${announcement.assignedId}`;
    const updateForm = await w.say(ADMIN, 'opdater');
    const updated = await w.say(ADMIN, updateForm.press('Send opdatering', { text: 'KMD arbejder på sagen' }));
    expect(updated.text).toContain('Opdateringen er sendt i tråden');
    const inThread = w.postsTo(thread);
    expect(inThread).toHaveLength(1);
    expect(textOf(inThread)).toContain('KMD arbejder på sagen');

    // The all-clear: a reply in the thread AND the original card now says "Løst".
    const menu = await w.say(ADMIN, 'løst');
    const resolved = await w.say(ADMIN, menu.press('Meld Nexus løst'));
    expect(resolved.text).toContain('Løst-meldingen er sendt');
    const threadAfter = w.postsTo(thread);
    expect(threadAfter).toHaveLength(2);
    expect(textOf(threadAfter.slice(1))).toContain('Nexus virker igen fra');
    const puts = w.connector.activities().filter((a) => a.kind === 'update');
    expect(puts).toHaveLength(1);
    expect(puts[0]).toMatchObject({ toConversationId: STAFF_CHANNEL.conversationId, assignedId: announcement.assignedId });
    expect(cardText(cardsOf(puts[0])[0])).toContain('Løst: Nexus virker igen');
    const put = w.connector.requests.find((r) => r.method === 'PUT');
    expect(put).toMatchObject({ conversationId: STAFF_CHANNEL.conversationId, activityId: announcement.assignedId });

    // Afterwards, "Nexus er nede" is a new triage again.
    expect((await w.say(who(2), 'Nexus er nede')).text).toContain('Er Nexus også nede hos dine kolleger?');
    // One announcement in the channel in all: updates and the all-clear went to the thread.
    expect(w.postsTo(STAFF_CHANNEL.conversationId)).toHaveLength(1);
  });
});

describe('out of hours: whoever called KMD owns it', () => {
  it('the first caller becomes the owner and the staff channel is told; a second caller is told who owns it', async () => {
    const w = await world(SATURDAY_EVENING);
    await registerChannel(w, ADMIN, STAFF_CHANNEL, 'staff');
    const anna = who(1, 'Anna Hjemmepleje');
    const scope = await w.say(anna, 'Nexus er nede');
    const internet = await w.say(anna, scope.press('også hos kolleger'));
    const kmd = await w.say(anna, internet.press('hjemmesiden kom frem'));
    expect(kmd.text).toContain('4460 5040');
    expect(w.postsTo(STAFF_CHANNEL.conversationId)).toHaveLength(0); // seeing the card changes nothing

    const owned = await w.say(anna, kmd.press('Jeg har ringet til KMD'));
    expect(owned.text).toContain('Du har nu sagen');
    expect(owned.text).toContain('kl. 21.40'); // the driftvagt reminder, 2 hours on
    const notices = w.postsTo(STAFF_CHANNEL.conversationId);
    expect(notices).toHaveLength(1);
    expect(textOf(notices)).toContain('KMD-support er kontaktet');
    expect(textOf(notices)).toContain('Anna Hjemmepleje');

    const bo = who(2, 'Bo Plejecenter');
    const second = await w.say(bo, CALLED_KMD);
    expect(second.text).toContain('Anna Hjemmepleje har allerede ringet til KMD-support');
    expect(second.text).not.toContain('Du har nu sagen');
    expect((await w.say(who(3), 'Nexus er nede')).text).toContain('Anna Hjemmepleje har ringet til KMD-support');
    expect(w.postsTo(STAFF_CHANNEL.conversationId)).toHaveLength(1);
  });
});

describe('ownership race over HTTP', () => {
  it('two staff press "Jeg har ringet til KMD" at the same time: exactly one owner, one notice', async () => {
    const w = await world(SATURDAY_EVENING);
    await registerChannel(w, ADMIN, STAFF_CHANNEL, 'staff');
    const turns = await Promise.all([w.say(who(1), CALLED_KMD), w.say(who(2), CALLED_KMD)]);
    noTurnFailed(turns);
    const texts = turns.map((t) => t.text);
    expect(texts.filter((t) => t.includes('Du har nu sagen'))).toHaveLength(1);
    expect(texts.filter((t) => t.includes('har allerede ringet til KMD-support'))).toHaveLength(1);
    const notices = w.postsTo(STAFF_CHANNEL.conversationId);
    expect(notices).toHaveLength(1);
    expect(textOf(notices)).toContain('KMD-support er kontaktet');
  });
});

describe('50 reports at once', () => {
  it('one process: 50 distinct staff pressing "colleagues too" in parallel are all counted, once each', async () => {
    const w = await world(SATURDAY_EVENING);
    const staff = Array.from({ length: 50 }, (_, i) => who(i + 1));
    const turns = await Promise.all(staff.map((p) => w.say(p, TRIAGE_GENERAL)));
    noTurnFailed(turns);
    for (const t of turns) expect(t.text).toMatch(/Virker internettet\?|Flere kolleger melder/);

    // What the next person sees.
    expect((await w.say(who(99), 'status')).text).toContain('Nexus: 50 meldinger');

    await w.stop();
    const outage = liveDoc(w.sqlitePath).open?.nexus;
    // The record keeps the first few; every report is under its own keys.
    expect(outage?.reports).toHaveLength(FIRST_REPORTS);
    const reporters = await storedReporters(w.sqlitePath, outage!.id);
    expect(reporters).toHaveLength(50);
    expect(new Set(reporters)).toEqual(new Set(staff.map((p) => p.aadObjectId)));
  });
  it('one person pressing in their 1:1 chat and in two channels at the same time is one report', async () => {
    const w = await world(SATURDAY_EVENING);
    for (const n of [1, 2]) await w.say(who(n), TRIAGE_GENERAL);
    const eva = who(3, 'Eva');
    const places: Where[] = [personal(eva), personal(eva), { ...personal(eva), conversationId: 'a:1eva-phone' }, STAFF_CHANNEL, CAREHOME_CHANNEL];
    noTurnFailed(await Promise.all(places.map((where) => w.say(eva, TRIAGE_GENERAL, where))));
    expect((await w.say(who(99), 'status')).text).toContain('Nexus: 3 meldinger');
    await w.stop();
    const outage = liveDoc(w.sqlitePath).open?.nexus;
    expect(outage?.reports.map((r) => r.person.key)).toEqual([who(1), who(2), eva].map((p) => p.aadObjectId));
    expect((await storedReporters(w.sqlitePath, outage!.id)).sort()).toEqual([who(1), who(2), eva].map((p) => p.aadObjectId).sort());
  });
});

describe('two bot processes sharing one SQLite file', () => {
  let connector: Connector;
  let dir: string | undefined;
  let bots: BotProcess[] = [];

  beforeAll(async () => {
    ensureBuilt();
    connector = await startConnector();
  });
  afterEach(async () => {
    const codes = await Promise.all(bots.map((b) => b.stop()));
    bots = [];
    if (dir) rmSync(dir, { recursive: true, force: true });
    expect(codes).toEqual(codes.map(() => 0)); // a clean shutdown, no crash
  });
  afterAll(async () => {
    await connector?.close();
  });

  async function startTwo(env: Record<string, string> = {}): Promise<{ sqlitePath: string; urls: [string, string] }> {
    dir = mkdtempSync(join(tmpdir(), 'nedbrud-e2e-2bots-'));
    const sqlitePath = join(dir, 'shared.sqlite');
    const common = { PORT: '0', SQLITE_PATH: sqlitePath, LOG_LEVEL: 'info', DEV_PLAYGROUND: 'false', ...env };
    // One after the other: the first creates the schema.
    bots.push(await startBotProcess(common));
    bots.push(await startBotProcess(common));
    return { sqlitePath, urls: [bots[0]!.url, bots[1]!.url] };
  }

  const turnIn = (url: string, person: Who, input: string | Record<string, unknown>, where: Where = personal(person)) =>
    say(url, connector, person, input, where);

  it('25 reports to each process at the same time: all 50 counted on one outage, none lost', async () => {
    const { sqlitePath, urls } = await startTwo();
    const staff = Array.from({ length: 50 }, (_, i) => who(1000 + i));
    const turns = await Promise.all(staff.map((p, i) => turnIn(urls[i % 2]!, p, TRIAGE_GENERAL)));
    noTurnFailed(turns);
    for (const t of turns) expect(t.replies.length).toBeGreaterThan(0);

    expect((await turnIn(urls[0], who(1999), 'status')).text).toContain('Nexus: 50 meldinger');
    await Promise.all(bots.map((b) => b.stop()));
    const live = liveDoc(sqlitePath);
    expect(Object.keys(live.open ?? {})).toEqual(['nexus']);
    const reporters = await storedReporters(sqlitePath, live.open!.nexus!.id);
    expect(reporters).toHaveLength(50);
    expect(new Set(reporters)).toEqual(new Set(staff.map((p) => p.aadObjectId)));
  });

  it('the same "Send til alle" delivered to both processes at once (a Teams retry): one announcement', async () => {
    const { sqlitePath, urls } = await startTwo({ NEXUSTEAM_IDS: ADMIN.aadObjectId });
    const card = await turnIn(urls[0], ADMIN, 'kanal', STAFF_CHANNEL);
    expect((await turnIn(urls[0], ADMIN, card.press('Gem', { roles: 'staff' }), STAFF_CHANNEL)).text).toContain('Gemt');
    const form = await turnIn(urls[1], ADMIN, 'meld nedbrud');
    // "Nede siden" keeps the form's own value (now, by the processes' clock).
    const preview = await turnIn(urls[1], ADMIN, form.press('Vis udkast', { system: 'nexus', description: 'Nexus svarer ikke' }));
    const sendValue = preview.press('Send til alle');
    const before = connector.activities().filter((a) => a.kind === 'send' && a.toConversationId === STAFF_CHANNEL.conversationId).length;

    const turns = await Promise.all([turnIn(urls[0], ADMIN, sendValue), turnIn(urls[1], ADMIN, sendValue)]);
    noTurnFailed(turns);
    // (The count may include channels the process registered itself, e.g. a development playground's.)
    expect(turns.filter((t) => /Meldingen er sendt til \d+ kanal/.test(t.text))).toHaveLength(1);
    expect(turns.filter((t) => t.text.includes('Den melding er allerede sendt'))).toHaveLength(1);
    await outboxDrained(sqlitePath);
    const after = connector.activities().filter((a) => a.kind === 'send' && a.toConversationId === STAFF_CHANNEL.conversationId);
    expect(after.length - before).toBe(1);
    expect(textOf(after.slice(before))).toContain('Nexus svarer ikke');
  });

  it('two staff claim the outage at the same moment through different processes: exactly one owner, one notice', async () => {
    const { sqlitePath, urls } = await startTwo({ NEXUSTEAM_IDS: ADMIN.aadObjectId });
    const registered = await turnIn(urls[0], ADMIN, (await turnIn(urls[0], ADMIN, 'kanal', STAFF_CHANNEL)).press('Gem', { roles: 'staff' }), STAFF_CHANNEL);
    expect(registered.text).toContain('Gemt');
    const noticesBefore = connector.activities().filter((a) => a.kind === 'send' && a.toConversationId === STAFF_CHANNEL.conversationId).length;

    const turns = await Promise.all([turnIn(urls[0], who(2001), CALLED_KMD), turnIn(urls[1], who(2002), CALLED_KMD)]);
    noTurnFailed(turns);
    const texts = turns.map((t) => t.text);
    expect(texts.filter((t) => t.includes('Du har nu sagen'))).toHaveLength(1);
    expect(texts.filter((t) => t.includes('har allerede ringet til KMD-support'))).toHaveLength(1);
    await outboxDrained(sqlitePath);
    const notices = connector.activities().filter((a) => a.kind === 'send' && a.toConversationId === STAFF_CHANNEL.conversationId);
    expect(notices.length - noticesBefore).toBe(1);

    await Promise.all(bots.map((b) => b.stop()));
    const owner = liveDoc(sqlitePath).open?.nexus?.owner;
    const winner = texts[0]!.includes('Du har nu sagen') ? who(2001) : who(2002);
    expect(owner).toMatchObject({ kind: 'person', person: { key: winner.aadObjectId } });
  });
});

describe('who may do what, with crafted activities', () => {
  /**
   * Office hours; a staff channel and the Nexusteam's channel registered by the
   * configured admin; a declared Nexus outage (announced); a suspected Bekey
   * outage from three reports (its "Bekræft nedbrud" card in the Nexusteam's
   * channel).
   */
  async function scene(env: Record<string, string> = {}) {
    const w = await world(MONDAY_MORNING, { env, teams: { [NEXUS_TEAM]: [NIELS], [STAFF_TEAM]: [who(1), who(2), who(3), who(50)] } });
    await registerChannel(w, ADMIN, STAFF_CHANNEL, 'staff');
    await registerChannel(w, ADMIN, NEXUS_CHANNEL, 'nexusteam');
    await declareNexus(w);
    for (const n of [1, 2, 3]) await w.say(who(n), { action: 'triage', system: 'bekey', scope: 'general' });
    const suspected = w.postsTo(NEXUS_CHANNEL.conversationId);
    expect(suspected).toHaveLength(1);
    const confirm = cardsOf(suspected[0]).flatMap((c) => (c as { actions?: { title?: string; data?: Record<string, unknown> }[] }).actions ?? []);
    const confirmValue = confirm.find((a) => a.title?.includes('Bekræft'))?.data;
    expect(confirmValue).toBeDefined();
    const live = liveDoc(w.sqlitePath);
    const nexusId = live.open?.nexus?.id ?? '';
    expect(live.open?.nexus?.status).toBe('active');
    expect(live.open?.bekey?.status).toBe('suspected');
    return { w, nexusId, confirmValue: confirmValue ?? {} };
  }

  /**
   * What must not change when a request is refused: every shared document (outages,
   * channels, jobs; not the person's own dialog state), and what the bot wrote to
   * Teams apart from its answer.
   */
  function snapshot(w: HttpWorld) {
    const db = new Database(w.sqlitePath, { readonly: true, fileMustExist: true });
    try {
      const rows = db.prepare<[], { key: string; value: string }>("SELECT key, value FROM items WHERE key NOT LIKE 'msteams/%' ORDER BY key").all();
      return { docs: rows, writes: w.writes().length };
    } finally {
      db.close();
    }
  }
  function expectUnchanged(w: HttpWorld, before: ReturnType<typeof snapshot>, refused: Turn) {
    const after = snapshot(w);
    expect(after.docs).toEqual(before.docs);
    // The only thing the bot sent was its answer to the refused activity, in the same conversation.
    expect(after.writes - before.writes).toBe(refused.replies.length);
    expect(refused.replies.every((r) => r.kind === 'reply')).toBe(true);
  }

  interface Ids {
    readonly nexusId: string;
    readonly confirmValue: Record<string, unknown>;
  }
  /** A crafted value for every card action that needs a role, and the verb of PERMISSIONS it stands for. */
  const GUARDED: Record<string, { verb: Verb; inChannel?: boolean; value: (ids: Ids) => Record<string, unknown> }> = {
    declare: { verb: 'declare', value: () => ({ action: 'declare', system: 'internet' }) },
    declarePreview: { verb: 'declare', value: () => ({ action: 'declarePreview', submitId: randomUUID(), ...DECLARE_INPUTS, system: 'internet' }) },
    declareSend: { verb: 'declare', value: () => ({ action: 'declareSend', submitId: randomUUID(), draft: { ...DECLARE_INPUTS, system: 'internet', description: 'Falsk melding' } }) },
    confirm: { verb: 'confirm', value: ({ confirmValue }) => confirmValue },
    update: { verb: 'update', value: () => ({ action: 'update' }) },
    updateSend: { verb: 'update', value: ({ nexusId }) => ({ action: 'updateSend', submitId: randomUUID(), outageId: nexusId, text: 'Falsk opdatering' }) },
    resolve: { verb: 'resolve', value: ({ nexusId }) => ({ action: 'resolve', submitId: randomUUID(), outageId: nexusId }) },
    ackEscalation: { verb: 'acknowledge', value: ({ nexusId }) => ({ action: 'ackEscalation', submitId: randomUUID(), outageId: nexusId }) },
    ackBackUp: { verb: 'acknowledge', value: ({ nexusId }) => ({ action: 'ackBackUp', outageId: nexusId }) },
    claimDriftvagt: { verb: 'claimDriftvagt', value: ({ nexusId }) => ({ action: 'claimDriftvagt', outageId: nexusId }) },
    takeHandover: { verb: 'handover', value: ({ nexusId }) => ({ action: 'takeHandover', outageId: nexusId }) },
    offerHandover: { verb: 'handover', value: ({ nexusId }) => ({ action: 'offerHandover', outageId: nexusId }) },
    acceptHandover: { verb: 'acceptHandover', value: ({ nexusId }) => ({ action: 'acceptHandover', outageId: nexusId }) },
    export: { verb: 'export', value: ({ nexusId }) => ({ action: 'export', outageId: nexusId }) },
    closedAdd: { verb: 'closed', value: () => ({ action: 'closedAdd', from: '2026-12-07', reason: 'forfalsket' }) },
    closedRemove: { verb: 'closed', value: () => ({ action: 'closedRemove', id: 'abcd1234' }) },
    channelSave: { verb: 'channel', inChannel: true, value: () => ({ action: 'channelSave', roles: 'staff,homecare' }) },
    channelRemove: { verb: 'channel', inChannel: true, value: () => ({ action: 'channelRemove' }) },
  };
  /** Card actions anyone may send ("resolveMenu" lists only what the sender may resolve). */
  const OPEN = ['triage', 'called', 'calledKmd', 'worksAgain', 'status', 'contacts', 'hours', 'help', 'restart', 'language', 'resolveMenu'];
  const roles = (verb: Verb): readonly string[] => PERMISSIONS[verb];

  it('covers every card action: each is either open to anyone or crafted here for a guarded verb', () => {
    const actions: string[] = cardAction.options.map((o) => o.shape.action.value);
    expect([...actions].sort()).toEqual([...OPEN, ...Object.keys(GUARDED)].sort());
    for (const { verb } of Object.values(GUARDED)) expect(roles(verb)).not.toContain('anyone');
    for (const action of OPEN.filter((a) => a !== 'resolveMenu')) expect(roles(action as Verb)).toContain('anyone');
  });

  it.each(Object.keys(GUARDED))('a member of staff sending a crafted "%s" is refused kindly and nothing changes', async (action) => {
    const { w, nexusId, confirmValue } = await scene();
    const { verb, inChannel, value } = GUARDED[action]!;
    const before = snapshot(w);
    const refused = await w.say(who(50, 'Kaj Personale'), value({ nexusId, confirmValue }), inChannel ? STAFF_CHANNEL : undefined);
    expect(refused.status).toBeLessThan(300);
    expect(refused.text).toContain('Det kan kun Nexusteamet');
    if (roles(verb).includes('owner')) expect(refused.text).toContain('den, der har sagen');
    expectUnchanged(w, before, refused);
  });

  it('an activity from another tenant is refused kindly and nothing changes, even with an admin’s ids', async () => {
    const { w, nexusId } = await scene({ ALLOWED_TENANT_IDS: 'tenant-test' });
    const evil: Where = { ...personal(ADMIN), conversationId: 'a:1evil-chat', tenantId: 'tenant-evil' };
    for (const input of [
      { action: 'resolve', submitId: randomUUID(), outageId: nexusId },
      { action: 'declareSend', submitId: randomUUID(), draft: { ...DECLARE_INPUTS, system: 'internet' } },
      TRIAGE_GENERAL,
      CALLED_KMD,
      'Nexus er nede',
    ]) {
      const before = snapshot(w);
      const refused = await w.say(ADMIN, input, evil);
      expect(refused.text).toContain('Denne bot er kun for Brøndby Kommunes medarbejdere');
      expect(refused.text).not.toContain('Det ved vi');
      expectUnchanged(w, before, refused);
    }
  });

  it('a member of staff cannot give a channel the nexusteam role, and does not become Nexusteam by trying', async () => {
    const { w } = await scene();
    const kaj = who(50, 'Kaj Personale'); // a member of the staff team
    await w.say(kaj, 'hej', CAREHOME_CHANNEL); // the bot now knows the channel (no roles)
    const before = snapshot(w);
    const refused = await w.say(kaj, { action: 'channelSave', roles: 'nexusteam' }, CAREHOME_CHANNEL);
    expect(refused.text).toContain('Det kan kun Nexusteamet');
    expectUnchanged(w, before, refused);
    // Still staff: "meld nedbrud" starts a report, not the declare form.
    expect((await w.say(kaj, 'meld nedbrud')).text).not.toContain('Vis udkast');
  });

  it('a Nexusteam member who is not a configured admin cannot give or take the nexusteam role', async () => {
    const { w } = await scene();
    // Niels is Nexusteam through his team: he gets the channel card …
    const card = await w.say(NIELS, 'kanal', CAREHOME_CHANNEL);
    expect(card.text).toContain('Kanalens roller');

    const before = snapshot(w);
    const refused = await w.say(NIELS, card.press('Gem', { roles: 'nexusteam' }), CAREHOME_CHANNEL);
    expect(refused.text).toContain('Kun en administrator (NEXUSTEAM_IDS) kan gøre en kanal til Nexusteamets kanal');
    expectUnchanged(w, before, refused);
    // Taking it away from the Nexusteam's channel (other roles, or removing the channel) is refused too.
    for (const value of [{ action: 'channelSave', roles: 'staff' }, { action: 'channelRemove' }]) {
      const beforeTaking = snapshot(w);
      const taken = await w.say(NIELS, value, NEXUS_CHANNEL);
      expect(taken.text).toContain('Kun en administrator (NEXUSTEAM_IDS) kan gøre en kanal til Nexusteamets kanal');
      expectUnchanged(w, beforeTaking, taken);
    }
    // The staff team did not become Nexusteam: its members are still refused.
    const kaj = await w.say(who(50), { action: 'updateSend', submitId: randomUUID(), text: 'Falsk' });
    expect(kaj.text).toContain('Det kan kun Nexusteamet');

    // … and may do what any Nexusteam member may: give the staff role.
    expect((await w.say(NIELS, card.press('Gem', { roles: 'staff' }), CAREHOME_CHANNEL)).text).toContain('Gemt. Kanalen bruges nu til: Personale');
  });
});

describe('the same submit twice over HTTP', () => {
  async function readyToSend() {
    const w = await world(MONDAY_MORNING);
    await registerChannel(w, ADMIN, STAFF_CHANNEL, 'staff');
    const form = await w.say(ADMIN, 'meld nedbrud');
    const preview = await w.say(ADMIN, form.press('Vis udkast', DECLARE_INPUTS));
    return { w, sendValue: preview.press('Send til alle') };
  }

  it('one after the other: one announcement, and the second press is told it was already sent', async () => {
    const { w, sendValue } = await readyToSend();
    const first = await w.say(ADMIN, sendValue);
    const second = await w.say(ADMIN, sendValue);
    expect(first.text).toContain('Meldingen er sendt til 1 kanal');
    expect(second.text).toContain('Den melding er allerede sendt');
    expect(w.postsTo(STAFF_CHANNEL.conversationId)).toHaveLength(1);
    expect(w.connector.activities().filter((a) => a.kind === 'update')).toHaveLength(0);
  });

  it('at the same time: one announcement', async () => {
    const { w, sendValue } = await readyToSend();
    const turns = await Promise.all([w.say(ADMIN, sendValue), w.say(ADMIN, sendValue), w.say(ADMIN, sendValue)]);
    noTurnFailed(turns);
    expect(turns.filter((t) => t.text.includes('Meldingen er sendt til 1 kanal'))).toHaveLength(1);
    expect(turns.filter((t) => t.text.includes('Den melding er allerede sendt'))).toHaveLength(2);
    expect(w.postsTo(STAFF_CHANNEL.conversationId)).toHaveLength(1);
    expect(w.connector.activities().filter((a) => a.kind === 'update')).toHaveLength(0);
  });

  it('"Send opdatering" and "Meld Nexus løst" pressed twice at the same time: one post in the thread each, one card update', async () => {
    const { w, sendValue } = await readyToSend();
    await w.say(ADMIN, sendValue);
    const root = w.postsTo(STAFF_CHANNEL.conversationId)[0]!;
    const thread = `${STAFF_CHANNEL.conversationId};messageid=${root.assignedId}`;

    const update = (await w.say(ADMIN, 'opdater')).press('Send opdatering', { text: 'KMD arbejder på sagen' });
    const updates = await Promise.all([w.say(ADMIN, update), w.say(ADMIN, update)]);
    noTurnFailed(updates);
    expect(updates.filter((t) => t.text.includes('Opdateringen er sendt i tråden'))).toHaveLength(1);
    expect(w.postsTo(thread)).toHaveLength(1);

    const resolve = (await w.say(ADMIN, 'løst')).press('Meld Nexus løst');
    const resolves = await Promise.all([w.say(ADMIN, resolve), w.say(ADMIN, resolve)]);
    noTurnFailed(resolves);
    expect(resolves.filter((t) => t.text.includes('Løst-meldingen er sendt'))).toHaveLength(1);
    expect(resolves.filter((t) => t.text.includes('allerede meldt løst'))).toHaveLength(1);
    expect(w.postsTo(thread)).toHaveLength(2);
    expect(w.connector.activities().filter((a) => a.kind === 'update')).toHaveLength(1);
    expect(w.postsTo(STAFF_CHANNEL.conversationId)).toHaveLength(1);
  });
});

/**
 * BUG (src/bot/dialogs/mainDialog.ts): every card press asks Teams whether the
 * sender is Nexusteam (`actor()` → NexusteamDirectory.isNexusteam → GET
 * /v3/conversations/{teamId}/members/{userId}), even for buttons anyone may press.
 * When that lookup fails (Teams throttles with 429, or answers 5xx) the
 * MembershipLookupError is caught nowhere: the turn fails and staff get "Beklager,
 * noget gik galt" instead of the next question, their report is not counted and
 * the KMD caller does not become the owner. During a real outage many staff press
 * at once, which is exactly when Teams throttles. See the report for the patch.
 *
 * `it.fails` keeps the suite green while the bug is there; when it is fixed these
 * tests start failing ("expected to fail"): change `it.fails` to `it`.
 */
describe('when Teams cannot say who is in the Nexusteam (member lookups throttled)', () => {
  async function throttled() {
    const w = await world(SATURDAY_EVENING, { memberLookupStatus: 429 });
    // A configured admin needs no lookup: both channels register.
    await registerChannel(w, ADMIN, STAFF_CHANNEL, 'staff');
    await registerChannel(w, ADMIN, NEXUS_CHANNEL, 'nexusteam');
    return w;
  }

  it('staff pressing "colleagues too" still get the next question and are counted', async () => {
    const w = await throttled();
    const turns = await Promise.all([1, 2, 3].map((n) => w.say(who(n), TRIAGE_GENERAL)));
    for (const t of turns) {
      expect(t.text).not.toContain('noget gik galt');
      expect(t.text).toMatch(/Virker internettet\?|Flere kolleger melder/);
    }
    expect((await w.say(who(99), 'status')).text).toContain('Nexus: 3 meldinger');
  });

  it('the first to press "Jeg har ringet til KMD" still becomes the owner, and the staff channel is told', async () => {
    const w = await throttled();
    const owned = await w.say(who(1, 'Anna Hjemmepleje'), CALLED_KMD);
    expect(owned.text).not.toContain('noget gik galt');
    expect(owned.text).toContain('Du har nu sagen');
    expect(textOf(w.postsTo(STAFF_CHANNEL.conversationId))).toContain('KMD-support er kontaktet');
  });

  it('staff typing "meld nedbrud", "status" or "hjælp" get their answer, not an error', async () => {
    const w = await throttled();
    expect((await w.say(who(1), 'meld nedbrud')).text).toContain('Hvad virker ikke?');
    for (const text of ['status', 'hjælp']) expect((await w.say(who(2), text)).text).not.toContain('noget gik galt');
  });
});
