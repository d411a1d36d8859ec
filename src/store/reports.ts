import { createHash } from 'node:crypto';
import type { Storage } from 'botbuilder';
import { z } from 'zod';
import { withPost, type Announcement, type Person } from '../domain/outage';
import { announcementSchema, personSchema } from '../domain/outageSchema';
import { schemaFor } from '../lib/schemaFor';
import { defaultDocumentLog, readDocs, updateDoc, type DocumentLog } from './document';
import { canCreateIfAbsent, updateWithRetry } from './etag';

/**
 * The reports of an outage, each under its own keys, so that a report costs the
 * same however many came before it, and no single document must take every
 * report's write (the burst, on two instances sharing Blob storage):
 *
 *   reporter/<outage>/<person hash>   a marker, created atomically (create-if-absent):
 *                                     the one place that decides "one report per person"
 *   reports/<outage>/shard/<s>        a counter per shard (s = person hash mod SHARDS),
 *                                     raised with an eTag retry: the slot the report takes
 *   reports/<outage>/<s>/<i>          the report itself (who, when, where to reach them)
 *
 * A report is: create the marker (already there: not counted again), raise its
 * shard's counter, write the slot. Every step touches one small document. The
 * count is the sum of the shards' counters (one read of SHARDS keys); reading all
 * reports walks the slots a page at a time.
 *
 * A process that dies between the marker and the slot leaves that one person
 * uncounted (the marker says they reported), or a counted slot that stays empty
 * (skipped when read): a count one off, never a report twice.
 */

export const SHARDS = 16;

export interface StoredReport {
  readonly person: Person;
  readonly at: string;
  /** Claim cards sent to this reporter (the 2-hour rule out of hours), to be replaced in place later. */
  readonly claims?: readonly Announcement[];
}

/** Where one report lives (to add what was sent to that reporter). */
export interface ReportRef {
  readonly key: string;
}

const storedReportSchema = schemaFor<StoredReport>()(z.object({ person: personSchema, at: z.string(), claims: z.array(announcementSchema).readonly().optional() }));

const counterSchema = z.object({ n: z.number().int().nonnegative() });

const personHash = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 32);
const markerKey = (outageId: string, personKey: string) => `reporter/${outageId}/${personHash(personKey)}`;
const shardKey = (outageId: string, shard: number) => `reports/${outageId}/shard/${shard}`;
const slotKey = (outageId: string, shard: number, i: number) => `reports/${outageId}/${shard}/${i}`;
const shardOf = (personKey: string) => parseInt(personHash(personKey).slice(0, 8), 16) % SHARDS;
const shardKeys = (outageId: string) => Array.from({ length: SHARDS }, (_, s) => shardKey(outageId, s));

export class ReportStore {
  /** The last count read per outage, and when: a burst of askers needs no exact count each (see `count`). */
  readonly #counts = new Map<string, { n: number; at: number }>();

  constructor(
    private readonly storage: Storage,
    private readonly now: () => number = Date.now,
    private readonly log: DocumentLog = defaultDocumentLog(),
  ) {}

  /**
   * Records that `person` reported the outage at `at`. Counted once per person
   * per outage, however often and from however many instances they press.
   */
  async add(outageId: string, person: Person, at: Date): Promise<{ counted: boolean }> {
    if (!(await this.createMarker(markerKey(outageId, person.key), { at: at.toISOString() }))) return { counted: false };
    const shard = shardOf(person.key);
    let slot: number | undefined;
    await updateDoc(
      this.storage,
      shardKey(outageId, shard),
      counterSchema,
      this.log,
      (current) => {
        slot = current?.n ?? 0;
        return { n: slot + 1 };
      },
      { attempts: 200 },
    );
    // A counter that does not parse is left as it is (logged): no slot is known that no other report holds.
    if (slot === undefined) return { counted: false };
    const report: StoredReport = { person, at: at.toISOString() };
    await this.storage.write({ [slotKey(outageId, shard, slot)]: report });
    const cached = this.#counts.get(outageId);
    if (cached) this.#counts.set(outageId, { ...cached, n: cached.n + 1 });
    return { counted: true };
  }

