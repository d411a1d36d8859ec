import { defaultSystem } from './systems';
import type { ContactId, Instruction, Language, SystemId, Text } from '../instruction/schema';
import type { OfficeHours } from './officeHours';
import { fillPlaceholders, fillText, type PlaceholderContext } from './text';
import { addLocalDays, formatClock, formatLocalDate, formatPhone, joinList, localDate, weekdayIndex } from './time';
import type { DayHours } from './types';

/**
 * The emergency card ("nødplakaten"): the instruction on one page, for the moment
 * Teams on the care home's PCs is down with the network. Everything on it comes from
 * the instruction (numbers, steps, KMD's menu, what to do meanwhile) and from the
 * office hours (this week and the coming closures, named); the sentences that hold
 * them together are templates here with the instruction's own placeholders, so no
 * number or hour is written in this file. Pure: the moment it is made comes in as `at`.
 *
 * The same content is printed (`npm run poster`, src/poster/) and sent as a card
 * ("plakat", src/bot/handlers/posterHandler.ts).
 */

export interface PosterContact {
  readonly id: ContactId;
  readonly name: string;
  /** Grouped the Danish way ("4460 5040"); null when the instruction gives none (the superuser). */
  readonly phone: string | null;
  readonly email: string | null;
  readonly when: string;
}

/** One answer to a question on the path, and what to do then. */
export interface PosterBranch {
  /** "Kun hos dig", "Ja, og Nexus er nede", … */
  readonly answer: string;
  /** Whom to call now, in large type; null when the answer sends you on to the next question. */
  readonly call: { readonly name: string; readonly phone: string } | null;
  /** KMD's menu and what to say, in order (numbered); empty for other branches. */
  readonly menu: readonly string[];
  readonly lines: readonly string[];
}

export interface PosterStep {
  readonly number: number;
  readonly question: string;
  readonly hints: readonly string[];
  readonly branches: readonly PosterBranch[];
}

export interface PosterDay {
  /** "mandag 7. december" */
  readonly day: string;
  /** "8.00–15.30", "Lukket", "8.00–12.00" */
  readonly hours: string;
  /** Why the day is closed or shortened (the instruction's name for it); null for an ordinary day. */
  readonly reason: string | null;
  readonly today: boolean;
}

export interface PosterContent {
  readonly lang: Language;
  readonly title: string;
  readonly subtitle: string;
  readonly organisation: string;
  readonly path: readonly PosterStep[];
  readonly contacts: { readonly heading: string; readonly items: readonly PosterContact[] };
  readonly twoHour: { readonly heading: string; readonly call: { readonly name: string; readonly phone: string } | null; readonly lines: readonly string[] };
  readonly week: { readonly heading: string; readonly days: readonly PosterDay[] };
  readonly closures: { readonly heading: string; readonly days: readonly PosterDay[]; readonly none: string };
  readonly keepWorking: { readonly heading: string; readonly items: readonly { readonly title: string; readonly text: string }[] };
  readonly chat: { readonly heading: string; readonly lines: readonly string[]; readonly link: string | null };
  /** When it was made, from which instruction (and its own dates), and when to print a new one. */
  readonly footer: readonly string[];
  /** How the Nexusteam prints it (the card's last part; not on the printed page). */
  readonly print: { readonly heading: string; readonly lines: readonly string[] };
}

export interface PosterOptions {
  readonly lang?: Language | undefined;
  /**
   * The bot's app id (MicrosoftAppId): the QR code opens the 1:1 chat with it in
   * Teams. Without it there is no link, and the poster says how to find the bot.
   */
  readonly appId?: string | undefined;
  /** How many coming closed days to list (holidays, special and ad-hoc closures). */
  readonly closures?: number | undefined;
}

/** How many coming closed days the poster lists by default (about four months around Christmas). */
export const POSTER_CLOSURES = 8;
/** How far ahead closed days are looked for. */
const CLOSURE_SEARCH_DAYS = 366;

/**
 * Microsoft's deep link to a 1:1 chat with a bot: the bot id prefixed with "28:"
 * (Teams docs, "Deep link to Teams chat"). Opens Teams on a phone, on mobile data too.
 */
