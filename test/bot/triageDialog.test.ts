import { describe, expect, it } from 'vitest';
import { allText, Conversation, findButton, MONDAY_MORNING, SATURDAY_EVENING, testServices } from '../helpers/bot';
import { cardText } from '../helpers/cards';

/**
 * Walks of every branch of the instruction's decision path, as a member of
 * staff would take them: by pressing the card buttons, or by typing.
 */

describe('Saturday evening (Nexusteam closed)', () => {
  it('Nexus, colleagues too, Internet works → KMD with the call steps and the owner button', async () => {
    const c = new Conversation(SATURDAY_EVENING);
    const scope = await c.send('Nexus er nede');
    expect(allText(scope)).toContain('Er Nexus også nede hos dine kolleger?');
    const internet = await c.press(scope, 'også hos kolleger');
    expect(allText(internet)).toContain('Virker internettet?');
    expect(allText(internet)).toContain('mobildata');
    const kmd = await c.press(internet, 'hjemmesiden kom frem');
    const text = allText(kmd);
    expect(text).toContain('Ring til KMD-support');
    expect(text).toContain('4460 5040');
    expect(text).toContain('tel:+4544605040');
    expect(text).toContain('153#');
    expect(text).toContain('Tast 1 (Nexus)');
    expect(text).toContain('vagtnummer');
    expect(text).toContain('Nexusteamet har lukket nu. Åbner igen mandag 7. december kl. 8.00.');
    expect(text).toContain('3864 8888');
    expect(findButton(kmd, 'Jeg har ringet til KMD')).toEqual({ action: 'called', system: 'nexus', contact: 'kmd' });
    // What to do meanwhile, for a Nexus outage
    expect(text).toContain('FMK-online');
    expect(text).toContain('https://fmk-online.dk/fmk/');
    expect(text).toContain('Nexus Mobile');
    expect(text).toContain('fejlmedicinering');
  });

  it('the KMD card on a phone: the number once in large type and a link, then "Mens du ringer" and "Efter opkaldet"', async () => {
    const c = new Conversation(SATURDAY_EVENING);
    const kmd = await c.press(await c.press(await c.send('Nexus er nede'), 'også hos kolleger'), 'hjemmesiden kom frem');
    const card = cardText(kmd[0]?.card); // the advice card, not what is worth knowing
    expect(card.split('4460 5040')).toHaveLength(2); // once, as text
    expect(card).toContain('[Ring op](tel:+4544605040)');
    const lines = card.split('\n');
    const whileCalling = lines.indexOf('Mens du ringer');
    const afterCall = lines.indexOf('Efter opkaldet');
    expect(whileCalling).toBeGreaterThan(0);
    expect(afterCall).toBeGreaterThan(whileCalling);
    expect(lines.slice(whileCalling + 1, afterCall)).toEqual([
      '1. Tast 1 (social og omsorg)',
      '2. Tast 153# (kommunenummer; eller bare #)',
      '3. Tast 1 (Nexus)',
      "4. Fortæl KMD's vagthavende, at Nexus er nede i Brøndby Kommune.",
      '5. Giv KMD dit vagtnummer: det telefonnummer, KMD kan ringe tilbage til dig på.',
    ]);
    const after = lines.slice(afterCall + 1).join('\n');
    expect(after).toContain('Bilag 1');
    expect(after).toContain('Når du har ringet til KMD, har du sagen');
    expect(after).toContain('Virker Nexus stadig ikke kl. 21.40, ringer du til Regionens driftvagt: 3864 8888');
  });

  it('Nexus, colleagues too, Internet down → IT: whoever calls IT owns the case and the driftvagt call', async () => {
    const c = new Conversation(SATURDAY_EVENING);
    const internet = await c.press(await c.send('Nexus er nede'), 'også hos kolleger');
    const replies = await c.press(internet, 'internettet virker ikke');
    const it = allText(replies);
    expect(it).toContain('Ring til IT');
    expect(it).toContain('2365 0248');
    expect(it).not.toContain('4460 5040');
    expect(it).not.toContain('KMD');
    expect(it).toContain('Når du har ringet til IT, har du sagen: du følger den, til Nexus virker igen.');
    expect(it).toContain('Virker Nexus stadig ikke kl. 21.40, ringer du til Regionens driftvagt: 3864 8888');
    expect(findButton(replies, 'Jeg har ringet til IT')).toEqual({ action: 'called', system: 'nexus', contact: 'it' });
  });

  it('Nexus: KMD says the fault is internal → IT', async () => {
    const c = new Conversation(SATURDAY_EVENING);
    const kmd = await c.press(await c.press(await c.send('Nexus er nede'), 'også hos kolleger'), 'hjemmesiden kom frem');
    const replies = await c.press(kmd, 'KMD siger');
    const it = allText(replies);
    expect(it).toContain('Ring til IT');
    expect(it).toContain('2365 0248');
    expect(it).toContain('Når du har ringet til IT, har du sagen');
    expect(findButton(replies, 'Jeg har ringet til IT')).toEqual({ action: 'called', system: 'nexus', contact: 'it' });
  });

  it('Bekey, colleagues too, Internet works → Bekey support, then internal → IT', async () => {
    const c = new Conversation(SATURDAY_EVENING);
    const bekey = await c.press(await c.press(await c.send('bekey åbner ikke'), 'også hos kolleger'), 'hjemmesiden kom frem');
    const text = allText(bekey);
    expect(text).toContain('Ring til Bekey-support');
    expect(text).toContain('4330 0505');
    expect(text).toContain('8 timer');
    expect(text).not.toContain('KMD');
    // Whoever calls Bekey owns the case; the driftvagt (2-hour rule) is for Nexus only.
    expect(text).toContain('Når du har ringet til Bekey, har du sagen: du følger den, til Bekey virker igen.');
    expect(text).not.toContain('driftvagt');
    expect(findButton(bekey, 'Jeg har ringet til Bekey')).toEqual({ action: 'called', system: 'bekey', contact: 'bekey' });
    expect(allText(await c.press(bekey, 'Bekey siger'))).toContain('2365 0248');
  });

  it('Bekey, Internet down → IT', async () => {
    const c = new Conversation(SATURDAY_EVENING);
    const internet = await c.press(await c.send('Bekey er nede'), 'også hos kolleger');
    const replies = await c.press(internet, 'internettet virker ikke');
    expect(allText(replies)).toContain('2365 0248');
    expect(findButton(replies, 'Jeg har ringet til IT')).toEqual({ action: 'called', system: 'bekey', contact: 'it' });
  });

  it('the Internet itself, colleagues too → IT without asking about the Internet again', async () => {
    const c = new Conversation(SATURDAY_EVENING);
    const it = allText(await c.press(await c.send('internettet er nede'), 'også hos kolleger'));
    expect(it).toContain('Ring til IT');
    expect(it).toContain('2365 0248');
    expect(it).not.toContain('Virker internettet?');
    expect(it).toContain('Bekey virker');
    expect(it).toContain('Når du har ringet til IT, har du sagen: du følger den, til internettet virker igen.');
    expect(it).not.toContain('driftvagt');
  });

  it('individual problem → superuser or the Nexusteam, and when the Nexusteam opens', async () => {
    const c = new Conversation(SATURDAY_EVENING);
    const text = allText(await c.press(await c.send('Nexus er nede'), 'kun hos mig'));
    expect(text).toContain('Kontakt din superbruger eller Nexusteamet');
    expect(text).toContain('4328 2020');
    expect(text).toContain('mandag 7. december kl. 8.00');
    expect(text).not.toContain('4460 5040');
  });

  it('the whole walk typed instead of tapped', async () => {
    const c = new Conversation(SATURDAY_EVENING);
    await c.send('kan ikke logge på nexus');
    await c.send('nej, den er også nede hos de andre');
    const kmd = allText(await c.send('ja'));
    expect(kmd).toContain('4460 5040');
  });

  it.each([
    ['ja', 'Virker internettet?'],
    ['nej', 'Kontakt din superbruger eller Nexusteamet'],
  ])('a bare "%s" to "Er Nexus også nede hos dine kolleger?" is taken as the question asks', async (answer, next) => {
    const c = new Conversation(SATURDAY_EVENING);
    await c.send('Nexus er nede');
    expect(allText(await c.send(answer))).toContain(next);
  });

  it('the Internet check is either the computer or the phone, not two steps', async () => {
    const c = new Conversation(SATURDAY_EVENING);
    const internet = allText(await c.press(await c.send('Nexus er nede'), 'også hos kolleger'));
    expect(internet).toMatch(/\nEnten på en computer: [^\n]*dr\.dk/);
    expect(internet).toMatch(/\nEller på en telefon: [^\n]*mobildata/);
    expect(internet).not.toMatch(/\n\d\. /);
  });

  it.each(['ingen net', 'nej, internettet virker ikke'])('typing "%s" to the Internet question answers it → IT', async (answer) => {
    const c = new Conversation(SATURDAY_EVENING);
    await c.send('Nexus er nede');
    await c.send('også kolleger');
    const it = allText(await c.send(answer));
    expect(it).toContain('Ring til IT');
    expect(it).toContain('2365 0248');
  });

  it('an unnamed system asks which system first', async () => {
    const c = new Conversation(SATURDAY_EVENING);
    const which = await c.send('det virker ikke');
    expect(allText(which)).toContain('Hvad virker ikke?');
    const scope = await c.press(which, 'Bekey');
    expect(allText(scope)).toContain('Er Bekey også nede hos dine kolleger?');
  });

  it('"Jeg har ringet til KMD" makes the caller the owner, with the driftvagt 2 hours on', async () => {
    const c = new Conversation(SATURDAY_EVENING);
    const kmd = await c.press(await c.press(await c.send('Nexus er nede'), 'også hos kolleger'), 'hjemmesiden kom frem');
    const owner = allText(await c.press(kmd, 'Jeg har ringet til KMD'));
    expect(owner).toContain('Du har nu sagen');
    expect(owner).toContain('kl. 21.40');
    expect(owner).toContain('3864 8888');
  });
});

