import { describe, expect, it } from 'vitest';
import { PERMISSIONS, type Verb } from '../../src/domain/permissions';
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
  type TestWorld,
} from '../helpers/bot';
import { cardText } from '../helpers/cards';

const ADMIN = person(900, 'Heidi Nexusteam');

function world(at: string, env: Record<string, string> = {}): TestWorld {
  return testServices(at, { nexusteam: [ADMIN.aadObjectId], env });
}
const staff = (w: TestWorld, n: number) => new Conversation(w, 'da-DK', person(n));
const admin = (w: TestWorld) => new Conversation(w, 'da-DK', ADMIN);

/** A member of staff walks to "colleagues too" (a report). */
async function report(w: TestWorld, n: number, system = 'nexus') {
  const c = staff(w, n);
  const first = await c.send(`${system} er nede`);
  if (first.some((r) => r.buttons.some((b) => b.title.includes('også hos kolleger')))) {
    return c.press(first, 'også hos kolleger');
  }
  return first;
}

const postedText = (w: TestWorld) => w.sender.posted.map((p) => [p.activity.text ?? '', ...(p.activity.attachments ?? []).map((a) => cardText(a.content))].join('\n'));

async function declareNexus(w: TestWorld, inputs: Record<string, unknown> = {}) {
  const a = admin(w);
  const form = await a.send('meld nedbrud');
  const preview = await a.press(form, 'Vis udkast', { system: 'nexus', description: 'Nexus svarer ikke', sinceDate: '2026-12-07', sinceTime: '08:40', expected: 'i løbet af formiddagen', ...inputs });
  return { a, preview, sent: await a.press(preview, 'Send til alle') };
}

describe('detection from reports', () => {
  it('2 reports → nothing; the 3rd within 15 minutes → a suspected outage, and the Nexusteam channel gets "Bekræft nedbrud" in hours', async () => {
    const w = world(MONDAY_MORNING);
    await report(w, 1);
    w.clock.advance(5 * 60_000);
    await report(w, 2);
    expect(await w.outages.known('nexus')).toBeNull();
    w.clock.advance(5 * 60_000);
    const third = allText(await report(w, 3));
    expect(third).toContain('2 kolleger har meldt det samme');
    const outage = await w.outages.known('nexus');
    expect(outage?.status).toBe('suspected');
    expect(outage?.reports).toHaveLength(3);
    expect(outage?.start).toBe(new Date(MONDAY_MORNING).toISOString());
    const toNexusteam = w.sender.posted.filter((p) => p.conversationId === NEXUSTEAM_CHANNEL.conversationId);
    expect(toNexusteam).toHaveLength(1);
    expect(postedText(w)[0]).toContain('Bekræft nedbrud');
    expect(postedText(w)[0]).toContain('3 kolleger');
  });

  it('a report older than the window does not count; the same person twice counts once; "kun mig" never counts', async () => {
    const w = world(SATURDAY_EVENING);
    await report(w, 1);
    w.clock.advance(16 * 60_000);
    await report(w, 2);
    await report(w, 2);
    const individual = staff(w, 3);
    await individual.press(await individual.send('Nexus er nede'), 'kun hos mig');
    await report(w, 4);
    expect(await w.outages.known('nexus')).toBeNull();
    await report(w, 5);
    const outage = await w.outages.known('nexus');
    expect(outage?.status).toBe('suspected');
    expect(outage?.reports.map((r) => r.person.name)).toEqual(['Kollega 2', 'Kollega 4', 'Kollega 5']);
  });

  it('out of hours a suspected outage is not posted to the closed Nexusteam', async () => {
    const w = world(SATURDAY_EVENING);
    for (const n of [1, 2, 3]) await report(w, n);
    expect((await w.outages.known('nexus'))?.status).toBe('suspected');
    expect(w.sender.posted).toHaveLength(0);
  });
});

