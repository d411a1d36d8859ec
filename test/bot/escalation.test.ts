import { describe, expect, it } from 'vitest';
import { newOutage } from '../../src/domain/outage';
import {
  allText,
  Conversation,
  findButton,
  MONDAY_MORNING,
  NEXUSTEAM_CHANNEL,
  person,
  SATURDAY_EVENING,
  STAFF_CHANNEL,
  testServices,
  toReply,
  type Posted,
  type TestWorld,
} from '../helpers/bot';
import { cardText } from '../helpers/cards';

/**
 * The 2-hour rule and the other timed duties, driven by a fake clock through the
 * real scheduler, job store and outage store (MemoryStorage); only Teams itself
 * is replaced by a recording sender.
 */
const ADMIN = person(900, 'Heidi Nexusteam');
const world = (at: string, env: Record<string, string> = {}) => testServices(at, { nexusteam: [ADMIN.aadObjectId], env });
const staff = (w: TestWorld, n: number) => new Conversation(w, 'da-DK', person(n));
const admin = (w: TestWorld) => new Conversation(w, 'da-DK', ADMIN);
const personal = (n: number) => `a:1personal-${person(n).id}`;
const ADMIN_CHAT = `a:1personal-${ADMIN.id}`;
const MIN = 60_000;

const textOf = (p: Posted) => [p.activity.text ?? '', ...(p.activity.attachments ?? []).map((a) => cardText(a.content))].join('\n');
const escalations = (w: TestWorld) => w.sender.posted.filter((p) => p.kind === 'send' && textOf(p).includes('driftvagt'));
const to = (w: TestWorld, conversationId: string) => escalations(w).filter((p) => p.conversationId === conversationId);

async function at(w: TestWorld, iso: string) {
  w.clock.set(iso);
  while ((await w.scheduler.tick()) > 0) {
    /* run everything due now, including follow-ups due now */
  }
}

async function declare(w: TestWorld, since = '08:40', date = '2026-12-07', system = 'nexus') {
  const a = admin(w);
  const preview = await a.press(await a.send('meld nedbrud'), 'Vis udkast', { system, sinceDate: date, sinceTime: since });
  await a.press(preview, 'Send til alle');
  return a;
}

describe('the 2-hour escalation in office hours (Nexusteam owns it)', () => {
  it('fires exactly at start + 2 h to the Nexusteam channel and the declaring member, with the driftvagt as text and links', async () => {
    const w = world(MONDAY_MORNING);
    await declare(w);
    await at(w, '2026-12-07T10:39:59+01:00');
    expect(escalations(w)).toHaveLength(0);
    await at(w, '2026-12-07T10:40:00+01:00');
    expect(to(w, NEXUSTEAM_CHANNEL.conversationId)).toHaveLength(1);
    expect(to(w, ADMIN_CHAT)).toHaveLength(1);
    const card = textOf(to(w, NEXUSTEAM_CHANNEL.conversationId)[0]!);
    expect(card).toContain('ring til Regionens driftvagt nu');
    expect(card).toContain('3864 8888');
    expect(card).toContain('tel:+4538648888');
    expect(card).toContain('mailto:driftsvagt@regionh.dk');
    expect(card).toContain('siden kl. 8.40');
    expect(card).toContain('Driftvagten er underrettet');
  });

  it('repeats every 15 minutes until acknowledged, at most 8 times', async () => {
    const w = world(MONDAY_MORNING);
    await declare(w);
    for (let minute = 0; minute <= 200; minute += 5) await at(w, new Date(Date.parse('2026-12-07T10:40:00+01:00') + minute * MIN).toISOString());
    expect(to(w, NEXUSTEAM_CHANNEL.conversationId)).toHaveLength(9);
    const times = to(w, ADMIN_CHAT).length;
    expect(times).toBe(9);
  });

  it('"Driftvagten er underrettet" records who and when, replaces every card, and stops the repeats', async () => {
    const w = world(MONDAY_MORNING);
    const a = await declare(w);
    await at(w, '2026-12-07T10:40:00+01:00');
    await at(w, '2026-12-07T10:55:00+01:00');
    const card = to(w, ADMIN_CHAT)[0]!;
    const ack = findButton([toReply(card.activity)], 'Driftvagten er underrettet');
    expect(allText(await a.send(ack))).toContain('Det er noteret');
    const outage = await w.outages.known('nexus');
    expect(outage?.escalation.acknowledged?.by.name).toBe('Heidi Nexusteam');
    const updates = w.sender.posted.filter((p) => p.kind === 'update');
    expect(updates).toHaveLength(4); // 2 rounds × (channel + 1:1)
    expect(updates.every((u) => textOf(u).includes('Driftvagten er underrettet af Heidi Nexusteam'))).toBe(true);
    const before = escalations(w).length;
    await at(w, '2026-12-07T12:30:00+01:00');
    expect(escalations(w).length).toBe(before);
    // A second press is told it is already done
    expect(allText(await a.send(ack))).toContain('allerede noteret');
  });

  it('a resolved outage cancels its pending escalation', async () => {
    const w = world(MONDAY_MORNING);
    const a = await declare(w);
    await a.press(await a.send('løst'), 'Meld Nexus løst');
    await at(w, '2026-12-07T11:00:00+01:00');
    expect(escalations(w)).toHaveLength(0);
  });

  it('correcting the start moves the escalation', async () => {
    const w = world(MONDAY_MORNING);
    await declare(w, '08:40');
    await declare(w, '07:30');
    await at(w, '2026-12-07T09:29:00+01:00');
    expect(escalations(w)).toHaveLength(0);
    await at(w, '2026-12-07T09:30:00+01:00');
    expect(to(w, NEXUSTEAM_CHANNEL.conversationId)).toHaveLength(1);
    // and nothing again at the old time
    await at(w, '2026-12-07T10:40:00+01:00');
    expect(to(w, NEXUSTEAM_CHANNEL.conversationId).length).toBeLessThanOrEqual(5);
    expect(escalations(w).every((p) => !textOf(p).includes('siden kl. 8.40'))).toBe(true);
  });
});

