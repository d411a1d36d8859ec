import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock';
import { maskCpr } from '../domain/cpr';
import { latestUpdate, type Outage } from '../domain/outage';
import { formatDate, formatPhone, formatTime, localDate } from '../domain/time';
import { findSystem, systemTitle } from '../domain/systems';
import type { SystemId } from '../domain/types';
import type { Contact, ContactId, Instruction } from '../instruction/schema';
import { backoffMs } from '../lib/backoff';
import { sleep } from '../lib/sleep';
import { telUri } from '../lib/tel';

/**
 * Mail to the two mailing lists (DESIGN.md: "post the announcement and updates to
 * staff channels (and mail the two lists)"): the announcement, each update and the
 * all-clear, rendered as a plain subject, a text body and an HTML body with the
 * same facts as the Teams card, and sent with nodemailer over SMTP.
 *
 * Privacy: every string that goes into a mail passes through maskCpr, both the
 * user's texts one by one and the finished subject and bodies, although the
 * outage service already masked them before storing (defence in depth). The
 * owner's name is not mailed: the lists reach external providers, and the name
 * adds nothing a reader needs.
 *
 * Times in a mail are absolute ("mandag 7. december kl. 8.40"): a mail is read
 * later than a card, and "i dag" would be wrong by then. The subject drops the
 * date when the moment is on the day the mail is sent ("siden kl. 8.40").
 */

export type MailKind = 'announcement' | 'update' | 'allclear';

export interface RenderedMail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export interface MailExtra {
  /** The update's text (kind 'update'); default: the outage's latest update. */
  readonly updateText?: string | undefined;
  /** When the update was written (kind 'update'); default: the latest update's time, else now. */
  readonly updateAt?: Date | undefined;
}

const SUBJECT_TEXT_MAX = 70;

/** Removes control characters (keeps line breaks when asked) and masks CPR-like numbers. */
function clean(text: string, keepLines = false): string {
  const stripped = keepLines
    ? text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, '')
    : text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return maskCpr(stripped.trim()).text;
}

/** One line for a subject: no line breaks, at most `max` characters (cut at a word when possible). */
function oneLine(text: string, max: number): string {
  const flat = clean(text).replace(/\s+/g, ' ');
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));
}

/** A moment in full, Copenhagen time: "mandag 7. december kl. 8.40". */
function fullMoment(at: Date): string {
  return `${formatDate(at, 'da')} ${formatTime(at, 'da')}`;
}

/** A moment for a subject: "kl. 8.40" on the day of sending, else in full. */
function subjectMoment(at: Date, now: Date): string {
  return localDate(at) === localDate(now) ? formatTime(at, 'da') : fullMoment(at);
}

interface ContactLine {
  readonly name: string;
  readonly phone: string | null;
  readonly email: string | null;
}

function mailContacts(instruction: Instruction, system: SystemId): ContactLine[] {
  // The Nexusteam and IT always; between them the system's vendor (out of hours), if it has one.
  const ids: ContactId[] = ['nexusteam'];
  const vendor = findSystem(instruction, system)?.outOfHours?.contact;
  if (vendor && vendor !== 'it') ids.push(vendor);
  ids.push('it');
  return ids
    .map((id) => instruction.contacts.find((c) => c.id === id))
    .filter((c): c is Contact => c !== undefined && (c.phone !== null || c.email !== null))
    .map((c) => ({ name: c.name.da, phone: c.phone, email: c.email }));
}

/** A block of the body: a paragraph (maybe several lines) or an emphasised one. */
interface Paragraph {
  readonly text: string;
  readonly strong?: boolean;
}

interface MailModel {
  readonly subject: string;
  readonly title: string;
  readonly paragraphs: readonly Paragraph[];
  readonly contacts: readonly ContactLine[];
  /** After the contacts: how to keep working meanwhile (a mailto: draft that must be shortened loses this first). */
  readonly after?: readonly Paragraph[];
  readonly footer: string;
  readonly tone: 'attention' | 'good';
}

/** Who has the case, without staff names (the lists reach private providers too). */
function ownerSentence(o: Outage, instruction: Instruction): string | null {
  if (o.owner?.kind === 'nexusteam') return 'Nexusteamet har sagen og sender besked, når der er nyt.';
  if (o.owner?.kind === 'person') {
    const called = o.owner.contact;
    const contact = called ? instruction.contacts.find((c) => c.id === called)?.name.da : undefined;
    return contact
      ? `${contact} er kontaktet ${fullMoment(new Date(o.owner.since))}, og en kollega har sagen.`
      : `En kollega har sagen siden ${fullMoment(new Date(o.owner.since))}.`;
  }
  return null;
}

