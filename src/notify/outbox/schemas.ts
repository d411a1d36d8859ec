import type { Activity } from 'botbuilder';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { MetaDoc } from './keys';
import type { PayloadsDoc } from './payloads';
import { outboxPurposeSchema, parsePurpose } from './purpose';
import type { ShardDoc } from './shard';
import type { ThrottleDoc } from './throttle';
import type { OutboxMessage, OutboxRecord } from './types';
import { isRecord } from './util';
import type { WorkerEntry, WorkersDoc } from './workers';

/**
 * The shapes of what the outbox accepts and stores. A message is checked when it
 * is enqueued (a mistake is the caller's, so it throws). A stored document is
 * parsed when it is read, tolerantly: what is missing or malformed gets its
 * default, a malformed record is dropped with a log (never crashing the loop),
 * and a record written before the typed purpose still loads and goes out.
 */

const optional = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);
const text = z.string().min(1);

const targetSchema = z.object({
  conversationId: text,
  serviceUrl: text,
  tenantId: optional(z.string()),
  conversationType: optional(z.enum(['personal', 'channel', 'groupChat'])),
});

const opSchema = z.enum(['send', 'reply', 'update']);

/** A record as stored; fields of later versions are kept. */
const recordSchema = z.looseObject({
  id: text,
  op: opSchema,
  target: targetSchema,
  rootActivityId: optional(z.string()),
  rootMessageId: optional(z.string()),
  activityId: optional(z.string()),
  activityOfMessageId: optional(z.string()),
  purpose: z.unknown().transform(parsePurpose),
  payload: text,
  state: z.enum(['pending', 'sending', 'delivered', 'failed']),
  seq: z.number(),
  pos: z.number().catch(0),
  enqueuedAt: z.string().catch(''),
  attempts: z.number().int().nonnegative().catch(0),
  tries: z.array(z.object({ at: z.string(), by: z.string() })).catch([]),
  notBefore: optional(z.string()),
  sentActivityId: optional(z.string()),
  finishedAt: optional(z.string()),
  error: optional(z.object({ statusCode: optional(z.number()), code: optional(z.string()), message: z.string(), retryable: z.boolean() })),
  notified: optional(z.boolean()),
});

const shardSchema = z.object({
  rev: z.number().catch(0),
  owner: optional(z.string()),
  leaseUntil: optional(z.string()),
  nextSeq: optional(z.number()),
  messages: z.array(z.unknown()).catch([]),
  holds: z.record(z.string(), z.unknown()).catch({}),
});

/**
 * Reads shard documents back. Each record is parsed on its own: one that does
 * not parse is dropped (logged once per record and process), the others load.
 * A shard that is no object at all reads as empty.
 */
export function shardParser(logger: Logger): (raw: unknown) => ShardDoc {
  const reported = new Set<string>();
  return (raw) => {
    const doc = shardSchema.catch({ rev: 0, messages: [], holds: {} }).parse(raw ?? {});
    const messages: OutboxRecord[] = [];
    for (const stored of doc.messages) {
      const record = recordSchema.safeParse(stored);
      if (record.success) {
        messages.push(record.data);
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
    return {
      rev: doc.rev,
      ...(doc.owner !== undefined ? { owner: doc.owner } : {}),
      ...(doc.leaseUntil !== undefined ? { leaseUntil: doc.leaseUntil } : {}),
      nextSeq: doc.nextSeq ?? messages.reduce((n, r) => Math.max(n, r.seq + 1), 0),
      messages,
      holds,
    };
  };
}

const throttleSchema = z.object({
  slowUntil: optional(z.string()),
  level: z.number().catch(0),
  lastPauseAt: optional(z.string()),
  by: optional(z.string()),
  reason: optional(z.string()),
});

export function parseThrottle(raw: unknown): ThrottleDoc {
  return dropUndefined(throttleSchema.catch({ level: 0 }).parse(raw ?? {}));
}

const workerSchema = z.object({
  heartbeatAt: z.string(),
  expiresAt: z.string(),
  busySince: optional(z.string()),
  idleSince: optional(z.string()),
  leftAt: optional(z.string()),
});

/** Live instances; an entry that does not parse is left out (its instance writes it again with its next heartbeat). */
export function parseWorkers(raw: unknown): WorkersDoc {
  const stored = z.object({ workers: z.record(z.string(), z.unknown()).catch({}) }).catch({ workers: {} }).parse(raw ?? {});
  const workers: Record<string, WorkerEntry> = {};
  for (const [id, entry] of Object.entries(stored.workers)) {
    const parsed = workerSchema.safeParse(entry);
    if (parsed.success) workers[id] = dropUndefined(parsed.data);
  }
  return { workers };
}

const payloadsSchema = z.object({
  used: z.record(z.string(), z.unknown()).catch({}),
  sweptAt: optional(z.string()),
});

export function parsePayloads(raw: unknown): PayloadsDoc {
  const stored = payloadsSchema.catch({ used: {} }).parse(raw ?? {});
  const used: Record<string, string> = {};
  for (const [hash, at] of Object.entries(stored.used)) if (typeof at === 'string') used[hash] = at;
  return { used, ...(stored.sweptAt ? { sweptAt: stored.sweptAt } : {}) };
}

/** A stored message body, or undefined when it is not there (swept) or not an object. */
export function parseBody(raw: unknown): Partial<Activity> | undefined {
  const stored = z.object({ activity: z.record(z.string(), z.unknown()) }).safeParse(raw);
  return stored.success ? (stored.data.activity as Partial<Activity>) : undefined;
}

/** The shard count; 0: not set up yet. */
export function parseMeta(raw: unknown): MetaDoc {
  const stored = z.object({ shards: z.number().min(1) }).safeParse(raw);
  return { shards: stored.success ? Math.floor(stored.data.shards) : 0 };
}

/** What `outbox/signal` says (it changes with every enqueue), or undefined when absent. */
export function parseSignal(raw: unknown): string | undefined {
  const stored = z.object({ at: z.unknown(), nonce: z.unknown() }).safeParse(raw);
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