describe('out of hours', () => {
  it('the KMD caller gets it 1:1; from the second repeat the Nexusteam channel too', async () => {
    const w = world(SATURDAY_EVENING);
    await staff(w, 1).send({ action: 'calledKmd', system: 'nexus' });
    await at(w, '2026-12-05T21:40:00+01:00');
    expect(to(w, personal(1))).toHaveLength(1);
    expect(to(w, NEXUSTEAM_CHANNEL.conversationId)).toHaveLength(0);
    await at(w, '2026-12-05T21:55:00+01:00');
    expect(to(w, NEXUSTEAM_CHANNEL.conversationId)).toHaveLength(0);
    await at(w, '2026-12-05T22:10:00+01:00');
    expect(to(w, personal(1))).toHaveLength(3);
    expect(to(w, NEXUSTEAM_CHANNEL.conversationId)).toHaveLength(1);
  });

  it('a suspected outage nobody owns goes to every reporter and the Nexusteam channel; the first acknowledgement closes it for all', async () => {
    const w = world(SATURDAY_EVENING);
    const people = [1, 2, 3].map((n) => staff(w, n));
    for (const c of people) await c.press(await c.send('Nexus er nede'), 'også hos kolleger');
    await at(w, '2026-12-05T21:40:00+01:00');
    for (const n of [1, 2, 3]) expect(to(w, personal(n))).toHaveLength(1);
    expect(to(w, NEXUSTEAM_CHANNEL.conversationId)).toHaveLength(1);
    const ack = findButton([toReply(to(w, personal(2))[0]!.activity)], 'Driftvagten er underrettet');
    expect(allText(await people[1]!.send(ack))).toContain('Det er noteret');
    expect(w.sender.posted.filter((p) => p.kind === 'update')).toHaveLength(4);
    // someone who did not report it may not acknowledge
    const outsider = allText(await staff(w, 77).send(ack));
    expect(outsider).toContain('Det kan kun Nexusteamet eller den, der har sagen');
  });

  it('after the all-clear, whoever told the driftvagt is asked to tell it Nexus is back, and that is recorded', async () => {
    const w = world(SATURDAY_EVENING);
    const owner = staff(w, 1);
    await owner.send({ action: 'calledKmd', system: 'nexus' });
    await at(w, '2026-12-05T21:40:00+01:00');
    await owner.send(findButton([toReply(to(w, personal(1))[0]!.activity)], 'Driftvagten er underrettet'));
    w.clock.set('2026-12-05T22:30:00+01:00');
    await owner.press(await owner.send('løst'), 'Meld Nexus løst');
    await at(w, '2026-12-05T22:30:00+01:00');
    const back = w.sender.posted.filter((p) => p.kind === 'send' && textOf(p).includes('Nexus virker igen: fortæl det til Regionens driftvagt'));
    expect(back).toHaveLength(1);
    expect(back[0]?.conversationId).toBe(personal(1));
    expect(textOf(back[0]!)).toContain('3864 8888');
    expect(allText(await owner.send(findButton([toReply(back[0]!.activity)], 'Driftvagten har fået besked')))).toContain('Tak');
    const archived = (await w.outages.get((await w.storage.read(['outages/history']))['outages/history'].entries[0].id))!;
    expect(archived.escalation.toldUp?.by.name).toBe('Kollega 1');
  });

  it('an escalation that cannot be delivered is retried and finally reported to the Nexusteam channel', async () => {
    const w = world(SATURDAY_EVENING);
    await staff(w, 1).send({ action: 'calledKmd', system: 'nexus' });
    w.sender.failFor.add(personal(1));
    for (let minute = 0; minute <= 60; minute++) await at(w, new Date(Date.parse('2026-12-05T21:40:00+01:00') + minute * MIN).toISOString());
    const report = w.sender.posted.filter((p) => p.conversationId === NEXUSTEAM_CHANNEL.conversationId && textOf(p).includes('kunne ikke leveres'));
    expect(report.length).toBeGreaterThanOrEqual(1);
    expect(textOf(report[0]!)).toContain('3864 8888');
    const jobs = (await w.jobs.list()).jobs.filter((j) => j.payload.kind === 'escalation');
    expect(jobs.find((j) => j.id.endsWith(':0'))?.state).toBe('failed');
  });
});

