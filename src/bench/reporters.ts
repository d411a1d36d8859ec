import type { Storage } from 'botbuilder';
import type { SystemId } from '../domain/types';
import { OutageStore } from '../store/outages';

/**
 * How many distinct members of staff the storage holds a report from, for one
 * system: the open outage's reports plus those still waiting in the detection
 * window. The outage bursts compare it with the staff who reported.
 *
 * The only place in the bench that knows where reports are stored (today: the
 * `reports` of the open outage and `pending` in the live document `outages/live`,
 * read through OutageStore). When the layout changes, change this function.
 */
export async function storedReporters(storage: Storage, system: SystemId = 'nexus'): Promise<number> {
  const live = await new OutageStore(storage).live();
  const keys = new Set<string>();
  for (const r of live.open[system]?.reports ?? []) keys.add(r.person.key);
  for (const r of live.pending[system] ?? []) keys.add(r.person.key);
  return keys.size;
}
