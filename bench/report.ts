import fs from 'node:fs';
import path from 'node:path';
import type { BenchResult, CapacityFigures, ReportBurstFigures, RunFigures, SectionName, TargetCheck } from './figures';

/**
 * The HTTP bench's sections of bench/results.md, each between its own markers
 * (`<!-- bench:NAME:start -->` … `<!-- bench:NAME:end -->`): `http` (triage
 * burst, outage burst, capacity), `outage-ooh`, `outage-oh` and `scale-out`.
 * Writing one replaces only it; the others, and the broadcast benchmark's, are
 * left exactly as they are.
 */

/** The order the sections appear in when the file does not have them yet. */
const ORDER: readonly string[] = ['http', 'outage-ooh', 'outage-oh', 'scale-out'];

export const startMarker = (name: string) => `<!-- bench:${name}:start -->`;
export const endMarker = (name: string) => `<!-- bench:${name}:end -->`;

const fmt = (n: number): string => (Number.isFinite(n) ? String(n) : '–');
const kb = (bytes: number): string => (bytes >= 10 * 1024 ? `${Math.round(bytes / 1024)} KB` : `${Math.round(bytes / 102.4) / 10} KB`);

function runRow(label: string, r: RunFigures): string {
  const l = r.latencyMs;
  return `| ${label} | ${r.turns} | ${fmt(r.turnsPerS)} | ${fmt(l.p50)} | ${fmt(l.p95)} | ${fmt(l.p99)} | ${fmt(l.max)} | ${r.errors.total} | ${fmt(r.process.rssMb.peak)} | ${fmt(r.cpuMsPerTurn)} |`;
}

const RUN_HEADER = [
  '| | turns | turns/s | p50 ms | p95 ms | p99 ms | max ms | errors | peak RSS MB | CPU ms/turn |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
];

function walks(r: RunFigures): string {
  const turns = Object.entries(r.walks.turns)
    .map(([k, n]) => `${n} × ${k} turns`)
    .join(', ');
  const endings = Object.entries(r.walks.endings)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  return `${turns} (endings: ${endings})`;
}

function byTurn(r: RunFigures): string {
  return r.latencyByTurnMs.map((s, i) => `turn ${i + 1}: p50 ${fmt(s.p50)} / p99 ${fmt(s.p99)} ms`).join('; ');
}

function deciles(r: RunFigures): string {
  return r.latencyByArrivalDecileMs.map((d) => fmt(d.p99)).join(' · ');
}

function errors(r: RunFigures): string {
  const entries = Object.entries(r.errors.kinds);
  return entries.length === 0 ? 'none' : entries.map(([k, n]) => `${k} × ${n}`).join(', ');
}

function storage(r: RunFigures | CapacityFigures): string {
  const s = r.process.storage;
  if (!s) return 'n/a';
  const large = s.largest.filter((x) => x.bytes >= 1024).map((x) => `\`${x.key}\` ${kb(x.bytes)}`);
  return `${s.items} items, ${Math.round(s.bytes / 1024)} KB${large.length > 0 ? `; largest ${large.join(', ')}` : ''}`;
}

function problems(r: RunFigures | CapacityFigures): string {
  const entries = Object.entries(r.process.log);
  const died = r.process.instances.filter((p) => p.diedDuringRun).length;
  return (entries.length === 0 ? 'none' : entries.map(([k, n]) => `${k} ${n}`).join(', ')) + (died > 0 ? ` (**${died} process${died > 1 ? 'es' : ''} died during the run**)` : '');
}

