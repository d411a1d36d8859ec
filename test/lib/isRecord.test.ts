import { describe, expect, it } from 'vitest';
import { isRecord } from '../../src/lib/isRecord';

describe('isRecord', () => {
  it('accepts plain objects, empty or not, and objects of classes', () => {
    expect(isRecord({})).toBe(true);
    expect(isRecord({ tenant: { id: 't' } })).toBe(true);
    expect(isRecord(new Error('x'))).toBe(true);
    expect(isRecord(Object.create(null))).toBe(true);
  });

  it('refuses arrays, null and primitives', () => {
    expect(isRecord([])).toBe(false);
    expect(isRecord([{ id: 'x' }])).toBe(false);
    expect(isRecord(null)).toBe(false);
    expect(isRecord(undefined)).toBe(false);
    expect(isRecord('tenant')).toBe(false);
    expect(isRecord(42)).toBe(false);
    expect(isRecord(() => ({}))).toBe(false);
  });
});
