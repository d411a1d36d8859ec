import { describe, expect, it } from 'vitest';
import { backoffMs } from '../../src/lib/backoff';

const lowest = () => 0;
const highest = () => 0.999_999;
const middle = () => 0.5;

describe('backoffMs', () => {
  it('doubles from the base per failed try and stops at the cap', () => {
    const policy = { baseMs: 500, capMs: 5_000, jitter: 'none' } as const;
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, policy))).toEqual([500, 1_000, 2_000, 4_000, 5_000, 5_000]);
  });

  it('treats attempt 0 (nothing failed yet) like the first failure', () => {
    expect(backoffMs(0, { baseMs: 60_000, jitter: 'none' })).toBe(60_000);
  });

  it('with equal jitter waits between half the ceiling and the ceiling', () => {
    const policy = { baseMs: 2_000, jitter: 'equal' } as const;
    expect(backoffMs(3, policy, lowest)).toBe(4_000);
    expect(backoffMs(3, policy, middle)).toBe(6_000);
    expect(backoffMs(3, policy, highest)).toBe(8_000);
  });

  it('with full jitter may retry at once and never waits past the ceiling', () => {
    const policy = { baseMs: 2, capMs: 25, jitter: 'full' } as const;
    expect(backoffMs(10, policy, lowest)).toBe(0);
    expect(backoffMs(10, policy, middle)).toBe(13);
    expect(backoffMs(10, policy, highest)).toBe(25);
  });

  it('stays within its bounds for any random value and any attempt', () => {
    for (let attempt = 1; attempt <= 40; attempt++) {
      for (const r of [0, 0.1, 0.25, 0.5, 0.75, 0.999_999]) {
        const ceiling = Math.min(300_000, 500 * 2 ** (attempt - 1));
        const equal = backoffMs(attempt, { baseMs: 500, capMs: 300_000, jitter: 'equal' }, () => r);
        const full = backoffMs(attempt, { baseMs: 500, capMs: 300_000, jitter: 'full' }, () => r);
        expect(equal).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
        expect(equal).toBeLessThanOrEqual(ceiling);
        expect(full).toBeGreaterThanOrEqual(0);
        expect(full).toBeLessThanOrEqual(ceiling);
        expect(Number.isInteger(equal) && Number.isInteger(full)).toBe(true);
      }
    }
  });

  it('never waits less than a Retry-After, even past the cap', () => {
    expect(backoffMs(1, { baseMs: 500, capMs: 8_000, jitter: 'full', atLeastMs: 30_000 }, lowest)).toBe(30_000);
    expect(backoffMs(5, { baseMs: 500, capMs: 8_000, jitter: 'none', atLeastMs: 100 })).toBe(8_000);
  });

  it('is the same for the same random source', () => {
    const policy = { baseMs: 40, capMs: 1_000, jitter: 'equal' } as const;
    const seeded = (seed: number) => () => (seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647;
    const run = () => {
      const random = seeded(7);
      return [1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, policy, random));
    };
    expect(run()).toEqual(run());
  });
});
