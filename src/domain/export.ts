import { formatInTimeZone } from 'date-fns-tz';
import { maskCpr } from './cpr';
import type { EventKind, Outage, TimelineEvent } from './outage';
import { COPENHAGEN, formatDate, formatTime, localDate } from './time';
import type { Instruction } from '../instruction/schema';
import { systemTitle } from './systems';
import type { Language, SystemId } from './types';

/** An entry of the history index (`outages/history`, src/store/outages.ts HistoryEntry). */
export interface HistoryItem {
  readonly id: string;
  readonly system: SystemId;
  readonly start: string;
  readonly resolvedAt: string | null;
}

/**
 * An outage's timeline for the review afterwards ("eksport"), and the last days'
 * outages ("historik"). Pure: no clock, no storage. Times are Copenhagen local
 * time ("2026-12-07 08:40"); every text is passed through maskCpr again (the
 * outage service masked it before storing; this is defence in depth).
 */

const EVENT_NAMES: Record<Language, Record<EventKind, string>> = {
  da: {
    reported: 'Meldt',
    suspected: 'Mistanke om nedbrud',
    declared: 'Meldt ud af Nexusteamet',
    confirmed: 'Bekræftet',
    owned: 'Har sagen',
    updated: 'Opdatering',
    announced: 'Sendt til kanal',
    worksAgain: 'Virker igen for',
    resolved: 'Løst',
    escalated: 'Påmindelse om driftvagten',
    escalationAcknowledged: 'Driftvagten underrettet',
    driftvagtToldUp: 'Driftvagten fik besked om, at Nexus virker',
    dutyClaimed: 'Påtog sig at ringe til driftvagten',
  },
  en: {
    reported: 'Reported',
    suspected: 'Suspected outage',
    declared: 'Announced by the Nexus team',
    confirmed: 'Confirmed',
    owned: 'Owns the case',
    updated: 'Update',
    announced: 'Posted to channel',
    worksAgain: 'Works again for',
    resolved: 'Resolved',
    escalated: 'Reminder about the driftvagt',
    escalationAcknowledged: 'Driftvagt informed',
    driftvagtToldUp: 'Driftvagt told that Nexus works',
    dutyClaimed: 'Took the call to the driftvagt',
  },
};

/** Whom the owner called ("Jeg har ringet til …"). */
const CALLED: Record<Language, Record<string, string>> = {
  da: { kmd: 'ringede til KMD', bekey: 'ringede til Bekey', it: 'ringede til IT' },
  en: { kmd: 'called KMD', bekey: 'called Bekey', it: 'called IT' },
};

const ANNOUNCEMENT_KINDS: Record<Language, Record<string, string>> = {
  da: {
    announcement: 'meddelelse til personalet',
    'owner-notice': 'besked til personalet om, at den, der ringede, har sagen',
    claim: 'spørgsmål til en, der meldte det: kan du ringe til driftvagten?',
    suspected: 'mistanke til Nexusteamet',
    escalation: 'påmindelse om driftvagten',
    backUp: 'besked om at give driftvagten besked',
  },
  en: {
    announcement: 'announcement to staff',
    'owner-notice': 'notice to staff that the caller owns the case',
    claim: 'question to a reporter: can you call the driftvagt?',
    suspected: 'suspicion to the Nexus team',
    escalation: 'reminder about the driftvagt',
    backUp: 'reminder to tell the driftvagt',
  },
};

const STATUS: Record<Language, Record<Outage['status'], string>> = {
  da: { suspected: 'Mistanke (ikke bekræftet)', active: 'Aktivt', resolved: 'Løst' },
  en: { suspected: 'Suspected (not confirmed)', active: 'Active', resolved: 'Resolved' },
};

/** "2026-12-07 08:40", Copenhagen local time (independent of the host's zone). */
export function localStamp(at: Date | string): string {
  return formatInTimeZone(typeof at === 'string' ? new Date(at) : at, COPENHAGEN, 'yyyy-MM-dd HH:mm');
}

