import { z } from 'zod';
import { ID_PATTERN, LANGUAGES } from '../instruction/schema';

/**
 * Every card button carries an `action` verb; the data comes back as the
 * activity's `value`. Parsed (never trusted) here before any handler sees it.
 * Triage buttons carry the answers so far, so a button pressed on an old card, or
 * after a restart, still leads to the right next step.
 */
/** A system's id; whether the instruction has it is checked by parseCardAction. */
const system = z.string().regex(ID_PATTERN);

export const triageValue = z
  .object({
    action: z.literal('triage'),
    system: system.optional(),
    scope: z.enum(['individual', 'general']).optional(),
    internet: z.enum(['up', 'down']).optional(),
    vendorSaysInternal: z.boolean().optional(),
    /** Continue past the "already known" answer (nobody has called KMD yet). */
    skipKnown: z.boolean().optional(),
  })
  .strip();
export type TriageValue = z.infer<typeof triageValue>;

const submitId = z.string().min(8).max(100);
const outageId = z.string().min(1).max(100);
/** Free text from a form: trimmed, bounded; CPR masking happens before it is stored. */
const formText = (max: number) => z.string().max(max * 4).optional().default('');

export const declareDraft = z
  .object({
    system,
    description: formText(500),
    sinceDate: z.string().max(20).optional().default(''),
    sinceTime: z.string().max(20).optional().default(''),
    expected: formText(200),
  })
  .strip();

export const cardAction = z.discriminatedUnion('action', [
  triageValue,
  /** "Jeg har ringet til KMD / Bekey / IT" out of hours: whoever calls owns the case of that system. */
  z.object({ action: z.literal('called'), system, contact: z.string().regex(ID_PATTERN) }).strip(),
  /** The KMD button of cards sent before `called` existed (still in people's chats). */
  z.object({ action: z.literal('calledKmd'), system: z.literal('nexus').optional() }).strip(),
  /** "Jeg ringer" on the claim card: this reporter tells the Region's driftvagt. */
  z.object({ action: z.literal('claimDriftvagt'), outageId }).strip(),
  z.object({ action: z.literal('worksAgain'), system }).strip(),
  z.object({ action: z.literal('status') }).strip(),
  z.object({ action: z.literal('declare'), system: system.optional(), draft: declareDraft.optional() }).strip(),
  z.object({ action: z.literal('declarePreview'), submitId }).merge(declareDraft.partial()).strip(),
  z.object({ action: z.literal('declareSend'), submitId, draft: declareDraft }).strip(),
  z.object({ action: z.literal('confirm'), submitId, outageId }).strip(),
  z.object({ action: z.literal('update') }).strip(),
  z.object({ action: z.literal('updateSend'), submitId, outageId: outageId.optional(), text: formText(1000) }).strip(),
  z.object({ action: z.literal('resolveMenu') }).strip(),
  z.object({ action: z.literal('channelSave'), roles: z.string().max(200).optional() }).strip(),
  z.object({ action: z.literal('channelRemove') }).strip(),
  z.object({ action: z.literal('ackEscalation'), submitId, outageId }).strip(),
  z.object({ action: z.literal('ackBackUp'), outageId }).strip(),
  z.object({ action: z.literal('takeHandover'), outageId }).strip(),
  z.object({ action: z.literal('offerHandover'), outageId }).strip(),
  z.object({ action: z.literal('acceptHandover'), outageId }).strip(),
  z.object({ action: z.literal('export'), outageId }).strip(),
  z.object({
    action: z.literal('closedAdd'),
    from: z.string().max(20).optional(),
    to: z.string().max(20).optional(),
    closedFrom: z.string().max(20).optional(),
    reason: z.string().max(400).optional(),
  }).strip(),
  z.object({ action: z.literal('closedRemove'), id: z.string().min(1).max(40) }).strip(),
  z.object({ action: z.literal('resolve'), submitId, outageId }).strip(),
  z.object({ action: z.literal('contacts') }).strip(),
  z.object({ action: z.literal('hours') }).strip(),
  z.object({ action: z.literal('help') }).strip(),
  z.object({ action: z.literal('restart') }).strip(),
  /** The welcome card's "English" / "Dansk": the language the bot uses with this person from now on. */
  z.object({ action: z.literal('language'), lang: z.enum(LANGUAGES) }).strip(),
]);
export type CardAction = z.infer<typeof cardAction>;
/** What a button carries (defaults not yet applied). */
export type CardActionData = z.input<typeof cardAction>;

/**
 * The parsed action, `{ invalid: true }` for a value that is not ours (or names a
 * system or contact the instruction does not have), or null when there is no value.
 */
export function parseCardAction(value: unknown, known: { system(id: string): boolean; contact(id: string): boolean }): CardAction | { invalid: true } | null {
  if (value === undefined || value === null) return null;
  const parsed = cardAction.safeParse(value);
  if (!parsed.success) return { invalid: true };
  const action = parsed.data;
  const systems = [
    'system' in action ? action.system : undefined,
    'draft' in action ? action.draft?.system : undefined,
  ].filter((id): id is string => id !== undefined);
  if (!systems.every((id) => known.system(id))) return { invalid: true };
  if (action.action === 'called' && !known.contact(action.contact)) return { invalid: true };
  return action;
}
