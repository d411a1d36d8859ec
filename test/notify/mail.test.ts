import type { AddressInfo } from 'node:net';
import net from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock';
import { addUpdate, declare, newOutage, resolve, type Outage, type Person } from '../../src/domain/outage';
import { brondby } from '../helpers/instructions';
import { MAILTO_MAX, OutageMailer, classifySmtpError, mailFailureNotice, mailtoDraft, renderOutageMail } from '../../src/notify/mail';

const instruction = brondby;
const ALL_USERS = 'socialfv-nexus@example.org';
const PROVIDERS = 'nedbrud-care-privatelev@example.org';
const FROM = 'nedbrud@example.org';
const CPR = '010190-1234';

/** Monday 7 December 2026, 8.40 in Copenhagen (CET). */
const START = new Date('2026-12-07T07:40:00Z');
const DECLARED = new Date('2026-12-07T07:55:00Z');
const UPDATED = new Date('2026-12-07T08:30:00Z');
const RESOLVED = new Date('2026-12-07T09:05:00Z');
const ADMIN: Person = { key: 'admin-1', name: 'Nexus Admin' };

function scriptedOutage(description = `Nexus svarer ikke. Borger ${CPR} <script>alert(1)</script> & "citat"`): Outage {
  const o = newOutage({ id: 'nexus-202612070740-abcd1234', system: 'nexus', status: 'active', start: START, at: START });
  return declare(o, { description, start: START, expected: 'kl. 12 <i>ca.</i>', by: ADMIN, at: DECLARED });
}

import { dataFailures, rcptFailures, received, server } from '../helpers/smtp';

let smtpUrl = '';
const logger = pino({ level: 'silent' });
const clock = new ManualClock(DECLARED);

function mailer(overrides: Partial<ConstructorParameters<typeof OutageMailer>[0]> = {}): OutageMailer {
  return new OutageMailer({ smtpUrl, from: FROM, to: [ALL_USERS, PROVIDERS], logger, clock, retry: { attempts: 3, baseDelayMs: 5 }, ...overrides });
}

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  smtpUrl = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(resolve));
});
beforeEach(() => {
  received.length = 0;
  rcptFailures.clear();
  dataFailures.clear();
});

