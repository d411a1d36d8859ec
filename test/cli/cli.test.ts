import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import bundled from '../fixtures/brondby.json';
import { BRONDBY_FILE, FJORDBY_FILE } from '../helpers/instructions';

/*
 * The admin CLI as an admin runs it: the built files under dist/, as a process,
 * one JSON document on stdout, exit 2 and one line on stderr for a bad argument
 * (DESIGN.md "Admin CLI contract").
 */

const ROOT = resolve(__dirname, '../..');
const ADVISE = join(ROOT, 'dist/cli/advise.js');
const HOURS = join(ROOT, 'dist/cli/hours.js');
let tmp = '';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI on the rule tests' Brøndby (test/fixtures), unless the test gives another INSTRUCTION_FILE. */
function run(script: string, args: string[], env: Record<string, string> = {}): Run {
  const { INSTRUCTION_FILE: _ignored, ...inherited } = process.env;
  const r = spawnSync(process.execPath, [script, ...args], { cwd: ROOT, env: { ...inherited, INSTRUCTION_FILE: BRONDBY_FILE, ...env }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json(r: Run): unknown {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

/** The advice JSON, typed as far as the tests read it. */
interface AdviceJson {
  at: string;
  system: string;
  scope: string;
  internet: string | null;
  nexusteamOpen: boolean;
  nexusteamClosesAt: string | null;
  nexusteamNextOpen: string | null;
  checkInternetFirst: boolean;
  contact: { id: string; name: string; phone: string | null; email: string | null } | null;
  alternatives: Array<{ id: string; name: string; phone: string | null; email: string | null }>;
  owner: string | null;
  escalateAt: string | null;
  branch: string;
  steps: string[];
  worthKnowing: string[];
}

const advise = (...args: string[]): AdviceJson => json(run(ADVISE, args)) as AdviceJson;

beforeAll(() => {
  // Build once. Type errors elsewhere in the tree do not stop tsc from emitting;
  // what matters here is that the CLI files are fresh.
  spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT, encoding: 'utf8' });
  for (const [built, source] of [
    [ADVISE, 'src/cli/advise.ts'],
    [HOURS, 'src/cli/hours.ts'],
  ] as const) {
    expect(existsSync(built), `${built} was not built`).toBe(true);
    expect(statSync(built).mtimeMs, `${built} is older than ${source}`).toBeGreaterThanOrEqual(statSync(join(ROOT, source)).mtimeMs);
  }
  tmp = mkdtempSync(join(tmpdir(), 'nedbrud-cli-'));
}, 120_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('advise', () => {
  it('the Saturday example: KMD 4460 5040, the caller owns it, escalate 2 h later, the Nexusteam opens Monday 08:00', () => {
    const r = run(ADVISE, ['--system', 'nexus', '--scope', 'general', '--internet', 'up', '--at', '2026-12-05T10:00:00+01:00']);
    expect(r.stdout).toMatch(/^\{\n {2}"at": "2026-12-05T09:00:00\.000Z",\n/); // pretty, 2 spaces, one document
    const a = json(r) as AdviceJson;
    expect(a).toMatchObject({
      at: '2026-12-05T09:00:00.000Z',
      system: 'nexus',
      scope: 'general',
      internet: 'up',
      nexusteamOpen: false,
      nexusteamNextOpen: '2026-12-07T07:00:00.000Z',
      checkInternetFirst: false,
      contact: { id: 'kmd', name: 'KMD-support', phone: '44605040', email: null },
      alternatives: [],
      owner: 'caller',
      escalateAt: '2026-12-05T11:00:00.000Z',
      branch: 'kmd',
    });
    expect(Object.keys(a.contact ?? {})).toEqual(['id', 'name', 'phone', 'email']);
    expect(a.steps.slice(0, 2)).toEqual(['Ring til KMD-support: 4460 5040', 'Tast 1 (social og omsorg)']);
    expect(a.steps).toContain('Tast 153# (kommunenummer; eller bare #)');
    // The contract's fields, in the contract's order, before any additions.
    const keys = Object.keys(a);
    const contract = ['at', 'system', 'scope', 'internet', 'nexusteamOpen', 'nexusteamNextOpen', 'checkInternetFirst', 'contact', 'alternatives', 'owner', 'escalateAt', 'steps'];
    expect(keys.filter((k) => contract.includes(k))).toEqual(contract);
  });

  it('--at without an offset is Copenhagen time, in winter and in summer', () => {
    const base = ['--system', 'nexus', '--scope', 'general', '--internet', 'up'];
    const local = advise(...base, '--at', '2026-12-05T10:00');
    expect(local).toEqual(advise(...base, '--at', '2026-12-05T10:00:00+01:00'));
    expect(local).toEqual(advise(...base, '--at', '2026-12-05T09:00:00Z'));
    expect(advise(...base, '--at', '2026-07-04T10:00:00').at).toBe('2026-07-04T08:00:00.000Z');
  });

  it('--system internet ignores --internet: the Internet is what is down → IT 2365 0248', () => {
    for (const internet of [[], ['--internet', 'up'], ['--internet', 'down']]) {
      const a = advise('--system', 'internet', '--scope', 'general', ...internet, '--at', '2026-12-05T10:00');
      expect(a.internet).toBe('down');
      expect(a.checkInternetFirst).toBe(false);
      expect(a.contact).toEqual({ id: 'it', name: 'Brøndby IT', phone: '23650248', email: null });
      expect(a.escalateAt).toBeNull();
    }
  });

  it('out of hours without --internet: check the Internet first, contact null', () => {
    const a = advise('--system', 'bekey', '--scope', 'general', '--at', '2026-12-05T10:00');
    expect(a.checkInternetFirst).toBe(true);
    expect(a.contact).toBeNull();
    expect(a.internet).toBeNull();
    expect(a.steps[0]).toBe('Tjek først, om internettet virker: kommer en hjemmeside frem, så virker det.');
    expect(a.steps.slice(1).map((s) => s.split(' ')[0])).toEqual(['Enten', 'Eller']);
  });

  it('Nexus out of hours with the Internet down → IT, and the IT caller owns the case and the 2-hour rule; no word of KMD', () => {
    const a = advise('--system', 'nexus', '--scope', 'general', '--internet', 'down', '--at', '2026-12-05T19:40');
    expect(a.contact?.id).toBe('it');
    expect(a.owner).toBe('caller');
    expect(a.escalateAt).toBe('2026-12-05T20:40:00.000Z');
    expect(a.steps).toEqual([
      'Ring til IT: 2365 0248',
      'Når du har ringet til IT, har du sagen: du følger den, til Nexus virker igen.',
      'Virker Nexus stadig ikke kl. 21.40, ringer du til Regionens driftvagt: 3864 8888',
    ]);
    expect(a.steps.join(' ')).not.toContain('KMD');
  });

  it('Bekey out of hours with the Internet up → Bekey support 4330 0505', () => {
    const a = advise('--system', 'bekey', '--scope', 'general', '--internet', 'up', '--at', '2026-12-05T10:00');
    expect(a.contact?.phone).toBe('43300505');
    expect(a.owner).toBeNull();
    expect(a.escalateAt).toBeNull();
  });

  it('--vendor-says-internal out of hours → IT', () => {
    const a = advise('--system', 'nexus', '--scope', 'general', '--internet', 'up', '--vendor-says-internal', '--at', '2026-12-05T10:00');
    expect(a.branch).toBe('vendor-internal');
    expect(a.contact?.phone).toBe('23650248');
  });

  it('in office hours → the Nexusteam 4328 2020, who owns the 2-hour rule', () => {
    const a = advise('--system', 'nexus', '--scope', 'general', '--at', '2026-12-03T10:00');
    expect(a.nexusteamOpen).toBe(true);
    expect(a.nexusteamClosesAt).toBe('2026-12-03T17:00:00.000Z');
    expect(a.nexusteamNextOpen).toBeNull();
    expect(a.contact).toEqual({ id: 'nexusteam', name: 'Nexusteamet', phone: '43282020', email: 'nexusteam@brondby.dk' });
    expect(a.owner).toBe('nexusteam');
    expect(a.escalateAt).toBe('2026-12-03T11:00:00.000Z');
  });

  it('an individual problem → superuser (no number) with the Nexusteam as the alternative', () => {
    const a = advise('--system', 'nexus', '--scope', 'individual', '--at', '2026-12-05T10:00');
    expect(a.contact).toEqual({ id: 'superuser', name: 'Din superbruger', phone: null, email: null });
    expect(a.alternatives).toEqual([{ id: 'nexusteam', name: 'Nexusteamet', phone: '43282020', email: 'nexusteam@brondby.dk' }]);
    expect(a.owner).toBeNull();
    expect(a.escalateAt).toBeNull();
    expect(a.steps).toContain('Nexusteamet har lukket nu og åbner igen mandag 7. december kl. 8.00.');
  });

  it('--start moves the escalation; --lang en speaks English', () => {
    const a = advise('--system', 'nexus', '--scope', 'general', '--internet', 'up', '--at', '2026-12-05T10:00', '--start', '2026-12-05T09:15');
    expect(a.escalateAt).toBe('2026-12-05T10:15:00.000Z');
    const en = advise('--system', 'nexus', '--scope', 'general', '--internet', 'up', '--at', '2026-12-05T10:00', '--lang', 'en');
    expect(en.steps[0]).toBe('Call KMD support: 4460 5040');
  });

  it('without --at it advises for now', () => {
    const a = advise('--system', 'nexus', '--scope', 'general', '--internet', 'up');
    expect(a.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(typeof a.nexusteamOpen).toBe('boolean');
  });
});

describe('hours', () => {
  const day = (from: string): unknown => (json(run(HOURS, ['--from', from, '--days', '1'])) as unknown[])[0];

  it('reproduces the four days of DESIGN.md exactly', () => {
    expect(day('2026-12-24')).toEqual({ date: '2026-12-24', weekday: 'torsdag', open: [], closed: { kind: 'special', reason: 'Juleaftensdag' } });
    expect(day('2027-05-01')).toEqual({ date: '2027-05-01', weekday: 'lørdag', open: [], closed: { kind: 'weekend', reason: null } });
    expect(day('2028-05-01')).toEqual({
      date: '2028-05-01',
      weekday: 'mandag',
      open: [{ from: '08:00', to: '12:00' }],
      closed: { kind: 'special', reason: '1. maj (fra kl. 12)' },
    });
    expect(day('2026-12-03')).toEqual({ date: '2026-12-03', weekday: 'torsdag', open: [{ from: '08:00', to: '18:00' }], closed: null });
  });

  it('lists consecutive days in order; Christmas week shows the holidays by name', () => {
    const days = json(run(HOURS, ['--from', '2026-12-21', '--days', '8'])) as Array<{ date: string; closed: { kind: string; reason: string | null } | null }>;
    expect(days.map((d) => [d.date, d.closed?.reason ?? d.closed?.kind ?? 'open'])).toEqual([
      ['2026-12-21', 'open'],
      ['2026-12-22', 'open'],
      ['2026-12-23', 'open'],
      ['2026-12-24', 'Juleaftensdag'],
      ['2026-12-25', 'Juledag'],
      ['2026-12-26', 'weekend'],
      ['2026-12-27', 'weekend'],
      ['2026-12-28', 'open'],
    ]);
  });

  it('defaults to 7 days from today, and accepts up to 366', () => {
    const week = json(run(HOURS, [])) as Array<{ date: string }>;
    expect(week).toHaveLength(7);
    expect(json(run(HOURS, ['--from', '2028-01-01', '--days', '366']))).toHaveLength(366);
  });
});

describe('bad arguments: exit 2, one line on stderr, nothing on stdout', () => {
  const cases: Array<[string, string, string[], RegExp]> = [
    ['unknown flag', ADVISE, ['--system', 'nexus', '--scope', 'general', '--color'], /Unknown option '--color'/],
    ['bad system', ADVISE, ['--system', 'kmd', '--scope', 'general'], /--system must be one of nexus, bekey, internet \(got "kmd"\)/],
    ['missing system', ADVISE, ['--scope', 'general'], /--system is required/],
    ['bad scope', ADVISE, ['--system', 'nexus', '--scope', 'everyone'], /--scope must be one of individual, general/],
    ['missing scope', ADVISE, ['--system', 'nexus'], /--scope is required/],
    ['bad internet', ADVISE, ['--system', 'nexus', '--scope', 'general', '--internet', 'maybe'], /--internet must be one of up, down/],
    ['bad internet for system internet too', ADVISE, ['--system', 'internet', '--scope', 'general', '--internet', 'yes'], /--internet must be one of up, down/],
    ['unparseable --at', ADVISE, ['--system', 'nexus', '--scope', 'general', '--at', 'lørdag kl. 10'], /--at "lørdag kl. 10" is not a date-time/],
    ['--at on a day that does not exist', ADVISE, ['--system', 'nexus', '--scope', 'general', '--at', '2026-02-30T10:00'], /--at .* no such calendar date/],
    ['--at at 25 o\'clock', ADVISE, ['--system', 'nexus', '--scope', 'general', '--at', '2026-12-05T25:00'], /--at .* no such time of day/],
    ['--at in the spring-forward gap', ADVISE, ['--system', 'nexus', '--scope', 'general', '--at', '2026-03-29T02:30'], /does not exist in Copenhagen/],
    ['--at in the autumn overlap', ADVISE, ['--system', 'nexus', '--scope', 'general', '--at', '2026-10-25T02:30'], /occurs twice in Copenhagen/],
    ['--at without a value', ADVISE, ['--system', 'nexus', '--scope', 'general', '--at'], /--at/],
    ['--start after --at', ADVISE, ['--system', 'nexus', '--scope', 'general', '--at', '2026-12-05T10:00', '--start', '2026-12-05T11:00'], /--start .* is after --at/],
    ['a positional argument', ADVISE, ['nexus', '--scope', 'general'], /Unexpected argument 'nexus'/],
    ['--days 0', HOURS, ['--days', '0'], /--days must be a whole number from 1 to 366 \(got "0"\)/],
    ['--days 367', HOURS, ['--days', '367'], /--days must be a whole number from 1 to 366/],
    ['--days 1.5', HOURS, ['--days', '1.5'], /--days must be a whole number/],
    ['--days seven', HOURS, ['--days', 'seven'], /--days must be a whole number/],
    ['--from not a date', HOURS, ['--from', '24-12-2026'], /--from "24-12-2026" is not a date; expected YYYY-MM-DD/],
    ['--from a day that does not exist', HOURS, ['--from', '2027-02-29'], /--from "2027-02-29" has no such calendar date/],
    ['hours with an unknown flag', HOURS, ['--to', '2026-12-31'], /Unknown option '--to'/],
  ];

  it.each(cases)('%s', (_name, script, args, message) => {
    const r = run(script, args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.endsWith('\n')).toBe(true);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('INSTRUCTION_FILE', () => {
  it('another instruction file is used when given', () => {
    const data = structuredClone(bundled);
    const kmd = data.contacts.find((c) => c.id === 'kmd');
    if (!kmd) throw new Error('no kmd contact in the instruction');
    kmd.phone = '70101010';
    const file = join(tmp, 'other.json');
    writeFileSync(file, JSON.stringify(data));
    const a = json(run(ADVISE, ['--system', 'nexus', '--scope', 'general', '--internet', 'up', '--at', '2026-12-05T10:00'], { INSTRUCTION_FILE: file })) as AdviceJson;
    expect(a.contact?.phone).toBe('70101010');
    expect(a.steps[0]).toBe('Ring til KMD-support: 7010 1010');
  });

  it('a second municipality\'s file (Fjordby, test/fixtures) runs with no code change: its systems, vendors, hours and closures', () => {
    const env = { INSTRUCTION_FILE: FJORDBY_FILE };
    const robot = json(run(ADVISE, ['--system', 'medicinrobot', '--scope', 'general', '--at', '2026-12-06T19:40'], env)) as AdviceJson;
    expect(robot).toMatchObject({ checkInternetFirst: false, contact: { id: 'evondos', phone: '70271111' }, owner: null, escalateAt: null });
    const locks = json(run(ADVISE, ['--system', 'phoniro', '--scope', 'general', '--internet', 'up', '--at', '2026-12-06T19:40'], env)) as AdviceJson;
    expect(locks.contact).toMatchObject({ id: 'phoniro', phone: '70201919' });
    const nexus = json(run(ADVISE, ['--system', 'nexus', '--scope', 'general', '--internet', 'up', '--at', '2026-12-06T19:40'], env)) as AdviceJson;
    expect(nexus).toMatchObject({ contact: { id: 'kmd' }, owner: 'caller', escalateAt: '2026-12-06T20:40:00.000Z' });
    expect(nexus.steps).toContain('Tast 907# (Fjordbys kommunenummer)');
    // Friday 13:30: Fjordby's Nexusteam is open (Brøndby's closed at 13)
    expect((json(run(ADVISE, ['--system', 'nexus', '--scope', 'general', '--at', '2026-12-04T13:30'], env)) as AdviceJson).contact?.id).toBe('nexusteam');
    const days = json(run(HOURS, ['--from', '2026-08-28', '--days', '2'], env));
    expect(days).toEqual([
      { date: '2026-08-28', weekday: 'fredag', open: [], closed: { kind: 'special', reason: 'Fjordby byfest' } },
      { date: '2026-08-29', weekday: 'lørdag', open: [{ from: '09:00', to: '12:00' }], closed: null },
    ]);
    const bekey = run(ADVISE, ['--system', 'bekey', '--scope', 'general'], env);
    expect(bekey.code).toBe(2);
    expect(bekey.stderr).toContain('--system must be one of nexus, phoniro, medicinrobot, internet');
  });

  it('an invalid file fails with one line naming the field', () => {
    const data = structuredClone(bundled);
    data.officeHours.weekly.friday = [{ from: '08:00', to: '1300' }];
    const file = join(tmp, 'invalid.json');
    writeFileSync(file, JSON.stringify(data));
    for (const script of [ADVISE, HOURS]) {
      const r = run(script, script === ADVISE ? ['--system', 'nexus', '--scope', 'general'] : [], { INSTRUCTION_FILE: file });
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('officeHours.weekly.friday[0].to');
      expect(r.stderr).toContain(file);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });

  it('a missing or broken file is named', () => {
    const missing = run(HOURS, [], { INSTRUCTION_FILE: join(tmp, 'nope.json') });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope\.json cannot be read/);
    const broken = join(tmp, 'broken.json');
    writeFileSync(broken, '{ "schemaVersion": 1, ');
    const r = run(HOURS, [], { INSTRUCTION_FILE: broken });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/broken\.json is not valid JSON/);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
