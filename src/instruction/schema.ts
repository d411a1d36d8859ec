import { z } from 'zod';

/**
 * The instruction as data. Every phone number, hour and sentence staff see comes
 * from a document of this shape; code never carries them. Brøndby's content is
 * bundled (brondby.json); INSTRUCTION_FILE points at another municipality's.
 */

export const LANGUAGES = ['da', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

const nonEmpty = z.string().trim().min(1, 'må ikke være tom / must not be empty');

/** A user-facing text in every supported language. */
export const textSchema = z.object({ da: nonEmpty, en: nonEmpty }).strict();
export type Text = z.infer<typeof textSchema>;

const hhmm = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a local time HH:MM (00:00–23:59)');
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'not a real calendar date');
const monthDay = z
  .string()
  .regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'expected a yearly date MM-DD');

/** Digits only; shown grouped ("4460 5040") by the formatter. */
const phone = z.string().regex(/^\+?\d{8,12}$/, 'expected a phone number of 8–12 digits without spaces');
const email = z.string().email('expected an e-mail address');

/** An id of a system or a contact: lower-case letters, digits and hyphens ("nexus", "kmd", "medicinrobot"). */
export const ID_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
const id = z.string().regex(ID_PATTERN, 'expected an id of lower-case letters, digits and "-" (at most 32)');

/**
 * The contacts the decision path itself needs, each exactly once: the Nexusteam (in
 * its hours), the superuser (a problem of one person), IT (the Internet, or a vendor
 * that says the fault is internal) and the Region's driftvagt (the 2-hour rule). Each
 * system names its own out-of-hours contact (a vendor) among the others.
 */
export const ROLE_CONTACTS = ['nexusteam', 'superuser', 'it', 'driftvagt'] as const;
/** A contact's id: one of ROLE_CONTACTS, or a vendor of the instruction ("kmd", "bekey"). */
export type ContactId = string;
/** A system's id in the instruction ("nexus", "bekey", "internet"). */
export type SystemId = string;

export const contactSchema = z
  .object({
    id,
    name: textSchema,
    /** The name in a sentence ("Når du har ringet til KMD"): the {contact} placeholder. */
    shortName: textSchema,
    role: textSchema,
    phone: phone.nullable(),
    email: email.nullable(),
    /**
     * When the contact can be reached, as the instruction says it. Not for the
     * Nexusteam: its hours are said from officeHours, so the two cannot disagree.
     */
    availability: textSchema.optional(),
  })
  .strict();
export type Contact = z.infer<typeof contactSchema>;

const interval = z
  .object({ from: hhmm, to: hhmm })
  .strict()
  .refine((i) => i.from < i.to, { message: '"from" must be before "to" on the same day' });
export type LocalInterval = z.infer<typeof interval>;

const weekly = z
  .object({
    monday: z.array(interval),
    tuesday: z.array(interval),
    wednesday: z.array(interval),
    thursday: z.array(interval),
    friday: z.array(interval),
    saturday: z.array(interval),
    sunday: z.array(interval),
  })
  .strict();
export type WeeklyHours = z.infer<typeof weekly>;

/** A date-holidays rule key → the name the instruction uses (never date-holidays' own names). */
export const holidayNameSchema = z
  .object({
    /** "MM-DD" for fixed dates, or "easter" with an offset in days. */
    fixed: monthDay.optional(),
    easterOffset: z.number().int().min(-60).max(60).optional(),
    name: textSchema,
  })
  .strict()
  .refine((h) => (h.fixed === undefined) !== (h.easterOffset === undefined), {
    message: 'give exactly one of "fixed" (MM-DD) or "easterOffset" (days)',
  });
export type HolidayName = z.infer<typeof holidayNameSchema>;

export const specialClosureSchema = z
  .object({
    /** Every year on this date. */
    date: monthDay,
    /** Closed from this local time; absent = the whole day. */
    closedFrom: hhmm.optional(),
    reason: textSchema,
  })
  .strict();

export const adhocClosureSchema = z
  .object({
    from: isoDate,
    /** Inclusive last day; absent = one day. */
    to: isoDate.optional(),
    /** Closed from this local time on the first day; absent = whole days. */
    closedFrom: hhmm.optional(),
    reason: textSchema,
  })
  .strict()
  .refine((c) => c.to === undefined || c.to >= c.from, { message: '"to" must not be before "from"' });
export type AdhocClosure = z.infer<typeof adhocClosureSchema>;

