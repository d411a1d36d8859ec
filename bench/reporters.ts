import type { Storage } from 'botbuilder';
import type { SystemId } from '../src/domain/types';
import { OutageStore } from '../src/store/outages';
import { ReportStore } from '../src/store/reports';

/**
 * How many distinct members of staff the storage holds a report from, for one
 * system: every report of the open outage (each under its own keys, read a page at
 * a time through ReportStore, not the count of the shards: the reports themselves)
 * plus those still waiting in the detection window of the live document. The
 * outage bursts compare it with the staff who reported.
 *
 * The only place in the bench that knows where reports are stored.
 */
export async function storedReporters(storage: Storage, system: SystemId = 'nexus'): Promise<number> {
  const live = await new OutageStore(storage).live();
  const keys = new Set<string>();
  const open = live.open[system];
  if (open) for await (const page of new ReportStore(storage).pages(open.id)) for (const r of page) keys.add(r.person.key);
  for (const r of live.pending[system] ?? []) keys.add(r.person.key);
  return keys.size;
}
