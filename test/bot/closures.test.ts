import { describe, expect, it } from 'vitest';
import { allText, Conversation, MONDAY_MORNING, person, testServices, type TestWorld } from '../helpers/bot';
import { cardProblems } from '../helpers/cards';

/** "lukket": the Nexusteam closes for a course without a code change, and staff are routed accordingly. */
const ADMIN = person(900, 'Heidi Nexusteam');
const world = () => testServices(MONDAY_MORNING, { nexusteam: [ADMIN.aadObjectId] });
const admin = (w: TestWorld) => new Conversation(w, 'da-DK', ADMIN);
const staff = (w: TestWorld, n: number) => new Conversation(w, 'da-DK', person(n));

async function staffAsks(w: TestWorld) {
  const c = staff(w, 1);
  return allText(await c.press(await c.send('Nexus er nede'), 'også hos kolleger'));
}

describe('ad-hoc closures', () => {
  it('a closure added today sends staff to the out-of-hours path, names the reason, and can be removed', async () => {
    const w = world();
    expect(await staffAsks(w)).toContain('Ring til Nexusteamet');

    const a = admin(w);
    const form = await a.send('lukket');
    expect(cardProblems(form[0]?.card)).toEqual([]);
    const added = allText(await a.press(form, 'Tilføj lukning', { from: '2026-12-07', to: '', closedFrom: '', reason: 'kursus' }));
    expect(added).toContain('Tilføjet: mandag 7. december (kursus)');

    const now = await staffAsks(w);
    expect(now).toContain('Virker internettet?');
    expect(now).not.toContain('Ring til Nexusteamet');
    expect(allText(await staff(w, 2).send('åbningstider'))).toContain('Lukket (kursus)');

    const list = await a.send('lukket');
    expect(allText(await a.press(list, 'Fjern mandag 7. december'))).toContain('fjernet');
    expect(await staffAsks(w)).toContain('Ring til Nexusteamet');
  });

  it('a closure from 10:00 leaves the morning open', async () => {
    const w = world();
    const a = admin(w);
    await a.press(await a.send('lukket'), 'Tilføj lukning', { from: '2026-12-07', closedFrom: '10:00', reason: 'personalemøde' });
    expect(await staffAsks(w)).toContain('Ring til Nexusteamet');
    expect(allText(await staff(w, 3).send('åbningstider'))).toContain('08:00–10:00 (personalemøde)');
  });

  it('an unreadable closure gives the form again with what is wrong, and changes nothing', async () => {
    const w = world();
    const a = admin(w);
    const again = allText(await a.press(await a.send('lukket'), 'Tilføj lukning', { from: '7/12', reason: 'kursus' }));
    expect(again).toContain('kan ikke bruges');
    expect(again).toContain('from');
    expect(await w.services.closures.list()).toHaveLength(0);
  });

  it('staff cannot add or remove closures', async () => {
    const w = world();
    expect(allText(await staff(w, 4).send('lukket'))).toContain('Det kan kun Nexusteamet');
    expect(allText(await staff(w, 4).send({ action: 'closedAdd', from: '2026-12-07', reason: 'x' }))).toContain('Det kan kun Nexusteamet');
    expect(await w.services.closures.list()).toHaveLength(0);
  });
});