  /** Whether this person reported the outage (one read). */
  async has(outageId: string, personKey: string): Promise<boolean> {
    const key = markerKey(outageId, personKey);
    const items = await this.storage.read([key]);
    return items[key] !== undefined && items[key] !== null;
  }

  /**
   * How many distinct people reported the outage (one read of the shard counters).
   * With `maxAgeMs`, a count read that recently (plus this process's own reports
   * since) will do: during a burst every asker is shown the count, and one that is
   * a second behind the other instance's reports tells them just as much.
   */
  async count(outageId: string, maxAgeMs = 0): Promise<number> {
    const cached = this.#counts.get(outageId);
    if (cached && maxAgeMs > 0 && this.now() - cached.at <= maxAgeMs) return cached.n;
    const at = this.now();
    const counters = await readDocs(this.storage, shardKeys(outageId), counterSchema, this.log);
    const n = [...counters.values()].reduce((sum, c) => sum + c.n, 0);
    this.#counts.set(outageId, { n, at });
    if (this.#counts.size > 20) this.#counts.delete(this.#counts.keys().next().value as string);
    return n;
  }

  /** Every report, a page of `pageSize` at a time (for claim cards, hand-over offers, export, retention). */
  async *pages(outageId: string, pageSize = 200): AsyncGenerator<readonly (StoredReport & ReportRef)[]> {
    const counters = await readDocs(this.storage, shardKeys(outageId), counterSchema, this.log);
    const keys: string[] = [];
    for (let s = 0; s < SHARDS; s++) {
      const n = counters.get(shardKey(outageId, s))?.n ?? 0;
      for (let i = 0; i < n; i++) keys.push(slotKey(outageId, s, i));
    }
    for (let from = 0; from < keys.length; from += pageSize) {
      const page = keys.slice(from, from + pageSize);
      const reports = await readDocs(this.storage, page, storedReportSchema, this.log);
      // A slot whose writer died before writing it is skipped, and so is one that does not parse.
      yield page.flatMap((key) => {
        const report = reports.get(key);
        return report ? [{ ...report, key }] : [];
      });
    }
  }

  /** All reports (in shard order); use `pages` where the number may be large. */
  async all(outageId: string): Promise<(StoredReport & ReportRef)[]> {
    const out: (StoredReport & ReportRef)[] = [];
    for await (const page of this.pages(outageId)) out.push(...page);
    return out;
  }

  /** Records the reports an outage starts with (those waiting in the detection window). */
  async addAll(outageId: string, reports: readonly { readonly person: Person; readonly at: string }[]): Promise<void> {
    for (const r of reports) await this.add(outageId, r.person, new Date(r.at));
  }

  /** Notes a claim card queued for a reporter, or once delivered its Teams id (idempotent: the same post twice is one). */
  async addClaim(ref: ReportRef, post: Announcement): Promise<void> {
    await updateDoc(
      this.storage,
      ref.key,
      storedReportSchema,
      this.log,
      (current) => {
        if (!current) return undefined;
        const claims = current.claims ?? [];
        const next = withPost(claims, post);
        return next === claims ? undefined : { ...current, claims: next };
      },
      { attempts: 50 },
    );
  }

  /** Deletes every report of the outage (retention). Idempotent. */
  async remove(outageId: string): Promise<number> {
    let removed = 0;
    for await (const page of this.pages(outageId, 100)) {
      await this.storage.delete([...page.map((r) => r.key), ...page.map((r) => markerKey(outageId, r.person.key))]);
      removed += page.length;
    }
    await this.storage.delete(shardKeys(outageId));
    return removed;
  }

  private async createMarker(key: string, item: object): Promise<boolean> {
    if (canCreateIfAbsent(this.storage)) return this.storage.createIfAbsent(key, item);
    let created = false;
    // Without an atomic create (MemoryStorage: one process), updateWithRetry's per-process creation lock decides.
    await updateWithRetry<object>(this.storage, key, (current) => {
      if (current) return undefined;
      created = true;
      return item;
    });
    return created;
  }
}