describe('Monday morning (Nexusteam open)', () => {
  it.each([
    ['Nexus er nede', 'Nexus'],
    ['bekey virker ikke', 'Bekey'],
    ['ingen net', 'internettet'],
  ])('"%s", colleagues too → the Nexusteam, open now until 15.30', async (message, name) => {
    const c = new Conversation(MONDAY_MORNING);
    const scope = await c.send(message);
    expect(allText(scope)).toContain(`Er ${name} også nede hos dine kolleger?`);
    const text = allText(await c.press(scope, 'også hos kolleger'));
    expect(text).toContain('Ring til Nexusteamet');
    expect(text).toContain('4328 2020');
    expect(text).toContain('mailto:nexusteam@brondby.dk');
    expect(text).toContain('Nexusteamet har åbent nu, til kl. 15.30.');
    expect(text).not.toContain('4460 5040');
    expect(text).not.toContain('Virker internettet?');
  });

  it('individual problem in hours → superuser or the Nexusteam, open now', async () => {
    const c = new Conversation(MONDAY_MORNING);
    const text = allText(await c.press(await c.send('Nexus er nede'), 'kun hos mig'));
    expect(text).toContain('superbruger');
    expect(text).toContain('4328 2020');
    expect(text).toContain('har åbent nu');
  });
});