function statusParagraphs(o: Outage, instruction: Instruction): Paragraph[] {
  const out: Paragraph[] = [{ text: `Nede siden ${fullMoment(new Date(o.start))}.`, strong: true }];
  if (o.description) out.push({ text: clean(o.description, true) });
  if (o.expected) out.push({ text: `Forventes at virke igen: ${clean(o.expected)}` });
  const owner = ownerSentence(o, instruction);
  if (owner) out.push({ text: owner });
  return out;
}

/**
 * How to keep working meanwhile (Nexus Mobile offline, FMK-online, medicine,
 * Bekey's 8 hours): the instruction's worth-knowing items for the system. Private
 * providers on the list don't have the bot, so the mail is where they learn it.
 */
function keepWorking(o: Outage, instruction: Instruction): Paragraph[] {
  const applies = findSystem(instruction, o.system)?.worthKnowing ?? [];
  const items = applies.flatMap((id) => instruction.worthKnowing.filter((w) => w.id === id));
  if (items.length === 0) return [];
  return [{ text: 'Imens: sådan arbejder du videre', strong: true }, ...items.map((w) => ({ text: `${w.title.da}: ${w.text.da}` }))];
}

function doNotCall(o: Outage, instruction: Instruction): Paragraph {
  return {
    text: `Du behøver ikke ringe for at melde nedbruddet. Har du Nedbrud-botten i Teams, så skriv "${systemTitle(instruction, o.system, 'da')} er nede" til den, hvis du vil vide, hvad du skal gøre imens.`,
  };
}

function footerOf(instruction: Instruction): string {
  const team = instruction.contacts.find((c) => c.id === 'nexusteam');
  const write = team?.email ? ` Spørgsmål: skriv til ${team.email}.` : '';
  return `Sendt af Nedbrud-botten for Nexusteamet, ${instruction.document.organisation}. Svar ikke på denne mail.${write}`;
}

function model(kind: MailKind, o: Outage, extra: MailExtra, instruction: Instruction, now: Date): MailModel {
  const system = systemTitle(instruction, o.system, 'da');
  const contacts = mailContacts(instruction, o.system);
  const footer = footerOf(instruction);
  const start = new Date(o.start);
  if (kind === 'allclear') {
    const at = new Date(o.resolved?.at ?? now.toISOString());
    const paragraphs: Paragraph[] = [{ text: `Virker igen fra ${fullMoment(at)} (nede siden ${fullMoment(start)}).`, strong: true }];
    // Paper notes go into Nexus after an outage of Nexus (the instruction's first system) or of the network under it.
    const records = instruction.systems[0]?.id === o.system || findSystem(instruction, o.system)?.outOfHours === null;
    if (records) {
      paragraphs.push({ text: 'Husk at skrive papirnoter ind i Nexus. Nexus Mobile sender selv det, du har skrevet offline.' });
    }
    return {
      subject: `Løst: ${system} virker igen — fra ${subjectMoment(at, now)}`,
      title: `Løst: ${system} virker igen`,
      paragraphs,
      contacts,
      footer,
      tone: 'good',
    };
  }
  if (kind === 'update') {
    const latest = latestUpdate(o);
    const text = extra.updateText ?? latest?.text ?? '';
    const at = extra.updateAt ?? (latest ? new Date(latest.at) : now);
    const cleaned = clean(text, true);
    const paragraphs: Paragraph[] = [];
    if (cleaned) paragraphs.push({ text: `Opdatering ${fullMoment(at)}: ${cleaned}`, strong: true });
    paragraphs.push(...statusParagraphs(o, instruction), doNotCall(o, instruction));
    return {
      after: keepWorking(o, instruction),
      subject: cleaned ? `Opdatering: ${system} — ${oneLine(cleaned, SUBJECT_TEXT_MAX)}` : `Opdatering: ${system} er stadig nede`,
      title: `Opdatering: ${system} er nede`,
      paragraphs,
      contacts,
      footer,
      tone: 'attention',
    };
  }
  return {
    subject: `Nedbrud: ${system} er nede — siden ${subjectMoment(start, now)}`,
    title: `Nedbrud: ${system} er nede`,
    paragraphs: [...statusParagraphs(o, instruction), doNotCall(o, instruction)],
    after: keepWorking(o, instruction),
    contacts,
    footer,
    tone: 'attention',
  };
}

