import { randomUUID } from 'node:crypto';
import type { Storage } from 'botbuilder';
import { z } from 'zod';
import type { Outage } from '../domain/outage';
import { outageSchema, personSchema } from '../domain/outageSchema';
import type { SystemId } from '../domain/types';
import { ID_PATTERN } from '../instruction/schema';
import { isRecord } from '../lib/isRecord';
import { defaultDocumentLog, parseList, parseMap, readDoc, SharedDocument, updateDoc, type DocumentLog } from './document';
import { updateWithRetry } from './etag';

/**
 * Outages in storage. Everything that changes while an outage is open lives in one
 * document (`outages/live`): the open outage of each system, the reports that
 * have not made an outage yet, and the ids of card submits already handled. One
 * document means every transition (a report, a claim of ownership, a declaration)
 * is a single eTag-checked write, across processes too. A resolved outage moves to
 * its own document (`outage/<id>`) and the history index (`outages/history`).
 */

const pendingReportSchema = z.object({ person: personSchema, at: z.string() });
export type PendingReport = z.infer<typeof pendingReportSchema>;

export interface LiveDoc {
  /** The open (suspected or active) outage of each system. */
  readonly open: Partial<Record<SystemId, Outage>>;
  /** Resolved, not yet archived (archiving is a second write; a sweep finishes it after a crash). */
  readonly resolved?: readonly Outage[];
  readonly pending: Partial<Record<SystemId, readonly PendingReport[]>>;
  /** Submit ids already handled (idempotency), newest last, capped. */
  readonly handled: readonly string[];
}

const historyEntrySchema = z.object({ id: z.string().min(1), system: z.string().regex(ID_PATTERN), start: z.string(), resolvedAt: z.string().nullable() });
/** An outage in the history index (`outages/history`): enough to list it and to find its record. */
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

const LIVE = 'outages/live';
const HISTORY = 'outages/history';
const outageKey = (id: string) => `outage/${id}`;
const MAX_HANDLED = 500;
const EMPTY: LiveDoc = { open: {}, resolved: [], pending: {}, handled: [] };

/**
 * The live document as stored, entry by entry: an open or resolved outage or a
 * pending report that does not parse is left out (and logged), the others kept.
 * An unreadable open outage counts as none for its system: a report starts a
 * new one, and the advice never depended on it.
 */
function parseLive(stored: unknown, log: DocumentLog): LiveDoc {
  if (stored === undefined) return EMPTY;
  const doc = isRecord(stored) ? stored : {};
  const pending = parseMap(z.unknown(), doc['pending'], log, LIVE, 'pending');
  return {
    open: parseMap(outageSchema, doc['open'], log, LIVE, 'open'),
    resolved: parseList(outageSchema, doc['resolved'], log, LIVE, 'resolved'),
    pending: Object.fromEntries(Object.entries(pending).map(([system, reports]) => [system, parseList(pendingReportSchema, reports, log, LIVE, `pending.${system}`)])),
    handled: parseList(z.string(), doc['handled'], log, LIVE, 'handled'),
  };
}

/** The history index's entries that parse (the others are logged and left out). */
function parseHistory(stored: unknown, log: DocumentLog): HistoryEntry[] {
  return parseList(historyEntrySchema, isRecord(stored) ? stored['entries'] : undefined, log, HISTORY, 'entries');
}

export function newOutageId(system: SystemId, at: Date): string {
  return `${system}-${at.toISOString().slice(0, 16).replace(/[-:T]/g, '')}-${randomUUID().slice(0, 8)}`;
}

/** Marks a submit as handled; false if it was already (a double click, a replay). */
export function markHandled(doc: LiveDoc, submitId: string): { doc: LiveDoc; first: boolean } {
  if (doc.handled.includes(submitId)) return { doc, first: false };
  return { doc: { ...doc, handled: [...doc.handled, submitId].slice(-MAX_HANDLED) }, first: true };
}

