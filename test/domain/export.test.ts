import { describe, expect, it } from 'vitest';
import {
  CSV_BOM,
  CSV_HEADER,
  csvField,
  formatDuration,
  historyLines,
  localStamp,
  timelineCsv,
  timelineMarkdown,
} from '../../src/domain/export';
import { brondby } from '../helpers/instructions';
import {
  acknowledgeEscalation,
  addAnnouncement,
  addReport,
  addUpdate,
  claimOwnership,
  confirm,
  declare,
  handOver,
  markToldUp,
  markWorksAgain,
  newOutage,
  recordEscalation,
  resolve,
  type Outage,
  type Person,
} from '../../src/domain/outage';

const instruction = brondby;

/**
 * A Nexus outage through the night the clocks go back (Sunday 25 October 2026:
 * 03:00 CEST becomes 02:00 CET at 01:00 UTC), scripted with the domain's own
 * transitions, so every kind of timeline event appears once or more.
 */
const anna: Person = { key: 'anna', name: 'Anna Jensen' };
const bo: Person = { key: 'bo', name: 'Bo "Bosse" Hansen' };
const carl: Person = { key: 'carl', name: '=Carl; Nielsen' };
const admin: Person = { key: 'admin', name: 'Nexus Admin' };
const u = (iso: string) => new Date(iso);

function scripted(): Outage {
  let o = newOutage({
    id: 'nexus-202610242240-abcd1234',
    system: 'nexus',
    status: 'suspected',
    start: u('2026-10-24T22:40:00Z'),
    at: u('2026-10-24T22:50:00Z'),
    reports: [
      { person: anna, at: '2026-10-24T22:40:00.000Z' },
      { person: bo, at: '2026-10-24T22:45:00.000Z' },
    ],
  });
  o = addReport(o, carl, u('2026-10-24T22:55:00Z')).outage;
  o = confirm(o, admin, u('2026-10-24T23:00:00Z'));
  o = handOver(o, anna, u('2026-10-24T23:10:00Z'));
  o = addAnnouncement(o, { conversationId: '19:staff@thread.tacv2', serviceUrl: 'http://x', activityId: 'a1', kind: 'owner-notice' }, u('2026-10-24T23:10:05Z'));
  o = recordEscalation(o, 0, [], u('2026-10-25T00:40:00Z')); // 02:40 CEST
  o = acknowledgeEscalation(o, anna, u('2026-10-25T01:05:00Z')).outage; // 02:05 CET
  o = addUpdate(o, { id: 'u1', at: '2026-10-25T01:30:00.000Z', by: anna, text: 'KMD: "fejl i drift"; borger 010190-1234 berørt\nny melding kl. 6' });
  o = declare(o, { description: 'Nexus er nede i hele kommunen', start: u('2026-10-24T22:30:00Z'), expected: 'kl. 9', by: admin, at: u('2026-10-25T06:00:00Z') });
  o = handOver(o, admin, u('2026-10-25T06:10:00Z'));
  o = markWorksAgain(o, bo, u('2026-10-25T07:50:00Z'));
  o = resolve(o, admin, u('2026-10-25T08:00:00Z'));
  o = markToldUp(o, anna, u('2026-10-25T08:10:00Z')).outage;
  return o;
}

