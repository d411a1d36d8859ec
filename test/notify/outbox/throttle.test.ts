import { describe, expect, it } from 'vitest';
import { DEFAULT_THROTTLE, sharedPause, Throttle, type ThrottlePolicy } from '../../../src/notify/outbox/throttle';

/**
 * The throttle decision (src/notify/outbox/throttle.ts), pure: when a 429 pauses
 * every instance, for how long, and how the pause grows while nothing gets
 * through. The whole outbox under a throttling connector:
 * test/notify/outbox.throttle.test.ts.
 */

const T0 = Date.parse('2026-12-07T07:05:00.000Z');
const iso = (t: number) => new Date(t).toISOString();

/** random() = 0: a pause without Retry-After is exactly half its ceiling (equal jitter). */
const throttle = (policy: Partial<ThrottlePolicy> = {}) => new Throttle({ ...DEFAULT_THROTTLE, ...policy }, 'a', () => 0);

describe('adaptive (default): does a 429 pause everyone?', () => {
  it('20 of the last 100 answers 429 pause everyone; 19 do not', () => {
    const t = throttle();
    for (let i = 0; i < 80; i++) t.delivered(T0);
    for (let i = 0; i < 19; i++) expect(t.throttled(T0, 2_000)).toBeUndefined();
    const pause = t.throttled(T0 + 10, 2_000);
    expect(pause).toMatchObject({ reason: '20 of the last 100 answers were 429', pauseMs: 2_000, until: T0 + 2_010, level: 0, by: 'a' });
    expect(t.slowUntil).toBe(T0 + 2_010);
    // The count starts again after a pause.
    expect(t.throttled(T0 + 3_000, 2_000)).toBeUndefined();
  });

  it('a stray 429 does not: 5 % of 2,000 answers never add up to 20 of the last 100', () => {
    const t = throttle();
    for (let i = 1; i <= 2_000; i++) {
      if (i % 20 === 0) expect(t.throttled(T0 + i, 1_000)).toBeUndefined();
      else if (i % 7 === 0) t.failed();
      else t.delivered(T0 + i);
    }
    expect(t.slowUntil).toBe(Number.NEGATIVE_INFINITY);
  });

  it('a long Retry-After pauses everyone at once, for as long as it asks', () => {
    const t = throttle();
    expect(t.throttled(T0, 9_999)).toBeUndefined();
    expect(t.throttled(T0, 10_000)).toMatchObject({ reason: 'a 429 with Retry-After 10 s', until: T0 + 10_000 });
  });

  it('every429: any 429 pauses everyone; without Retry-After for baseMs·2^level with jitter', () => {
    const t = throttle({ mode: 'every429' });
    expect(t.throttled(T0, undefined)).toMatchObject({ reason: 'a 429', pauseMs: 500, level: 0 });
  });
});

describe('the level: the default pause grows only while nothing gets through', () => {
  it('escalates pause after pause without a delivery, and starts over after one', () => {
    const t = throttle({ mode: 'every429' });
    const levels: [number, number][] = [];
    let now = T0;
    const pause = () => {
      const p = t.throttled(now, undefined);
      if (!p) throw new Error('no pause');
      levels.push([p.level, p.pauseMs]);
      now = p.until + 100;
    };
    pause();
    pause();
    pause();
    t.delivered(now); // something got through after the last pause
    now += 100;
    pause();
    expect(levels).toEqual([
      [0, 500],
      [1, 1_000],
      [2, 2_000],
      [0, 500],
    ]);
  });

  it('starts over after a long quiet (a minute plus maxMs since the last pause)', () => {
    const t = throttle({ mode: 'every429' });
    t.throttled(T0, undefined);
    expect(t.throttled(T0 + 1_000, undefined)?.level).toBe(1);
    expect(t.throttled(T0 + 1_000 + 60_000 + DEFAULT_THROTTLE.maxMs, undefined)?.level).toBe(0);
  });

  it('never exceeds maxMs', () => {
    const t = throttle({ mode: 'every429', baseMs: 1_000, maxMs: 4_000 });
    const pauses = Array.from({ length: 8 }, (_, i) => t.throttled(T0 + i * 5_000, undefined)?.pauseMs);
    expect(Math.max(...pauses.map((p) => p ?? 0))).toBe(2_000); // half of the 4 s cap with random() = 0
  });
});

describe('the pause shared through outbox/throttle', () => {
  it('keeps this instance’s own later pause over an earlier stored one, and takes a later stored one', () => {
    const t = throttle({ mode: 'every429' });
    t.throttled(T0, 5_000);
    t.adopt({ level: 0, slowUntil: iso(T0 + 1_000) });
    expect(t.slowUntil).toBe(T0 + 5_000);
    t.adopt({ level: 3, slowUntil: iso(T0 + 9_000), by: 'b' });
    expect(t.doc).toMatchObject({ level: 3, by: 'b' });
    expect(t.slowUntil).toBe(T0 + 9_000);
  });

  it('stores the later end of the stored pause and this one', () => {
    const pause = { at: T0, until: T0 + 2_000, pauseMs: 2_000, level: 1, reason: 'a 429', by: 'a' };
    expect(sharedPause({ level: 0, slowUntil: iso(T0 + 5_000) }, pause)).toEqual({ slowUntil: iso(T0 + 5_000), level: 1, lastPauseAt: iso(T0), by: 'a', reason: 'a 429' });
    expect(sharedPause({ level: 0 }, pause).slowUntil).toBe(iso(T0 + 2_000));
  });

  it('ramps the global rate from half to full over recoveryMs after the pause', () => {
    const t = throttle({ mode: 'every429', recoveryMs: 10_000 });
    t.throttled(T0, 1_000);
    expect(t.ramp(T0 + 1_000)).toBe(0.5);
    expect(t.ramp(T0 + 6_000)).toBe(0.75);
    expect(t.ramp(T0 + 11_000)).toBe(1);
  });
});