const mask = (text: string) => maskCpr(text).text;

/** The event's name in a language. */
export function eventName(kind: EventKind, lang: Language): string {
  return EVENT_NAMES[lang][kind];
}

/** The event's text, readable: counts, rounds and corrected times spelled out; masked. */
export function eventText(e: TimelineEvent, lang: Language): string {
  const text = e.text ?? '';
  switch (e.kind) {
    case 'suspected':
      return text ? (lang === 'da' ? `${text} meldinger` : `${text} reports`) : '';
    case 'announced':
      return ANNOUNCEMENT_KINDS[lang][text] ?? mask(text);
    case 'escalated':
      return text ? (lang === 'da' ? `runde ${text}` : `round ${text}`) : '';
    case 'owned':
      if (text === 'handover') return lang === 'da' ? 'overtaget før lukketid' : 'taken over before closing';
      return CALLED[lang][text] ?? mask(text);
    default:
      return mask(text);
  }
}

/** Duration between two instants: "1 t 25 min", "45 min", "2 d 3 t" (da) / "1 h 25 min" (en). */
export function formatDuration(ms: number, lang: Language): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  const hour = lang === 'da' ? 't' : 'h';
  const parts: string[] = [];
  if (d > 0) parts.push(`${d} d`);
  if (h > 0) parts.push(`${h} ${hour}`);
  if (m > 0 || parts.length === 0) parts.push(`${m} min`);
  return parts.slice(0, 2).join(' ');
}

// -- Markdown -----------------------------------------------------------------

/** Text safe inside a Markdown table cell: one line, pipes and HTML escaped. */
function mdCell(text: string): string {
  return mask(text)
    .replace(/\r\n?|\n/g, ' ')
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .trim();
}

/** Text safe on a Markdown line (not in a table). */
function mdText(text: string): string {
  return mask(text)
    .replace(/\r\n?|\n/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]#|])/g, '\\$1')
    .trim();
}

function ownerText(o: Outage, lang: Language): string | null {
  if (o.owner?.kind === 'nexusteam') return lang === 'da' ? 'Nexusteamet' : 'The Nexus team';
  if (o.owner?.kind === 'person') return o.owner.person.name;
  return null;
}

/** One outage as Markdown: the facts, then the timeline as a table, in the order the events happened to be recorded. */
export function timelineMarkdown(instruction: Instruction, o: Outage, lang: Language): string {
  const da = lang === 'da';
  const system = systemTitle(instruction, o.system, lang);
  const start = new Date(o.start);
  const year = localStamp(start).slice(0, 4);
  const title = da ? `Nedbrud: ${system}, ${formatDate(start, 'da')} ${year}` : `Outage: ${system}, ${formatDate(start, 'en')} ${year}`;
  const facts: [string, string][] = [
    [da ? 'Id' : 'Id', o.id],
    [da ? 'Status' : 'Status', STATUS[lang][o.status]],
    [da ? 'Nede siden' : 'Down since', localStamp(start)],
  ];
  if (o.resolved) {
    facts.push([da ? 'Løst' : 'Resolved', localStamp(o.resolved.at)]);
    facts.push([da ? 'Varighed' : 'Duration', formatDuration(Date.parse(o.resolved.at) - start.getTime(), lang)]);
  }
  if (o.description) facts.push([da ? 'Beskrivelse' : 'Description', o.description]);
  if (o.expected) facts.push([da ? 'Forventet' : 'Expected', o.expected]);
  const owner = ownerText(o, lang);
  if (owner) facts.push([da ? 'Har sagen' : 'Owner', owner]);
  facts.push([da ? 'Meldinger' : 'Reports', String(o.reports.length)]);
  if (o.updates.length > 0) facts.push([da ? 'Opdateringer' : 'Updates', String(o.updates.length)]);
  if (o.escalation?.acknowledged) {
    facts.push([da ? 'Driftvagten underrettet' : 'Driftvagt informed', `${localStamp(o.escalation.acknowledged.at)} (${o.escalation.acknowledged.by.name})`]);
  }
  const header = da ? '| Tidspunkt | Hændelse | Af | Tekst |' : '| Time | Event | By | Text |';
  const rows = o.timeline.map(
    (e) => `| ${localStamp(e.at)} | ${mdCell(eventName(e.kind, lang))} | ${mdCell(e.by?.name ?? '')} | ${mdCell(eventText(e, lang))} |`,
  );
  const note = da
    ? '_Tider er dansk tid (Europe/Copenhagen). Numre, der ligner CPR-numre, er skjult._'
    : '_Times are Danish time (Europe/Copenhagen). Numbers that look like CPR numbers are hidden._';
  return [
    `# ${mdText(title)}`,
    '',
    ...facts.map(([k, v]) => `- **${k}:** ${mdText(v)}`),
    '',
    da ? '## Tidslinje' : '## Timeline',
    '',
    header,
    '|---|---|---|---|',
    ...rows,
    '',
    note,
    '',
  ].join('\n');
}