export function botChatLink(appId: string): string {
  return `https://teams.microsoft.com/l/chat/0/0?users=28:${encodeURIComponent(appId)}`;
}

/**
 * The sentences around the instruction's data. Placeholders are the instruction's
 * ({phone:ID}, {email:ID}, {system}, {contact}) and the poster's own: {duration} (the
 * 2-hour rule), {date}, {time}, {title}, {revised}, {approved}, {approvedBy}, {systems}
 * (the instruction's systems, listed), {ruled} (the system with the 2-hour rule).
 */
export const POSTER_TEXTS = {
  title: { da: '{systems} er nede?', en: '{systems} is down?' },
  subtitle: {
    da: 'Sådan gør du – også når Teams og computeren ikke virker.',
    en: 'What to do – also when Teams and the computer do not work.',
  },
  q1: { da: 'Er det kun hos dig?', en: 'Is it only you?' },
  q1Only: { da: 'Kun hos mig', en: 'Only me' },
  q1Others: { da: 'Også hos kolleger', en: 'Colleagues too' },
  q2: { da: 'Har Nexusteamet åbent nu?', en: 'Is the Nexus team open now?' },
  q2Hint: { da: 'Se åbningstiderne på plakaten.', en: 'See the opening hours on this poster.' },
  q2Open: { da: 'Ja, det er i åbningstiden', en: 'Yes, within opening hours' },
  q2Closed: { da: 'Nej: aften, weekend eller helligdag', en: 'No: evening, weekend or public holiday' },
  goTo: { da: 'Gå til {next}.', en: 'Go to {next}.' },
  q3: { da: 'Virker internettet?', en: 'Does the Internet work?' },
  q3Nexus: { da: 'Ja, og {system} er nede', en: 'Yes, and {system} is down' },
  q3Down: { da: 'Nej, internettet virker ikke', en: 'No, the Internet does not work' },
  contacts: { da: 'Numre', en: 'Numbers' },
  twoHour: { da: '{ruled} nede i mere end {duration}', en: '{ruled} down for more than {duration}' },
  twoHourWho: {
    da: 'I Nexusteamets åbningstid gør Nexusteamet det. Uden for åbningstiden gør den, der ringede til {contact}, det.',
    en: 'Within the Nexus team’s hours the Nexus team does it. Out of hours whoever called {contact} does it.',
  },
  exceptHolidays: { da: 'helligdage undtaget', en: 'except public holidays' },
  week: { da: 'Nexusteamets åbningstider denne uge', en: 'The Nexus team’s hours this week' },
  closures: { da: 'Kommende helligdage og lukkedage', en: 'Coming public holidays and closures' },
  noClosures: { da: 'Ingen det næste år.', en: 'None in the coming year.' },
  closed: { da: 'Lukket', en: 'Closed' },
  keepWorking: { da: 'Imens: sådan arbejder du videre', en: 'Meanwhile: how to keep working' },
  chat: { da: 'Nedbrud i Teams på din telefon', en: 'Nedbrud in Teams on your phone' },
  chatScan: {
    da: 'Scan koden med telefonen: den åbner chatten med Nedbrud i Teams. Slå wi-fi fra, så virker det på mobildata.',
    en: 'Scan the code with your phone: it opens the chat with Nedbrud in Teams. Turn Wi-Fi off and it works on mobile data.',
  },
  chatWrite: { da: 'Skriv fx "Nexus er nede".', en: 'Write e.g. "Nexus is down".' },
  chatNoLink: {
    da: 'Find Nedbrud i Teams på din telefon: Chat, søg efter "Nedbrud". (Ingen QR-kode: plakaten er lavet uden bottens app-id.)',
    en: 'Find Nedbrud in Teams on your phone: Chat, search for "Nedbrud". (No QR code: this poster was made without the bot’s app id.)',
  },
  made: { da: 'Lavet {date} kl. {time} fra instruksen "{title}".', en: 'Made {date} at {time} from the instruction "{title}".' },
  instructionDates: {
    da: 'Instruksen er senest revideret {revised} og godkendt {approved} af {approvedBy}.',
    en: 'The instruction was last revised {revised} and approved {approved} by {approvedBy}.',
  },
  printHeading: { da: 'Sådan printer du plakaten', en: 'How to print the poster' },
  printRun: {
    da: 'Kør "npm run poster" i Nedbruds mappe. Det skriver dist/nedbrud-plakat.pdf (én A4-side) og dist/nedbrud-plakat.html.',
    en: 'Run "npm run poster" in Nedbrud\'s folder. It writes dist/nedbrud-plakat.pdf (one A4 page) and dist/nedbrud-plakat.html.',
  },
  printQr: {
    da: 'Med MicrosoftAppId sat får plakaten en QR-kode, der åbner chatten med Nedbrud i Teams på en telefon.',
    en: 'With MicrosoftAppId set the poster gets a QR code that opens the chat with Nedbrud in Teams on a phone.',
  },
  printHang: {
    da: 'Print den i farver, og hæng den ved telefonen. Print en ny, når et nummer eller en åbningstid ændres.',
    en: 'Print it in colour and put it up by the phone. Print a new one when a number or opening hours change.',
  },
  printAdhoc: {
    da: 'Lukkedage, I tilføjer med "lukket", står på dette kort, men ikke på den printede plakat.',
    en: 'Closures you add with "closed" are on this card, but not on the printed poster.',
  },
  reprint: {
    da: 'Ændres et nummer eller en åbningstid, printer Nexusteamet en ny plakat.',
    en: 'When a number or opening hours change, the Nexus team prints a new poster.',
  },
} as const satisfies Record<string, Text>;