const step = textSchema;
const worthKnowingItem = z
  .object({
    id: nonEmpty,
    title: textSchema,
    text: textSchema,
    url: z.string().url().nullable(),
  })
  .strict();
export type WorthKnowingItem = z.infer<typeof worthKnowingItem>;

const mailingList = z
  .object({
    id: z.enum(['all-nexus-users', 'private-providers']),
    name: nonEmpty,
    audience: textSchema,
    maintainedBy: textSchema,
  })
  .strict();

/** One word as the recognizer reads it: lower case, letters and digits only (æøå allowed). */
const word = z.string().regex(/^[\p{Ll}\p{N}]+$/u, 'expected one lower-case word without spaces or punctuation');

/** A typo of a name still counts when the word is at least `minLength` long (and starts with / contains what is given). */
const typoSchema = z
  .object({
    of: word,
    distance: z.union([z.literal(1), z.literal(2)]),
    minLength: z.number().int().min(3),
    startsWith: word.optional(),
    containsAny: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict();
export type TypoRule = z.infer<typeof typoSchema>;

export const systemSchema = z
  .object({
    id,
    /** In a sentence: "Er {system} også nede …" ("Nexus", "internettet" / "the Internet"). */
    name: textSchema,
    /** At the start of a sentence, or as a title ("Internettet" / "The Internet"). */
    title: textSchema,
    /** How staff write about it: the recognizer's vocabulary. */
    words: z
      .object({
        /** Its names and common misspellings: naming it is reporting it ("nexsus", "bekay"). */
        names: z.array(word).min(1),
        /** Words that point at it ("døren", "forbindelsen"). */
        hints: z.array(word),
        /** Compounds and inflections that start with a name ("nexusmobil", "bekeyappen") … */
        namePrefixes: z.array(word),
        /** … or with a hint ("dørnøglen", "netværket"). */
        hintPrefixes: z.array(word),
        /** Typos of a name beyond those listed: by edit distance, for words long enough. */
        typos: z.array(typoSchema),
        /** Real words near its names that are not it ("next", "intern"). */
        notTypos: z.array(word),
      })
      .strict(),
    /**
     * Outside the Nexusteam's hours, a problem for more than one person: whom to call,
     * and what then. Null for the Internet itself: when it fails, IT is called (steps.it).
     */
    outOfHours: z
      .object({
        /** A contact of the instruction (its vendor; IT for the Internet itself). */
        contact: id,
        /** How staff name that contact when they say they called it ("jeg har ringet til KMD"). */
        words: z.array(word),
        /** The call: the card shows it as the number in large type. */
        call: z.array(step).min(1),
        /** The menu and what to say ("Mens du ringer"); may be empty. */
        whileCalling: z.array(step),
        /** What the vendor does after the call ("Efter opkaldet"); may be empty. */
        afterCall: z.array(step),
      })
      .strict()
      .nullable(),
    /** Out of hours: check the Internet before calling the vendor (the system works over it). */
    checkInternetFirst: z.boolean(),
    /** The 2-hour rule: after this long, the Region's driftvagt is told; null where no such rule applies. */
    twoHourRule: z.object({ afterMinutes: z.number().int().positive() }).strict().nullable(),
    /** The ids of the worth-knowing items shown with its outages, in the order shown. */
    worthKnowing: z.array(nonEmpty),
  })
  .strict();
export type System = z.infer<typeof systemSchema>;

export const instructionSchema = z
  .object({
    schemaVersion: z.literal(1),
    timeZone: z.literal('Europe/Copenhagen'),
    document: z
      .object({
        title: nonEmpty,
        organisation: nonEmpty,
        preparedBy: nonEmpty,
        approvedBy: nonEmpty,
        approvedOn: isoDate,
        responsible: nonEmpty,
        lastRevised: z.string().regex(/^\d{4}-\d{2}$/, 'expected YYYY-MM'),
        reviewBy: z.string().regex(/^\d{4}-\d{2}$/, 'expected YYYY-MM'),
        audience: textSchema,
        purpose: textSchema,
        goal: textSchema,
        /** Points for the next revision (e.g. the 153/155 municipality number). */
        revisionNotes: z.array(textSchema),
      })
      .strict(),
    /** The municipality's name in the bot's own texts ("fejlen er intern i Brøndby"). */
    municipality: nonEmpty,
    contacts: z
      .array(contactSchema)
      .superRefine((cs, ctx) => {
        cs.forEach((c, i) => {
          if (c.id === 'nexusteam' && c.availability) {
            ctx.addIssue({ code: 'custom', path: [i, 'availability'], message: "the Nexusteam's hours come from officeHours.weekly: give no availability" });
          }
          if (c.id !== 'nexusteam' && !c.availability) ctx.addIssue({ code: 'custom', path: [i, 'availability'], message: 'say when the contact can be reached' });
        });
      }),
    /** The systems staff report, in the order the bot offers them. */
    systems: z.array(systemSchema).min(1),
    officeHours: z
      .object({
        weekly,
        /** Public holidays: the types of date-holidays (DK) that close the Nexusteam. */
        publicHolidays: z.object({ country: z.literal('DK'), types: z.array(z.literal('public')).min(1) }).strict(),
        holidayNames: z.array(holidayNameSchema),
        specialClosures: z.array(specialClosureSchema),
        adhocClosures: z.array(adhocClosureSchema),
      })
      .strict(),
    /**
     * The steps by branch of the decision path. Placeholders: {phone:ID}, {email:ID}, {system},
     * {contact} (the short name of the contact called), {escalateAt}, {start}, {nextOpen}, {days}.
     */
    steps: z
      .object({
        checkColleague: z.array(step).min(1),
        individual: z.array(step).min(1),
        nexusteam: z.array(step).min(1),
        /** What the check is; then the ways to do it, shown as alternatives ("Enten …", "Eller …"), not in order. */
        checkInternet: z.array(step).min(1),
        checkInternetWays: z.array(step).min(2, 'give at least two ways to check the Internet (they are shown as either/or)'),
        /** Out of hours, whoever calls the vendor or IT owns the case: {contact} is the one called. */
        ownership: z.array(step).min(1),
        /** The caller's share of the 2-hour rule (systems that have it): {escalateAt}. */
        twoHourRule: z.array(step).min(1),
        /** The call to IT: the Internet is down, or a vendor says the fault is internal. */
        it: z.array(step).min(1),
        /** A vendor says the fault is internal: {contact} is the vendor called. */
        vendorSaysInternal: z.array(step).min(1),
        driftvagt: z.array(step).min(1),
        driftvagtBackUp: z.array(step).min(1),
      })
      .strict(),
    mailingLists: z.array(mailingList).length(2),
    worthKnowing: z.array(worthKnowingItem).min(1),
    homecare: z.object({ usbReminder: textSchema }).strict(),
    bilag1: z
      .object({
        description: textSchema,
        entries: z.array(z.object({ name: nonEmpty, phone }).strict()),
      })
      .strict(),
  })
  .strict()
  .superRefine((doc, ctx) => {
    // The contacts the decision path and the systems call on, each exactly once.
    const called = [...ROLE_CONTACTS, ...doc.systems.flatMap((sys) => (sys.outOfHours ? [sys.outOfHours.contact] : []))];
    for (const id of new Set(called)) {
      const n = doc.contacts.filter((c) => c.id === id).length;
      if (n !== 1) ctx.addIssue({ code: 'custom', path: ['contacts'], message: `contact "${id}" must appear exactly once (found ${n})` });
    }
    const items = new Set(doc.worthKnowing.map((w) => w.id));
    const seen = new Map<string, string>();
    doc.systems.forEach((sys, i) => {
      if (doc.systems.findIndex((o) => o.id === sys.id) !== i) ctx.addIssue({ code: 'custom', path: ['systems', i, 'id'], message: `system "${sys.id}" appears more than once` });
      if (!sys.outOfHours && sys.checkInternetFirst) {
        ctx.addIssue({ code: 'custom', path: ['systems', i, 'checkInternetFirst'], message: 'the Internet itself (outOfHours null) cannot be checked first' });
      }
      sys.worthKnowing.forEach((w, k) => {
        if (!items.has(w)) ctx.addIssue({ code: 'custom', path: ['systems', i, 'worthKnowing', k], message: `no worth-knowing item "${w}"` });
      });
      // A word names one system only, or the recognizer could not tell which was meant.
      for (const w of [...sys.words.names, ...sys.words.hints, ...(sys.outOfHours?.words ?? [])]) {
        const other = seen.get(w);
        if (other !== undefined && other !== sys.id) ctx.addIssue({ code: 'custom', path: ['systems', i, 'words'], message: `"${w}" is also a word of system "${other}"` });
        seen.set(w, sys.id);
      }
    });
    if (doc.systems.filter((sys) => !sys.outOfHours).length > 1) ctx.addIssue({ code: 'custom', path: ['systems'], message: 'only one system can be the Internet itself (outOfHours null)' });
  });

export type Instruction = z.infer<typeof instructionSchema>;
