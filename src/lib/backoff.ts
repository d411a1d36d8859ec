/**
 * How long to wait before trying again, for every retry loop of the bot (Teams
 * sends, the outbox, mail, eTag conflicts, a busy SQLite file, durable jobs).
 *
 * The wait after the `attempt`-th failed try (1-based) grows from `baseMs`,
 * doubling per try, up to `capMs`: ceiling = min(capMs, baseMs · 2^(attempt−1)).
 * The jitter spreads instances that failed together so they do not retry
 * together:
 *
 * - `none`: exactly the ceiling (durable jobs: one runner, minutes apart);
 * - `equal`: between half the ceiling and the ceiling (never much sooner than
 *   planned, still spread);
 * - `full`: anywhere from 0 to the ceiling (contention where the first retry
 *   should be quick, e.g. eTag conflicts).
 *
 * Never below `atLeastMs` (a Retry-After the service sent). Whole milliseconds.
 * Pass `random` to make it deterministic (tests).
 */

export type Jitter = 'none' | 'equal' | 'full';

export interface BackoffPolicy {
  /** The wait after the first failed try (its ceiling, with jitter). */
  readonly baseMs: number;
  /** No wait is longer (unless `atLeastMs` asks for it); default: no cap. */
  readonly capMs?: number;
  readonly jitter: Jitter;
  /** A floor for this wait, e.g. the Retry-After of the answer; it wins over the cap. */
  readonly atLeastMs?: number | undefined;
}

/** The wait in ms before try `attempt + 1`; `random` returns 0 ≤ x < 1. */
export function backoffMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  const ceiling = Math.max(0, Math.min(policy.capMs ?? Infinity, policy.baseMs * 2 ** exponent));
  const wait =
    policy.jitter === 'none' ? ceiling : policy.jitter === 'equal' ? ceiling / 2 + (random() * ceiling) / 2 : random() * ceiling;
  return Math.max(policy.atLeastMs ?? 0, Math.round(wait));
}
