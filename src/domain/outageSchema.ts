import { z } from 'zod';
import { ID_PATTERN, LANGUAGES } from '../instruction/schema';
import { schemaFor } from '../lib/schemaFor';
import { NO_ESCALATION, type Announcement, type EventKind, type Escalation, type Outage, type OutageStatus, type OutageUpdate, type Owner, type Person, type TimelineEvent } from './outage';

/**
 * The stored form of an outage (src/domain/outage.ts), parsed when the store
 * reads it. Each schema is checked against its type by the compiler
 * (schemaFor), so a field added to a type must be added here.
 *
 * Older records still parse: fields added over time are optional in the types
 * (a person's `reach` and `lang`, an owner's `contact`, a post's `lang` and
 * `audience`, the escalation's `duty`, `nexusteamTold`), and a record from
 * before the 2-hour rule, without `escalation`, reads as no escalation yet.
 */

const systemId = z.string().regex(ID_PATTERN);
/** An ISO instant as the domain writes it (toISOString). */
const instant = z.string();

/** Every value of a string union, checked complete by the compiler. */
const valuesOf = <K extends string>(all: Record<K, true>) => Object.keys(all) as [K, ...K[]];

export const personSchema = schemaFor<Person>()(
  z.object({
    key: z.string(),
    name: z.string(),
    reach: z.object({ conversationId: z.string(), serviceUrl: z.string(), tenantId: z.string().optional() }).optional(),
    lang: z.enum(LANGUAGES).optional(),
  }),
);

const ownerSchema = schemaFor<Owner>()(
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('nexusteam'), since: instant }),
    z.object({ kind: z.literal('person'), person: personSchema, since: instant, contact: z.string().optional() }),
  ]),
);

const EVENT_KINDS = valuesOf<EventKind>({
  reported: true,
  suspected: true,
  declared: true,
  confirmed: true,
  owned: true,
  updated: true,
  announced: true,
  worksAgain: true,
  resolved: true,
  escalated: true,
  escalationAcknowledged: true,
  dutyClaimed: true,
  driftvagtToldUp: true,
});

const timelineEventSchema = schemaFor<TimelineEvent>()(
  z.object({ at: instant, kind: z.enum(EVENT_KINDS), by: personSchema.optional(), text: z.string().optional() }),
);

const updateSchema = schemaFor<OutageUpdate>()(z.object({ id: z.string(), at: instant, by: personSchema, text: z.string() }));

const POST_KINDS = valuesOf<Announcement['kind']>({ announcement: true, 'owner-notice': true, suspected: true, escalation: true, claim: true, backUp: true });

export const announcementSchema = schemaFor<Announcement>()(
  z.object({
    conversationId: z.string(),
    serviceUrl: z.string(),
    activityId: z.string().optional(),
    messageId: z.string().optional(),
    kind: z.enum(POST_KINDS),
    lang: z.enum(LANGUAGES).optional(),
    audience: z.literal('providers').optional(),
  }),
);

const byAt = z.object({ by: personSchema, at: instant });

const escalationSchema = schemaFor<Escalation>()(
  z.object({
    rounds: z.number().int().nonnegative(),
    posts: z.array(announcementSchema).readonly(),
    acknowledged: byAt.nullable(),
    toldUp: byAt.nullable(),
    duty: byAt.nullable().optional(),
  }),
);

const personAt = z.object({ person: personSchema, at: instant });

const STATUSES = valuesOf<OutageStatus>({ suspected: true, active: true, resolved: true });

export const outageSchema = schemaFor<Outage>()(
  z.object({
    id: z.string().min(1),
    system: systemId,
    status: z.enum(STATUSES),
    start: instant,
    description: z.string().nullable(),
    expected: z.string().nullable(),
    declaredBy: personSchema.nullable(),
    owner: ownerSchema.nullable(),
    reports: z.array(personAt).readonly(),
    worksAgain: z.array(personAt).readonly(),
    updates: z.array(updateSchema).readonly(),
    announcements: z.array(announcementSchema).readonly(),
    resolved: byAt.nullable(),
    // Records from before the 2-hour rule have none.
    escalation: escalationSchema.optional().transform((e): Escalation => e ?? NO_ESCALATION),
    nexusteamTold: instant.nullable().optional(),
    timeline: z.array(timelineEventSchema).readonly(),
  }),
);
