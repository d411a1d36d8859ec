import type { Activity } from 'botbuilder';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { MetaDoc, PayloadsDoc } from './keys';
import { outboxPurposeSchema, parsePurpose } from './purpose';
import type { ShardDoc } from './shard';
import type { ThrottleDoc } from './throttle';
import type { OutboxMessage, OutboxRecord } from './types';
import { isRecord } from '../../lib/isRecord';
import type { WorkerEntry, WorkersDoc } from './workers';

/**
 * The shapes of what the outbox accepts and stores. A message is checked when it
 * is enqueued (a mistake is the caller's, so it throws). A stored document is
 * parsed when it is read, tolerantly: what is missing or malformed gets its
 * default, a malformed record is dropped with a log (never crashing the loop),
 * and a record written before the typed purpose still loads and goes out.
 * Fields this version does not know are not kept.
 */

/** Schemas are built once, here: zod compiles each on first use. */
const optional = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);
const text = z.string().min(1);

const targetShape = {
  conversationId: text,
  serviceUrl: text,
  tenantId: z.string().optional(),
  conversationType: z.enum(['personal', 'channel', 'groupChat']).optional(),
};
const targetSchema = z.object(targetShape);
const opSchema = z.enum(['send', 'reply', 'update']);
const triesSchema = z.array(z.object({ at: z.string(), by: z.string() }));
const errorSchema = z.object({ statusCode: z.number().optional(), code: z.string().optional(), message: z.string(), retryable: z.boolean() });

/** A record as this version writes it: the fast path, taken by nearly every read. */
const recordSchema = z.object({
  id: text,
  op: opSchema,
  target: targetSchema,
  rootActivityId: z.string().optional(),
  rootMessageId: z.string().optional(),
  activityId: z.string().optional(),
  activityOfMessageId: z.string().optional(),
  purpose: outboxPurposeSchema,
  payload: text,
  state: z.enum(['pending', 'sending', 'delivered', 'failed']),
  seq: z.number(),
  pos: z.number(),
  enqueuedAt: z.string(),
  attempts: z.number().int().nonnegative(),
  tries: triesSchema,
  notBefore: z.string().optional(),
  sentActivityId: z.string().optional(),
  finishedAt: z.string().optional(),
  error: errorSchema.optional(),
  notified: z.boolean().optional(),
});

/**
 * A record written by an older version, or partly damaged: what it cannot go
 * out without must be there; the rest gets its default, and its purpose is
 * mapped (./purpose.ts).
 */
const olderRecordSchema = recordSchema.extend({
  target: z.object({ ...targetShape, tenantId: optional(z.string()), conversationType: optional(targetShape.conversationType) }),
  rootActivityId: optional(z.string()),
  rootMessageId: optional(z.string()),
  activityId: optional(z.string()),
  activityOfMessageId: optional(z.string()),
  purpose: z.unknown().transform(parsePurpose),
  pos: z.number().catch(0),
  enqueuedAt: z.string().catch(''),
  attempts: z.number().int().nonnegative().catch(0),
  tries: triesSchema.catch([]),
  notBefore: optional(z.string()),
  sentActivityId: optional(z.string()),
  finishedAt: optional(z.string()),
  error: optional(errorSchema),
  notified: optional(z.boolean()),
});

const shardSchema = z
  .object({
    rev: z.number().catch(0),
    owner: optional(z.string()),
    leaseUntil: optional(z.string()),
    nextSeq: optional(z.number()),
    messages: z.array(z.unknown()).catch([]),
    holds: z.record(z.string(), z.unknown()).catch({}),
  })
  .catch({ rev: 0, messages: [], holds: {} });

/** One shard's document read back. */
export interface ShardReader {
  readonly read: (stored: unknown) => ShardDoc;
  /** This instance wrote `doc`: reading it back needs no parsing. */
  readonly wrote: (doc: ShardDoc) => void;
}

const versionOf = (doc: { rev: number; messages: readonly unknown[]; nextSeq?: number; owner?: string; leaseUntil?: string }) =>
  [doc.rev, doc.messages.length, doc.nextSeq, doc.owner, doc.leaseUntil].join('|');

/**
 * Reads one shard's document back. Each record is parsed on its own: one that
 * does not parse is dropped (logged once per record), the others load. A shard
 * that is no object at all reads as empty. Every write bumps `rev`, so the
 * version read or written last is not parsed again (a busy outbox reads its
 * shards every poll and before every write).
 */