/** One line per event: Copenhagen time; 02:40 CEST and 02:05 CET on either side of the change. */
const EXPECTED_ROWS = [
  '2026-10-25 00:40;Meldt;Anna Jensen;',
  '2026-10-25 00:45;Meldt;"Bo ""Bosse"" Hansen";',
  '2026-10-25 00:50;Mistanke om nedbrud;;2 meldinger',
  '2026-10-25 00:55;Meldt;"\'=Carl; Nielsen";',
  '2026-10-25 01:00;Bekræftet;Nexus Admin;',
  '2026-10-25 01:10;Har sagen;Anna Jensen;overtaget før lukketid',
  '2026-10-25 01:10;Sendt til kanal;;besked til personalet om, at den, der ringede, har sagen',
  '2026-10-25 02:40;Påmindelse om driftvagten;;runde 1',
  '2026-10-25 02:05;Driftvagten underrettet;Anna Jensen;',
  '2026-10-25 02:30;Opdatering;Anna Jensen;"KMD: ""fejl i drift""; borger ******-**** berørt\nny melding kl. 6"',
  '2026-10-25 07:00;Meldt ud af Nexusteamet;Nexus Admin;Nexus er nede i hele kommunen',
  '2026-10-25 07:10;Har sagen;Nexus Admin;overtaget før lukketid',
  '2026-10-25 08:50;Virker igen for;"Bo ""Bosse"" Hansen";',
  '2026-10-25 09:00;Løst;Nexus Admin;',
  '2026-10-25 09:10;Driftvagten fik besked om, at Nexus virker;Anna Jensen;',
];

