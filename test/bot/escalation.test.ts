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
// Driftvagt cards and claim cards ("Kan du ringe?"), not the staff notices that mention the deadline.
const escalations = (w: TestWorld) => w.sender.posted.filter((p) => p.kind === 'send' && /(ring til Regionens driftvagt nu|Påmindelse \d+: (er|ingen)|Kan du ringe til Regionens driftvagt)/.test(textOf(p)));
const to = (w: TestWorld, conversationId: string) => escalations(w).filter((p) => p.conversationId === conversationId);

async function at(w: TestWorld, iso: string) {
  w.clock.set(iso);
  while ((await w.scheduler.tick()) > 0) {
    /* run everything due now, including follow-ups due now */
  }
  await w.settle();
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

  it('a suspected outage nobody confirmed: the Nexusteam channel gets the card with "Bekræft nedbrud"; the reporters get nothing', async () => {
    const w = world(MONDAY_MORNING);
    for (const n of [1, 2, 3]) {
      const c = staff(w, n);
      await c.press(await c.send('Nexus er nede'), 'også hos kolleger');
    }
    await at(w, '2026-12-07T11:00:00+01:00');
    const channel = to(w, NEXUSTEAM_CHANNEL.conversationId).filter((p) => textOf(p).includes('ring til Regionens driftvagt nu'));
    expect(channel).toHaveLength(1);
    expect(toReply(channel[0]!.activity).buttons.map((b) => b.title)).toEqual(['Driftvagten er underrettet', 'Bekræft nedbrud']);
    for (const n of [1, 2, 3]) expect(to(w, personal(n))).toHaveLength(0);
    // The push notification says what to do, not "sent a card"
    expect(channel[0]!.activity.summary).toBe('Ring til Regionens driftvagt nu: 3864 8888');
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

  it('a suspected outage nobody owns: each reporter is asked "Kan du ringe?", the Nexusteam channel is told; nobody gets the number to call', async () => {
    const w = world(SATURDAY_EVENING);
    const people = [1, 2, 3].map((n) => staff(w, n));
    for (const c of people) await c.press(await c.send('Nexus er nede'), 'også hos kolleger');
    await at(w, '2026-12-05T21:40:00+01:00');
    for (const n of [1, 2, 3]) {
      const [card] = to(w, personal(n));
      expect(card, `reporter ${n}`).toBeDefined();
      expect(textOf(card!)).toContain('ingen har sagt, at de har ringet til Regionens driftvagt');
      expect(textOf(card!)).toContain('Kan du ringe til Regionens driftvagt?');
      expect(textOf(card!)).not.toContain('3864 8888');
      expect(toReply(card!.activity).buttons.map((b) => b.title)).toEqual(['Jeg ringer']);
    }
    const channel = to(w, NEXUSTEAM_CHANNEL.conversationId);
    expect(channel).toHaveLength(1);
    expect(textOf(channel[0]!)).toContain('Ingen har sagt, at de ringer. 3 kolleger er spurgt 1:1, om de kan ringe.');
    expect(textOf(channel[0]!)).toContain('3864 8888');
  });

  it('the first "Jeg ringer" takes the duty and gets the number at once; every other copy shows who took it; only the taker gets the repeats', async () => {
    const w = world(SATURDAY_EVENING);
    const people = [1, 2, 3].map((n) => staff(w, n));
    for (const c of people) await c.press(await c.send('Nexus er nede'), 'også hos kolleger');
    await at(w, '2026-12-05T21:40:00+01:00');
    w.clock.set('2026-12-05T21:43:00+01:00');
    const claim = findButton([toReply(to(w, personal(2))[0]!.activity)], 'Jeg ringer');
    const [first, second] = await Promise.all([people[1]!.send(claim), people[0]!.send(claim)]);
    // Exactly one of two simultaneous presses takes it
    const winners = [first, second].filter((r) => allText(r).includes('3864 8888'));
    expect(winners).toHaveLength(1);
    const taker = winners[0] === first ? 'Kollega 2' : 'Kollega 1';
    const loser = winners[0] === first ? second : first;
    expect(allText(loser)).toContain(`${taker} tog opgaven i dag kl. 21.43`);
    expect(allText(winners[0]!)).toContain('Driftvagten er underrettet');
    // Every claim card sent is replaced in place with who took it and when
    const replaced = w.sender.posted.filter((p) => p.kind === 'update');
    expect(replaced.map((p) => p.conversationId).sort()).toEqual([personal(1), personal(2), personal(3)].sort());
    for (const p of replaced) {
      expect(textOf(p)).toContain(`${taker} ringer til Regionens driftvagt`);
      expect(toReply(p.activity).buttons).toEqual([]);
    }
    // A late press is told who has it, and changes nothing
    expect(allText(await people[2]!.send(claim))).toContain(`${taker} tog opgaven`);
    // The repeats go to the taker only
    const before = new Map([1, 2, 3].map((n) => [n, to(w, personal(n)).length]));
    await at(w, '2026-12-05T21:55:00+01:00');
    const takerN = taker === 'Kollega 2' ? 2 : 1;
    for (const n of [1, 2, 3]) expect(to(w, personal(n)).length - before.get(n)!, `reporter ${n}`).toBe(n === takerN ? 1 : 0);
    expect(textOf(to(w, personal(takerN)).at(-1)!)).toContain('Påmindelse 1');
  });

  it('"Driftvagten er underrettet" from the taker replaces the claim cards and their own card, and ends the repeats', async () => {
    const w = world(SATURDAY_EVENING);
    const people = [1, 2, 3].map((n) => staff(w, n));
    for (const c of people) await c.press(await c.send('Nexus er nede'), 'også hos kolleger');
    await at(w, '2026-12-05T21:40:00+01:00');
    const taken = await people[0]!.send(findButton([toReply(to(w, personal(1))[0]!.activity)], 'Jeg ringer'));
    w.sender.posted.length = 0;
    expect(allText(await people[0]!.send(findButton(taken, 'Driftvagten er underrettet')))).toContain('Det er noteret');
    const updates = w.sender.posted.filter((p) => p.kind === 'update');
    // the three claim cards, the Nexusteam channel's card, and the taker's own card (it came in the turn)
    expect(updates.map((p) => p.conversationId).sort()).toEqual([personal(1), personal(1), personal(2), personal(3), NEXUSTEAM_CHANNEL.conversationId].sort());
    for (const p of updates) expect(textOf(p)).toMatch(/Regionens driftvagt er underrettet|Driftvagten er underrettet af Kollega 1/);
    for (const p of updates) expect(toReply(p.activity).buttons).toEqual([]);
    await at(w, '2026-12-05T23:40:00+01:00');
    expect(w.sender.posted.filter((p) => p.kind === 'send')).toHaveLength(0);
    // someone who did not report it may not take or acknowledge it
    const outsider = allText(await staff(w, 77).send(findButton(taken, 'Driftvagten er underrettet')));
    expect(outsider).toContain('Det kan kun Nexusteamet eller den, der har sagen');
  });

  it('unclaimed, the claim card repeats every 15 minutes up to the maximum, and the Nexusteam channel is told each time', async () => {
    const w = world(SATURDAY_EVENING, { ESCALATION_REPEAT_MAX: '3' });
    for (const n of [1, 2, 3]) {
      const c = staff(w, n);
      await c.press(await c.send('Nexus er nede'), 'også hos kolleger');
    }
    for (let minute = 0; minute <= 120; minute += 5) await at(w, new Date(Date.parse('2026-12-05T21:40:00+01:00') + minute * MIN).toISOString());
    expect(to(w, personal(1))).toHaveLength(4);
    expect(to(w, NEXUSTEAM_CHANNEL.conversationId)).toHaveLength(4);
    expect(textOf(to(w, personal(1))[3]!)).toContain('Påmindelse 3');
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
    const history = (await w.storage.read(['outages/history']))['outages/history'] as { entries: readonly { id: string }[] };
    const archived = (await w.outages.get(history.entries[0]!.id))!;
    expect(archived.escalation.toldUp?.by.name).toBe('Kollega 1');
  });

  it('a driftvagt card that cannot be delivered is retried by the outbox and finally reported to the Nexusteam channel', async () => {
    const w = world(SATURDAY_EVENING);
    await staff(w, 1).send({ action: 'calledKmd', system: 'nexus' });
    w.sender.failFor.add(personal(1));
    for (let minute = 0; minute <= 60; minute++) await at(w, new Date(Date.parse('2026-12-05T21:40:00+01:00') + minute * MIN).toISOString());
    const report = w.sender.posted.filter((p) => p.conversationId === NEXUSTEAM_CHANNEL.conversationId && textOf(p).includes('kunne ikke leveres'));
    expect(report.length).toBeGreaterThanOrEqual(1);
    expect(textOf(report[0]!)).toContain('3864 8888');
    // The card never reached the owner; the round itself was queued and recorded, so the repeats go on.
    expect(w.sender.posted.filter((p) => p.conversationId === personal(1) && textOf(p).includes('ring til Regionens driftvagt nu'))).toHaveLength(0);
    expect((await w.outages.known('nexus'))?.escalation.rounds).toBeGreaterThanOrEqual(2);
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
    expect(allText(await bo.send(accept))).toContain('Kollega 5 har allerede taget nedbruddet');
    expect((await w.outages.known('nexus'))?.owner).toMatchObject({ kind: 'person', person: { name: 'Kollega 5' } });
    // someone who did not report it cannot accept
    expect(allText(await staff(w, 99).send(accept))).toContain('Det kan kun Nexusteamet');
    // after closing the reminder goes to Anna 1:1
    await at(w, '2026-12-07T16:00:00+01:00');
    expect(to(w, personal(5)).filter((p) => textOf(p).includes('ring til Regionens driftvagt nu'))).toHaveLength(1);
  });

  it('if nobody takes it, after closing those who reported it are asked who calls the driftvagt', async () => {
    const w = world('2026-12-07T14:00:00+01:00');
    const reporter = staff(w, 5);
    await reporter.press(await reporter.send('Nexus er nede'), 'også hos kolleger');
    await declare(w, '14:00');
    await at(w, '2026-12-07T16:00:00+01:00');
    expect(to(w, personal(5))).toHaveLength(1);
    expect(toReply(to(w, personal(5))[0]!.activity).buttons.map((b) => b.title)).toEqual(['Jeg ringer']);
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
