/** Instants in the outbox's documents are ISO strings; in memory, epoch milliseconds. */

/** The instant of an ISO string; -∞ for none or a malformed one (so it is "long ago"). */
export function ms(iso: string | undefined): number {
  if (iso === undefined) return Number.NEGATIVE_INFINITY;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : Number.NEGATIVE_INFINITY;
}

export function iso(t: number): string {
  return new Date(t).toISOString();
}