export class OutageStore {
  readonly #live: SharedDocument<LiveDoc, unknown>;
  /** The live document as last read or written by this process, and when (see `openFor`). */
  #recent: { doc: LiveDoc; at: number } | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly now: () => number = Date.now,
    private readonly log: DocumentLog = defaultDocumentLog(),
  ) {
    this.#live = new SharedDocument<LiveDoc, unknown>(storage, LIVE, (stored) => parseLive(stored, log));
  }

  async live(): Promise<LiveDoc> {
    const at = this.now();
    const doc = await this.#live.read();
    this.#recent = { doc, at };
    return doc;
  }

  /**
   * The open outage of a system. With `maxAgeMs`, the live document as this process
   * read or wrote it that recently will do: every turn of a triage asks whether its
   * system's outage is known, and an answer a second old (another instance's change)
   * tells the person as much. Changes always read afresh.
   */
  async openFor(system: SystemId, maxAgeMs = 0): Promise<Outage | null> {
    const recent = this.#recent;
    const doc = recent && maxAgeMs > 0 && this.now() - recent.at <= maxAgeMs ? recent.doc : await this.live();
    return doc.open[system] ?? null;
  }

  /** Applies a pure change to the live document (see SharedDocument.change). */
  change<R>(change: (doc: LiveDoc) => { doc?: LiveDoc; result: R }): Promise<R> {
    // What this process just changed is not answered from an older read.
    this.#recent = undefined;
    return this.#live.change(change).finally(() => {
      this.#recent = undefined;
    });
  }

  /** Writes a resolved outage to its own document and the history, then drops it from the live document. Idempotent. */
  async archive(outage: Outage): Promise<void> {
    await this.storage.write({ [outageKey(outage.id)]: { ...outage } });
    await this.#changeHistory((entries) => {
      if (entries.some((e) => e.id === outage.id)) return undefined;
      return [...entries, { id: outage.id, system: outage.system, start: outage.start, resolvedAt: outage.resolved?.at ?? null }];
    });
    await this.change((doc) => {
      const resolved = doc.resolved ?? [];
      if (!resolved.some((o) => o.id === outage.id)) return { result: undefined };
      return { doc: { ...doc, resolved: resolved.filter((o) => o.id !== outage.id) }, result: undefined };
    });
  }

  /** Finishes archiving anything a crash left half-done. */
  async sweep(): Promise<number> {
    const { resolved = [] } = await this.live();
    for (const outage of resolved) await this.archive(outage);
    return resolved.length;
  }

  /** Changes an outage wherever it is (open, resolved-not-yet-archived, or archived); null if there is none. */
  async updateArchived(id: string, update: (o: Outage) => Outage): Promise<Outage | null> {
    const inLive = await this.change<Outage | null>((doc) => {
      const open = Object.values(doc.open).find((o) => o?.id === id);
      // An update that changes nothing (e.g. an announcement recorded twice) writes nothing.
      if (open) {
        const next = update(open);
        return next === open ? { result: next } : { doc: { ...doc, open: { ...doc.open, [open.system]: next } }, result: next };
      }
      const resolved = doc.resolved ?? [];
      const pending = resolved.find((o) => o.id === id);
      if (!pending) return { result: null };
      const next = update(pending);
      return next === pending ? { result: next } : { doc: { ...doc, resolved: resolved.map((o) => (o.id === id ? next : o)) }, result: next };
    });
    if (inLive) {
      // Keep an archived copy in step too, if the archive was already written.
      await updateDoc(this.storage, outageKey(id), outageSchema, this.log, (current) => (current ? inLive : undefined), { attempts: 50 });
      return inLive;
    }
    let result: Outage | null = null;
    // An archived record that does not parse is left as it is: the update finds no outage.
    await updateDoc(
      this.storage,
      outageKey(id),
      outageSchema,
      this.log,
      (current) => {
        if (!current) return undefined;
        result = update(current);
        return result;
      },
      { attempts: 50 },
    );
    return result;
  }

  /** An outage by id, open or archived. */
  async get(id: string): Promise<Outage | null> {
    const live = await this.live();
    for (const o of [...Object.values(live.open), ...(live.resolved ?? [])]) if (o && o.id === id) return o;
    return (await readDoc(this.storage, outageKey(id), outageSchema, this.log)) ?? null;
  }

  async history(): Promise<HistoryEntry[]> {
    const items = await this.storage.read([HISTORY]);
    return parseHistory(items[HISTORY], this.log);
  }

  /** Drops the history entries `drop` picks (the retention purge). */
  async forgetHistory(drop: (entry: HistoryEntry) => boolean): Promise<void> {
    await this.#changeHistory((entries) => {
      const kept = entries.filter((e) => !drop(e));
      return kept.length === entries.length ? undefined : kept;
    });
  }

  /** Read-modify-write of the history index; `change` returns the new entries, or undefined for none. */
  async #changeHistory(change: (entries: HistoryEntry[]) => HistoryEntry[] | undefined): Promise<void> {
    await updateWithRetry<{ entries: readonly unknown[] }>(
      this.storage,
      HISTORY,
      (current) => {
        const entries = change(parseHistory(current, this.log));
        return entries === undefined ? undefined : { entries };
      },
      { attempts: 50 },
    );
  }
}
