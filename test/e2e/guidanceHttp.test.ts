import { afterEach, describe, expect, it } from 'vitest';
import { cardButtons } from '../helpers/cards';
import { cardsOf, channel, personal, startWorld, textOf, who, type HttpWorld, type Turn, type Where, type Who } from '../helpers/httpWorld';
import { waitUntil } from '../helpers/wait';

/**
 * What staff are told through a whole outage (issue 12), end to end over real
 * HTTP: activities POSTed to /api/messages, the bot's answers and proactive cards
 * captured by a local Bot Connector, state in SQLite, the scheduler running on
 * the test's clock.
 */

/** Saturday 5 December 2026, 19:40 in Copenhagen: the Nexusteam is closed. */
const SATURDAY_EVENING = '2026-12-05T19:40:00+01:00';
/** Monday 7 December 2026, 09:00: office hours. */
const MONDAY_MORNING = '2026-12-07T09:00:00+01:00';

const ADMIN = who(900, 'Heidi Nexusteam');
const STAFF_CHANNEL = channel('19:team-care@thread.tacv2', '19:staff@thread.tacv2', { team: 'Ældre og Omsorg', channel: 'Personale' });
const NEXUS_CHANNEL = channel('19:team-nexus@thread.tacv2', '19:nexusteam@thread.tacv2', { team: 'Nexusteamet', channel: 'Drift' });
const PROVIDERS_CHANNEL = channel('19:team-partners@thread.tacv2', '19:providers@thread.tacv2', { team: 'Partnere', channel: 'Private leverandører' });

const REPORT = { action: 'triage', system: 'nexus', scope: 'general' } as const;

const worlds: HttpWorld[] = [];
async function world(at: string): Promise<HttpWorld> {
  const w = await startWorld({ at, env: { NEXUSTEAM_IDS: ADMIN.aadObjectId, SCHEDULER_INTERVAL_SECONDS: '0.1' } });
  worlds.push(w);
  return w;
}
afterEach(async () => {
  await Promise.all(worlds.splice(0).map((w) => w.dispose()));
});

async function register(w: HttpWorld, place: Where, roles: string): Promise<void> {
  const card = await w.say(ADMIN, 'kanal', place);
  await w.say(ADMIN, card.press('Gem', { roles }), place);
}

/** Moves the bot's clock and waits until the scheduler has sent what became due. */
async function advanceTo(w: HttpWorld, iso: string, until: () => boolean, what: string): Promise<void> {
  w.clock.set(iso);
  await waitUntil(until, 10_000, what);
}

/** `person` writes `typed`, answers "også hos kolleger", then the Internet question with `internet`: the advice. */
async function triage(w: HttpWorld, person: Who, typed: string, internet: string): Promise<Turn> {
  const scope = await w.say(person, typed);
  const asked = await w.say(person, scope.press('også hos kolleger'));
  return w.say(person, asked.press(internet));
}

const chat = (person: Who) => personal(person).conversationId;
const buttonsOf = (activity: { attachments?: { content?: unknown }[] } | undefined) => cardsOf(activity as never).flatMap((c) => cardButtons(c));
const updatesTo = (w: HttpWorld, conversationId: string) => w.connector.activities().filter((a) => a.kind === 'update' && a.toConversationId === conversationId);
const press = (activity: Parameters<typeof buttonsOf>[0], title: string) => {
  const button = buttonsOf(activity).find((b) => b.title.includes(title));
  if (!button) throw new Error(`no button "${title}": ${buttonsOf(activity).map((b) => b.title).join(' | ')}`);
  return button.data;
};