function contactText(c: ContactLine): string {
  const parts = [c.phone ? formatPhone(c.phone) : null, c.email].filter((p): p is string => p !== null);
  return `${c.name}: ${parts.join(', ')}`;
}

function textBody(m: MailModel, withFooter = true): string {
  const lines: string[] = [m.title, ''];
  for (const p of m.paragraphs) lines.push(p.text, '');
  lines.push('Kontakter:');
  for (const c of m.contacts) lines.push(`- ${contactText(c)}`);
  for (const p of m.after ?? []) lines.push('', p.text);
  if (withFooter) lines.push('', '-- ', m.footer);
  return lines.join('\n');
}

function htmlBody(m: MailModel): string {
  const colour = m.tone === 'good' ? '#107c10' : '#a4262c';
  const para = (p: Paragraph) => {
    const inner = escapeHtml(p.text).replace(/\n/g, '<br>');
    return `<p style="margin:0 0 12px 0">${p.strong ? `<strong>${inner}</strong>` : inner}</p>`;
  };
  const contact = (c: ContactLine) => {
    const links: string[] = [];
    if (c.phone) links.push(`<a href="${escapeHtml(telUri(c.phone))}">${escapeHtml(formatPhone(c.phone))}</a>`);
    if (c.email) links.push(`<a href="mailto:${escapeHtml(c.email)}">${escapeHtml(c.email)}</a>`);
    return `<li>${escapeHtml(c.name)}: ${links.join(', ')}</li>`;
  };
  return [
    '<!DOCTYPE html>',
    '<html lang="da"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
    `<title>${escapeHtml(m.subject)}</title></head>`,
    '<body style="font-family:Segoe UI,Arial,sans-serif;font-size:15px;line-height:1.4;color:#222;margin:0;padding:12px">',
    `<h1 style="font-size:20px;margin:0 0 12px 0;color:${colour}">${escapeHtml(m.title)}</h1>`,
    ...m.paragraphs.map(para),
    '<h2 style="font-size:16px;margin:16px 0 8px 0">Kontakter</h2>',
    `<ul style="margin:0 0 12px 0;padding-left:20px">${m.contacts.map(contact).join('')}</ul>`,
    ...(m.after ?? []).map(para),
    `<p style="margin:16px 0 0 0;color:#666;font-size:13px">${escapeHtml(m.footer)}</p>`,
    '</body></html>',
  ].join('\n');
}

/**
 * The mail for an announcement, an update or the all-clear of an outage. Pure:
 * `now` is when the mail is sent (it decides whether the subject needs a date).
 */
export function renderOutageMail(kind: MailKind, outage: Outage, extra: MailExtra, instruction: Instruction, now: Date): RenderedMail {
  const m = model(kind, outage, extra, instruction, now);
  return {
    subject: maskCpr(oneLine(m.subject, 200)).text,
    text: maskCpr(textBody(m)).text,
    html: maskCpr(htmlBody(m)).text,
  };
}

/** Keeps a URL under this length: Outlook and browsers drop longer mailto: links. */
export const MAILTO_MAX = 1800;

function mailtoAddress(address: string): string {
  return encodeURIComponent(address.trim()).replace(/%40/g, '@');
}

function mailtoUrl(lists: readonly string[], subject: string, body: string): string {
  const enc = (s: string) => encodeURIComponent(s.replace(/\r?\n/g, '\r\n'));
  return `mailto:${lists.map(mailtoAddress).join(',')}?subject=${enc(subject)}&body=${enc(body)}`;
}

/** Cuts text at `n` UTF-16 units without splitting a surrogate pair. */
function cutAt(text: string, n: number): string {
  let cut = text.slice(0, n);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return cut;
}

/**
 * Without SMTP, the declare card offers this: a mailto: link to both lists with
 * the announcement's subject and text body, URL-encoded, kept under MAILTO_MAX
 * characters (the body is shortened, with "…", when it would be longer).
 */
export function mailtoDraft(outage: Outage, instruction: Instruction, lists: readonly string[], now: Date = new Date(outage.start)): string {
  // A person sends the draft from their own mail program: no "sent by the bot" footer.
  const m = model('announcement', outage, {}, instruction, now);
  const mail = { subject: maskCpr(oneLine(m.subject, 200)).text, text: maskCpr(textBody(m, false)).text };
  const full = mailtoUrl(lists, mail.subject, mail.text);
  if (full.length <= MAILTO_MAX) return full;
  // The encoded length grows with the body's length: find the longest body that fits.
  let lo = 0;
  let hi = mail.text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (mailtoUrl(lists, mail.subject, `${cutAt(mail.text, mid).trimEnd()}\n…`).length <= MAILTO_MAX) lo = mid;
    else hi = mid - 1;
  }
  const shortened = mailtoUrl(lists, mail.subject, `${cutAt(mail.text, lo).trimEnd()}\n…`);
  return shortened.length <= MAILTO_MAX ? shortened : mailtoUrl(lists, mail.subject, '');
}

