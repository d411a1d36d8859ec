import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

/** A recording SMTP server on loopback, and a minimal MIME reader for what nodemailer writes. */

// -- a minimal MIME reader (nodemailer writes quoted-printable or base64 parts) ---------

function decodeQp(text: string): string {
  const soft = text.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    const c = soft[i] ?? '';
    const hex = soft.slice(i + 1, i + 3);
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function decodeWords(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[QqBb]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_m, _charset: string, enc: string, data: string) =>
      enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : decodeQp(data.replace(/_/g, ' ')),
    );
}

function splitHead(raw: string): { headers: Map<string, string>; body: string } {
  const at = raw.indexOf('\r\n\r\n');
  const head = at < 0 ? raw : raw.slice(0, at);
  const body = at < 0 ? '' : raw.slice(at + 4);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function decodeBody(headers: Map<string, string>, body: string): string {
  const cte = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  if (cte === 'quoted-printable') return decodeQp(body);
  if (cte === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return body;
}

export interface ParsedMail {
  readonly subject: string;
  readonly from: string;
  readonly to: string;
  readonly text: string;
  readonly html: string;
}

export function parseMail(raw: string): ParsedMail {
  const { headers, body } = splitHead(raw);
  const type = headers.get('content-type') ?? '';
  let text = '';
  let html = '';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  const parts = boundary ? body.split(`--${boundary}`).slice(1, -1) : [body];
  for (const part of parts) {
    const p = boundary ? splitHead(part.replace(/^\r\n/, '')) : { headers, body };
    const partType = p.headers.get('content-type') ?? '';
    const decoded = decodeBody(p.headers, p.body.replace(/\r\n$/, ''));
    if (partType.startsWith('text/html')) html = decoded;
    else if (partType.startsWith('text/plain')) text = decoded;
  }
  return { subject: decodeWords(headers.get('subject') ?? ''), from: headers.get('from') ?? '', to: headers.get('to') ?? '', text, html };
}

// -- a recording SMTP server on loopback ------------------------------------------------

export interface Received {
  readonly mailFrom: string;
  readonly rcptTo: string[];
  readonly raw: string;
  readonly mail: ParsedMail;
}

export const received: Received[] = [];
/** Next replies for RCPT TO per address (codes; consumed in order), and for DATA per first recipient. */
export const rcptFailures = new Map<string, number[]>();
export const dataFailures = new Map<string, number[]>();

function smtpError(code: number): Error {
  return Object.assign(new Error(code >= 500 ? 'Mailbox unavailable' : 'Try again later'), { responseCode: code });
}

export const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onRcptTo(address: SMTPServerAddress, _session, callback) {
    const code = rcptFailures.get(address.address)?.shift();
    callback(code ? smtpError(code) : null);
  },
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const rcptTo = session.envelope.rcptTo.map((r) => r.address);
      const code = dataFailures.get(rcptTo[0] ?? '')?.shift();
      if (code) return callback(smtpError(code));
      const raw = Buffer.concat(chunks).toString('utf8');
      const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
      received.push({ mailFrom, rcptTo, raw, mail: parseMail(raw) });
      callback(null);
    });
  },
});

