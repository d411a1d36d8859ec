import fs from 'node:fs';
import path from 'node:path';
import type { BenchResult, CapacityFigures, RunFigures } from './http';

/**
 * The "http" section of bench/results.md, between its markers. Other sections of
 * the file (the broadcast benchmark's) are left exactly as they are.
 */

export const START_MARKER = '<!-- bench:http:start -->';
export const END_MARKER = '<!-- bench:http:end -->';

const fmt = (n: number): string => (Number.isFinite(n) ? String(n) : '–');

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

function storage(r: RunFigures | CapacityFigures): string {
  const s = r.process.storage;
  if (!s) return 'n/a';
  const large = s.largest.filter((x) => x.bytes >= 1024).map((x) => `\`${x.key}\` ${Math.round(x.bytes / 1024)} KB`);
  return `${s.items} items, ${Math.round(s.bytes / 1024)} KB${large.length > 0 ? `; largest ${large.join(', ')}` : ''}`;
}

function problems(r: RunFigures | CapacityFigures): string {
  const entries = Object.entries(r.process.log);
  return entries.length === 0 ? 'none' : entries.map(([k, n]) => `${k} ${n}`).join(', ');
}

export function renderMarkdown(result: BenchResult): string {
  const m = result.machine;
  const s = result.settings;
  const lines: string[] = [
    START_MARKER,
    '## HTTP: triage burst, outage burst, capacity',
    '',
    `Run ${m.date} (Copenhagen: ${m.copenhagenTime}) with \`npm run bench\` (\`node dist/bench/http.js\`), ${result.wallSeconds} s in all.`,
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB memory, Node ${m.node}, ${m.os}; load average at the end ${m.loadAverage.join(' / ')}. Code: ${m.commit}.`,
    '',
    `Each run is its own process with a fresh SQLite file: the bot is \`node ${[...s.nodeFlags, 'dist/index.js'].join(' ')}\` (as \`npm start\` runs it) with ` +
      Object.entries(s.env)
        .map(([k, v]) => `\`${k}=${v}\``)
        .join(' ') +
      `; the floor is \`node ${[...s.nodeFlags, 'dist/bench/echoBot.js'].join(' ')}\` (the same \`createAdapter\`, \`createServer\`, \`createStorage\`; one ConversationState read and write and one reply per turn). ` +
      'Replies go to a local connector (node:http) that answers at once; a POST round trip ends after the turn\'s replies were delivered. ' +
      `Before each measured run ${s.warmupWalks} walks warm the process up (not measured). ` +
      'RSS is the bot process\'s own: peak = VmHWM from /proc; CPU ms/turn = the process\'s user+system time over the run / turns.',
    '',
  ];

  const tb = result.triageBurst;
  if (tb) {
    lines.push(
      `### Triage burst: ${s.staff} staff arriving at ${s.ratePerS}/s, each from "Nexus er nede" to the card with whom to call`,
      '',
      ...RUN_HEADER,
      runRow('bot', tb.bot),
      runRow('floor (echo)', tb.floor),
      '',
      `- Walks: ${walks(tb.bot)}. The floor did the same number of turns per person.`,
      `- Bot by turn of the walk: ${byTurn(tb.bot)}.`,
      `- Bot p99 by arrival decile (first hundred … last hundred), ms: ${deciles(tb.bot)}.`,
      `- Floor p99 by arrival decile, ms: ${deciles(tb.floor)}.`,
      `- Replies delivered: bot ${tb.bot.deliveries}, floor ${tb.floor.deliveries}. Warn/error log lines: bot ${problems(tb.bot)}; floor ${problems(tb.floor)}. POSTs re-sent after a closed keep-alive socket: bot ${tb.bot.process.clientRetries}, floor ${tb.floor.process.clientRetries}.`,
      `- Storage after the run: bot ${storage(tb.bot)}; floor ${storage(tb.floor)}.`,
      `- Harness arrival lag (max): bot run ${tb.bot.arrivalLagMaxMs} ms, floor run ${tb.floor.arrivalLagMaxMs} ms.`,
      '',
    );
  }

  const ob = result.outageBurst;
  if (ob) {
    lines.push(
      `### Outage burst: the same arrivals while a Nexus outage is active (each gets the known-outage answer)`,
      '',
      ...RUN_HEADER,
      runRow('bot', ob.bot),
      ...(tb ? [runRow('floor (echo, from the triage burst)', tb.floor)] : []),
      '',
      `- Walks: ${walks(ob.bot)}. The outage was made active first by one member of staff pressing "Jeg har ringet til KMD".`,
      `- Bot p99 by arrival decile, ms: ${deciles(ob.bot)}.`,
      `- Warn/error log lines: ${problems(ob.bot)}. Storage after the run: ${storage(ob.bot)}.`,
      '',
    );
  }

  const cap = result.capacity;
  if (cap) {
    const users = [...new Set([...cap.bot.levels.map((l) => l.users), ...cap.floor.levels.map((l) => l.users)])].sort((a, b) => a - b);
    lines.push(
      `### Capacity: N concurrent users looping walks, ${s.levelSeconds} s per level (after ${s.warmupSeconds} s), N doubled until turns/s stopped rising (two levels without +5 %, or one 10 % below the best)`,
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
  }

  const runs: [string, RunFigures | CapacityFigures][] = [];
  if (tb) runs.push(['triage burst, bot', tb.bot], ['triage burst, floor', tb.floor]);
  if (ob) runs.push(['outage burst, bot', ob.bot]);
  if (cap) runs.push(['capacity, bot', cap.bot], ['capacity, floor', cap.floor]);
  if (runs.length > 0) {
    lines.push(
      '### The machine during each run',
      '',
      `The machine is shared (other sessions run test suites on the same ${m.cores} cores). Before each run the harness waited up to ${s.quietWaitSeconds} s for the rest of the machine to use less than ${s.quietCores} cores; during the run it measured, in cores used on average:`,
      '',
      '| run | seconds | bot | harness | other processes | steal | harness event-loop lag p99 / max ms | waited s |',
      '|---|---:|---:|---:|---:|---:|---:|---:|',
      ...runs.map(([name, r]) => {
        const d = r.process.machineDuringRun;
        return `| ${name} | ${d.seconds} | ${d.botCores} | ${d.harnessCores} | ${d.otherCores} | ${d.stealCores} | ${d.harnessLoopDelayMs.p99} / ${d.harnessLoopDelayMs.max} | ${d.quietWaitS} |`;
      }),
      '',
    );
  }

  if (result.targets.length > 0) {
    lines.push('### Targets', '', '| target | measured | limit | result |', '|---|---:|---:|---|');
    for (const t of result.targets) lines.push(`| ${t.name} | ${t.value} ${t.unit} | ${t.limit} ${t.unit} | ${t.pass ? 'pass' : '**FAIL**'} |`);
    lines.push('');
  }
  lines.push(END_MARKER);
  return lines.join('\n');
}

/** Replaces the section between the markers, or appends it; creates the file with a title if needed. */
export function writeSection(file: string, section: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n\nWritten by `npm run bench`; each benchmark replaces only its own section.\n';
  const start = current.indexOf(START_MARKER);
  const end = current.indexOf(END_MARKER, start < 0 ? 0 : start);
  let next: string;
  if (start >= 0 && end >= 0) {
    next = current.slice(0, start) + section + current.slice(end + END_MARKER.length);
  } else {
    next = `${current.replace(/\s*$/, '')}\n\n${section}\n`;
  }
  fs.writeFileSync(file, next);
}
