import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './proc';
import { round } from './stats';

/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`, e.g. `npm run bench --
 * --only triage --cpu-prof DIR`): the top functions by self time, the top by
 * inclusive time, and self time by package (node_modules/<name>, the app's own
 * dist/<dir>, node internals, GC, idle).
 *
 * Entry: `node dist-bench/bench/cpuProfile.js FILE.cpuprofile [--top N]`; prints JSON.
 */

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

export interface FunctionTime {
  readonly fn: string;
  readonly where: string;
  readonly ms: number;
  readonly percent: number;
}

export interface ProfileSummary {
  readonly file: string;
  readonly totalMs: number;
  /** Time not spent idle. */
  readonly busyMs: number;
  readonly bySelf: readonly FunctionTime[];
  readonly byInclusive: readonly FunctionTime[];
  readonly byPackage: readonly { readonly name: string; readonly ms: number; readonly percent: number }[];
}

function isProfile(value: unknown): value is Profile {
  return typeof value === 'object' && value !== null && 'nodes' in value && 'samples' in value && 'timeDeltas' in value;
}

function where(frame: CallFrame, root: string): string {
  if (!frame.url) return '(native)';
  let url = frame.url.replace(/^file:\/\//, '');
  if (url.startsWith(root)) url = path.relative(root, url);
  return `${url}:${frame.lineNumber + 1}`;
}

export function packageOf(frame: CallFrame): string {
  const name = frame.functionName;
  if (!frame.url) {
    if (name === '(idle)' || name === '(program)' || name === '(garbage collector)' || name === '(root)') return name;
    return '(native)';
  }
  const url = frame.url.replace(/^file:\/\//, '');
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm?.[1]) {
    // The innermost package (a dependency's own node_modules).
    const all = [...url.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)];
    return all[all.length - 1]?.[1] ?? nm[1];
  }
  if (url.startsWith('node:')) return 'node internals';
  const dist = /\/dist\/([^/]+)/.exec(url);
  if (dist?.[1]) return `app: ${dist[1].replace(/\.js$/, '')}`;
  return url;
}

export function summariseProfile(file: string, top = 25): ProfileSummary {
  const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!isProfile(parsed)) throw new Error(`${file} is not a V8 CPU profile`);
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of parsed.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const key = (frame: CallFrame) => `${frame.functionName || '(anonymous)'}\u0000${where(frame, ROOT)}`;
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const packages = new Map<string, number>();
  let total = 0;
  let idle = 0;
  parsed.samples.forEach((id, i) => {
    const us = parsed.timeDeltas[i] ?? 0;
    const node = byId.get(id);
    if (!node) return;
    total += us;
    if (node.callFrame.functionName === '(idle)') {
      idle += us;
      return;
    }
    const k = key(node.callFrame);
    self.set(k, (self.get(k) ?? 0) + us);
    const pkg = packageOf(node.callFrame);
    packages.set(pkg, (packages.get(pkg) ?? 0) + us);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const n = byId.get(at);
      if (!n) break;
      const nk = key(n.callFrame);
      if (seen.has(nk)) continue;
      seen.add(nk);
      inclusive.set(nk, (inclusive.get(nk) ?? 0) + us);
    }
  });
  const busy = total - idle;
  const list = (m: Map<string, number>, skipRoots: boolean): FunctionTime[] =>
    [...m.entries()]
      .filter(([k]) => !skipRoots || !/^\((root|program)\)\u0000/.test(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => {
        const [fn = '', at = ''] = k.split('\u0000');
        return { fn, where: at, ms: round(us / 1000, 1), percent: round((100 * us) / Math.max(1, busy), 1) };
      });
  return {
    file,
    totalMs: round(total / 1000, 1),
    busyMs: round(busy / 1000, 1),
    bySelf: list(self, false),
    byInclusive: list(inclusive, true),
    byPackage: [...packages.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ name, ms: round(us / 1000, 1), percent: round((100 * us) / Math.max(1, busy), 1) })),
  };
}

function main(): void {
  const args = process.argv.slice(2);
  const topIndex = args.indexOf('--top');
  const top = topIndex >= 0 ? Number(args[topIndex + 1]) : 25;
  const file = args.find((a, i) => !a.startsWith('--') && (topIndex < 0 || i !== topIndex + 1));
  if (!file || !Number.isFinite(top) || top <= 0) {
    process.stderr.write('usage: node dist-bench/bench/cpuProfile.js FILE.cpuprofile [--top N]\n');
    process.exit(2);
  }
  process.stdout.write(`${JSON.stringify(summariseProfile(file, top), null, 2)}\n`);
}

if (typeof require !== 'undefined' && typeof module !== 'undefined' && require.main === module) main();