describe('already known', () => {
  it('anyone starting a triage for a known outage gets since when, the latest update and who owns it, and is counted', async () => {
    const w = world(MONDAY_MORNING);
    await declareNexus(w);
    const u = admin(w);
    const form = await u.send('opdater');
    await u.press(form, 'Send opdatering', { text: 'KMD arbejder på sagen' });
    const known = allText(await staff(w, 7).send('nexus virker ikke'));
    expect(known).toContain('Nexus er nede. Det ved vi.');
    expect(known).toContain('Siden i dag kl. 8.40');
    expect(known).toContain('KMD arbejder på sagen');
    expect(known).toContain('Nexusteamet har sagen');
    expect(known).toContain('FMK-online');
    expect(known).not.toContain('Virker Nexus hos dine kolleger?');
    expect((await w.outages.known('nexus'))?.reports.map((r) => r.person.key)).toContain(person(7).aadObjectId);
  });

  it('"Nexus virker igen" on a known outage is noted for the outage', async () => {
    const w = world(MONDAY_MORNING);
    await declareNexus(w);
    expect(allText(await staff(w, 8).send('nexus virker igen'))).toContain('Tak, det er noteret');
    expect((await w.outages.known('nexus'))?.worksAgain).toHaveLength(1);
  });
});

describe('out-of-hours ownership', () => {
  it('the first to press "Jeg har ringet til KMD" owns the outage; the staff channel gets the fixed notice; the next is told who', async () => {
    const w = world(SATURDAY_EVENING);
    const anna = staff(w, 1);
    const kmd = await anna.press(await anna.press(await anna.send('Nexus er nede'), 'også hos kolleger'), 'hjemmesiden kom frem');
    const owned = allText(await anna.press(kmd, 'Jeg har ringet til KMD'));
    expect(owned).toContain('Du har nu sagen');
    expect(owned).toContain('kl. 21.40');
    expect(owned).toContain('personalekanalen');
    const outage = await w.outages.known('nexus');
    expect(outage?.status).toBe('active');
    expect(outage?.owner).toMatchObject({ kind: 'person', person: { name: 'Kollega 1' } });
    const notice = w.sender.posted.filter((p) => p.conversationId === STAFF_CHANNEL.conversationId);
    expect(notice).toHaveLength(1);
    expect(postedText(w)[0]).toContain('KMD-support er kontaktet i dag kl. 19.40 af Kollega 1');

    const bo = staff(w, 2);
    const told = allText(await bo.send('jeg har ringet til kmd'));
    expect(told).toContain('Kollega 1 har allerede ringet til KMD-support');
    // and a later reporter is told it is known, owned, no need to call
    expect(allText(await staff(w, 3).send('Nexus er nede'))).toContain('Kollega 1 har ringet til KMD-support');
  });

  it('two staff pressing at the same moment: exactly one owner, the other told who', async () => {
    const w = world(SATURDAY_EVENING);
    const [a, b] = await Promise.all([staff(w, 1).send({ action: 'calledKmd', system: 'nexus' }), staff(w, 2).send({ action: 'calledKmd', system: 'nexus' })]);
    const texts = [allText(a), allText(b)];
    expect(texts.filter((t) => t.includes('Du har nu sagen'))).toHaveLength(1);
    expect(texts.filter((t) => t.includes('har allerede ringet til KMD-support'))).toHaveLength(1);
    expect(w.sender.posted.filter((p) => p.kind === 'send')).toHaveLength(1);
  });

  it('the owner takes over a suspected outage, and its start stays the earliest report', async () => {
    const w = world(SATURDAY_EVENING);
    for (const n of [1, 2, 3]) {
      await report(w, n);
      w.clock.advance(60_000);
    }
    const owned = allText(await staff(w, 2).send({ action: 'calledKmd', system: 'nexus' }));
    expect(owned).toContain('kl. 21.40'); // 2 hours from the first report at 19.40
    expect((await w.outages.known('nexus'))?.owner).toMatchObject({ kind: 'person', person: { name: 'Kollega 2' } });
  });

  it('the owner can post the all-clear of their outage', async () => {
    const w = world(SATURDAY_EVENING);
    const owner = staff(w, 1);
    await owner.send({ action: 'calledKmd', system: 'nexus' });
    const menu = await owner.send('løst');
    await owner.press(menu, 'Meld Nexus løst');
    expect(await w.outages.known('nexus')).toBeNull();
    const posts = w.sender.posted;
    expect(posts.some((p) => p.kind === 'reply' && p.conversationId === `${STAFF_CHANNEL.conversationId};messageid=post-1`)).toBe(true);
    expect(posts.some((p) => p.kind === 'update' && p.activityId === 'post-1')).toBe(true);
  });
});

