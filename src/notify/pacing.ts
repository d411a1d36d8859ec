/**
 * Sliding-window pacing for Teams' rate limits (DESIGN.md, "Rate limits"): per bot
 * per conversation 7 per 1 s, 8 per 2 s, 60 per 30 s and 1800 per hour, and about
 * 50 requests per second per app overall. Pure: no timers, no clock; the caller
 * passes `now` and decides what to do with the answer.
 *
 * The service judges a request when it arrives: at arrival a it is refused when
 * `limit` admitted requests lie in (a − w, a]. We only know when we let a request
 * go (g) and when its answer came back (c); it arrived somewhere in [g, c]. So a
 * request counts in our windows at the latest instant it can have arrived:
 * while in flight at g + arrivalBound (assumed the longest one-way delay), once
 * answered at min(c, g + arrivalBound). Then no jitter up to the bound can make
 * an allowed send arrive as a violation, and a fast answer costs little headroom.
 * With `arrivalBoundMs` 0 (default) a request counts at g (a pure sliding window).
 * `marginMs` lengthens every window on top, if wanted.
 *
 * A request the service refused (429 Throttled) was not admitted: `settle` with
 * `refund` takes it out of the windows again, as the service does with requests
 * it refuses for breaking a limit.
 *
 * `spread` spaces global sends evenly (GCRA, one spacing of tolerance) instead of
 * a window's worth at once: requests then arrive as they were sent.
 *
 * Memory: per key only the timestamps that can still matter (the last max-limit
 * sends within the longest window); keys idle for longer than the longest window
 * are dropped on a sweep, and beyond `maxKeys` the least recently used key is
 * dropped (its windows then start afresh: only reachable with more than `maxKeys`
 * conversations within the hour).
 */

export interface RateWindow {
  /** Sends allowed within the window. */
  readonly limit: number;
  /** The window's length in milliseconds. */
  readonly windowMs: number;
}

/** Teams, per bot per conversation (1:1, group chat or channel, threads included). */
export const TEAMS_PER_CONVERSATION: readonly RateWindow[] = [
  { limit: 7, windowMs: 1_000 },
  { limit: 8, windowMs: 2_000 },
  { limit: 60, windowMs: 30_000 },
  { limit: 1_800, windowMs: 3_600_000 },
];

/** Teams, per app per tenant (about 50 requests per second). */
export const TEAMS_GLOBAL: readonly RateWindow[] = [{ limit: 50, windowMs: 1_000 }];

export interface PacingOptions {
  /** Windows each key (conversation) must respect; default TEAMS_PER_CONVERSATION. */
  readonly perKey?: readonly RateWindow[];
  /** Windows all sends together must respect; default TEAMS_GLOBAL. */
  readonly global?: readonly RateWindow[];
  /** Longest delay (ms) between letting a request go and its arrival (default 0); see the module comment. */
  readonly arrivalBoundMs?: number;
  /** Added to every window's length (ms, default 0). */
  readonly marginMs?: number;
  /** Keys kept at most (default 50 000); see the module comment. */
  readonly maxKeys?: number;
  /** Spread global sends evenly (default false); see the module comment. */
  readonly spread?: boolean;
}

/** What `record` returns, for `settle` when the answer comes. */
export interface SendMark {
  readonly key: string;
  /** When the request was let go (ms). */
  readonly at: number;
  /** The instant it counts at while in flight (ms). */
  readonly counted: number;
  readonly global: boolean;
}

/** Timestamps (ms) of recent sends, ascending, capped at `cap` entries. */
class Series {
  readonly times: number[] = [];
  constructor(private readonly cap: number) {}

  push(t: number): void {
    let i = this.times.length;
    while (i > 0 && (this.times[i - 1] ?? 0) > t) i--;
    this.times.splice(i, 0, t);
    if (this.times.length > this.cap) this.times.splice(0, this.times.length - this.cap);
  }

  /** Removes one entry equal to `t` (if still there); true if found. */
  remove(t: number): boolean {
    const i = this.times.lastIndexOf(t);
    if (i === -1) return false;
    this.times.splice(i, 1);
    return true;
  }

  /** Drops timestamps at or before `cutoff`. */
  trim(cutoff: number): void {
    let n = 0;
    while (n < this.times.length && (this.times[n] ?? 0) <= cutoff) n++;
    if (n > 0) this.times.splice(0, n);
  }

