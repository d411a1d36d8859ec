import { z } from 'zod';
import { SYSTEMS } from '../instruction/schema';

/**
 * Every card button carries an `action` verb; the data comes back as the
 * activity's `value`. Parsed (never trusted) here before any handler sees it.
 * Triage buttons carry the answers so far, so a button pressed on an old card, or
 * after a restart, still leads to the right next step.
 */
const system = z.enum(SYSTEMS);

export const triageValue = z
  .object({
    action: z.literal('triage'),
    system: system.optional(),
    scope: z.enum(['individual', 'general']).optional(),
    internet: z.enum(['up', 'down']).optional(),
    vendorSaysInternal: z.boolean().optional(),
  })
  .strip();
export type TriageValue = z.infer<typeof triageValue>;

export const cardAction = z.discriminatedUnion('action', [
  triageValue,
  z.object({ action: z.literal('calledKmd'), system: z.literal('nexus').optional() }).strip(),
  z.object({ action: z.literal('contacts') }).strip(),
  z.object({ action: z.literal('hours') }).strip(),
  z.object({ action: z.literal('help') }).strip(),
  z.object({ action: z.literal('restart') }).strip(),
]);
export type CardAction = z.infer<typeof cardAction>;
export type ActionVerb = CardAction['action'];

/** The parsed action, `{ invalid: true }` for a value that is not ours, or null when there is no value. */
export function parseCardAction(value: unknown): CardAction | { invalid: true } | null {
  if (value === undefined || value === null) return null;
  const parsed = cardAction.safeParse(value);
  return parsed.success ? parsed.data : { invalid: true };
}
