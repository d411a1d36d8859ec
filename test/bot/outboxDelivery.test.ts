import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStorage } from '../../src/store/sqliteStorage';
import {
  allText,
  Conversation,
  MONDAY_MORNING,
  NEXUSTEAM_CHANNEL,
  person,
  STAFF_CHANNEL,
  testServices,
  type Posted,
  type TestOptions,
  type TestWorld,
} from '../helpers/bot';
import { cardText } from '../helpers/cards';

/**
 * Every proactive message goes through the app's durable outbox, as in
 * production (src/app/outboxHooks.ts): the real outbox on a SQLite file on disk,
 * the real duties and scheduler; only Teams is the recording sender, made slow
 * or failing where a test needs it. What users would notice: nobody waits for a
 * slow Teams, and whatever is said meanwhile (an update, the all-clear, "Driftvagten
 * er underrettet") still reaches the right post once Teams has it; a post that never
 * got through is reported to the Nexusteam by channel; a repeated job sends nothing twice.
 */

const ADMIN = person(900, 'Heidi Nexusteam');
const ADMIN_CHAT = `a:1personal-${ADMIN.id}`;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function world(outbox: TestOptions['outbox']): TestWorld {
  const dir = mkdtempSync(join(tmpdir(), 'nedbrud-outbox-wiring-'));
  const storage = new SqliteStorage({ path: join(dir, 'bot.sqlite') });
  const w = testServices(MONDAY_MORNING, { nexusteam: [ADMIN.aadObjectId], storage, outbox });
  cleanups.push(async () => {
    await w.outbox.stop();
    storage.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return w;
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
  it('a post is recorded by its outbox id when queued and gets its Teams id once delivered; an update given meanwhile reaches its thread, later ones name Teams\' id', async () => {
    const w = world({});
    w.sender.slow.set(STAFF_CHANNEL.conversationId, 700);
    const by = { key: ADMIN.aadObjectId, name: ADMIN.name };
    const declared = await w.outages.declare({ submitId: 'declare-1', system: 'nexus', description: 'Nexus svarer ikke', start: w.clock.now(), expected: '', by });
    expect(declared).toMatchObject({ kind: 'done', value: { posted: 1 } });
    // Declaring did not wait for Teams (700 ms here): the post is known by its outbox id already …
    const queued = (await w.outages.known('nexus'))?.announcements ?? [];
    expect(queued.map((x) => [x.conversationId, x.activityId, typeof x.messageId])).toEqual([[STAFF_CHANNEL.conversationId, undefined, 'string']]);
    // An update given while the post is still queued names it by that id, and waits behind it.
    const updated = await w.outages.update('upd-1', declared.kind === 'done' ? declared.value.outage.id : '', 'KMD forventer løsning kl. 11', { key: 'aad:x', name: 'Heidi Nexusteam' });
    expect(updated.kind).toBe('done');
    // … and the outbox's hook adds Teams' id once Teams answered.
    await w.settle();
    const posted = w.sender.posted.filter((p) => p.kind === 'send' && p.conversationId === STAFF_CHANNEL.conversationId);
    expect(posted).toHaveLength(1);
    const outage = await w.outages.known('nexus');
    expect(outage?.announcements.map((x) => [x.conversationId, x.activityId, x.messageId])).toEqual([[STAFF_CHANNEL.conversationId, posted[0]!.activityId, queued[0]!.messageId]]);
    const thread = `${STAFF_CHANNEL.conversationId};messageid=${posted[0]!.activityId}`;
    expect(w.sender.posted.filter((p) => p.kind === 'reply' && p.conversationId === thread).map(textOf).join('\n')).toContain('KMD forventer løsning kl. 11');

    // Given after delivery, the all-clear and the card shown resolved name Teams' id directly.
    const resolved = await w.outages.resolve('res-1', outage!.id, { key: 'aad:x', name: 'Heidi Nexusteam' });
    expect(resolved.kind).toBe('done');
    await w.settle();
    expect(w.sender.posted.filter((p) => p.kind === 'reply' && p.conversationId === thread)).toHaveLength(2);
    expect(w.sender.posted.filter((p) => p.kind === 'update' && p.activityId === posted[0]!.activityId).map(textOf).join('\n')).toContain('Løst');
    // And the archive knows the post by both ids (history, export).
    expect((await w.outages.get(outage!.id))?.announcements.map((a) => a.activityId)).toEqual([posted[0]!.activityId]);
  });

  it('a channel post that fails for good is reported to the Nexusteam, naming the channel and the message', async () => {
    const w = world({ maxAttempts: 2, backoff: { baseMs: 20, maxMs: 40 }, failureBatchMs: 50 });
    w.sender.failFor.add(STAFF_CHANNEL.conversationId);
    await declare(w);
    await w.settle();
    const reports = w.sender.posted.filter((p) => p.kind === 'send' && p.conversationId === NEXUSTEAM_CHANNEL.conversationId && textOf(p).includes('nåede ikke frem'));
    expect(reports).toHaveLength(1);
    const report = textOf(reports[0]!);
    expect(report).toContain('Opslaget om nedbruddet på Nexus til kanalen Personale (HTTP 502)');
    expect(report).toContain('telefon, mail');
  });

  it('"Driftvagten er underrettet" pressed while the driftvagt cards are still queued replaces each once Teams has it; a repeated job sends nothing', async () => {
    const w = world({});
    const { a } = await declare(w);
    await w.settle();
    // Teams is slow when the 2-hour cards are due: the job queues them, records them and is done.
    w.sender.slow.set(NEXUSTEAM_CHANNEL.conversationId, 700);
    w.sender.slow.set(ADMIN_CHAT, 700);
    await at(w, '2026-12-07T10:40:00+01:00');
    const outage = await w.outages.known('nexus');
    expect(outage?.escalation.rounds).toBe(1);
    expect(outage?.escalation.posts.map((p) => p.conversationId).sort()).toEqual([ADMIN_CHAT, NEXUSTEAM_CHANNEL.conversationId].sort());
    const job = (await w.jobs.list()).jobs.find((j) => j.payload.kind === 'escalation' && j.payload.round === 0);
    if (job) await w.escalations.run(job, w.clock.now());

    // The admin acknowledges from the card in their turn before Teams has shown the queued ones.
    expect(allText(await a.send({ action: 'ackEscalation', submitId: 'ack-early', outageId: outage!.id }))).toContain('Det er noteret');
    await w.settle();
    const cards = w.sender.posted.filter((p) => p.kind === 'send' && textOf(p).includes('ring til Regionens driftvagt nu'));
    expect(cards.map((c) => c.conversationId).sort()).toEqual([ADMIN_CHAT, NEXUSTEAM_CHANNEL.conversationId].sort());
    const updates = w.sender.posted.filter((p) => p.kind === 'update' && cards.some((c) => c.activityId === p.activityId));
    expect(updates).toHaveLength(2);
    expect(updates.every((u) => textOf(u).includes('Driftvagten er underrettet af Heidi Nexusteam'))).toBe(true);
  });

  it('two outages the Nexusteam owns at closing time: a hand-over card for each', async () => {
    const w = world({});
    await w.reminders.ensureScheduled();
    await declare(w, 'nexus');
    await declare(w, 'bekey');
    await at(w, '2026-12-07T15:15:00+01:00');
    await w.outbox.drain(10_000);
    const cards = w.sender.posted.filter((p) => p.conversationId === NEXUSTEAM_CHANNEL.conversationId && textOf(p).includes('hvem følger nedbruddet'));
    expect(cards.map(textOf).map((t) => (t.includes('Bekey') ? 'bekey' : 'nexus')).sort()).toEqual(['bekey', 'nexus']);
  });

  it('an escalation job repeated after its round was recorded (the first run outlived its lease) still schedules the next round', async () => {
    const w = world({});
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