describe('the 2-hour duty never goes to a crowd (over HTTP)', () => {
  it('out of hours, nobody owning it: each reporter is asked "Kan du ringe?", the first "Jeg ringer" takes it, the others see who', async () => {
    const w = await world(SATURDAY_EVENING);
    await register(w, NEXUS_CHANNEL, 'nexusteam');
    const [anna, bo, carl] = [who(1, 'Anna'), who(2, 'Bo'), who(3, 'Carl')];
    for (const p of [anna, bo, carl]) await w.say(p, REPORT);

    await advanceTo(w, '2026-12-05T21:40:00+01:00', () => [anna, bo, carl].every((p) => w.postsTo(chat(p)).length === 1) && w.postsTo(NEXUS_CHANNEL.conversationId).length > 0, 'the claim cards');
    for (const p of [anna, bo, carl]) {
      const [claim] = w.postsTo(chat(p));
      expect(textOf([claim!])).toContain('Kan du ringe til Regionens driftvagt?');
      expect(textOf([claim!])).not.toContain('3864 8888');
      // The notification says what is asked, not "sent a card"
      expect(claim!.summary).toBe('Nexus har været nede i 2 timer. Kan du ringe til Regionens driftvagt?');
    }
    expect(textOf(w.postsTo(NEXUS_CHANNEL.conversationId))).toContain('3 kolleger er spurgt 1:1, om de kan ringe');

    const taken = await w.say(bo, press(w.postsTo(chat(bo))[0], 'Jeg ringer'));
    expect(taken.text).toContain('Du ringer til Regionens driftvagt');
    expect(taken.text).toContain('3864 8888');
    await waitUntil(() => [anna, carl].every((p) => updatesTo(w, chat(p)).length === 1), 10_000, 'the other claim cards replaced');
    for (const p of [anna, carl]) {
      const [replaced] = updatesTo(w, chat(p));
      expect(textOf([replaced!])).toContain('Bo ringer til Regionens driftvagt');
      expect(textOf([replaced!])).toContain('Bo tog opgaven i dag kl. 21.40');
      expect(buttonsOf(replaced)).toEqual([]);
    }
    expect((await w.say(anna, press(w.postsTo(chat(anna))[0], 'Jeg ringer'))).text).toContain('Bo tog opgaven');

    // Only Bo gets the repeat
    await advanceTo(w, '2026-12-05T21:55:00+01:00', () => w.postsTo(chat(bo)).length === 2, "Bo's repeat");
    expect(textOf([w.postsTo(chat(bo))[1]!])).toContain('Påmindelse 1');
    await w.settled();
    expect(w.postsTo(chat(anna))).toHaveLength(1);
    expect(w.postsTo(chat(carl))).toHaveLength(1);
  });

  it('in office hours an unconfirmed outage: the Nexusteam channel gets the card with "Bekræft nedbrud"; no reporter is asked', async () => {
    const w = await world(MONDAY_MORNING);
    await register(w, NEXUS_CHANNEL, 'nexusteam');
    const reporters = [who(1), who(2), who(3)];
    for (const p of reporters) await w.say(p, REPORT);
    await advanceTo(w, '2026-12-07T11:00:00+01:00', () => w.postsTo(NEXUS_CHANNEL.conversationId).length === 2, 'the 2-hour card in the channel');
    const card = w.postsTo(NEXUS_CHANNEL.conversationId)[1]!;
    expect(textOf([card])).toContain('ring til Regionens driftvagt nu');
    expect(buttonsOf(card).map((b) => b.title)).toEqual(['Driftvagten er underrettet', 'Bekræft nedbrud']);
    expect(card.summary).toBe('Ring til Regionens driftvagt nu: 3864 8888');
    await w.settled();
    for (const p of reporters) expect(w.postsTo(chat(p))).toHaveLength(0);
  });
});

