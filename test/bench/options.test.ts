import { describe, expect, it } from 'vitest';
import { DEFAULT_STAFF, parseOptions } from '../../bench/http';

describe('npm run bench options', () => {
  it('a plain run is the full one and writes every section', () => {
    const o = parseOptions([]);
    expect(o.staff).toEqual(DEFAULT_STAFF);
    expect([...o.write].sort()).toEqual(['http', 'outage-oh', 'outage-ooh', 'scale-out']);
  });

  it('--staff N sets every section; name=N one of them', () => {
    expect(parseOptions(['--staff', '300']).staff).toEqual({ triage: 300, outage: 300, 'outage-ooh': 300, 'outage-oh': 300, 'scale-out': 300 });
    expect(parseOptions(['--staff', 'outage-ooh=300,scale-out=200']).staff).toEqual({ ...DEFAULT_STAFF, 'outage-ooh': 300, 'scale-out': 200 });
    expect(() => parseOptions(['--staff', 'capacity=3'])).toThrow(/no staff in "capacity"/);
  });

  it('a partial or smaller run writes only what --write names, and only what it ran', () => {
    expect(parseOptions(['--only', 'outage-ooh']).write.size).toBe(0);
    expect(parseOptions(['--staff', '300']).write.size).toBe(0);
    expect([...parseOptions(['--only', 'outage-ooh,scale-out', '--write', 'scale-out']).write]).toEqual(['scale-out']);
    expect(() => parseOptions(['--only', 'outage-ooh', '--write', 'http'])).toThrow(/needs triage, outage, capacity/);
    expect(parseOptions(['--no-write']).write.size).toBe(0);
    expect(() => parseOptions(['--only', 'triage,nope'])).toThrow(/unknown scenario "nope"/);
  });
});