describe('anywhere in the dialog', () => {
  it('"hjælp" explains the current question and asks it again', async () => {
    const c = new Conversation(SATURDAY_EVENING);
    await c.send('Nexus er nede');
    const help = await c.send('hjælp');
    expect(allText(help)).toContain('Spørg en kollega');
    expect(allText(help)).toContain('Er Nexus også nede hos dine kolleger?');
    // …and the question still takes its answer
    expect(allText(await c.press(help, 'også hos kolleger'))).toContain('Virker internettet?');
  });

  it('"annuller" starts over; the old question no longer waits', async () => {
    const c = new Conversation(SATURDAY_EVENING);
    await c.send('Nexus er nede');
    const restart = allText(await c.send('annuller'));
    expect(restart).toContain('Vi starter forfra');
    expect(restart).toContain('Nexus er nede');
    const after = allText(await c.send('nej'));
    expect(after).not.toContain('Virker internettet?');
  });

  it('an answer it does not understand gets the question again, kindly', async () => {
    const c = new Conversation(SATURDAY_EVENING);
    await c.send('Nexus er nede');
    const retry = allText(await c.send('hvad skal jeg have til frokost'));
    expect(retry).toContain('Det forstod jeg ikke');
    expect(retry).toContain('Er Nexus også nede hos dine kolleger?');
  });

  it('a new outage mid-question starts a new triage for that system', async () => {
    const c = new Conversation(SATURDAY_EVENING);
    await c.send('Nexus er nede');
    expect(allText(await c.send('bekey er nede'))).toContain('Er Bekey også nede hos dine kolleger?');
  });

  it('contacts and hours are answered mid-question, then the question is asked again', async () => {
    const c = new Conversation(SATURDAY_EVENING);
    await c.send('Nexus er nede');
    const contacts = allText(await c.send('kontakter'));
    for (const phone of ['4328 2020', '4460 5040', '4330 0505', '2365 0248', '3864 8888']) expect(contacts).toContain(phone);
    expect(contacts).toContain('Er Nexus også nede hos dine kolleger?');
  });

  it('a button from an old card still leads to the right step', async () => {
    const c = new Conversation(SATURDAY_EVENING);
    const scope = await c.send('Nexus er nede');
    await c.send('annuller');
    expect(allText(await c.press(scope, 'også hos kolleger'))).toContain('Virker internettet?');
  });
});