describe('declare, update, all-clear (Nexusteam)', () => {
  it('declare posts once to the staff channel; update replies in the thread; the all-clear replies and updates the card', async () => {
    const w = world(MONDAY_MORNING);
    const { preview, sent, a } = await declareNexus(w);
    expect(allText(preview)).toContain('Udkast');
    expect(allText(preview)).toContain('Nexus svarer ikke');
    expect(allText(sent)).toContain('sendt til 1 kanal');
    const root = w.sender.posted.find((p) => p.kind === 'send' && p.conversationId === STAFF_CHANNEL.conversationId);
    expect(root).toBeDefined();
    expect(postedText(w).join('\n')).toContain('Nede siden i dag kl. 8.40');

    await a.press(await a.send('opdater'), 'Send opdatering', { text: 'Ring 4460 5040 hvis det haster; borger 010190-1234' });
    const reply = w.sender.posted.find((p) => p.kind === 'reply');
    expect(reply?.conversationId).toBe(`${STAFF_CHANNEL.conversationId};messageid=${root?.activityId}`);
    expect(reply?.activity.text).toContain('4460 5040');
    expect(reply?.activity.text).not.toContain('010190-1234');
    expect(reply?.activity.text).toContain('******-****');

    await a.press(await a.send('løst'), 'Meld Nexus løst');
    const updated = w.sender.posted.find((p) => p.kind === 'update' && p.activityId === root?.activityId);
    expect(updated && cardText(updated.activity.attachments?.[0]?.content)).toContain('Løst: Nexus virker igen');
    expect(w.sender.posted.filter((p) => p.kind === 'reply').map((p) => p.activity.text).join('\n')).toContain('Nexus virker igen fra');
    expect(await w.outages.known('nexus')).toBeNull();
    expect((await w.outages.get(root ? (await w.outages.open())[0]?.id ?? '' : '')) ?? null).toBeNull();
  });

  it('the same submit sent twice (a double click) posts once', async () => {
    const w = world(MONDAY_MORNING);
    const a = admin(w);
    const preview = await a.press(await a.send('meld nedbrud'), 'Vis udkast', { system: 'bekey', sinceDate: '2026-12-07', sinceTime: '08:50' });
    const send = findButton(preview, 'Send til alle');
    const [first, second] = await Promise.all([a.send(send), a.send(send)]);
    expect(w.sender.posted.filter((p) => p.kind === 'send')).toHaveLength(1);
    expect([allText(first), allText(second)].join('\n')).toContain('allerede sendt');
  });

  it('a "nede siden" in the future or unreadable gives the form again with what to fix, and nothing is posted', async () => {
    const w = world(MONDAY_MORNING);
    const a = admin(w);
    const again = allText(await a.press(await a.send('meld nedbrud'), 'Vis udkast', { system: 'nexus', sinceDate: '2026-12-08', sinceTime: '10:00' }));
    expect(again).toContain('ligger ude i fremtiden');
    const bad = allText(await a.press(await a.send('meld nedbrud'), 'Vis udkast', { system: 'nexus', sinceDate: 'i går', sinceTime: '' }));
    expect(bad).toContain('skriv dato og klokkeslæt');
    expect(w.sender.posted).toHaveLength(0);
    expect(await w.outages.known('nexus')).toBeNull();
  });

  it('"Bekræft nedbrud" on a suspected outage makes it active, owned by the Nexusteam, and updates the card', async () => {
    const w = world(MONDAY_MORNING);
    for (const n of [1, 2, 3]) await report(w, n);
    const card = w.sender.posted[0];
    const confirm = (card?.activity.attachments?.[0]?.content as { actions: { data: Record<string, unknown> }[] }).actions[0]?.data ?? {};
    const form = allText(await admin(w).send(confirm));
    expect(form).toContain('Meld nedbrud');
    const outage = await w.outages.known('nexus');
    expect(outage?.status).toBe('active');
    expect(outage?.owner?.kind).toBe('nexusteam');
    expect(w.sender.posted.some((p) => p.kind === 'update' && cardText(p.activity.attachments?.[0]?.content).includes('Bekræftet af Heidi Nexusteam'))).toBe(true);
  });
});

