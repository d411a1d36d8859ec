/**
 * A per-person limit on messages, so one stuck client (or a flood) cannot drown
 * the bot or the state store: beyond `limit` messages in `windowMs`, the first
 * excess message gets one kind answer and the rest are dropped (and logged) until
 * the window clears. In memory per process; the limit is generous for people.
 */
export type FloodVerdict = 'ok' | 'warn' | 'drop';

export class FloodGuard {
  readonly #seen = new Map<string, { times: number[]; warned: boolean }>();

  constructor(
    private readonly limit = 20,
    private readonly windowMs = 10_000,
    private readonly maxKeys = 50_000,
  ) {}

  check(key: string, at: Date): FloodVerdict {
    const now = at.getTime();
    const entry = this.#seen.get(key) ?? { times: [], warned: false };
    entry.times = entry.times.filter((t) => t > now - this.windowMs);
    if (entry.times.length >= this.limit) {
      const verdict: FloodVerdict = entry.warned ? 'drop' : 'warn';
      entry.warned = true;
      this.#seen.set(key, entry);
      return verdict;
    }
    entry.times.push(now);
    entry.warned = false;
    this.#seen.delete(key);
    this.#seen.set(key, entry);
    if (this.#seen.size > this.maxKeys) {
      const oldest = this.#seen.keys().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
    return 'ok';
  }
}
