import { z } from 'zod';

/**
 * Why a queued message exists: written by the use cases when they queue it, read
 * back by the outbox's hooks (record a delivered post's Teams id on its outage,
 * report a failure to the Nexusteam, drop a subscriber Teams no longer reaches).
 * One union, checked by the compiler on both sides and parsed on read, so a kind
 * or a fact cannot be misspelt between writer and reader.
 */

const outageFacts = {
  outageId: z.string().min(1),
  system: z.string().min(1),
};

/** Where a post that replies or updates later is kept (the outage record, a reporter's claims, a subscription). */
const postKind = z.enum(['announcement', 'owner-notice', 'suspected', 'escalation', 'claim', 'backUp']);

export const outboxPurposeSchema = z.discriminatedUnion('kind', [
  /** A post whose Teams id must be recorded with the outage (channel announcements, driftvagt and back-up cards). */
  z.object({
    kind: z.literal('post'),
    ...outageFacts,
    post: postKind,
    audience: z.literal('providers').optional(),
    lang: z.enum(['da', 'en']).optional(),
    /** Round of a driftvagt or claim card. */
    round: z.coerce.number().int().nonnegative().optional(),
    /** A claim card to a reporter: recorded with their report. */
    reporter: z.string().optional(),
  }),
  /** A reply in an announcement's thread, or a card replaced in place. */
  z.object({ kind: z.enum(['update', 'allclear', 'card-update', 'handover-offer']), ...outageFacts }),
  /** A personal alert to a subscriber (a 403/404 removes the subscription). */
  z.object({ kind: z.literal('alert'), ...outageFacts, subscriber: z.string().min(1), message: z.string().min(1) }),
  /** A reminder to the home care or Nexusteam channels. */
  z.object({ kind: z.literal('reminder') }),
  /** A report to the Nexusteam about something that failed (never itself reported when it fails). */
  z.object({ kind: z.literal('report') }),
  /** Tests and benches. */
  z.object({ kind: z.literal('other'), label: z.string().optional() }),
]);

export type OutboxPurpose = z.infer<typeof outboxPurposeSchema>;

/**
 * A stored purpose, read back. Records written before the union existed (kinds
 * 'announcement', 'escalation', 'claim', 'backUp' with string facts) are mapped to
 * it; anything unknown becomes `other`, so an old record still goes out.
 */
const legacySchema = z.object({ kind: z.string() }).catchall(z.unknown());

export function parsePurpose(raw: unknown): OutboxPurpose {
  const parsed = outboxPurposeSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const old = legacySchema.safeParse(raw);
  if (!old.success) return { kind: 'other' };
  const { kind, ...facts } = old.data;
  const legacy =
    kind === 'announcement'
      ? { kind: 'post', ...facts, post: facts['announcement'] }
      : kind === 'escalation' || kind === 'claim' || kind === 'backUp'
        ? { kind: 'post', ...facts, post: kind }
        : undefined;
  const again = legacy ? outboxPurposeSchema.safeParse(legacy) : undefined;
  return again?.success ? again.data : { kind: 'other', label: kind };
}