describe('daylight saving: 2 hours are 2 hours of elapsed time', () => {
  it.each([
    ['October change day, 01:30 CEST', '2026-10-24T23:30:00Z', '2026-10-25T01:30:00Z', '02:30 CET'],
    ['March change day, 01:30 CET', '2026-03-29T00:30:00Z', '2026-03-29T02:30:00Z', '04:30 CEST'],
  ])('%s: start %s → escalates at %s (%s)', async (_name, start, due) => {
    const w = world(start);
    const outage = newOutage({ id: 'dst', system: 'nexus', status: 'active', start: new Date(start), at: new Date(start) });
    expect(w.escalations.dueAt(outage, 0)?.toISOString()).toBe(new Date(due).toISOString());
  });

  it('and the scheduler fires then, not an hour early or late', async () => {
    const w = world('2026-10-25T01:30:00+02:00');
    await staff(w, 1).send({ action: 'calledKmd', system: 'nexus' });
    await at(w, '2026-10-25T01:29:59Z');
    expect(escalations(w)).toHaveLength(0);
    await at(w, '2026-10-25T01:30:00Z');
    expect(escalations(w)).toHaveLength(1);
  });
});

describe('home care: the USB reminder', () => {
  async function homecareWorld(at: string) {
    const w = world(at);
    await w.channels.setRoles('19:homecare@thread.tacv2', ['homecare'], { key: 'x', name: 'x' }, new Date(at), {
      conversationId: '19:homecare@thread.tacv2',
      serviceUrl: 'http://connector.test',
      tenantId: 'tenant-test',
      teamId: '19:hjemmepleje@thread.tacv2',
    });
    await w.reminders.ensureScheduled();
    return w;
  }
  const reminder = (w: TestWorld) => w.sender.posted.filter((p) => p.conversationId === '19:homecare@thread.tacv2').map(textOf);

  it('on a Friday at 14:30 it lists Saturday, Sunday and Monday', async () => {
    const w = await homecareWorld('2026-12-04T10:00:00+01:00');
    await at(w, '2026-12-04T14:29:00+01:00');
    expect(reminder(w)).toHaveLength(0);
    await at(w, '2026-12-04T14:30:00+01:00');
    expect(reminder(w)).toHaveLength(1);
    expect(reminder(w)[0]).toContain('lørdag 5. december, søndag 6. december og mandag 7. december');
    // not on the weekend; again on Monday
    await at(w, '2026-12-05T14:30:00+01:00');
    await at(w, '2026-12-06T14:30:00+01:00');
    expect(reminder(w)).toHaveLength(1);
    await at(w, '2026-12-07T14:30:00+01:00');
    expect(reminder(w)).toHaveLength(2);
    expect(reminder(w)[1]).toContain('tirsdag 8. december');
  });

  it('on the Wednesday before Easter it lists all the days of Easter up to the next working day', async () => {
    const w = await homecareWorld('2027-03-24T09:00:00+01:00');
    await at(w, '2027-03-24T14:30:00+01:00');
    expect(reminder(w)[0]).toContain('torsdag 25. marts, fredag 26. marts, lørdag 27. marts, søndag 28. marts, mandag 29. marts og tirsdag 30. marts');
    // no reminder on Maundy Thursday (a public holiday)
    await at(w, '2027-03-25T14:30:00+02:00');
    expect(reminder(w)).toHaveLength(1);
  });
});