// ---------------------------------------------------------------------------
// Sending

export interface MailRetry {
  /** Tries per recipient list, the first included (default 4). */
  readonly attempts: number;
  /** First wait; doubled after each temporary failure, with jitter (default 2000 ms). */
  readonly baseDelayMs: number;
}

export const DEFAULT_MAIL_RETRY: MailRetry = { attempts: 4, baseDelayMs: 2000 };

export interface OutageMailerOptions {
  /** smtp://user:pass@host:port or smtps://…; the password never reaches a log line. */
  readonly smtpUrl: string;
  readonly from: string;
  /** The mailing lists' addresses (both lists). Each gets its own message. */
  readonly to: readonly string[];
  readonly logger: Logger;
  readonly clock: Clock;
  readonly retry?: Partial<MailRetry> | undefined;
  /** Waits between tries (tests may pass a faster one). */
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
  /** Connection, greeting and socket timeouts in ms (default 15 000 / 15 000 / 30 000). */
  readonly timeouts?: { readonly connection?: number; readonly greeting?: number; readonly socket?: number } | undefined;
}

export interface RecipientResult {
  readonly to: string;
  readonly delivered: boolean;
  /** The server refused the message for good (5xx): trying again will not help. */
  readonly permanent?: boolean;
  readonly error?: string;
  readonly attempts: number;
}

export interface MailSendResult {
  /** Every list got the message. */
  readonly delivered: boolean;
  /** At least one list refused it for good. */
  readonly permanent?: boolean;
  /** The first failure, in a line (SMTP code and server text; never the SMTP url). */
  readonly error?: string;
  /** SMTP transactions tried, all lists together. */
  readonly attempts: number;
  readonly recipients: readonly RecipientResult[];
}

interface SmtpFailure {
  readonly permanent: boolean;
  readonly summary: string;
}

/** Codes nodemailer gives for mistakes that another try cannot fix. */
const PERMANENT_CODES = new Set(['ECONFIG', 'EENVELOPE', 'EMESSAGE', 'ENOAUTH', 'EOAUTH2', 'EAUTH', 'EMAXRECIPIENTS', 'EREQUIRETLS', 'EFILEACCESS', 'EURLACCESS']);

/**
 * Temporary or permanent: an SMTP reply code decides (4xx and 503 temporary, 5xx
 * permanent, RFC 5321); without one (connection refused, reset, timeout, DNS) it
 * is temporary, unless nodemailer says the message itself is unusable.
 */
export function classifySmtpError(err: unknown): SmtpFailure {
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    responseCode?: unknown;
    code?: unknown;
    permanent?: unknown;
    message?: unknown;
    response?: unknown;
  };
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const text = typeof e.response === 'string' ? e.response : typeof e.message === 'string' ? e.message : String(err);
  const summary = maskCpr([responseCode, code, text.replace(/\s+/g, ' ').slice(0, 300)].filter((x) => x !== undefined).join(' ')).text;
  if (responseCode !== undefined) {
    if (typeof e.permanent === 'boolean') return { permanent: e.permanent, summary };
    return { permanent: responseCode >= 500 && responseCode !== 503, summary };
  }
  return { permanent: code !== undefined && PERMANENT_CODES.has(code), summary };
}

/**
 * Sends a rendered mail to each list as its own message (a reply-all from an
 * external provider then never reaches every Nexus user, and one list's refusal
 * does not stop the other). Temporary failures are retried with backoff; a
 * permanent one stops that list at once. `send` never throws: the result says
 * what happened, and the caller reports a failure to the Nexusteam's channels
 * (see mailFailureNotice).
 */