// -- CSV ------------------------------------------------------------------------

export const CSV_BOM = '\uFEFF';
export const CSV_HEADER = 'tidspunkt;hændelse;af;tekst';

/**
 * One CSV field for Danish Excel: quoted when it holds ; " CR LF or edge spaces
 * (quotes doubled), and a leading = + - @ tab or CR neutralised with an
 * apostrophe so Excel never runs it as a formula (CSV injection).
 */
export function csvField(value: string, userText = true): string {
  let v = userText ? mask(value) : value;
  if (userText && /^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return /[;"\r\n]|^\s|\s$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The timeline as CSV: UTF-8 BOM, semicolons, CRLF, header `tidspunkt;hændelse;af;tekst`, one row per event in order. */
export function timelineCsv(o: Outage): string {
  const rows = o.timeline.map((e) =>
    [csvField(localStamp(e.at), false), csvField(eventName(e.kind, 'da')), csvField(e.by?.name ?? ''), csvField(eventText(e, 'da'))].join(';'),
  );
  return `${CSV_BOM}${[CSV_HEADER, ...rows].join('\r\n')}\r\n`;
}

// -- History ----------------------------------------------------------------------

export interface HistoryLine {
  readonly id: string;
  readonly system: SystemId;
  /** "Nexus: mandag 7. december kl. 8.40 – kl. 10.05 (1 t 25 min)". */
  readonly text: string;
}

/**
 * "historik": the outages that ended (or, never resolved, started) within the
 * last `days` days before `now`, newest first, one line each.
 */
export function historyLines(instruction: Instruction, entries: readonly HistoryItem[], now: Date, days = 30, lang: Language = 'da'): HistoryLine[] {
  const from = now.getTime() - days * 86_400_000;
  const ended = (e: HistoryItem): number => Date.parse(e.resolvedAt ?? e.start);
  return entries
    .filter((e) => {
      const t = ended(e);
      return !Number.isNaN(t) && t >= from && t <= now.getTime() + 60_000;
    })
    .sort((a, b) => ended(b) - ended(a))
    .map((e) => {
      const start = new Date(e.start);
      const system = systemTitle(instruction, e.system, lang);
      const since = `${formatDate(start, lang)} ${formatTime(start, lang)}`;
      if (!e.resolvedAt) return { id: e.id, system: e.system, text: lang === 'da' ? `${system}: ${since} (ikke meldt løst)` : `${system}: ${since} (not marked resolved)` };
      const end = new Date(e.resolvedAt);
      const until = localDate(end) === localDate(start) ? formatTime(end, lang) : `${formatDate(end, lang)} ${formatTime(end, lang)}`;
      return { id: e.id, system: e.system, text: `${system}: ${since} – ${until} (${formatDuration(end.getTime() - start.getTime(), lang)})` };
    });
}