describe('hand-over before the Nexusteam closes', () => {
  it('15 minutes before closing the Nexusteam channel is asked who follows the outage; taking it makes them the owner', async () => {
    const w = world(MONDAY_MORNING);
    await w.reminders.ensureScheduled();
    await declare(w);
    await at(w, '2026-12-07T15:15:00+01:00');
    const card = w.sender.posted.find((p) => p.conversationId === NEXUSTEAM_CHANNEL.conversationId && textOf(p).includes('hvem følger nedbruddet'));
    expect(card).toBeDefined();
    const taken = allText(await admin(w).send(findButton([toReply(card!.activity)], 'Jeg følger det efter lukketid')));
    expect(taken).toContain('Heidi Nexusteam følger nedbruddet');
    expect((await w.outages.known('nexus'))?.owner).toMatchObject({ kind: 'person', person: { name: 'Heidi Nexusteam' } });
  });

  it('"Spørg dem, der har meldt det" offers it to the reporters 1:1; the first to accept owns it, the next is told who', async () => {
    const w = world('2026-12-07T14:00:00+01:00');
    await w.reminders.ensureScheduled();
    const anna = staff(w, 5);
    const bo = staff(w, 6);
    for (const c of [anna, bo]) await c.press(await c.send('Nexus er nede'), 'også hos kolleger');
    await declare(w, '14:00');
    await at(w, '2026-12-07T15:15:00+01:00');
    const card = w.sender.posted.find((p) => p.conversationId === NEXUSTEAM_CHANNEL.conversationId && textOf(p).includes('hvem følger nedbruddet'));
    expect(allText(await admin(w).send(findButton([toReply(card!.activity)], 'Spørg dem, der har meldt det')))).toContain('spurgt 2 kolleger');
    const offer = w.sender.posted.find((p) => p.conversationId === personal(5) && textOf(p).includes('Vil du følge nedbruddet'));
    expect(offer).toBeDefined();
    const accept = findButton([toReply(offer!.activity)], 'Ja, jeg følger det');
    expect(allText(await anna.send(accept))).toContain('Kollega 5 følger nedbruddet');
    expect(allText(await bo.send(accept))).toContain('Kollega 5 har allerede meldt det til KMD');
    expect((await w.outages.known('nexus'))?.owner).toMatchObject({ kind: 'person', person: { name: 'Kollega 5' } });
    // someone who did not report it cannot accept
    expect(allText(await staff(w, 99).send(accept))).toContain('Det kan kun Nexusteamet');
    // after closing the reminder goes to Anna 1:1
    await at(w, '2026-12-07T16:00:00+01:00');
    expect(to(w, personal(5)).filter((p) => textOf(p).includes('ring til Regionens driftvagt nu'))).toHaveLength(1);
  });

  it('if nobody takes it, escalations after closing also go 1:1 to those who reported it', async () => {
    const w = world('2026-12-07T14:00:00+01:00');
    const reporter = staff(w, 5);
    await reporter.press(await reporter.send('Nexus er nede'), 'også hos kolleger');
    await declare(w, '14:00');
    await at(w, '2026-12-07T16:00:00+01:00');
    expect(to(w, personal(5))).toHaveLength(1);
    expect(to(w, NEXUSTEAM_CHANNEL.conversationId)).toHaveLength(1);
  });
});

describe('the instruction is past its review date', () => {
  it('admins get a monthly reminder with the points for the revision', async () => {
    const w = world(MONDAY_MORNING);
    await w.reminders.ensureScheduled();
    await at(w, '2027-01-01T09:00:00+01:00');
    const reminder = w.sender.posted.find((p) => p.conversationId === NEXUSTEAM_CHANNEL.conversationId && textOf(p).includes('revideres'));
    expect(reminder).toBeDefined();
    expect(textOf(reminder!)).toContain('december 2023');
    expect(textOf(reminder!)).toContain('153');
    expect(w.sender.posted.filter((p) => p.conversationId === STAFF_CHANNEL.conversationId && textOf(p).includes('revideres'))).toHaveLength(0);
  });
});

describe('the help card for admins', () => {
  it('shows an admin that the instruction is overdue for revision, and staff nothing of it', async () => {
    const w = world(MONDAY_MORNING);
    expect(allText(await admin(w).send('hjælp'))).toContain('Instruksen skal revideres');
    expect(allText(await staff(w, 3).send('hjælp'))).not.toContain('revideres');
  });
});