  get newest(): number | undefined {
    return this.times[this.times.length - 1];
  }

  /** The earliest instant ≥ now at which one more send keeps `limit` per `span` ms. */
  earliest(limit: number, span: number, now: number): number {
    if (limit < 1) return Number.POSITIVE_INFINITY;
    const n = this.times.length;
    if (n < limit) return now;
    const lth = this.times[n - limit] ?? Number.NEGATIVE_INFINITY;
    return Math.max(now, lth + span);
  }
}

export class Pacer {
  readonly perKey: readonly RateWindow[];
  readonly global: readonly RateWindow[];
  readonly marginMs: number;
  readonly maxKeys: number;
  readonly spread: boolean;
  readonly arrivalBoundMs: number;
  readonly #keyHorizon: number;
  readonly #globalHorizon: number;
  readonly #keys = new Map<string, Series>();
  readonly #global: Series;
  #recordsSinceSweep = 0;
  #scale = 1;
  /** Spreading (GCRA): the theoretical instant of the next global send. */
  #tat = Number.NEGATIVE_INFINITY;

  constructor(options: PacingOptions = {}) {
    this.perKey = checkWindows(options.perKey ?? TEAMS_PER_CONVERSATION, 'perKey');
    this.global = checkWindows(options.global ?? TEAMS_GLOBAL, 'global');
    this.marginMs = Math.max(0, options.marginMs ?? 0);
    this.maxKeys = Math.max(1, Math.floor(options.maxKeys ?? 50_000));
    this.spread = options.spread ?? false;
    this.arrivalBoundMs = Math.max(0, options.arrivalBoundMs ?? 0);
    this.#keyHorizon = Math.max(0, ...this.perKey.map((w) => w.windowMs)) + this.marginMs;
    this.#globalHorizon = Math.max(0, ...this.global.map((w) => w.windowMs)) + this.marginMs;
    this.#global = new Series(Math.max(1, ...this.global.map((w) => w.limit)));
  }

  /**
   * Shrinks the global limits by `scale` (0 < scale ≤ 1): this instance's share
   * when several send, or the climb after a throttle. A scaled limit is never
   * below 1.
   */
  setGlobalScale(scale: number): void {
    this.#scale = scale > 0 ? Math.min(1, scale) : 0;
  }

  get globalScale(): number {
    return this.#scale;
  }

