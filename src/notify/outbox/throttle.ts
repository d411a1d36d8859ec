import { iso, ms } from './time';
import { backoffMs } from '../../lib/backoff';

/**
 * The shared throttle, `outbox/throttle` (`slowUntil`): when Teams says slow
 * down, every instance waits, then ramps up again.
 *
 * A 429 always holds its conversation for Retry-After (or the backoff; see the
 * outcome of a send). In `adaptive` mode (default) everyone waits when Teams
 * throttles broadly: share·sample of this instance's last `sample` answers were
 * 429 (20 of 100: a storm is noticed after 20 refusals, while 5 % of stray 429s
 * almost never add up to 20 of 100), or a 429 asks for `longRetryAfterMs` or
 * more. In `every429` mode any 429 stops every instance until its Retry-After (or
 * an exponential default) has passed. After a pause the global rate climbs back
 * from half over `recoveryMs`.
 */

export interface ThrottlePolicy {
  readonly mode: 'adaptive' | 'every429';
  /** adaptive: answers of this instance looked at (default 100). */
  readonly sample: number;
  /** adaptive: everyone waits once share·sample of them were 429 (default 0.2: 20 of the last 100). */
  readonly share: number;
  /** adaptive: a 429 asking to wait this long (ms) or more pauses everyone (default 10 s). */
  readonly longRetryAfterMs: number;
  /** A pause without Retry-After: baseMs · 2^level with jitter, up to maxMs (default 1 s, 60 s); the level grows while nothing gets through between pauses. */
  readonly baseMs: number;
  readonly maxMs: number;
  /** After a pause the global rate climbs from half to full over this long (default 10 s). */
  readonly recoveryMs: number;
}

export const DEFAULT_THROTTLE: ThrottlePolicy = {
  mode: 'adaptive',
  sample: 100,
  share: 0.2,
  longRetryAfterMs: 10_000,
  baseMs: 1_000,
  maxMs: 60_000,
  recoveryMs: 10_000,
};

/** `outbox/throttle`. */
export interface ThrottleDoc {
  readonly slowUntil?: string;
  /** Consecutive pauses without Retry-After (exponential default). */
  readonly level: number;
  readonly lastPauseAt?: string;
  readonly by?: string;
  readonly reason?: string;
}

/** A pause everyone takes. */
export interface Pause {
  readonly at: number;
  readonly until: number;
  readonly pauseMs: number;
  readonly level: number;
  readonly reason: string;
  readonly by: string;
}

/**
 * This instance's side of the throttle: its last answers from Teams, the pause
 * in effect (its own, or one read from `outbox/throttle`), and the decision
 * whether a 429 pauses everyone. Pure: sharing a pause is `sharedPause`, written
 * by the outbox.
 */
export class Throttle {
  readonly policy: ThrottlePolicy;
  readonly #worker: string;
  readonly #random: () => number;
  #answers: boolean[] = [];
  #lastSuccessAt = Number.NEGATIVE_INFINITY;
  #doc: ThrottleDoc = { level: 0 };

  constructor(policy: ThrottlePolicy, worker: string, random: () => number) {
    this.policy = policy;
    this.#worker = worker;
    this.#random = random;
  }

  /** The throttle in effect here. */
  get doc(): ThrottleDoc {
    return this.#doc;
  }

  /** Nobody sends before this (epoch ms; -∞ for no pause). */
  get slowUntil(): number {
    return ms(this.#doc.slowUntil);
  }

  /** The stored throttle, unless this instance's own pause (still being written) ends later. */
  adopt(stored: ThrottleDoc): void {
    if (ms(stored.slowUntil) >= ms(this.#doc.slowUntil)) this.#doc = stored;
  }

  /** Teams accepted a request. */
  delivered(now: number): void {
    this.#answer(false);
    this.#lastSuccessAt = now;
  }

  /** Teams refused a request, but not with a 429 (or did not answer). */
  failed(): void {
    this.#answer(false);
  }

  /**
   * Teams answered 429: does everyone wait? Returns the pause (in effect here at
   * once, the others learn it from `outbox/throttle`), or undefined when only the
   * conversation waits.
   */
  throttled(now: number, retryAfterMs: number | undefined): Pause | undefined {
    this.#answer(true);
    const p = this.policy;
    let reason: string | undefined;
    if (p.mode === 'every429') reason = 'a 429';
    else if (retryAfterMs !== undefined && retryAfterMs >= p.longRetryAfterMs) reason = `a 429 with Retry-After ${Math.round(retryAfterMs / 1000)} s`;
    else {
      const refused = this.#answers.filter(Boolean).length;
      if (refused >= Math.max(1, Math.ceil(p.share * p.sample))) reason = `${refused} of the last ${this.#answers.length} answers were 429`;
    }
    if (!reason) return undefined;
    this.#answers = [];
    const previous = this.#doc;
    // The default pause grows while nothing gets through between pauses; a delivery after the last pause resets it.
    const escalate = previous.lastPauseAt !== undefined && this.#lastSuccessAt <= ms(previous.slowUntil) && now - ms(previous.lastPauseAt) < 60_000 + p.maxMs;
    const level = escalate ? previous.level + 1 : 0;
    const pauseMs = retryAfterMs ?? backoffMs(level + 1, { baseMs: p.baseMs, capMs: p.maxMs, jitter: 'equal' }, this.#random);
    const until = now + pauseMs;
    this.#doc = { ...previous, slowUntil: iso(Math.max(until, ms(previous.slowUntil))), level, lastPauseAt: iso(now), by: this.#worker, reason };
    return { at: now, until, pauseMs, level, reason, by: this.#worker };
  }

  /** After a pause the global rate climbs from half to full over recoveryMs: the factor at `now`. */
  ramp(now: number): number {
    const slowUntil = this.slowUntil;
    if (now >= slowUntil && now - slowUntil < this.policy.recoveryMs) return 0.5 + (0.5 * (now - slowUntil)) / this.policy.recoveryMs;
    return 1;
  }

  #answer(throttled: boolean): void {
    this.#answers.push(throttled);
    if (this.#answers.length > this.policy.sample) this.#answers.splice(0, this.#answers.length - this.policy.sample);
  }
}

/** `outbox/throttle` after a pause: the later end of the stored one and this one. */
export function sharedPause(stored: ThrottleDoc, pause: Pause): ThrottleDoc {
  const slowUntil = Math.max(ms(stored.slowUntil), pause.until);
  return { slowUntil: iso(slowUntil), level: pause.level, lastPauseAt: iso(pause.at), by: pause.by, reason: pause.reason };
}