describe('timelineCsv', () => {
  it('BOM, header, one row per event in order, Copenhagen time across the DST change, CRLF, quoting, CPR masked', () => {
    const o = scripted();
    const csv = timelineCsv(o);
    expect(csv.startsWith(CSV_BOM)).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    // Rows end with CRLF; the only bare LF is inside the quoted update text.
    const lines = csv.slice(1).split('\r\n');
    expect(lines[0]).toBe(CSV_HEADER);
    expect(CSV_HEADER).toBe('tidspunkt;hændelse;af;tekst');
    expect(lines.slice(1, -1)).toEqual(EXPECTED_ROWS);
    expect(lines.slice(1, -1)).toHaveLength(o.timeline.length);
    expect(new Set(o.timeline.map((e) => e.kind)).size).toBe(12); // every kind of event is in the script
    expect(csv).not.toContain('010190-1234');
  });

  it('fields: quoted when needed, formulas neutralised, masked', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a;b')).toBe('"a;b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvField(' edge')).toBe('" edge"');
    expect(csvField('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvField('+45 4460 5040')).toBe("'+45 4460 5040");
    expect(csvField('@x')).toBe("'@x");
    expect(csvField('borger 0101901234')).toBe('borger **********');
    expect(csvField('4460 5040 og 24-12-2026')).toBe('4460 5040 og 24-12-2026');
  });
});

describe('timelineMarkdown', () => {
  it('the facts and every event, in order, in Copenhagen time, masked and escaped', () => {
    const md = timelineMarkdown(instruction, scripted(), 'da');
    expect(md.startsWith('# Nedbrud: Nexus, søndag 25. oktober 2026\n')).toBe(true);
    expect(md).toContain('- **Status:** Løst');
    expect(md).toContain('- **Nede siden:** 2026-10-25 00:30');
    expect(md).toContain('- **Løst:** 2026-10-25 09:00');
    expect(md).toContain('- **Varighed:** 9 t 30 min'); // 22:30Z → 08:00Z, although the wall clock shows 8 t 30 min
    expect(md).toContain('- **Beskrivelse:** Nexus er nede i hele kommunen');
    expect(md).toContain('- **Meldinger:** 3');
    expect(md).toContain('- **Driftvagten underrettet:** 2026-10-25 02:05 (Anna Jensen)');
    expect(md).toContain('| Tidspunkt | Hændelse | Af | Tekst |');
    const rows = md.split('\n').filter((l) => /^\| \d{4}-/.test(l));
    expect(rows).toHaveLength(15);
    expect(rows.map((r) => r.slice(2, 18))).toEqual(EXPECTED_ROWS.map((r) => r.slice(0, 16)));
    expect(rows[9]).toBe('| 2026-10-25 02:30 | Opdatering | Anna Jensen | KMD: "fejl i drift"; borger ******-**** berørt ny melding kl. 6 |');
    expect(rows[7]).toBe('| 2026-10-25 02:40 | Påmindelse om driftvagten |  | runde 1 |');
    expect(md).not.toContain('010190-1234');
  });

  it('escapes pipes and HTML in user text', () => {
    const o = addUpdate(scripted(), { id: 'u2', at: '2026-10-25T08:30:00.000Z', by: admin, text: 'a | b <img src=x> 0101901234' });
    const md = timelineMarkdown(instruction, o, 'da');
    expect(md).toContain('| a \\| b &lt;img src=x&gt; ********** |');
    expect(md).not.toContain('<img');
  });

  it('English headings and event names', () => {
    const md = timelineMarkdown(instruction, scripted(), 'en');
    expect(md.startsWith('# Outage: Nexus, Sunday 25 October 2026\n')).toBe(true);
    expect(md).toContain('| Time | Event | By | Text |');
    expect(md).toContain('| 2026-10-25 09:00 | Resolved | Nexus Admin |  |');
  });

  it('summer time too: 08:40 CEST is 06:40 UTC', () => {
    expect(localStamp('2026-06-01T06:40:00Z')).toBe('2026-06-01 08:40');
    expect(localStamp('2026-12-07T07:40:00Z')).toBe('2026-12-07 08:40');
    expect(localStamp('2026-03-29T00:59:00Z')).toBe('2026-03-29 01:59');
    expect(localStamp('2026-03-29T01:00:00Z')).toBe('2026-03-29 03:00');
  });

  it('a claim of ownership ("Jeg har ringet til KMD") is "Har sagen", noting whom they called', () => {
    const o = newOutage({ id: 'n', system: 'nexus', status: 'suspected', start: u('2026-12-07T07:40:00Z'), at: u('2026-12-07T07:40:00Z') });
    const claimed = claimOwnership(o, anna, u('2026-12-07T07:45:00Z'), 'kmd');
    if (!claimed.ok) throw new Error('claim failed');
    expect(timelineCsv(claimed.outage).split('\r\n')[2]).toBe('2026-12-07 08:45;Har sagen;Anna Jensen;ringede til KMD');
  });
});

describe('historyLines', () => {
  const now = u('2026-12-07T09:00:00Z');
  const entries = [
    { id: 'old', system: 'nexus' as const, start: '2026-11-01T08:00:00.000Z', resolvedAt: '2026-11-01T09:00:00.000Z' },
    { id: 'a', system: 'nexus' as const, start: '2026-12-07T07:40:00.000Z', resolvedAt: '2026-12-07T09:05:00.000Z' },
    { id: 'b', system: 'bekey' as const, start: '2026-12-05T18:40:00.000Z', resolvedAt: '2026-12-06T01:10:00.000Z' },
    { id: 'c', system: 'internet' as const, start: '2026-11-20T10:00:00.000Z', resolvedAt: null },
  ];

  it('the last 30 days, newest first, in Danish', () => {
    const later = u('2026-12-07T10:00:00Z');
    expect(historyLines(instruction, entries, later)).toEqual([
      { id: 'a', system: 'nexus', text: 'Nexus: mandag 7. december kl. 8.40 – kl. 10.05 (1 t 25 min)' },
      { id: 'b', system: 'bekey', text: 'Bekey: lørdag 5. december kl. 19.40 – søndag 6. december kl. 2.10 (6 t 30 min)' },
      { id: 'c', system: 'internet', text: 'Internettet: fredag 20. november kl. 11.00 (ikke meldt løst)' },
    ]);
  });

  it('a shorter window, and English', () => {
    expect(historyLines(instruction, entries, now, 3, 'en').map((l) => l.text)).toEqual(['Bekey: Saturday 5 December 19:40 – Sunday 6 December 02:10 (6 h 30 min)']);
  });

  it('durations', () => {
    expect(formatDuration(45 * 60_000, 'da')).toBe('45 min');
    expect(formatDuration(2 * 3_600_000, 'da')).toBe('2 t');
    expect(formatDuration(26 * 3_600_000 + 60_000, 'en')).toBe('1 d 2 h');
  });
});