  /** The earliest instant (≥ now) at which a send to `key` keeps every window. */
  nextAllowed(key: string, now: Date): Date {
    return new Date(this.#nextAllowedMs(key, now.getTime()));
  }

  /** How many sends the global windows allow at `now` (to size a batch). */
  globalRoom(now: Date): number {
    const t = now.getTime();
    let room = Number.POSITIVE_INFINITY;
    for (const w of this.global) {
      const limit = scaled(w.limit, this.#scale);
      const cutoff = t - w.windowMs - this.marginMs;
      let inWindow = 0;
      for (const x of this.#global.times) if (x > cutoff) inWindow++;
      room = Math.min(room, Math.max(0, limit - inWindow));
    }
    if (this.spread) {
      const spacing = this.#spacing();
      // One spacing of tolerance: two at once when on time, one when a little early.
      room = Math.min(room, t >= this.#tat ? 2 : t >= this.#tat - spacing ? 1 : 0);
    }
    return room;
  }

  /**
   * Notes a request to `key` let go at `now` (also when the caller went ahead
   * without asking); it counts as in flight until `settle`. `global: false`: only
   * the key's windows (e.g. another instance's sends, which count against that
   * instance's share of the global rate).
   */
  record(key: string, now: Date, options: { readonly global?: boolean } = {}): SendMark {
    const t = now.getTime();
    const counted = t + this.arrivalBoundMs;
    const global = options.global !== false;
    let series = this.#keys.get(key);
    if (series) {
      this.#keys.delete(key); // re-insert: Map order is least recently used first
    } else {
      series = new Series(Math.max(1, ...this.perKey.map((w) => w.limit)));
    }
    series.push(counted);
    series.trim(t - this.#keyHorizon);
    this.#keys.set(key, series);
    if (global) {
      this.#global.push(counted);
      this.#global.trim(t - this.#globalHorizon);
      if (this.spread) this.#tat = Math.max(this.#tat, t) + this.#spacing();
    }
    if (++this.#recordsSinceSweep >= 1_000 || this.#keys.size > this.maxKeys) this.sweep(now);
    return { key, at: t, counted, global };
  }

  /**
   * The answer to a recorded request came at `now`: it counts at min(now, its
   * in-flight instant) from here on, or not at all with `refund` (the service
   * refused it: 429).
   */
  settle(mark: SendMark, now: Date, options: { readonly refund?: boolean } = {}): void {
    const settled = Math.max(mark.at, Math.min(now.getTime(), mark.counted));
    const move = (series: Series | undefined) => {
      if (!series || !series.remove(mark.counted)) return;
      if (!options.refund) series.push(settled);
    };
    move(this.#keys.get(mark.key));
    if (mark.global) {
      move(this.#global);
      // A refused request gives its place in the even spacing back too.
      if (options.refund && this.spread) this.#tat = Math.max(now.getTime(), this.#tat - this.#spacing());
    }
  }

  /** Records and returns its mark when a send to `key` is allowed at `now`; undefined (nothing recorded) otherwise. */
  tryAcquire(key: string, now: Date): SendMark | undefined {
    if (this.#nextAllowedMs(key, now.getTime()) > now.getTime()) return undefined;
    return this.record(key, now);
  }

  /** Drops keys whose last send is older than the longest window, then the least recently used beyond maxKeys. */
  sweep(now: Date): void {
    this.#recordsSinceSweep = 0;
    const cutoff = now.getTime() - this.#keyHorizon;
    for (const [key, series] of this.#keys) {
      const newest = series.newest;
      if (newest === undefined || newest <= cutoff) this.#keys.delete(key);
    }
    while (this.#keys.size > this.maxKeys) {
      const oldest = this.#keys.keys().next();
      if (oldest.done) break;
      this.#keys.delete(oldest.value);
    }
    this.#global.trim(now.getTime() - this.#globalHorizon);
  }

  /** Keys currently tracked (for tests and metrics). */
  get size(): number {
    return this.#keys.size;
  }

  /** The even spacing of the strictest global window at the current scale. */
  #spacing(): number {
    return Math.max(0, ...this.global.map((w) => w.windowMs / scaled(w.limit, this.#scale)));
  }

  #nextAllowedMs(key: string, t: number): number {
    let at = t;
    const series = this.#keys.get(key);
    if (series) {
      for (const w of this.perKey) at = Math.max(at, series.earliest(w.limit, w.windowMs + this.marginMs, t));
    }
    for (const w of this.global) {
      at = Math.max(at, this.#global.earliest(scaled(w.limit, this.#scale), w.windowMs + this.marginMs, t));
    }
    // Spreading tolerates one spacing of lateness (a timer that fires a little late
    // does not slow the whole run); the windows above stay the hard limit.
    if (this.spread) at = Math.max(at, this.#tat - this.#spacing());
    return at;
  }
}

function scaled(limit: number, scale: number): number {
  if (!(scale > 0)) return 1;
  return Math.max(1, Math.floor(limit * Math.min(1, scale)));
}

function checkWindows(windows: readonly RateWindow[], name: string): readonly RateWindow[] {
  for (const w of windows) {
    if (!Number.isInteger(w.limit) || w.limit < 1 || !(w.windowMs > 0)) {
      throw new RangeError(`Pacer: ${name} window ${JSON.stringify(w)} needs a positive integer limit and a positive windowMs`);
    }
  }
  return windows.map((w) => ({ limit: w.limit, windowMs: w.windowMs }));
}

/**
 * Checks a list of send instants against windows, the way the connector does
 * (a send at a is a violation when `limit` earlier sends lie in (a − w, a]);
 * returns the indexes of the violating sends. For tests and the bench.
 * @internal for tests
 */
export function violations(times: readonly number[], windows: readonly RateWindow[]): number[] {
  const sorted = [...times].sort((a, b) => a - b);
  const out: number[] = [];
  for (const w of windows) {
    let lo = 0;
    for (let i = 0; i < sorted.length; i++) {
      const a = sorted[i] ?? 0;
      while (lo < i && (sorted[lo] ?? 0) <= a - w.windowMs) lo++;
      if (i - lo >= w.limit) out.push(i);
    }
  }
  return [...new Set(out)].sort((a, b) => a - b);
}