describe('whoever calls owns the case, on every out-of-hours branch (over HTTP)', () => {
  /** Saturday evening, a staff channel: Anna reports `typed` and answers the Internet question with `internet`. */
  async function annaOnSaturday(typed: string, internet: string): Promise<{ w: HttpWorld; anna: Who; advice: Turn }> {
    const w = await world(SATURDAY_EVENING);
    await register(w, STAFF_CHANNEL, 'staff');
    const anna = who(1, 'Anna');
    return { w, anna, advice: await triage(w, anna, typed, internet) };
  }

  it('the IT caller of a Nexus outage owns it and its 2-hour rule; the notice and later askers name IT', async () => {
    const { w, anna, advice: it } = await annaOnSaturday('Nexus er nede', 'internettet virker ikke');
    expect(it.text).toContain('2365 0248');
    expect(it.text).not.toContain('KMD');
    const owned = await w.say(anna, it.press('Jeg har ringet til IT'));
    expect(owned.text).toContain('Du har meldt nedbruddet til Brøndby IT');
    expect(owned.text).toContain('kl. 21.40');
    const notice = textOf(w.postsTo(STAFF_CHANNEL.conversationId));
    expect(notice).toContain('Nedbrud: Nexus er nede');
    expect(notice).toContain('Brøndby IT er kontaktet i dag kl. 19.40 af Anna');
    expect((await w.say(who(2), 'Nexus er nede')).text).toContain('Anna har ringet til Brøndby IT i dag kl. 19.40 og har sagen. Du behøver ikke ringe.');
    // The reminder at 21:40 goes to Anna
    await advanceTo(w, '2026-12-05T21:40:00+01:00', () => w.postsTo(chat(anna)).length === 1, "Anna's driftvagt card");
    expect(textOf(w.postsTo(chat(anna)))).toContain('3864 8888');
  });

  it('Bekey: the caller owns it, the notice names Bekey, later askers are told, and there is no driftvagt', async () => {
    const { w, anna, advice: bekey } = await annaOnSaturday('Bekey er nede', 'hjemmesiden kom frem');
    expect(bekey.text).toContain('4330 0505');
    const owned = await w.say(anna, bekey.press('Jeg har ringet til Bekey'));
    expect(owned.text).toContain('Du har meldt nedbruddet til Bekey-support og følger sagen, til Bekey virker igen.');
    expect(owned.text).not.toContain('driftvagt');
    const notice = textOf(w.postsTo(STAFF_CHANNEL.conversationId));
    expect(notice).toContain('Nedbrud: Bekey er nede');
    expect(notice).toContain('Bekey-support er kontaktet i dag kl. 19.40 af Anna');
    expect(notice).not.toContain('driftvagt');
    expect((await w.say(who(2), 'Bekey er nede')).text).toContain('Anna har ringet til Bekey-support');
    expect((await w.say(who(3), { action: 'called', system: 'bekey', contact: 'bekey' })).text).toContain('Anna har allerede ringet til Bekey-support');
  });

  it('typed: "jeg har ringet til IT" in an Internet triage owns the Internet outage', async () => {
    const w = await world(SATURDAY_EVENING);
    const anna = who(1, 'Anna');
    await w.say(anna, 'Internettet er nede');
    expect((await w.say(anna, 'jeg har ringet til IT')).text).toContain('Du har meldt nedbruddet til Brøndby IT og følger sagen, til internettet virker igen.');
    expect((await w.say(who(2), 'internettet er nede')).text).toContain('Anna har ringet til Brøndby IT');
  });
});

describe('one deadline per outage (over HTTP)', () => {
  it("the advice card, the owner's card, the staff notice and the reminder all say the outage's start + 2 hours", async () => {
    const w = await world(SATURDAY_EVENING);
    await register(w, STAFF_CHANNEL, 'staff');
    const [anna, bo] = [who(1, 'Anna'), who(2, 'Bo')];
    await w.say(anna, REPORT);
    w.clock.set('2026-12-05T19:50:00+01:00');
    const kmd = await triage(w, bo, 'Nexus er nede', 'hjemmesiden kom frem');
    // Anna reported first, at 19.40: 21.40 for everyone, not 21.50
    expect(kmd.text).toContain('kl. 21.40');
    expect(kmd.text).not.toContain('21.50');
    const owned = await w.say(bo, kmd.press('Jeg har ringet til KMD'));
    expect(owned.text).toContain('kl. 21.40');
    expect(textOf(w.postsTo(STAFF_CHANNEL.conversationId))).toContain('Er Nexus stadig nede i dag kl. 21.40, får Regionens driftvagt besked.');
    await advanceTo(w, '2026-12-05T21:40:00+01:00', () => w.postsTo(chat(bo)).length === 1, "Bo's reminder");
    expect(textOf(w.postsTo(chat(bo)))).toContain('Fristen for at ringe var i dag kl. 21.40');
  });
});

