import { describe, expect, it } from 'vitest';
import { allText, Conversation, MONDAY_MORNING, NEXUSTEAM_CHANNEL, person, testServices, type Posted, type TestWorld } from '../helpers/bot';
import { cardText } from '../helpers/cards';

/** Personal alerts, history and export, the mail draft: the dialog side of "beyond the channel". */
const ADMIN = person(900, 'Heidi Nexusteam');
const world = (at: string) => testServices(at, { nexusteam: [ADMIN.aadObjectId] });
const staff = (w: TestWorld, n: number) => new Conversation(w, 'da-DK', person(n));
const admin = (w: TestWorld) => new Conversation(w, 'da-DK', ADMIN);
const personal = (n: number) => `a:1personal-${person(n).id}`;
const textOf = (p: Posted) => [p.activity.text ?? '', ...(p.activity.attachments ?? []).map((a) => cardText(a.content))].join('\n');

async function runDue(w: TestWorld) {
  while ((await w.scheduler.tick()) > 0) {
    /* until nothing is due */
  }
  await w.settle();
}

async function declare(w: TestWorld, description = 'Nexus svarer ikke') {
  const a = admin(w);
  const preview = await a.press(await a.send('meld nedbrud'), 'Vis udkast', { system: 'nexus', description, sinceDate: '2026-12-07', sinceTime: '08:40' });
  await a.press(preview, 'Send til alle');
  await runDue(w);
  return { a, preview };
}

describe('personal alerts', () => {
  it('a follower gets the announcement, each update and the all-clear once each; after "stop nedbrud" nothing more', async () => {
    const w = world(MONDAY_MORNING);
    const anna = staff(w, 1);
    expect(allText(await anna.send('følg nedbrud'))).toContain('Du får nu en personlig besked');
    const bekeyOnly = staff(w, 2);
    await bekeyOnly.send('følg nedbrud bekey');

    const { a } = await declare(w);
    await a.press(await a.send('opdater'), 'Send opdatering', { text: 'KMD arbejder på det' });
    await runDue(w);
    await runDue(w); // a second run of due jobs sends nothing twice
    const toAnna = () => w.sender.posted.filter((p) => p.conversationId === personal(1));
    expect(toAnna()).toHaveLength(2);
    expect(textOf(toAnna()[0]!)).toContain('Nedbrud: Nexus er nede');
    expect(textOf(toAnna()[1]!)).toContain('KMD arbejder på det');
    expect(w.sender.posted.filter((p) => p.conversationId === personal(2))).toHaveLength(0);

    expect(allText(await anna.send('stop nedbrud'))).toContain('Dine oplysninger er slettet');
    expect(await w.subscriptions.get(person(1).aadObjectId)).toBeNull();
    await a.press(await a.send('løst'), 'Meld Nexus løst');
    await runDue(w);
    expect(toAnna()).toHaveLength(2);
  });

  it('a follower who blocked the bot (403) is removed', async () => {
    const w = world(MONDAY_MORNING);
    await staff(w, 3).send('følg nedbrud');
    w.sender.failWith.set(personal(3), 403);
    await declare(w);
    await runDue(w);
    expect(await w.subscriptions.get(person(3).aadObjectId)).toBeNull();
    // Not something the Nexusteam must act on: no report.
    expect(w.sender.posted.filter((p) => p.conversationId === NEXUSTEAM_CHANNEL.conversationId && textOf(p).includes('Personlige beskeder'))).toHaveLength(0);
  });

  it('alerts that never arrive are reported to the Nexusteam once the outbox gives up: "1 abonnent", not "abonnent(er)"', async () => {
    const w = world(MONDAY_MORNING);
    await staff(w, 5).send('følg nedbrud');
    w.sender.failFor.add(personal(5));
    await declare(w);
    for (let i = 0; i < 8; i++) {
      w.clock.advance(30 * 60_000);
      await runDue(w);
    }
    const reports = w.sender.posted.filter((p) => p.conversationId === NEXUSTEAM_CHANNEL.conversationId && textOf(p).includes('Personlige beskeder'));
    expect(reports.map(textOf)).toEqual(['Personlige beskeder om nedbruddet på Nexus nåede ikke frem til 1 abonnent.']);
  });

  it('in a channel "følg nedbrud" asks for a private chat', async () => {
    const w = world(MONDAY_MORNING);
    const c = new Conversation(w, 'da-DK', person(4));
    // A channel message has no personal reach: simulate by a group conversation
    const replies: unknown = await c.client.sendActivity({
      type: 'message',
      text: 'følg nedbrud',
      from: { id: person(4).id, name: 'Kollega 4', aadObjectId: person(4).aadObjectId },
      conversation: { id: '19:staff@thread.tacv2', conversationType: 'channel', isGroup: true, name: '' },
    });
    expect(JSON.stringify(replies)).toContain('privat chat');
  });
});

describe('history and export (Nexusteam)', () => {
  it('"historik" lists the last 30 days; "eksport" gives the timeline as Markdown and CSV in Copenhagen time', async () => {
    const w = world(MONDAY_MORNING);
    const { a } = await declare(w);
    w.clock.set('2026-12-07T10:05:00+01:00');
    await a.press(await a.send('løst'), 'Meld Nexus løst');
    const history = await a.send('historik');
    expect(allText(history)).toContain('Nexus');
    const exported = allText(await a.press(history, 'Eksport'));
    expect(exported).toContain('2026-12-07 08:40');
    expect(exported).toContain('Løst');
    expect(exported).toContain('tidspunkt;hændelse;af;tekst');
    expect(allText(await staff(w, 5).send('historik'))).toContain('Det kan kun Nexusteamet');
  });
});

describe('mail without SMTP', () => {
  it('the declare preview offers a mailto: draft to both lists', async () => {
    const w = world(MONDAY_MORNING);
    const a = admin(w);
    const preview = await a.press(await a.send('meld nedbrud'), 'Vis udkast', { system: 'nexus', sinceDate: '2026-12-07', sinceTime: '08:40' });
    const card = JSON.stringify(preview[0]?.card);
    expect(card).toContain('Action.OpenUrl');
    expect(card).toContain('mailto:socialfv-nexus@example.org,nedbrud-care-privatelev@example.org');
  });
});