describe('renderOutageMail', () => {
  it('announcement: plain subject, the facts in text and HTML, contacts with links, CPR masked, user text escaped', () => {
    const mail = renderOutageMail('announcement', scriptedOutage(), {}, instruction, DECLARED);
    expect(mail.subject).toBe('Nedbrud: Nexus er nede — siden kl. 8.40');
    expect(mail.text).toContain('Nede siden mandag 7. december kl. 8.40.');
    expect(mail.text).toContain('Nexus svarer ikke.');
    expect(mail.text).toContain('Forventes at virke igen: kl. 12 <i>ca.</i>');
    expect(mail.text).toContain('Nexusteamet har sagen');
    expect(mail.text).toContain('Nexusteamet: 4328 2020, nexusteam@brondby.dk');
    expect(mail.text).toContain('KMD-support: 4460 5040');
    expect(mail.text).toContain('Brøndby IT: 2365 0248');
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;citat&quot;');
    expect(mail.html).toContain('kl. 12 &lt;i&gt;ca.&lt;/i&gt;');
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('<a href="tel:+4543282020">4328 2020</a>');
    expect(mail.html).toContain('<a href="tel:+4544605040">4460 5040</a>');
    expect(mail.html).toContain('<a href="mailto:nexusteam@brondby.dk">nexusteam@brondby.dk</a>');
    for (const s of [mail.subject, mail.text, mail.html]) expect(s).not.toContain(CPR);
    expect(mail.text).toContain('******-****');
    expect(mail.html).toContain('******-****');
  });

  it('the subject gives the date when the outage began on another day', () => {
    const mail = renderOutageMail('announcement', scriptedOutage(), {}, instruction, new Date('2026-12-08T07:00:00Z'));
    expect(mail.subject).toBe('Nedbrud: Nexus er nede — siden mandag 7. december kl. 8.40');
  });

  it('update: the update first, its text in the subject (masked, one line, shortened)', () => {
    const text = `Opdatering fra KMD: fejlen er fundet; 0101901234 nævnt.\nNy melding kl. 11.`;
    const o = addUpdate(scriptedOutage(), { id: 'u1', at: UPDATED.toISOString(), by: ADMIN, text });
    const mail = renderOutageMail('update', o, {}, instruction, UPDATED);
    expect(mail.subject.startsWith('Opdatering: Nexus — Opdatering fra KMD: fejlen er fundet;')).toBe(true);
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.subject).not.toContain('0101901234');
    expect(mail.subject.length).toBeLessThanOrEqual(100);
    expect(mail.text.indexOf('Opdatering mandag 7. december kl. 9.30: Opdatering fra KMD')).toBeGreaterThan(0);
    expect(mail.text).toContain('**********');
    expect(mail.html).toContain('Ny melding kl. 11.');
    expect(mail.html).toMatch(/fundet; \*{10} nævnt\.<br>Ny melding/);
    const explicit = renderOutageMail('update', o, { updateText: 'Kort besked' }, instruction, UPDATED);
    expect(explicit.subject).toBe('Opdatering: Nexus — Kort besked');
  });

  it('announcement and update carry how to keep working (private providers on the list have no bot), after the contacts', () => {
    for (const kind of ['announcement', 'update'] as const) {
      const mail = renderOutageMail(kind, scriptedOutage(), {}, instruction, DECLARED);
      expect(mail.text).toContain('Imens: sådan arbejder du videre');
      const nexus = instruction.systems.find((x) => x.id === 'nexus');
      for (const w of instruction.worthKnowing.filter((x) => nexus?.worthKnowing.includes(x.id))) expect(mail.text, w.id).toContain(w.text.da);
      expect(mail.text).toContain('https://fmk-online.dk/fmk/');
      expect(mail.text.indexOf('Imens')).toBeGreaterThan(mail.text.indexOf('KMD-support: 4460 5040'));
      expect(mail.html).toContain('Imens: sådan arbejder du videre');
    }
    // Bekey's own facts (8 hours), not Nexus's
    const bekey = renderOutageMail('announcement', { ...scriptedOutage(), system: 'bekey' }, {}, instruction, DECLARED);
    expect(bekey.text).toContain('8 timer');
    expect(bekey.text).not.toContain('fmk-online');
  });

  it('all-clear: "Løst: Nexus virker igen", since and until, paper notes, contacts', () => {
    const o = resolve(scriptedOutage(), ADMIN, RESOLVED);
    const mail = renderOutageMail('allclear', o, {}, instruction, RESOLVED);
    expect(mail.subject).toBe('Løst: Nexus virker igen — fra kl. 10.05');
    expect(mail.text).toContain('Virker igen fra mandag 7. december kl. 10.05 (nede siden mandag 7. december kl. 8.40).');
    expect(mail.text).toContain('papirnoter');
    expect(mail.text).toContain('4328 2020');
    expect(mail.html).toContain('Løst: Nexus virker igen');
  });

  it('a Bekey outage lists Bekey support instead of KMD', () => {
    const o = declare(newOutage({ id: 'bekey-1', system: 'bekey', status: 'active', start: START, at: START }), {
      description: null,
      start: START,
      expected: null,
      by: ADMIN,
      at: DECLARED,
    });
    const mail = renderOutageMail('announcement', o, {}, instruction, DECLARED);
    expect(mail.subject).toBe('Nedbrud: Bekey er nede — siden kl. 8.40');
    expect(mail.text).toContain('Bekey-support: 4330 0505');
    expect(mail.text).not.toContain('4460 5040');
  });
});

