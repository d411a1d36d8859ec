import type { Storage } from 'botbuilder';
import type { z } from 'zod';
import { isRecord } from '../lib/isRecord';
import { createLogger, type Logger } from '../log';
import { updateWithRetry, type UpdateOptions } from './etag';

/**
 * Stored documents are parsed by their zod schema on read, never cast. A
 * document (or an entry of a list kept in one) that does not parse (damaged
 * by hand, written by a version that disagrees) never fails a turn and never
 * takes other data with it:
 *
 * - a whole document that does not parse counts as absent when read, and a
 *   change leaves it as it is (`updateDoc` writes nothing over it);
 * - an entry of a list or map inside a document (an open outage, a
 *   subscriber, a job, a closure, a history entry) is left out and the rest is
 *   read; the entry is gone from the document at its next write;
 *
 * and either is logged at error with the document's key, the entry's place in
 * it and zod's issue paths (never the values: they may hold names or text).
 */

/** Where documents that do not parse are reported (a pino logger fits). */
export type DocumentLog = Pick<Logger, 'error'>;

let fallbackLog: DocumentLog | undefined;

/** For a store built without a logger (tests, tools): error lines on stderr, so nothing is dropped silently. */
export function defaultDocumentLog(): DocumentLog {
  fallbackLog ??= createLogger({ logLevel: 'error' }, process.stderr).child({ component: 'store' });
  return fallbackLog;
}

/** A stored item without the storage's `eTag`. */
function withoutETag(value: unknown): unknown {
  if (!isRecord(value) || !('eTag' in value)) return value;
  const { eTag: _eTag, ...doc } = value;
  return doc;
}

/** Zod's issues as a log shows them: where and what, not the value. */
function issuesOf(error: z.ZodError): { path: string; code: string; message: string }[] {
  return error.issues.slice(0, 10).map((i) => ({ path: i.path.map(String).join('.') || '(root)', code: i.code, message: i.message }));
}

/**
 * Parses one stored value (its eTag ignored). Absent (undefined or null): undefined.
 * Does not parse: undefined, and one error line naming `key` and, for an entry
 * of a document, `entry` (e.g. "open.nexus", "subscribers.3").
 */
export function parseStored<T>(schema: z.ZodType<T>, value: unknown, log: DocumentLog, key: string, entry?: string): T | undefined {
  if (value === undefined || value === null) return undefined;
  const parsed = schema.safeParse(withoutETag(value));
  if (parsed.success) return parsed.data;
  log.error(
    { key, ...(entry !== undefined ? { entry } : {}), issues: issuesOf(parsed.error) },
    entry !== undefined ? 'stored entry does not parse: left out' : 'stored document does not parse: treated as absent',
  );
  return undefined;
}

/** The entries of a list inside document `key` (field `field`) that parse; the others are logged and left out. */
export function parseList<T>(schema: z.ZodType<T>, value: unknown, log: DocumentLog, key: string, field: string): T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    log.error({ key, entry: field }, 'stored list is not a list: read as empty');
    return [];
  }
  return value.flatMap((item: unknown, i) => {
    const parsed = parseStored(schema, item ?? {}, log, key, `${field}.${i}`);
    return parsed === undefined ? [] : [parsed];
  });
}

/** The entries of a map inside document `key` (field `field`) that parse; the others are logged and left out. */
export function parseMap<T>(schema: z.ZodType<T>, value: unknown, log: DocumentLog, key: string, field: string): Record<string, T> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) {
    log.error({ key, entry: field }, 'stored map is not a map: read as empty');
    return {};
  }
  const out: Record<string, T> = {};
  for (const [name, item] of Object.entries(value)) {
    if (item === undefined || item === null) continue;
    const parsed = parseStored(schema, item, log, key, `${field}.${name}`);
    if (parsed !== undefined) out[name] = parsed;
  }
  return out;
}

/** One document, parsed (undefined when absent or when it does not parse). */
export async function readDoc<T>(storage: Storage, key: string, schema: z.ZodType<T>, log: DocumentLog): Promise<T | undefined> {
  const items = await storage.read([key]);
  return parseStored(schema, items[key], log, key);
}

/** Several documents of one kind, parsed; absent ones and ones that do not parse are not in the map. */
export async function readDocs<T>(storage: Storage, keys: readonly string[], schema: z.ZodType<T>, log: DocumentLog): Promise<Map<string, T>> {
  const items = await storage.read([...keys]);
  const out = new Map<string, T>();
  for (const key of keys) {
    const doc = parseStored(schema, items[key], log, key);
    if (doc !== undefined) out.set(key, doc);
  }
  return out;
}

/**
 * updateWithRetry on the parsed document. `update` gets the document (undefined
 * when absent) and returns the new one, or undefined for "no change". A document
 * that is there but does not parse is left as it is: `update` is not called,
 * nothing is written, and the result is undefined (logged once per try).
 */
export async function updateDoc<T extends object>(
  storage: Storage,
  key: string,
  schema: z.ZodType<T>,
  log: DocumentLog,
  update: (current: T | undefined) => T | undefined,
  opts: UpdateOptions = {},
): Promise<T | undefined> {
  const stored = await updateWithRetry<object>(
    storage,
    key,
    (raw) => {
      if (raw === undefined) return update(undefined);
      const current = parseStored(schema, raw, log, key);
      return current === undefined ? undefined : update(current);
    },
    opts,
  );
  return stored === undefined ? undefined : schema.safeParse(stored).data;
}

/**
 * One small JSON document that several writers change: a queue per process so
 * local writers don't fight over the eTag, and eTag retries across processes.
 * Storage has no list or query, so what must be listed lives in documents like this.
 *
 * `normalise` turns what is stored (without its eTag; undefined when absent)
 * into the document: parse it with the document's schema (`Stored` = unknown),
 * leaving out the entries that do not parse (parseList, parseMap).
 */
export class SharedDocument<T extends object, Stored = Partial<T>> {
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly storage: Storage,
    readonly key: string,
    private readonly normalise: (stored: Stored | undefined) => T,
  ) {}

  async read(): Promise<T> {
    const items = await this.storage.read([this.key]);
    const stored = withoutETag(items[this.key]);
    return this.normalise(stored === undefined || stored === null ? undefined : (stored as Stored));
  }

  /**
   * Applies a pure change and returns its result. `change` may run more than once
   * (again on the fresh document after an eTag conflict), so it must not have side
   * effects; returning no `doc` means "nothing to write".
   */
  change<R>(change: (doc: T) => { doc?: T; result: R }): Promise<R> {
    const run = async (): Promise<R> => {
      let result: R | undefined;
      await updateWithRetry<T>(
        this.storage,
        this.key,
        (current) => {
          const out = change(this.normalise(current as Stored | undefined));
          result = out.result;
          return out.doc;
        },
        { attempts: 200 },
      );
      return result as R;
    };
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => undefined);
    return next;
  }
}
