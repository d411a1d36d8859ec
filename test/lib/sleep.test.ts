import { describe, expect, it } from 'vitest';
import { sleep } from '../../src/lib/sleep';

describe('sleep', () => {
  it('resolves after about the time asked', async () => {
    const started = performance.now();
    await sleep(30);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('treats a negative or non-finite wait as none', async () => {
    await expect(sleep(-5)).resolves.toBeUndefined();
    await expect(sleep(Number.NaN)).resolves.toBeUndefined();
  });

  it('ends at once when aborted, with the abort reason', async () => {
    const controller = new AbortController();
    const started = performance.now();
    const waiting = sleep(60_000, controller.signal);
    setTimeout(() => controller.abort(new Error('stopping')), 10);
    await expect(waiting).rejects.toThrow('stopping');
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('rejects with an AbortError without waiting when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(sleep(60_000, controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('resolves normally when the signal is never aborted', async () => {
    const controller = new AbortController();
    await expect(sleep(5, controller.signal)).resolves.toBeUndefined();
    controller.abort(); // after the wait: nothing left to reject
  });
});
