/**
 * Small helpers the outbox shares with the rest of the app. One local copy of
 * each until the shared helper module (issue 15, "one of each helper") replaces
 * this file.
 */

/** Exponential backoff with equal jitter (half fixed, half random), never below a Retry-After. */
export function backoffMs(attempt: number, retryAfterMs: number | undefined, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.round(ceiling / 2 + (random() * ceiling) / 2);
  return Math.max(retryAfterMs ?? 0, jittered);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