describe('truthful known-outage answers (over HTTP)', () => {
  async function threeReports(w: HttpWorld, system = 'nexus'): Promise<void> {
    for (const n of [1, 2, 3]) await w.say(who(n), { action: 'triage', system, scope: 'general' });
  }

  it('office hours, unconfirmed: how many since when, when the Nexusteam was shown it, its number; no "du behøver ikke ringe"', async () => {
    const w = await world(MONDAY_MORNING);
    await register(w, NEXUS_CHANNEL, 'nexusteam');
    await threeReports(w);
    w.clock.set('2026-12-07T09:10:00+01:00');
    const answer = (await w.say(who(4), 'Nexus er nede')).text;
    // Their own report counts too
    expect(answer).toContain('4 kolleger har meldt det siden i dag kl. 9.00.');
    expect(answer).toContain('Nexusteamet fik besked i dag kl. 9.00, men har ikke bekræftet det endnu. Ring til Nexusteamet: 4328 2020.');
    expect(answer).not.toContain('Du behøver ikke ringe');
  });

  it('out of hours, nobody called yet: named per system (KMD, Bekey, IT)', async () => {
    const w = await world(SATURDAY_EVENING);
    for (const [system, typed, contact] of [
      ['nexus', 'Nexus er nede', 'KMD-support'],
      ['bekey', 'Bekey er nede', 'Bekey-support'],
      ['internet', 'internettet er nede', 'Brøndby IT'],
    ] as const) {
      await threeReports(w, system);
      const answer = await w.say(who(9), typed);
      expect(answer.text, system).toContain(`Ingen har ringet til ${contact} endnu.`);
      expect(answer.text, system).not.toContain('Du behøver ikke ringe');
      expect(answer.press('Hvem skal jeg ringe til?'), system).toMatchObject({ action: 'triage', system, skipKnown: true });
    }
  });

  it('after the Nexusteam closes with nobody taking over: says so and leads on to the out-of-hours path', async () => {
    const w = await world('2026-12-07T14:00:00+01:00');
    const form = await w.say(ADMIN, 'meld nedbrud');
    const preview = await w.say(ADMIN, form.press('Vis udkast', { system: 'nexus', description: 'Nexus svarer ikke', sinceDate: '2026-12-07', sinceTime: '13:30', expected: '' }));
    await w.say(ADMIN, preview.press('Send til alle'));
    expect((await w.say(who(5), 'Nexus er nede')).text).toContain('Nexusteamet har sagen. Du behøver ikke ringe.');
    w.clock.set('2026-12-07T16:00:00+01:00');
    const after = await w.say(who(5), 'Nexus er nede');
    expect(after.text).toContain('Nexusteamet havde sagen, men har lukket nu, og ingen har overtaget den.');
    expect(after.text).not.toContain('Du behøver ikke ringe');
    const next = await w.say(who(5), after.press('Hvem skal jeg ringe til?'));
    const internet = await w.say(who(5), next.press('også hos kolleger'));
    expect(internet.text).toContain('Virker internettet?');
  });
});

describe('private providers are reached (over HTTP)', () => {
  it('their channel gets the announcement without staff names, the update and the all-clear in its thread', async () => {
    const w = await world(SATURDAY_EVENING);
    await register(w, STAFF_CHANNEL, 'staff');
    await register(w, PROVIDERS_CHANNEL, 'providers');
    await w.say(who(1, 'Anna Hjemmepleje'), { action: 'called', system: 'nexus', contact: 'kmd' });
    const [providers] = w.postsTo(PROVIDERS_CHANNEL.conversationId);
    expect(textOf([providers!])).toContain('Nedbrud: Nexus er nede');
    expect(textOf([providers!])).toContain('KMD-support er kontaktet i dag kl. 19.40.');
    expect(textOf([providers!])).not.toContain('Anna');
    expect(providers!.summary).toBe('Nedbrud: Nexus er nede');
    // Staff see who has it
    expect(textOf(w.postsTo(STAFF_CHANNEL.conversationId))).toContain('af Anna Hjemmepleje');

    // The Nexusteam declares (the cards are updated in place, the providers' one still without names) and updates
    w.clock.set('2026-12-07T09:00:00+01:00');
    const form = await w.say(ADMIN, 'meld nedbrud');
    const preview = await w.say(ADMIN, form.press('Vis udkast', { system: 'nexus', description: 'KMD arbejder på det', sinceDate: '2026-12-05', sinceTime: '19:40', expected: '' }));
    await w.say(ADMIN, preview.press('Send til alle'));
    const updated = updatesTo(w, PROVIDERS_CHANNEL.conversationId);
    expect(updated).toHaveLength(1);
    expect(textOf(updated)).not.toContain('Anna');
    const update = await w.say(ADMIN, 'opdater');
    await w.say(ADMIN, update.press('Send opdatering', { text: 'KMD forventer en løsning kl. 11' }));
    const resolve = await w.say(ADMIN, 'løst');
    await w.say(ADMIN, resolve.press('Meld Nexus løst'));
    const thread = w.connector.activities().filter((a) => a.toConversationId.startsWith(`${PROVIDERS_CHANNEL.conversationId};messageid=${w.postsTo(PROVIDERS_CHANNEL.conversationId)[0]!.assignedId}`));
    expect(textOf(thread)).toContain('KMD forventer en løsning kl. 11');
    expect(textOf(thread)).toContain('Nexus virker igen fra');
    const resolvedCard = updatesTo(w, PROVIDERS_CHANNEL.conversationId).at(-1)!;
    expect(textOf([resolvedCard])).toContain('Løst: Nexus virker igen');
    expect(resolvedCard.summary).toBe('Løst: Nexus virker igen');
  });
});