describe('who may do what (generated from the verb × role table)', () => {
  const submits: Partial<Record<Verb, Record<string, unknown>>> = {
    declare: { action: 'declareSend', submitId: 'forged-submit-1', draft: { system: 'nexus', sinceDate: '2026-12-07', sinceTime: '08:00' } },
    confirm: { action: 'confirm', submitId: 'forged-submit-2', outageId: 'OUTAGE' },
    update: { action: 'updateSend', submitId: 'forged-submit-3', outageId: 'OUTAGE', text: 'forged' },
    resolve: { action: 'resolve', submitId: 'forged-submit-4', outageId: 'OUTAGE' },
  };
  const guarded = (Object.keys(PERMISSIONS) as Verb[]).filter((v) => !(PERMISSIONS[v] as readonly string[]).includes('anyone') && submits[v]);

  it('covers every guarded verb that has a submit', () => {
    expect(guarded.sort()).toEqual(['confirm', 'declare', 'resolve', 'update']);
  });

  it.each(guarded)('a member of staff submitting "%s" is refused and nothing changes', async (verb) => {
    const w = world(MONDAY_MORNING);
    for (const n of [1, 2, 3]) await report(w, n);
    const before = JSON.stringify(await w.outages.open());
    const postsBefore = w.sender.posted.length;
    const outageId = (await w.outages.known('nexus'))?.id ?? '';
    const value = JSON.parse(JSON.stringify(submits[verb]).replace('OUTAGE', outageId)) as Record<string, unknown>;
    const answer = allText(await staff(w, 50).send(value));
    expect(answer).toMatch(/Det kan kun Nexusteamet/);
    expect(JSON.stringify(await w.outages.open())).toBe(before);
    expect(w.sender.posted.length).toBe(postsBefore);
  });

  it("someone else's outage cannot be resolved by a member of staff who does not own it", async () => {
    const w = world(SATURDAY_EVENING);
    await staff(w, 1).send({ action: 'calledKmd', system: 'nexus' });
    const outageId = (await w.outages.known('nexus'))?.id ?? '';
    const answer = allText(await staff(w, 2).send({ action: 'resolve', submitId: 'forged-resolve-1', outageId }));
    expect(answer).toContain('Det kan kun Nexusteamet eller den, der har sagen');
    expect((await w.outages.known('nexus'))?.status).toBe('active');
  });

  it('staff typing the Nexusteam commands get their kind meaning instead ("meld nedbrud" reports, "opdater" is refused)', async () => {
    const w = world(SATURDAY_EVENING);
    expect(allText(await staff(w, 1).send('meld nedbrud'))).toContain('Hvad virker ikke?');
    expect(allText(await staff(w, 1).send('opdater'))).toContain('Det kan kun Nexusteamet');
  });
});