type PosterTextKey = keyof typeof POSTER_TEXTS;

export function posterContent(instruction: Instruction, hours: OfficeHours, at: Date, options: PosterOptions = {}): PosterContent {
  const lang = options.lang ?? 'da';
  const base: PlaceholderContext = { instruction, lang, at };
  const steps = instruction.steps;
  const fill = (texts: readonly Text[], system?: SystemId, contact?: ContactId): string[] =>
    texts.map((text) => fillText(text, { ...base, system, contact }));
  // The systems whose outages have the 2-hour rule (Nexus): the first names the rule on the poster.
  const ruled = instruction.systems.find((sys) => sys.twoHourRule !== null);
  const duration = formatDuration(ruled?.twoHourRule?.afterMinutes ?? 120, lang);
  const first = defaultSystem(instruction);
  const internet = instruction.systems.find((sys) => sys.outOfHours === null)?.id;
  const own = (key: PosterTextKey, values: Record<string, string> = {}, system?: SystemId, contact?: ContactId): string =>
    fillPlaceholders(replaceOwn(POSTER_TEXTS[key][lang], { duration, ...values }), { ...base, system, contact });
  const contactOf = (id: ContactId) => {
    const c = instruction.contacts.find((x) => x.id === id);
    // The schema requires every contact id exactly once.
    if (!c) throw new Error(`the instruction has no contact "${id}"`);
    return c;
  };
  const call = (id: ContactId): { name: string; phone: string } | null => {
    const c = contactOf(id);
    return c.phone === null ? null : { name: c.name[lang], phone: formatPhone(c.phone) };
  };
  const branch = (answer: string, lines: readonly string[], callId: ContactId | null = null, menu: readonly string[] = []): PosterBranch => ({
    answer,
    call: callId === null ? null : call(callId),
    menu,
    lines,
  });

  const path: PosterStep[] = [
    {
      number: 1,
      question: own('q1'),
      hints: fill(steps.checkColleague, first),
      branches: [branch(own('q1Only'), fill(steps.individual)), branch(own('q1Others'), [own('goTo', { next: '2' })])],
    },
    {
      number: 2,
      question: own('q2'),
      hints: [own('q2Hint')],
      branches: [
        // The call line ("Ring til Nexusteamet: …") is the number in large type.
        branch(own('q2Open'), fill(steps.nexusteam).filter((line) => !isCallLine(line, contactOf('nexusteam').phone)), 'nexusteam'),
        branch(own('q2Closed'), [own('goTo', { next: '3' })]),
      ],
    },
    {
      number: 3,
      question: own('q3'),
      hints: [...fill(steps.checkInternet), ...fill(steps.checkInternetWays)],
      branches: [
        // Each system with a vendor out of hours, in the instruction's order: the call, the menu, what then.
        ...instruction.systems.flatMap((sys) => {
          const vendor = sys.outOfHours;
          if (!vendor) return [];
          const lines = [
            ...fill(vendor.afterCall, sys.id, vendor.contact),
            ...fill(steps.ownership, sys.id, vendor.contact),
            ...fill(steps.vendorSaysInternal, sys.id, vendor.contact),
          ];
          return [branch(own('q3Nexus', {}, sys.id), lines, vendor.contact, fill(vendor.whileCalling, sys.id, vendor.contact))];
        }),
        branch(own('q3Down'), fill(steps.ownership, internet ?? first, 'it'), 'it'),
      ],
    },
  ];

  const driftvagt = contactOf('driftvagt');
  const today = localDate(at);
  const monday = addLocalDays(today, -((weekdayIndex(today) + 6) % 7));
  const day = (d: DayHours): PosterDay => ({
    day: formatLocalDate(d.date, lang),
    hours: d.open.length === 0 ? own('closed') : d.open.map((i) => `${formatLocalClock(i.from, lang)}–${formatLocalClock(i.to, lang)}`).join(', '),
    reason: d.closed?.reason ?? null,
    today: d.date === today,
  });
  const coming = hours
    .days(today, CLOSURE_SEARCH_DAYS, lang)
    .filter((d) => d.closed !== null && d.closed.kind !== 'weekend')
    .slice(0, options.closures ?? POSTER_CLOSURES);
  const link = options.appId ? botChatLink(options.appId) : null;
  const doc = instruction.document;

  return {
    lang,
    // The systems as the instruction names them ("Nexus, Bekey eller internettet"), the first with a capital.
    title: capitalise(own('title', { systems: joinList(instruction.systems.map((sys) => sys.name[lang]), lang, 'or') })),
    subtitle: own('subtitle'),
    organisation: doc.organisation,
    path,
    contacts: {
      heading: own('contacts'),
      items: instruction.contacts.map((c) => ({
        id: c.id,
        name: c.name[lang],
        phone: c.phone === null ? null : formatPhone(c.phone),
        email: c.email,
        // The Nexusteam's hours from the weekly hours themselves, so they cannot disagree with the table below.
        when: c.id === 'nexusteam' ? weeklySummary(instruction, lang, own('exceptHolidays')) : (c.availability?.[lang] ?? ''),
      })),
    },
    twoHour: {
      heading: own('twoHour', { ruled: ruled?.title[lang] ?? '' }),
      call: call('driftvagt'),
      lines: [
        driftvagt.role[lang],
        own('twoHourWho', {}, ruled?.id ?? first, ruled?.outOfHours?.contact ?? 'it'),
        ...(driftvagt.email ? [driftvagt.email] : []),
        // "Sig, at Nexus … virker igen": whoever told the driftvagt tells it Nexus is back.
        ...fill(steps.driftvagtBackUp).filter((line) => !isCallLine(line, driftvagt.phone)),
      ],
    },
    week: { heading: own('week'), days: hours.days(monday, 7, lang).map(day) },
    closures: { heading: own('closures'), days: coming.map(day), none: own('noClosures') },
    keepWorking: { heading: own('keepWorking'), items: instruction.worthKnowing.map((w) => ({ title: w.title[lang], text: w.text[lang] })) },
    chat: { heading: own('chat'), lines: link ? [own('chatScan'), own('chatWrite')] : [own('chatNoLink'), own('chatWrite')], link },
    footer: [
      own('made', { date: formatLongDate(today, lang), time: formatClock(at, lang), title: doc.title }),
      own('instructionDates', { revised: formatMonth(doc.lastRevised, lang), approved: formatLongDate(doc.approvedOn, lang), approvedBy: doc.approvedBy }),
      own('reprint'),
    ],
    print: { heading: own('printHeading'), lines: [own('printRun'), own('printQr'), own('printHang'), own('printAdhoc')] },
  };
}

