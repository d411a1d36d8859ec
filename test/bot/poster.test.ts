import { describe, expect, it } from 'vitest';
import { formatPhone } from '../../src/domain/time';
import { allText, Conversation, instruction, MONDAY_MORNING, person, testServices, type TestWorld } from '../helpers/bot';
import { cardProblems } from '../helpers/cards';
import { fjordby } from '../helpers/instructions';
import { OfficeHours } from '../../src/domain/officeHours';
import { posterContent } from '../../src/domain/poster';

/** "plakat": the Nexusteam sees the emergency poster as a card, and how to print it. */
const ADMIN = person(900, 'Heidi Nexusteam');
const world = () => testServices(MONDAY_MORNING, { nexusteam: [ADMIN.aadObjectId] });

describe('"plakat"', () => {
  it("shows the Nexusteam the poster's content: the path, every number, this week's hours, and how to print it", async () => {
    const replies = await new Conversation(world(), 'en-US', ADMIN).send('plakat');
    expect(replies).toHaveLength(1);
    expect(cardProblems(replies[0]?.card)).toEqual([]);
    const text = allText(replies);
    expect(text).toContain('Nexus, Bekey eller internettet er nede?');
    expect(text).toContain('1. Er det kun hos dig?');
    expect(text).toContain('3. Virker internettet?');
    for (const c of instruction.contacts) if (c.phone) expect(text).toContain(formatPhone(c.phone));
    expect(text).toContain('mandag 7. december: 8.00–15.30');
    expect(text).toContain('torsdag 24. december: Lukket (Juleaftensdag)');
    expect(text).toContain('Kør "npm run poster"');
  });

  it('includes a closure the Nexusteam added with "lukket", which the printed poster cannot know', async () => {
    const w = world();
    const admin = new Conversation(w, 'da-DK', ADMIN);
    await admin.press(await admin.send('lukket'), 'Tilføj lukning', { from: '2026-12-10', to: '', closedFrom: '', reason: 'kursus' });
    const text = allText(await admin.send('plakat'));
    expect(text).toContain('torsdag 10. december: Lukket (kursus)');
  });

  it('answers an admin who writes English in English', async () => {
    const w: TestWorld = world();
    const admin = new Conversation(w, 'da-DK', ADMIN);
    await admin.send('english');
    const text = allText(await admin.send('poster'));
    expect(text).toContain('Nexus, Bekey or the Internet is down?');
    expect(text).toContain('Run "npm run poster"');
    expect(text).toContain('4460 5040');
  });

  it('is for the Nexusteam only: staff are told kindly', async () => {
    const text = allText(await new Conversation(world(), 'da-DK', person(7)).send('plakat'));
    expect(text).toContain('Det kan kun Nexusteamet');
    expect(text).not.toContain('4460 5040');
  });
});

describe("another municipality's poster", () => {
  it("names that instruction's systems and its own vendors' numbers, with no code change", () => {
    const hours = new OfficeHours(fjordby, [], 'da');
    const p = posterContent(fjordby, hours, new Date('2026-12-07T08:00:00Z'), { lang: 'da' });
    const names = fjordby.systems.map((s) => s.name.da);
    expect(p.title).toBe(`${names.slice(0, -1).join(', ').replace(/^./, (c) => c.toUpperCase())} eller ${names.at(-1)} er nede?`);
    expect(p.title).not.toContain('Bekey');
    const ruled = fjordby.systems.find((s) => s.twoHourRule !== null)!;
    expect(p.twoHour.heading).toContain(`${ruled.title.da} nede i mere end`);
    const vendors = fjordby.systems.flatMap((s) => (s.outOfHours ? [s.outOfHours.contact] : []));
    const calls = p.path.flatMap((step) => step.branches.flatMap((b) => (b.call ? [b.call.phone] : [])));
    for (const v of vendors) {
      const phone = fjordby.contacts.find((c) => c.id === v)?.phone;
      if (phone) expect(calls).toContain(formatPhone(phone));
    }
  });
});
