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

export const CONTACT_IDS = ['nexusteam', 'superuser', 'kmd', 'bekey', 'it', 'driftvagt'] as const;
export type ContactId = (typeof CONTACT_IDS)[number];

export const SYSTEMS = ['nexus', 'bekey', 'internet'] as const;
export type SystemId = (typeof SYSTEMS)[number];

export const contactSchema = z
  .object({
    id: z.enum(CONTACT_IDS),
    name: textSchema,
    /** The name in a sentence ("Når du har ringet til KMD"): the {contact} placeholder. */
    shortName: textSchema,
    role: textSchema,
    phone: phone.nullable(),
    email: email.nullable(),
    /** When the contact can be reached, as the instruction says it. */
    availability: textSchema,
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
export type SpecialClosure = z.infer<typeof specialClosureSchema>;

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
    appliesTo: z.array(z.enum(SYSTEMS)).min(1),
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
export type MailingList = z.infer<typeof mailingList>;

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
    contacts: z
      .array(contactSchema)
      .superRefine((cs, ctx) => {
        for (const id of CONTACT_IDS) {
          const n = cs.filter((c) => c.id === id).length;
          if (n !== 1) ctx.addIssue({ code: 'custom', message: `contact "${id}" must appear exactly once (found ${n})` });
        }
      }),
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
        /** The call to a contact: the card shows it as the number in large type. */
        kmd: z.array(step).min(1),
        /** The KMD menu and what to tell KMD ("Mens du ringer"). */
        kmdWhileCalling: z.array(step).min(1),
        /** What KMD does after the call ("Efter opkaldet"). */
        kmdAfterCall: z.array(step).min(1),
        /** Out of hours, whoever calls KMD, Bekey or IT owns the case: {contact} is the one called. */
        ownership: z.array(step).min(1),
        /** The caller's share of the 2-hour rule (Nexus only): {escalateAt}. */
        twoHourRule: z.array(step).min(1),
        bekey: z.array(step).min(1),
        it: z.array(step).min(1),
        /** KMD or Bekey says the fault is internal: {contact} is the vendor called. */
        vendorSaysInternal: z.array(step).min(1),
        driftvagt: z.array(step).min(1),
        driftvagtBackUp: z.array(step).min(1),
      })
      .strict(),
    /** The 2-hour rule: after this long, the Region's driftvagt is told. */
    escalationAfterMinutes: z.number().int().positive(),
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
  .strict();

export type Instruction = z.infer<typeof instructionSchema>;