export function shardReader(logger: Logger): ShardReader {
  const reported = new Set<string>();
  let last: { readonly version: string; readonly doc: ShardDoc } | undefined;
  const read = (raw: unknown): ShardDoc => {
    const doc = shardSchema.parse(raw ?? {});
    const version = versionOf(doc);
    if (last?.version === version) return last.doc;
    const messages: OutboxRecord[] = [];
    for (const stored of doc.messages) {
      const current = recordSchema.safeParse(stored);
      if (current.success) {
        messages.push(current.data);
        continue;
      }
      const record = olderRecordSchema.safeParse(stored);
      if (record.success) {
        messages.push(dropUndefined(record.data));
        continue;
      }
      const id = isRecord(stored) && typeof stored['id'] === 'string' ? stored['id'] : String(JSON.stringify(stored)).slice(0, 200);
      if (reported.size > 1_000) reported.clear();
      if (!reported.has(id)) {
        reported.add(id);
        logger.error({ id, issues: z.prettifyError(record.error) }, 'outbox: dropped a stored message that does not parse');
      }
    }
    const holds: Record<string, string> = {};
    for (const [key, until] of Object.entries(doc.holds)) if (typeof until === 'string') holds[key] = until;
    const parsed: ShardDoc = {
      rev: doc.rev,
      ...(doc.owner !== undefined ? { owner: doc.owner } : {}),
      ...(doc.leaseUntil !== undefined ? { leaseUntil: doc.leaseUntil } : {}),
      nextSeq: doc.nextSeq ?? messages.reduce((n, r) => Math.max(n, r.seq + 1), 0),
      messages,
      holds,
    };
    last = { version, doc: parsed };
    return parsed;
  };
  return { read, wrote: (doc) => (last = { version: versionOf(doc), doc }) };
}

const throttleSchema = z
  .object({
    slowUntil: optional(z.string()),
    level: z.number().catch(0),
    lastPauseAt: optional(z.string()),
    by: optional(z.string()),
    reason: optional(z.string()),
  })
  .catch({ level: 0 });

export function parseThrottle(raw: unknown): ThrottleDoc {
  return dropUndefined(throttleSchema.parse(raw ?? {}));
}

const workerSchema = z.object({
  heartbeatAt: z.string(),
  expiresAt: z.string(),
  busySince: optional(z.string()),
  idleSince: optional(z.string()),
  leftAt: optional(z.string()),
});

const workersSchema = z.object({ workers: z.record(z.string(), z.unknown()).catch({}) }).catch({ workers: {} });

/** Live instances; an entry that does not parse is left out (its instance writes it again with its next heartbeat). */
export function parseWorkers(raw: unknown): WorkersDoc {
  const stored = workersSchema.parse(raw ?? {});
  const workers: Record<string, WorkerEntry> = {};
  for (const [id, entry] of Object.entries(stored.workers)) {
    const parsed = workerSchema.safeParse(entry);
    if (parsed.success) workers[id] = dropUndefined(parsed.data);
  }
  return { workers };
}

const payloadsSchema = z
  .object({
    used: z.record(z.string(), z.unknown()).catch({}),
    sweptAt: optional(z.string()),
  })
  .catch({ used: {} });

export function parsePayloads(raw: unknown): PayloadsDoc {
  const stored = payloadsSchema.parse(raw ?? {});
  const used: Record<string, string> = {};
  for (const [hash, at] of Object.entries(stored.used)) if (typeof at === 'string') used[hash] = at;
  return { used, ...(stored.sweptAt ? { sweptAt: stored.sweptAt } : {}) };
}

const bodySchema = z.object({ activity: z.record(z.string(), z.unknown()) });

/** A stored message body, or undefined when it is not there (swept) or not an object. */
export function parseBody(raw: unknown): Partial<Activity> | undefined {
  const stored = bodySchema.safeParse(raw);
  return stored.success ? stored.data.activity : undefined;
}

const metaSchema = z.object({ shards: z.number().min(1) });

/** The shard count; 0: not set up yet. */
export function parseMeta(raw: unknown): MetaDoc {
  const stored = metaSchema.safeParse(raw);
  return { shards: stored.success ? Math.floor(stored.data.shards) : 0 };
}

const signalSchema = z.object({ at: z.unknown(), nonce: z.unknown() });

/** What `outbox/signal` says (it changes with every enqueue), or undefined when absent. */
export function parseSignal(raw: unknown): string | undefined {
  const stored = signalSchema.safeParse(raw);
  return stored.success ? `${String(stored.data.at)}:${String(stored.data.nonce)}` : undefined;
}

/**
 * Checks a message to enqueue; returns it with its purpose as parsed. Throws a
 * TypeError naming the message and what is wrong with it.
 */
export function checkMessage(m: OutboxMessage): OutboxMessage {
  const fail = (why: string): never => {
    throw new TypeError(`Outbox.enqueue: message ${JSON.stringify(m.id)}: ${why}`);
  };
  if (!text.safeParse(m.id).success) fail('id must be a non-empty string');
  if (!opSchema.safeParse(m.op).success) fail(`unknown op ${String(m.op)}`);
  if (!targetSchema.safeParse(m.target).success) fail('target needs conversationId and serviceUrl');
  if (m.op === 'reply' && !m.rootActivityId && !m.rootMessageId) fail('a reply needs rootActivityId or rootMessageId');
  if (m.op === 'update' && !m.activityId && !m.activityOfMessageId) fail('an update needs activityId or activityOfMessageId');
  if (!isRecord(m.activity)) fail('activity must be an object');
  const purpose = outboxPurposeSchema.safeParse(m.purpose);
  if (!purpose.success) return fail(`purpose ${JSON.stringify(m.purpose)} is not one the outbox knows (${z.prettifyError(purpose.error)})`);
  return { ...m, purpose: purpose.data };
}

/** Without the keys whose value is undefined (a caught malformed optional field). */
function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
