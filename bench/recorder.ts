import { summarise, Tally, type LatencySummary } from './stats';
import type { Sink } from './walks';

export interface DecileSummary {
  readonly turns: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/**
 * Collects one run's POST round trips: all of them, by turn of the walk, and by
 * arrival decile (does the tenth hundred wait longer than the first?). A window
 * (capacity runs) keeps only the turns that ended inside it.
 */
export class Recorder implements Sink {
  readonly latencies: number[] = [];
  readonly byTurn: number[][] = [];
  readonly byDecile: number[][] = [];
  readonly errors = new Tally();
  firstEnd = Number.POSITIVE_INFINITY;
  lastEnd = 0;

  constructor(
    /** People in the run (for deciles); 0 = no deciles. */
    private readonly people = 0,
    private readonly window?: { readonly from: number; readonly to: number },
  ) {}

  turn(personIndex: number, turnIndex: number, ms: number, endedAt: number): void {
    if (personIndex < 0) return; // set-up presses are not measured
    if (this.window && (endedAt < this.window.from || endedAt > this.window.to)) return;
    this.latencies.push(ms);
    (this.byTurn[turnIndex] ??= []).push(ms);
    if (this.people > 0) (this.byDecile[Math.min(9, Math.floor((personIndex * 10) / this.people))] ??= []).push(ms);
    this.firstEnd = Math.min(this.firstEnd, endedAt);
    this.lastEnd = Math.max(this.lastEnd, endedAt);
  }

  error(kind: string): void {
    this.errors.add(kind);
  }

  get turns(): number {
    return this.latencies.length;
  }

  summary(): LatencySummary {
    return summarise(this.latencies);
  }

  turnSummaries(): LatencySummary[] {
    return this.byTurn.map((xs) => summarise(xs ?? []));
  }

  /** By arrival decile: the first tenth of the people … the last tenth. */
  decileSummaries(): DecileSummary[] {
    return Array.from({ length: this.people > 0 ? 10 : 0 }, (_, i) => {
      const s = summarise(this.byDecile[i] ?? []);
      return { turns: s.count, p50: s.p50, p99: s.p99, max: s.max };
    });
  }
}
