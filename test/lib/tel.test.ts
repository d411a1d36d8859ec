import { describe, expect, it } from 'vitest';
import { telUri } from '../../src/lib/tel';

describe('telUri', () => {
  it('dials a Danish number of the instruction with +45', () => {
    expect(telUri('44605040')).toBe('tel:+4544605040');
  });

  it('keeps a number that already has its country code', () => {
    expect(telUri('+4638648888')).toBe('tel:+4638648888');
  });

  it('drops the spaces people write numbers with', () => {
    expect(telUri('44 60 50 40')).toBe('tel:+4544605040');
    expect(telUri(' +45 44 60 50 40 ')).toBe('tel:+4544605040');
  });
});