function header(result: BenchResult, title: string): string[] {
  const m = result.machine;
  return [
    `## ${title}`,
    '',
    `Run ${m.date} (Copenhagen: ${m.copenhagenTime}) with \`${result.settings.command}\`${result.settings.command === 'node dist-bench/bench/http.js' ? ' (`npm run bench`)' : ''}, ${result.wallSeconds} s in all.`,
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB memory, Node ${m.node}, ${m.os}; load average at the end ${m.loadAverage.join(' / ')}. Code: ${m.commit}.`,
    '',
  ];
}

const env = (e: Record<string, string>): string =>
  Object.entries(e)
    .map(([k, v]) => `\`${k}\` (${v})`)
    .join(', ');

function machineTable(result: BenchResult, runs: readonly [string, RunFigures | CapacityFigures][], withAzurite = false): string[] {
  if (runs.length === 0) return [];
  const s = result.settings;
  return [
    '### The machine during each run',
    '',
    `The machine is shared (other sessions run test suites on the same ${result.machine.cores} cores). Before each run the harness waited up to ${s.quietWaitSeconds} s for the rest of the machine to use less than ${s.quietCores} cores; during the run it measured, in cores used on average:`,
    '',
    `| run | seconds | bot${withAzurite ? ' processes | Azurite' : ''} | harness | other processes | steal | harness event-loop lag p99 / max ms | waited s |`,
    `|---|---:|---:|${withAzurite ? '---:|' : ''}---:|---:|---:|---:|---:|`,
    ...runs.map(([name, r]) => {
      const d = r.process.machineDuringRun;
      return `| ${name} | ${d.seconds} | ${d.botCores} |${withAzurite ? ` ${d.azuriteCores} |` : ''} ${d.harnessCores} | ${d.otherCores} | ${d.stealCores} | ${d.harnessLoopDelayMs.p99} / ${d.harnessLoopDelayMs.max} | ${d.quietWaitS} |`;
    }),
    '',
  ];
}

function targetTable(targets: readonly TargetCheck[]): string[] {
  if (targets.length === 0) return [];
  return [
    '### Targets',
    '',
    '| | target | measured | limit |',
    '|---|---|---:|---:|',
    ...targets.map((t) => `| ${t.pass ? '✔' : '✘ **FAIL**'} | ${t.name} | ${fmt(t.value)} ${t.unit} | ${fmt(t.limit)} ${t.unit} |`),
    '',
  ];
}

function renderHttp(result: BenchResult): string | undefined {
  const s = result.settings;
  const tb = result.triageBurst;
  const ob = result.outageBurst;
  const cap = result.capacity;
  if (!tb || !ob || !cap) return undefined;
  const lines: string[] = [
    startMarker('http'),
    ...header(result, 'HTTP: triage burst, outage burst, capacity'),
    `Each run is its own process with a fresh SQLite file: the bot is \`node ${[...s.nodeFlags, 'dist/index.js'].join(' ')}\` as \`npm start\` runs it, in its default configuration (detection on): the only settings are ${env(s.env)}. ` +
      `Its clock is set through the development playground's \`POST /dev/clock\` to ${tb.bot.botClock ?? s.outOfHoursAt} (out of the Nexusteam's hours), so every run sees the same hours. ` +
      `The floor is \`node ${[...s.nodeFlags, 'dist-bench/bench/echoBot.js'].join(' ')}\` (the same \`createAdapter\`, \`createServer\`, \`createStorage\`; one ConversationState read and write and one reply per turn). ` +
      "Replies go to a local connector (node:http) that answers at once; a POST round trip ends after the turn's replies were delivered. The walkers press the cards' buttons by their data. " +
      `Before each measured run ${s.warmupWalks} walks of staff whose problem is their own warm the process up (not measured; they report nothing). ` +
      "RSS is the bot process's own: peak = VmHWM from /proc; CPU ms/turn = the process's user+system time over the run / turns.",
    '',
    `### Triage burst: ${s.staff.triage} staff arriving at ${s.ratePerS}/s whose Nexus problem is their own, from "Nexus er nede" through "kun hos mig" to their advice card`,
    '',
    "These staff answer the scope question with `scope: individual`, so they report nothing: detection is on, as deployed, and has nothing to do for them. " +
      'The section measures what every conversation costs (the triage dialog, its state, adapter and server) against the floor; ' +
      'what reports cost, the live outage document and detection, is measured by the outage bursts in the sections below, with their own targets. ' +
      'Walking the known-outage card here instead would repeat those sections and turn the floor comparison into a measure of the outage document.',
    '',
    ...RUN_HEADER,
    runRow('bot', tb.bot),
    runRow('floor (echo)', tb.floor),
    '',
    `- Walks: ${walks(tb.bot)}. The floor did the same number of turns per person.`,
    `- Bot by turn of the walk: ${byTurn(tb.bot)}.`,
    `- Bot p99 by arrival decile (first tenth … last tenth), ms: ${deciles(tb.bot)}.`,
    `- Floor p99 by arrival decile, ms: ${deciles(tb.floor)}.`,
    `- Replies delivered: bot ${tb.bot.deliveries}, floor ${tb.floor.deliveries}. Errors: bot ${errors(tb.bot)}; floor ${errors(tb.floor)}. Warn/error log lines: bot ${problems(tb.bot)}; floor ${problems(tb.floor)}. POSTs re-sent after a closed keep-alive socket: bot ${tb.bot.process.clientRetries}, floor ${tb.floor.process.clientRetries}.`,
    `- Storage after the run: bot ${storage(tb.bot)}; floor ${storage(tb.floor)}.`,
    `- Harness arrival lag (max): bot run ${tb.bot.arrivalLagMaxMs} ms, floor run ${tb.floor.arrivalLagMaxMs} ms.`,
    '',
    `### Outage burst: ${s.staff.outage} staff arriving at ${s.ratePerS}/s while a Nexus outage is active (each gets the known-outage answer)`,
    '',
    ...RUN_HEADER,
    runRow('bot', ob.bot),
    runRow('floor (echo, from the triage burst)', tb.floor),
    '',
    `- Walks: ${walks(ob.bot)}. The outage was made active first by one member of staff pressing "Jeg har ringet til KMD" (\`{action:'called', system:'nexus', contact:'kmd'}\`); each arrival's "Nexus er nede" is counted as a report.`,
    `- Bot p99 by arrival decile, ms: ${deciles(ob.bot)}.`,
    `- Errors: ${errors(ob.bot)}. Warn/error log lines: ${problems(ob.bot)}. Storage after the run: ${storage(ob.bot)}; reporters stored ${ob.bot.process.storage?.reporters ?? '?'}.`,
    '',
  ];
  const users = [...new Set([...cap.bot.levels.map((l) => l.users), ...cap.floor.levels.map((l) => l.users)])].sort((a, b) => a - b);
  lines.push(
    `### Capacity: N concurrent users looping the triage burst's walk, ${s.levelSeconds} s per level (after ${s.warmupSeconds} s), N doubled until turns/s stopped rising (two levels without +5 %, or one 10 % below the best)`,
    '',
    '| users | bot turns/s | bot p50 ms | bot p99 ms | bot errors | floor turns/s | floor p50 ms | floor p99 ms | floor errors |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...users.map((u) => {
      const b = cap.bot.levels.find((l) => l.users === u);
      const f = cap.floor.levels.find((l) => l.users === u);
      const cells = (l: typeof b) => (l ? `${fmt(l.turnsPerS)} | ${fmt(l.latencyMs.p50)} | ${fmt(l.latencyMs.p99)} | ${l.errors}` : '– | – | – | –');
      return `| ${u} | ${cells(b)} | ${cells(f)} |`;
    }),
    '',
    `- Peak: bot ${cap.bot.peak.turnsPerS} turns/s at ${cap.bot.peak.users} users; floor ${cap.floor.peak.turnsPerS} turns/s at ${cap.floor.peak.users} users; ratio ${cap.ratio}.`,
    `- CPU ms/turn: bot ${cap.bot.cpuMsPerTurn}, floor ${cap.floor.cpuMsPerTurn}. Peak RSS MB: bot ${cap.bot.process.rssMb.peak}, floor ${cap.floor.process.rssMb.peak}.`,
    `- Storage after the run: bot ${storage(cap.bot)}; floor ${storage(cap.floor)}.`,
    '',
  );
  lines.push(
    ...machineTable(result, [
      ['triage burst, bot', tb.bot],
      ['triage burst, floor', tb.floor],
      ['outage burst, bot', ob.bot],
      ['capacity, bot', cap.bot],
      ['capacity, floor', cap.floor],
    ]),
    ...targetTable(result.targets.filter((t) => t.section === 'http')),
    endMarker('http'),
  );
  return lines.join('\n');
}