describe('kind answers to odd input', () => {
  it.each([
    ['an empty message', ''],
    ['emoji only', '🔥🔥🔥'],
    ['something else entirely', 'hvad skal jeg have til frokost'],
  ])('%s gets the help card, never silence', async (_name, text) => {
    const replies = await new Conversation(SATURDAY_EVENING).send(text);
    expect(replies.length).toBeGreaterThan(0);
    expect(allText(replies)).toContain('Nexus er nede');
  });

  it('a 10,000-character message gets a "too long" answer', async () => {
    const text = allText(await new Conversation(SATURDAY_EVENING).send('Nexus er nede '.repeat(800)));
    expect(text).toContain('meget lang');
  });

  it('a forged button value gets a kind answer and the menu', async () => {
    const text = allText(await new Conversation(SATURDAY_EVENING).send({ action: 'deleteEverything' }));
    expect(text).toContain('ældre besked');
    expect(text).toContain('Nexus er nede');
  });

  it('a button with an invalid system is refused the same way', async () => {
    const text = allText(await new Conversation(SATURDAY_EVENING).send({ action: 'triage', system: 'windows' }));
    expect(text).toContain('ældre besked');
  });

  it('a language button for a language the bot does not speak is refused the same way, and changes nothing', async () => {
    const c = new Conversation(SATURDAY_EVENING);
    expect(allText(await c.send({ action: 'language', lang: 'de' }))).toContain('ældre besked');
    expect(allText(await c.send('status'))).toContain('Der er ikke meldt nogen nedbrud lige nu.');
  });
});

describe('English', () => {
  it('someone who writes English (en-GB Teams) walks the triage in English', async () => {
    const c = new Conversation(SATURDAY_EVENING, 'en-GB');
    const scope = await c.send('Nexus is down');
    expect(allText(scope)).toContain('Is Nexus down for your colleagues too?');
    const internet = await c.press(scope, 'colleagues too');
    const kmd = allText(await c.press(internet, 'website loaded'));
    expect(kmd).toContain('Call KMD support');
    expect(kmd).toContain('4460 5040');
    expect(kmd).not.toContain('Ring til');
  });
});

describe('a stored language', () => {
  const who = { id: '29:user-lang', name: 'Lene', aadObjectId: '00000000-0000-4000-8000-00000000beef' };

  it('a chosen English, as stored, holds for a status button pressed later', async () => {
    const c = new Conversation(testServices(SATURDAY_EVENING), 'da-DK', who);
    await c.world.storage.write({ [`people/${who.aadObjectId}`]: { language: { lang: 'en', chosen: true } } });
    expect(allText(await c.send({ action: 'status' }))).toContain('No outages are reported right now.');
  });

  it('a record the bot cannot read counts as none: the person is answered in Danish, not with an error', async () => {
    const c = new Conversation(testServices(SATURDAY_EVENING), 'da-DK', who);
    await c.world.storage.write({ [`people/${who.aadObjectId}`]: { language: { lang: 'sv', chosen: 'yes' } } });
    expect(allText(await c.send({ action: 'status' }))).toContain('Der er ikke meldt nogen nedbrud lige nu.');
  });
});
