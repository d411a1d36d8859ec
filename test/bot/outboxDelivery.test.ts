import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStorage } from '../../src/store/sqliteStorage';
import {
  allText,
  Conversation,
  findButton,
  MONDAY_MORNING,
  NEXUSTEAM_CHANNEL,
  person,
  STAFF_CHANNEL,
  testServices,
  toReply,
  type Posted,
  type TestOptions,
  type TestWorld,
} from '../helpers/bot';
import { cardText } from '../helpers/cards';

/**
 * Every proactive message goes through the app's durable outbox, as in
 * production (src/app/outboxHooks.ts): the real outbox on a SQLite file on disk,
 * the real duties and scheduler; only Teams is the recording sender, made slow
 * or failing where a test needs it. What users would notice: an announcement
 * that Teams accepted late still gets its updates and all-clear in its thread, a
 * post that never got through is reported to the Nexusteam by channel, and a
 * retried escalation is not a second card.
 */

const ADMIN = person(900, 'Heidi Nexusteam');
const ADMIN_CHAT = `a:1personal-${ADMIN.id}`;
const MIN = 60_000;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function world(outbox: TestOptions['outbox']): TestWorld & { outbox: NonNullable<TestWorld['outbox']> } {
  const dir = mkdtempSync(join(tmpdir(), 'nedbrud-outbox-wiring-'));
  const storage = new SqliteStorage({ path: join(dir, 'bot.sqlite') });
  const w = testServices(MONDAY_MORNING, { nexusteam: [ADMIN.aadObjectId], storage, outbox });
  const box = w.outbox;
  if (!box) throw new Error('the world has no outbox');
  cleanups.push(async () => {
    await box.stop();
    storage.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { ...w, outbox: box };
}

const textOf = (p: Posted) => [p.activity.text ?? '', ...(p.activity.attachments ?? []).map((a) => cardText(a.content))].join('\n');
const admin = (w: TestWorld) => new Conversation(w, 'da-DK', ADMIN);

async function declare(w: TestWorld, system = 'nexus') {
  const a = admin(w);
  const preview = await a.press(await a.send('meld nedbrud'), 'Vis udkast', { system, sinceDate: '2026-12-07', sinceTime: '08:40' });
  return { a, answer: await a.press(preview, 'Send til alle') };
}

async function at(w: TestWorld, iso: string) {
  w.clock.set(iso);
  while ((await w.scheduler.tick()) > 0) {
    /* run everything due now */
  }
}

describe('proactive messages through the outbox', () => {
  it('an announcement Teams accepted after the sender stopped waiting is still recorded: the update and the all-clear reach its thread', async () => {
    const w = world({ waitMs: 150 });
    w.sender.slow.set(STAFF_CHANNEL.conversationId, 700);
    await declare(w);
    // The Nexusteam's turn went on without the staff post's id …
    expect((await w.outages.known('nexus'))?.announcements).toHaveLength(0);
    // … and the outbox's hook records it once Teams answered.
    await w.outbox.drain(10_000);
    const posted = w.sender.posted.filter((p) => p.kind === 'send' && p.conversationId === STAFF_CHANNEL.conversationId);
    expect(posted).toHaveLength(1);
    const outage = await w.outages.known('nexus');
    expect(outage?.announcements.map((x) => [x.conversationId, x.activityId])).toEqual([[STAFF_CHANNEL.conversationId, posted[0]!.activityId]]);

    const updated = await w.outages.update('upd-1', outage!.id, 'KMD forventer løsning kl. 11', { key: 'aad:x', name: 'Heidi Nexusteam' });
    expect(updated.kind).toBe('done');
    await w.outbox.drain(10_000);
    const thread = `${STAFF_CHANNEL.conversationId};messageid=${posted[0]!.activityId}`;
    expect(w.sender.posted.filter((p) => p.kind === 'reply' && p.conversationId === thread).map(textOf).join('\n')).toContain('KMD forventer løsning kl. 11');

    const resolved = await w.outages.resolve('res-1', outage!.id, { key: 'aad:x', name: 'Heidi Nexusteam' });
    expect(resolved.kind).toBe('done');
    await w.outbox.drain(10_000);
    expect(w.sender.posted.filter((p) => p.kind === 'reply' && p.conversationId === thread)).toHaveLength(2);
    expect(w.sender.posted.filter((p) => p.kind === 'update' && p.activityId === posted[0]!.activityId).map(textOf).join('\n')).toContain('Løst');
  });

  it('a channel post that fails for good is reported to the Nexusteam, naming the channel and the message', async () => {
    const w = world({ waitMs: 5_000, outbox: { maxAttempts: 2, backoff: { baseMs: 20, maxMs: 40 }, failureBatchMs: 50 } });
    w.sender.failFor.add(STAFF_CHANNEL.conversationId);
    const { answer } = await declare(w);
    expect(allText(answer)).toContain('ingen kanal er registreret som personalekanal');
    await w.outbox.drain(10_000);
    const reports = w.sender.posted.filter((p) => p.kind === 'send' && p.conversationId === NEXUSTEAM_CHANNEL.conversationId && textOf(p).includes('nåede ikke frem'));
    expect(reports).toHaveLength(1);
    const report = textOf(reports[0]!);
    expect(report).toContain('Opslaget om nedbruddet på Nexus til kanalen Personale (HTTP 502)');
    expect(report).toContain('telefon, mail');
  });

  it('an escalation job repeated after its cards went out late sends no second card, and "Driftvagten er underrettet" replaces the one sent', async () => {
    const w = world({ waitMs: 150 });
    const { a } = await declare(w);
    await w.outbox.drain(10_000);
    // Teams is slow when the 2-hour card is due: the job stops waiting and is retried later.
    w.sender.slow.set(NEXUSTEAM_CHANNEL.conversationId, 700);
    w.sender.slow.set(ADMIN_CHAT, 700);
    await at(w, '2026-12-07T10:40:00+01:00');
    expect((await w.outages.known('nexus'))?.escalation.rounds ?? 0).toBe(0);
    await w.outbox.drain(10_000);
    // The retry (a minute later) finds both cards delivered and records them instead of sending again.
    await at(w, new Date(Date.parse('2026-12-07T10:40:00+01:00') + 1 * MIN).toISOString());
    const cards = w.sender.posted.filter((p) => p.kind === 'send' && textOf(p).includes('ring til Regionens driftvagt nu'));
    expect(cards.map((c) => c.conversationId).sort()).toEqual([ADMIN_CHAT, NEXUSTEAM_CHANNEL.conversationId].sort());
    const outage = await w.outages.known('nexus');
    expect(outage?.escalation.rounds).toBe(1);
    expect(outage?.escalation.posts.map((p) => p.activityId).sort()).toEqual(cards.map((c) => c.activityId).sort());

    const ack = findButton([toReply(cards.find((c) => c.conversationId === ADMIN_CHAT)!.activity)], 'Driftvagten er underrettet');
    w.sender.slow.clear();
    expect(allText(await a.send(ack))).toContain('Det er noteret');
    await w.outbox.drain(10_000);
    const updates = w.sender.posted.filter((p) => p.kind === 'update' && cards.some((c) => c.activityId === p.activityId));
    expect(updates).toHaveLength(2);
    expect(updates.every((u) => textOf(u).includes('Driftvagten er underrettet af Heidi Nexusteam'))).toBe(true);
  });

  it('an update and the all-clear given while the staff post was still queued reach its thread once Teams accepts it', async () => {
    const w = world({ waitMs: 150 });
    w.sender.slow.set(STAFF_CHANNEL.conversationId, 900);
    const { answer } = await declare(w);
    // Still queued is not "no channel": the Nexusteam is told it went out.
    expect(allText(answer)).toContain('Meldingen er sendt til 1 kanal.');
    const outage = await w.outages.known('nexus');
    const by = { key: 'aad:x', name: 'Heidi Nexusteam' };
    expect((await w.outages.update('upd-early', outage!.id, 'KMD genstarter serverne', by)).kind).toBe('done');
    expect((await w.outages.resolve('res-early', outage!.id, by)).kind).toBe('done');
    await w.outbox.drain(10_000);
    await w.outbox.drain(10_000); // the catch-up messages the hook queued

    const post = w.sender.posted.find((p) => p.kind === 'send' && p.conversationId === STAFF_CHANNEL.conversationId);
    expect(post).toBeDefined();
    const thread = `${STAFF_CHANNEL.conversationId};messageid=${post!.activityId}`;
    const replies = w.sender.posted.filter((p) => p.kind === 'reply' && p.conversationId === thread).map(textOf);
    expect(replies.filter((r) => r.includes('KMD genstarter serverne'))).toHaveLength(1);
    expect(replies.filter((r) => r.includes('virker igen'))).toHaveLength(1);
    const cardUpdates = w.sender.posted.filter((p) => p.kind === 'update' && p.activityId === post!.activityId);
    expect(textOf(cardUpdates.at(-1)!)).toContain('Løst');
    // And the archive knows the post (history, export).
    expect((await w.outages.get(outage!.id))?.announcements.map((a) => a.activityId)).toEqual([post!.activityId]);
  });

  it('two outages the Nexusteam owns at closing time: a hand-over card for each', async () => {
    const w = world({ waitMs: 5_000 });
    await w.reminders.ensureScheduled();
    await declare(w, 'nexus');
    await declare(w, 'bekey');
    await at(w, '2026-12-07T15:15:00+01:00');
    await w.outbox.drain(10_000);
    const cards = w.sender.posted.filter((p) => p.conversationId === NEXUSTEAM_CHANNEL.conversationId && textOf(p).includes('hvem følger nedbruddet'));
    expect(cards.map(textOf).map((t) => (t.includes('Bekey') ? 'bekey' : 'nexus')).sort()).toEqual(['bekey', 'nexus']);
  });

  it('an escalation job repeated after its round was recorded (the first run outlived its lease) still schedules the next round', async () => {
    const w = world({ waitMs: 5_000 });
    await declare(w);
    await at(w, '2026-12-07T10:40:00+01:00');
    const outage = await w.outages.known('nexus');
    expect(outage?.escalation.rounds).toBe(1);
    const job = (await w.jobs.list()).jobs.find((j) => j.payload.kind === 'escalation' && j.payload.round === 0)!;
    const again = await w.escalations.run(job, w.clock.now());
    expect(again).toMatchObject({ kind: 'done', followUps: [{ payload: { kind: 'escalation', round: 1 } }] });
    // The repeat sent nothing.
    expect(w.sender.posted.filter((p) => p.kind === 'send' && textOf(p).includes('ring til Regionens driftvagt nu'))).toHaveLength(2);
  });
});
