import type { Storage } from 'botbuilder';
import type { Outage } from '../domain/outage';
import type { SystemId } from '../domain/types';
import type { HistoryEntry, LiveDoc, PendingReport } from './outages';
import { alertsKey } from './subscriptions';

/**
 * Retention (DESIGN.md, Privacy: staff data in an outage's timeline and reports is
 * "deleted with the timeline after the retention, default 90 days"). A scheduled
 * purge deletes, for every outage that ended more than `retentionDays` ago:
 *   - its archived record `outage/<id>` (timeline, reports, updates, names),
 *   - its personal-alert delivery record `alerts/<id>`,
 *   - its reports, each under its own keys (ReportStore),
 *   - any further per-outage documents the caller names (`relatedKeys`),
 *   - its entry in the history index `outages/history`;
 * and from the live document `outages/live` the reports that never became an
 * outage and are older than the retention, and resolved outages a crash left
 * there unarchived. Open outages are never touched, however old.
 *
 * "Ended" is the all-clear's time, or the start for an outage that was never
 * resolved and is no longer open. Idempotent: documents are deleted before the
 * index entry, so a run that stops half-way is finished by the next one.
 */

/** What the purge needs of OutageStore (src/store/outages.ts). */
export interface RetentionOutageStore {
  live(): Promise<LiveDoc>;
  change<R>(change: (doc: LiveDoc) => { doc?: LiveDoc; result: R }): Promise<R>;
  history(): Promise<HistoryEntry[]>;
  forgetHistory(drop: (entry: HistoryEntry) => boolean): Promise<void>;
}

export interface PurgeOptions {
  /** More documents to delete with an outage (e.g. a future per-outage job record). */
  readonly relatedKeys?: ((outageId: string) => readonly string[]) | undefined;
  /** Deletes the outage's reports, kept under their own keys (ReportStore.remove). */
  readonly removeReports?: ((outageId: string) => Promise<unknown>) | undefined;
}

export interface PurgeResult {
  /** Outage ids whose records were deleted, oldest end first. */
  readonly purged: string[];
  /** Pending reports (never an outage) dropped from the live document. */
  readonly pendingReports: number;
}

const DAY_MS = 86_400_000;

export function retentionCutoff(now: Date, retentionDays: number): Date {
  if (!Number.isFinite(retentionDays) || retentionDays <= 0) throw new RangeError(`retentionDays must be positive, got ${retentionDays}`);
  return new Date(now.getTime() - retentionDays * DAY_MS);
}

const endOf = (e: { readonly resolvedAt: string | null; readonly start: string }): number => Date.parse(e.resolvedAt ?? e.start);
const endOfOutage = (o: Outage): number => Date.parse(o.resolved?.at ?? o.start);

export async function purgeOlderThan(
  storage: Storage,
  outages: RetentionOutageStore,
  now: Date,
  retentionDays: number,
  options: PurgeOptions = {},
): Promise<PurgeResult> {
  const cutoff = retentionCutoff(now, retentionDays).getTime();
  const isOld = (t: number) => !Number.isNaN(t) && t < cutoff;

  const live = await outages.live();
  const openIds = new Set(Object.values(live.open).flatMap((o) => (o ? [o.id] : [])));
  const fromHistory = (await outages.history()).filter((e) => !openIds.has(e.id) && isOld(endOf(e)));
  const fromLive = (live.resolved ?? []).filter((o) => !openIds.has(o.id) && isOld(endOfOutage(o)));

  const ends = new Map<string, number>();
  for (const e of fromHistory) ends.set(e.id, endOf(e));
  for (const o of fromLive) ends.set(o.id, endOfOutage(o));
  const purged = [...ends.keys()].sort((a, b) => (ends.get(a) ?? 0) - (ends.get(b) ?? 0));

  // 1. The records themselves (deleting an absent key is fine: idempotent); the reports first, while
  //    the history still names the outage, so a run that stops half-way finds them again.
  for (const id of purged) await options.removeReports?.(id);
  const keys = purged.flatMap((id) => [`outage/${id}`, alertsKey(id), ...(options.relatedKeys?.(id) ?? [])]);
  for (let i = 0; i < keys.length; i += 50) await storage.delete(keys.slice(i, i + 50));

  // 2. The live document: old pending reports, and old resolved outages left unarchived.
  const purgedSet = new Set(purged);
  const pendingReports = await outages.change<number>((doc) => {
    let dropped = 0;
    const pending: Partial<Record<SystemId, readonly PendingReport[]>> = {};
    for (const [system, reports] of Object.entries(doc.pending)) {
      const kept = (reports ?? []).filter((r) => !isOld(Date.parse(r.at)));
      dropped += (reports ?? []).length - kept.length;
      pending[system] = kept;
    }
    const resolved = (doc.resolved ?? []).filter((o) => !(purgedSet.has(o.id) && !openIds.has(o.id) && isOld(endOfOutage(o))));
    const changed = dropped > 0 || resolved.length !== (doc.resolved ?? []).length;
    return { doc: changed ? { ...doc, pending, resolved } : undefined, result: dropped };
  });

  // 3. The history index, last: until then a rerun finds the entries again.
  if (purged.length > 0) await outages.forgetHistory((e) => purgedSet.has(e.id) && isOld(endOf(e)));

  return { purged, pendingReports };
}