export class OutageMailer {
  readonly #transport: Transporter<SMTPTransport.SentMessageInfo>;
  readonly #from: string;
  readonly #to: readonly string[];
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #retry: MailRetry;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: OutageMailerOptions) {
    if (options.to.length === 0) throw new RangeError('OutageMailer: no recipient lists');
    this.#transport = nodemailer.createTransport({
      url: options.smtpUrl,
      connectionTimeout: options.timeouts?.connection ?? 15_000,
      greetingTimeout: options.timeouts?.greeting ?? 15_000,
      socketTimeout: options.timeouts?.socket ?? 30_000,
    });
    this.#from = options.from;
    this.#to = [...new Set(options.to.map((a) => a.trim()).filter(Boolean))];
    this.#logger = options.logger;
    this.#clock = options.clock;
    this.#retry = {
      attempts: Math.max(1, Math.floor(options.retry?.attempts ?? DEFAULT_MAIL_RETRY.attempts)),
      baseDelayMs: Math.max(0, options.retry?.baseDelayMs ?? DEFAULT_MAIL_RETRY.baseDelayMs),
    };
    this.#sleep = options.sleep ?? sleep;
  }

  /** The lists this mailer sends to. */
  get recipients(): readonly string[] {
    return this.#to;
  }

  async send(mail: RenderedMail): Promise<MailSendResult> {
    const results = await Promise.all(this.#to.map((to) => this.#sendTo(to, mail)));
    const failed = results.filter((r) => !r.delivered);
    const firstError = failed.find((r) => r.error !== undefined)?.error;
    return {
      delivered: failed.length === 0,
      ...(failed.some((r) => r.permanent) ? { permanent: true } : {}),
      ...(firstError !== undefined ? { error: firstError } : {}),
      attempts: results.reduce((n, r) => n + r.attempts, 0),
      recipients: results,
    };
  }

  async #sendTo(to: string, mail: RenderedMail): Promise<RecipientResult> {
    const message = {
      from: this.#from,
      to,
      subject: maskCpr(mail.subject).text,
      text: maskCpr(mail.text).text,
      html: maskCpr(mail.html).text,
      date: this.#clock.now(),
      textEncoding: 'quoted-printable' as const,
      headers: { 'Auto-Submitted': 'auto-generated' },
    };
    let last: SmtpFailure | null = null;
    for (let attempt = 1; attempt <= this.#retry.attempts; attempt++) {
      try {
        const info = await this.#transport.sendMail(message);
        if (info.rejected.length === 0) {
          if (attempt > 1) this.#logger.info({ to, attempt }, 'mail delivered after retry');
          return { to, delivered: true, attempts: attempt };
        }
        // One recipient per message, so a rejection here is that recipient's.
        const rejectedErrors = (info as { rejectedErrors?: unknown[] }).rejectedErrors ?? [];
        last = classifySmtpError(rejectedErrors[0] ?? new Error(`recipient rejected: ${info.rejected.join(', ')}`));
      } catch (err) {
        last = classifySmtpError(err);
      }
      const willRetry = !last.permanent && attempt < this.#retry.attempts;
      this.#logger.warn({ to, attempt, permanent: last.permanent, error: last.summary, willRetry }, 'mail not delivered');
      if (!willRetry) return { to, delivered: false, permanent: last.permanent, error: last.summary, attempts: attempt };
      // base · 2^(attempt−1), between half and all of it.
      await this.#sleep(backoffMs(attempt, { baseMs: this.#retry.baseDelayMs, jitter: 'equal' }));
    }
    // Not reached (the loop returns), kept for the type checker.
    return { to, delivered: false, permanent: last?.permanent ?? false, error: last?.summary ?? 'unknown', attempts: this.#retry.attempts };
  }

  /** Closes the transport's sockets (at shutdown). */
  close(): void {
    this.#transport.close();
  }
}

const KIND_NAME: Record<MailKind, string> = { announcement: 'Meddelelsen', update: 'Opdateringen', allclear: 'Meldingen om, at det er løst,' };

/**
 * The line for the Nexusteam's channels when a mail could not be delivered in
 * the end: which lists missed it and why, and what to do now.
 */
export function mailFailureNotice(instruction: Instruction, kind: MailKind, outage: Outage, result: MailSendResult): string {
  const missed = result.recipients.filter((r) => !r.delivered);
  const lists = missed.map((r) => `${r.to} (${r.error ?? 'ukendt fejl'})`).join('; ');
  const why = result.permanent ? 'Mailserveren afviste den.' : 'Mailserveren kunne ikke nås, heller ikke efter flere forsøg.';
  return maskCpr(
    `${KIND_NAME[kind]} om ${systemTitle(instruction, outage.system, 'da')} kom ikke ud som mail til: ${lists}. ${why} Send den selv fra Outlook, eller bed IT se på mailopsætningen (SMTP_URL).`,
  ).text;
}