/** "mandag 7. december: 8.00–15.30", "torsdag 24. december: Lukket (Juleaftensdag)". */
export function dayLine(d: PosterDay): string {
  return `${d.day}: ${d.hours}${d.reason ? ` (${d.reason})` : ''}`;
}

/** A line that is only the call to a number ("Ring til Nexusteamet: 4328 2020"): the poster shows the number large instead. */
function isCallLine(line: string, phone: string | null): boolean {
  return phone !== null && line.trim().endsWith(formatPhone(phone)) && !line.includes('/');
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function replaceOwn(template: string, values: Record<string, string>): string {
  return template.replace(/\{(duration|next|date|time|title|revised|approved|approvedBy|systems|ruled)\}/g, (whole, name: string) => values[name] ?? whole);
}

/**
 * The weekly hours in one line, days with the same hours joined: "mandag 8.00–15.30,
 * tirsdag–onsdag 8.00–15.00, torsdag 8.00–18.00, fredag 8.00–13.00 (helligdage undtaget)".
 */
function weeklySummary(instruction: Instruction, lang: Language, exception: string): string {
  // 2026-11-30 is a Monday: seven local dates give the weekday names in order.
  const days = Array.from({ length: 7 }, (_, i) => addLocalDays('2026-11-30', i));
  const weekly = instruction.officeHours.weekly;
  const keys = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
  const hoursOf = (i: number): string =>
    weekly[keys[i] ?? 'sunday'].map((x) => `${formatLocalClock(x.from, lang)}–${formatLocalClock(x.to, lang)}`).join(', ');
  const groups: { first: number; last: number; hours: string }[] = [];
  days.forEach((_, i) => {
    const hours = hoursOf(i);
    const last = groups[groups.length - 1];
    if (last && last.hours === hours && last.last === i - 1) last.last = i;
    else groups.push({ first: i, last: i, hours });
  });
  const name = (i: number): string => formatLocalDate(days[i] ?? '2026-11-30', lang).split(' ')[0] ?? '';
  const parts = groups
    .filter((g) => g.hours !== '')
    .map((g) => `${name(g.first)}${g.last > g.first ? `–${name(g.last)}` : ''} ${g.hours}`);
  const line = parts.join(', ');
  return `${line.charAt(0).toUpperCase()}${line.slice(1)} (${exception}).`;
}

/** "8.00" (da) / "08:00" (en) for a local HH:MM. */
function formatLocalClock(hhmm: string, lang: Language): string {
  const [hh = '00', mm = '00'] = hhmm.split(':');
  return lang === 'da' ? `${Number(hh)}.${mm}` : `${hh}:${mm}`;
}

/** "2 timer", "1 time", "90 minutter" (da) / "2 hours", "1 hour", "90 minutes" (en). */
export function formatDuration(minutes: number, lang: Language): string {
  if (minutes % 60 === 0) {
    const h = minutes / 60;
    return lang === 'da' ? `${h} ${h === 1 ? 'time' : 'timer'}` : `${h} ${h === 1 ? 'hour' : 'hours'}`;
  }
  return lang === 'da' ? `${minutes} ${minutes === 1 ? 'minut' : 'minutter'}` : `${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`;
}

const LOCALE: Record<Language, string> = { da: 'da-DK', en: 'en-GB' };

/** "3. september 2018" (da) / "3 September 2018" (en) for a local date YYYY-MM-DD. */
function formatLongDate(localDateText: string, lang: Language): string {
  return new Intl.DateTimeFormat(LOCALE[lang], { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${localDateText}T12:00:00Z`));
}

/** "december 2021" (da) / "December 2021" (en) for YYYY-MM. */
function formatMonth(yearMonth: string, lang: Language): string {
  return new Intl.DateTimeFormat(LOCALE[lang], { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${yearMonth}-15T12:00:00Z`));
}