function renderReportBurst(result: BenchResult, name: 'outage-ooh' | 'outage-oh' | 'scale-out', b: ReportBurstFigures): string {
  const s = result.settings;
  const r = b.run;
  const staff = s.staff[name];
  const title = {
    'outage-ooh': `Outage burst out of hours: ${staff} staff reporting Nexus down at ${s.ratePerS}/s, SQLite`,
    'outage-oh': `Outage burst in the Nexusteam's hours: ${staff} staff reporting Nexus down at ${s.ratePerS}/s, SQLite`,
    'scale-out': `Scale-out: ${staff} staff reporting Nexus down at ${s.ratePerS}/s, Azure Blob (Azurite), ${b.instances} bot processes`,
  }[name];
  const deployment =
    b.storage === 'blob'
      ? `${b.instances} bot processes, each \`node ${[...s.nodeFlags, 'dist/index.js'].join(' ')}\` as \`npm start\` runs it, sharing one container on Azurite (\`azurite-blob --inMemoryPersistence --skipApiVersionCheck\`, blob content in memory up to ${s.azuriteMemoryMb} MB, started for the run and stopped after it); their only settings are ${env(s.blobEnv)}. Arrivals go round-robin between the processes; each member of staff stays with the process they arrived at.`
      : `One bot process, \`node ${[...s.nodeFlags, 'dist/index.js'].join(' ')}\` as \`npm start\` runs it, with a fresh SQLite file; its only settings are ${env(s.env)}.`;
  const walk =
    name === 'outage-oh'
      ? 'which in the Nexusteam\'s hours leads straight to the Nexusteam card; once 3 have reported, detection has made a suspected outage, and the first answer is the known-outage card, which in hours says the Nexusteam is on it and offers no way on: the walk ends there (the report is counted when that card is shown).'
      : 'then "the Internet works" (`internet: up`), to the KMD card; once 3 have reported, detection has made a suspected outage, and the first answer is the known-outage card, whose "Hvem skal jeg ringe til?" (`{action:\'triage\', skipKnown:true}`) leads on through the scope and Internet questions to the KMD card. The walk ends at the card with the called-KMD button; nobody presses it.';
  const lines: string[] = [
    startMarker(name),
    ...header(result, title),
    `${deployment} Default configuration: detection on, no setting turned off. The bot's clock is set through the development playground's \`POST /dev/clock\` to ${r.botClock ?? '?'}. ` +
      `Nothing is declared and no outage exists when the first member of staff arrives. Each is new, writes "Nexus er nede" and presses the buttons the cards offer, read by their data (verbs and fields, not their texts): "colleagues too" (\`scope: general\`), ${walk} ` +
      `Before the run ${s.warmupWalks} walks per process of staff whose problem is their own (\`scope: individual\`: no report) warm the process up. A POST waits at most 30 s.`,
    '',
    '| staff | turns | turns/s | p50 ms | p95 ms | p99 ms | max ms | errors | peak RSS MB | CPU ms/turn |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${r.people} | ${r.turns} | ${fmt(r.turnsPerS)} | ${fmt(r.latencyMs.p50)} | ${fmt(r.latencyMs.p95)} | ${fmt(r.latencyMs.p99)} | ${fmt(r.latencyMs.max)} | ${r.errors.total} | ${fmt(r.process.rssMb.peak)} | ${fmt(r.cpuMsPerTurn)} |`,
    '',
    `By arrival decile (each tenth of the staff, in the order they arrived; ${Math.round(r.people / 10)} people each):`,
    '',
    '| decile | turns | p50 ms | p99 ms | max ms |',
    '|---:|---:|---:|---:|---:|',
    ...r.latencyByArrivalDecileMs.map((d, i) => `| ${i + 1} | ${d.turns} | ${fmt(d.p50)} | ${fmt(d.p99)} | ${fmt(d.max)} |`),
    '',
    `- Walks: ${walks(r)}. By turn of the walk: ${byTurn(r)}.`,
    `- Reporters: ${b.reporters.sent} sent (every member of staff reports once on the way), ${b.reporters.stored ?? 'unknown'} distinct stored after the run.`,
    `- Largest stored document: ${b.largestDocument ? `\`${b.largestDocument.key}\` ${kb(b.largestDocument.bytes)}` : 'unknown'}. Storage after the run: ${storage(r)}.`,
    `- Errors: ${errors(r)}. Warn/error log lines: ${problems(r)}${r.process.lastProblems.length > 0 ? ` (last: \`${(r.process.lastProblems[r.process.lastProblems.length - 1] ?? '').slice(0, 200).replace(/`/g, "'")}\`)` : ''}.`,
    `- Replies delivered: ${r.deliveries}. Run ${r.durationS} s from the first arrival to the last walk's end; harness arrival lag (max) ${r.arrivalLagMaxMs} ms; POSTs re-sent after a closed keep-alive socket: ${r.process.clientRetries}.`,
  ];
  const ended = (p: ReportBurstFigures['run']['process']['instances'][number]): string =>
    p.diedDuringRun
      ? `**died during the run** (${p.diedDuringRun.signal ?? `exit code ${p.diedDuringRun.code}`}${p.diedDuringRun.stderrTail ? `; stderr: \`${p.diedDuringRun.stderrTail.replace(/`/g, "'").slice(-300)}\`` : ''})`
      : `exit ${p.exitCode ?? 'killed'} when stopped`;
  if (b.instances > 1 || r.process.instances.some((p) => p.diedDuringRun)) {
    lines.push(
      `- Processes: ${r.process.instances.map((p, i) => `#${i + 1} peak RSS ${p.rssPeakMb} MB, CPU ${p.cpuSeconds} s, ${ended(p)}`).join('; ')}.` +
        (r.process.azurite ? ` Azurite: peak RSS ${r.process.azurite.rssPeakMb} MB, CPU ${r.process.azurite.cpuSeconds} s.` : ''),
    );
  }
  lines.push(
    '',
    ...machineTable(result, [[name, r]], b.storage === 'blob'),
    ...targetTable(result.targets.filter((t) => t.section === name)),
    endMarker(name),
  );
  return lines.join('\n');
}

/** Every section this result has the figures for. */
export function renderSections(result: BenchResult): Partial<Record<SectionName, string>> {
  const out: Partial<Record<SectionName, string>> = {};
  const http = renderHttp(result);
  if (http) out.http = http;
  if (result.outageOutOfHours) out['outage-ooh'] = renderReportBurst(result, 'outage-ooh', result.outageOutOfHours);
  if (result.outageInHours) out['outage-oh'] = renderReportBurst(result, 'outage-oh', result.outageInHours);
  if (result.scaleOut) out['scale-out'] = renderReportBurst(result, 'scale-out', result.scaleOut);
  return out;
}

/**
 * Replaces the named section between its markers; a section the file does not
 * have yet goes after the last of the sections before it in ORDER (or at the
 * end). Creates the file with a title if needed.
 */
export function writeSection(file: string, name: string, section: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n\nWritten by `npm run bench`; each benchmark replaces only its own section.\n';
  const start = current.indexOf(startMarker(name));
  const end = current.indexOf(endMarker(name), start < 0 ? 0 : start);
  if (start >= 0 && end >= 0) {
    fs.writeFileSync(file, current.slice(0, start) + section + current.slice(end + endMarker(name).length));
    return;
  }
  const before = ORDER.slice(0, Math.max(0, ORDER.indexOf(name))).reverse();
  for (const previous of before) {
    const at = current.indexOf(endMarker(previous));
    if (at < 0) continue;
    const cut = at + endMarker(previous).length;
    fs.writeFileSync(file, `${current.slice(0, cut)}\n\n${section}${current.slice(cut)}`);
    return;
  }
  fs.writeFileSync(file, `${current.replace(/\s*$/, '')}\n\n${section}\n`);
}