describe('OutageMailer against an SMTP server on loopback', () => {
  it('mails the announcement to both lists, one message each, with subject, text and HTML', async () => {
    const mail = renderOutageMail('announcement', scriptedOutage(), {}, instruction, DECLARED);
    const result = await mailer().send(mail);
    expect(result).toMatchObject({ delivered: true, attempts: 2 });
    expect(result.permanent).toBeUndefined();
    expect(received.map((r) => r.rcptTo).sort()).toEqual([[PROVIDERS], [ALL_USERS]]);
    for (const r of received) {
      expect(r.mailFrom).toBe(FROM);
      expect(r.mail.from).toContain(FROM);
      expect(r.mail.to).toBe(r.rcptTo[0]);
      expect(r.mail.subject).toBe('Nedbrud: Nexus er nede — siden kl. 8.40');
      expect(r.mail.text).toContain('Nexus svarer ikke.');
      expect(r.mail.text).toContain('Nede siden mandag 7. december kl. 8.40.');
      expect(r.mail.text).toContain('4328 2020');
      expect(r.mail.text).toContain('4460 5040');
      expect(r.mail.html).toContain('Nexus svarer ikke.');
      expect(r.mail.html).toContain('<a href="tel:+4544605040">4460 5040</a>');
      expect(r.mail.html).toContain('&lt;script&gt;');
      // No unmasked CPR anywhere: decoded bodies, subject, and the raw message.
      for (const s of [r.raw, r.mail.subject, r.mail.text, r.mail.html]) {
        expect(s).not.toContain(CPR);
        expect(s).not.toContain('0101901234');
      }
      expect(r.mail.text).toContain('******-****');
    }
  });

  it('retries a temporary refusal (451 on RCPT) and delivers exactly once', async () => {
    rcptFailures.set(ALL_USERS, [451]);
    const result = await mailer().send(renderOutageMail('announcement', scriptedOutage(), {}, instruction, DECLARED));
    expect(result.delivered).toBe(true);
    expect(result.recipients.find((r) => r.to === ALL_USERS)).toMatchObject({ delivered: true, attempts: 2 });
    expect(result.recipients.find((r) => r.to === PROVIDERS)).toMatchObject({ delivered: true, attempts: 1 });
    expect(result.attempts).toBe(3);
    expect(received.filter((r) => r.rcptTo.includes(ALL_USERS))).toHaveLength(1);
    expect(received.filter((r) => r.rcptTo.includes(PROVIDERS))).toHaveLength(1);
  });

  it('retries a temporary refusal of the message (451 after DATA)', async () => {
    dataFailures.set(PROVIDERS, [451, 452]);
    const result = await mailer().send(renderOutageMail('allclear', resolve(scriptedOutage(), ADMIN, RESOLVED), {}, instruction, RESOLVED));
    expect(result.delivered).toBe(true);
    expect(result.recipients.find((r) => r.to === PROVIDERS)).toMatchObject({ delivered: true, attempts: 3 });
    expect(received.filter((r) => r.rcptTo.includes(PROVIDERS))).toHaveLength(1);
    expect(received[0]?.mail.subject).toBe('Løst: Nexus virker igen — fra kl. 10.05');
  });

  it('gives up after the last try and says it was temporary', async () => {
    rcptFailures.set(ALL_USERS, [451, 451, 451, 451]);
    const result = await mailer().send(renderOutageMail('announcement', scriptedOutage(), {}, instruction, DECLARED));
    expect(result.delivered).toBe(false);
    expect(result.permanent).toBeUndefined();
    expect(result.recipients.find((r) => r.to === ALL_USERS)).toMatchObject({ delivered: false, permanent: false, attempts: 3 });
    expect(result.error).toContain('451');
    expect(received.map((r) => r.rcptTo)).toEqual([[PROVIDERS]]);
  });

  it('does not retry a permanent refusal (550), reports it, and still mails the other list', async () => {
    rcptFailures.set(PROVIDERS, [550, 550]);
    const o = scriptedOutage();
    const result = await mailer().send(renderOutageMail('announcement', o, {}, instruction, DECLARED));
    expect(result).toMatchObject({ delivered: false, permanent: true });
    expect(result.recipients.find((r) => r.to === PROVIDERS)).toMatchObject({ delivered: false, permanent: true, attempts: 1 });
    expect(rcptFailures.get(PROVIDERS)).toEqual([550]);
    expect(received.map((r) => r.rcptTo)).toEqual([[ALL_USERS]]);
    const notice = mailFailureNotice(instruction, 'announcement', o, result);
    expect(notice).toContain(PROVIDERS);
    expect(notice).toContain('550');
    expect(notice).toContain('afviste');
    expect(notice).not.toContain(ALL_USERS);
  });

  it('retries when the server cannot be reached, then reports a temporary failure', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const sleeps: number[] = [];
    const m = mailer({
      smtpUrl: `smtp://127.0.0.1:${port}`,
      to: [ALL_USERS],
      retry: { attempts: 3, baseDelayMs: 100 },
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    const result = await m.send(renderOutageMail('announcement', scriptedOutage(), {}, instruction, DECLARED));
    expect(result).toMatchObject({ delivered: false, attempts: 3 });
    expect(result.permanent).toBeUndefined();
    expect(result.error).toMatch(/ECONNREFUSED|ESOCKET|ECONNECTION/);
    // Exponential backoff with jitter: 50–100 ms, then 100–200 ms.
    expect(sleeps).toHaveLength(2);
    expect(sleeps[0]).toBeGreaterThanOrEqual(50);
    expect(sleeps[0]).toBeLessThanOrEqual(100);
    expect(sleeps[1]).toBeGreaterThanOrEqual(100);
    expect(sleeps[1]).toBeLessThanOrEqual(200);
  });
});

describe('classifySmtpError', () => {
  it('4xx and 503 are temporary, other 5xx permanent, connection errors temporary, bad envelopes permanent', () => {
    expect(classifySmtpError({ responseCode: 421, message: 'x' }).permanent).toBe(false);
    expect(classifySmtpError({ responseCode: 452, message: 'x' }).permanent).toBe(false);
    expect(classifySmtpError({ responseCode: 503, message: 'x' }).permanent).toBe(false);
    expect(classifySmtpError({ responseCode: 550, message: 'x' }).permanent).toBe(true);
    expect(classifySmtpError({ responseCode: 554, message: 'x' }).permanent).toBe(true);
    expect(classifySmtpError({ code: 'ECONNECTION', message: 'closed' }).permanent).toBe(false);
    expect(classifySmtpError({ code: 'ETIMEDOUT', message: 'timeout' }).permanent).toBe(false);
    expect(classifySmtpError({ code: 'EENVELOPE', message: 'No recipients defined' }).permanent).toBe(true);
    expect(classifySmtpError(new Error(`boom ${CPR}`)).summary).not.toContain(CPR);
  });
});

describe('mailtoDraft', () => {
  it('addresses both lists, carries the subject and body URL-encoded, masked', () => {
    const url = mailtoDraft(scriptedOutage(), instruction, [ALL_USERS, PROVIDERS], DECLARED);
    expect(url.startsWith(`mailto:${ALL_USERS},${PROVIDERS}?subject=`)).toBe(true);
    expect(url).not.toMatch(/[\s<>"]/);
    expect(url).toContain('%0D%0A');
    const query = new URLSearchParams(url.slice(url.indexOf('?') + 1).replace(/\+/g, '%2B'));
    expect(query.get('subject')).toBe('Nedbrud: Nexus er nede — siden kl. 8.40');
    const body = query.get('body') ?? '';
    expect(body).toContain('Nede siden mandag 7. december kl. 8.40.');
    expect(body).toContain('4328 2020');
    expect(body).toContain('<script>'); // plain text in a mail draft: not HTML, nothing to escape
    expect(body).not.toContain('Svar ikke'); // a person sends the draft: no "sent by the bot" footer
    expect(url).not.toContain(CPR);
    expect(decodeURIComponent(url)).not.toContain(CPR);
    expect(url.length).toBeLessThanOrEqual(MAILTO_MAX);
  });

  it('stays under the limit with a long description (shortened with …)', () => {
    const long = `${'Æøå og lange forklaringer om fejlen. '.repeat(40)}${CPR}`;
    const url = mailtoDraft(scriptedOutage(long), instruction, [ALL_USERS, PROVIDERS], DECLARED);
    expect(url.length).toBeLessThanOrEqual(MAILTO_MAX);
    expect(url.length).toBeGreaterThan(MAILTO_MAX - 40);
    const body = decodeURIComponent(url.slice(url.indexOf('&body=') + 6));
    expect(body.endsWith('\r\n…')).toBe(true);
    expect(body.startsWith('Nedbrud: Nexus er nede')).toBe(true);
  });
});
