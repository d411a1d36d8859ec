/**
 * The figures a bench run produces (bench/http.ts measures, bench/report.ts
 * writes them to bench/results.md), in a module of their own so neither imports the other.
 */
import type { DecileSummary } from './recorder';
import type { LatencySummary } from './stats';
import type { StorageFigures } from './storageFigures';

/** The bot under test, or the echo floor. */
export type Kind = 'bot' | 'floor';
export type Scenario = 'triage' | 'outage' | 'capacity' | 'outage-ooh' | 'outage-oh' | 'scale-out';
export type StaffScenario = Exclude<Scenario, 'capacity'>;
/** The sections of bench/results.md this bench writes, and the scenarios each shows (all must have run). */
export type SectionName = 'http' | 'outage-ooh' | 'outage-oh' | 'scale-out';

/** One bot process of a run. */
export interface InstanceFigures {
  readonly rssPeakMb: number;
  /** Over the run (up to its last sample, if it died). */
  readonly cpuSeconds: number;
  readonly exitCode: number | null;
  /** Set if the process ended before the run did: how, and the last lines it wrote on stderr. */
  readonly diedDuringRun: { readonly code: number | null; readonly signal: string | null; readonly stderrTail: string } | null;
}

export interface ProcessFigures {
  /** Of the bot process; with several, the largest of them. */
  readonly rssMb: { readonly ready: number; readonly maxSampled: number; readonly peak: number };
  /** Of all the bot processes together. */
  readonly cpuSeconds: number;
  /** Warn/error lines the processes logged, by level. */
  readonly log: Record<string, number>;
  readonly lastProblems: readonly string[];
  /** The first non-zero exit code of the bot processes, else 0 (null: killed). */
  readonly exitCode: number | null;
  readonly storage: StorageFigures | null;
  readonly machineDuringRun: MachineDuringRun;
  /** POSTs the harness sent again after meeting a kept-alive socket the server had just closed. */
  readonly clientRetries: number;
  /** Each bot process (scale-out: several). */
  readonly instances: readonly InstanceFigures[];
  /** The Azurite process (Blob runs). */
  readonly azurite: { readonly rssPeakMb: number; readonly cpuSeconds: number } | null;
}

/** What else happened on the machine while the run was measured. */
export interface MachineDuringRun {
  readonly seconds: number;
  /** Cores used on average by processes other than the bots, Azurite and this harness. */
  readonly otherCores: number;
  /** Cores the bot processes used on average. */
  readonly botCores: number;
  /** Cores Azurite used on average (0 without it). */
  readonly azuriteCores: number;
  /** Cores this harness (client and connector) used on average. */
  readonly harnessCores: number;
  readonly stealCores: number;
  /** How late the harness's event loop ran (beyond a 10 ms timer): how late it could notice a reply. */
  readonly harnessLoopDelayMs: { readonly p99: number; readonly max: number };
  /** How long the harness waited for the machine to go quiet before starting the process. */
  readonly quietWaitS: number;
  /** Cores busy in the last second before the start. */
  readonly coresBusyBefore: number;
}

export interface RunFigures {
  readonly target: Kind;
  readonly people: number;
  readonly turns: number;
  readonly durationS: number;
  readonly turnsPerS: number;
  readonly latencyMs: LatencySummary;
  readonly latencyByTurnMs: readonly LatencySummary[];
  readonly latencyByArrivalDecileMs: readonly DecileSummary[];
  readonly errors: { readonly total: number; readonly kinds: Record<string, number> };
  readonly walks: { readonly turns: Record<string, number>; readonly endings: Record<string, number> };
  readonly deliveries: number;
  /** How late the harness started the latest arrival (it must keep the pattern). */
  readonly arrivalLagMaxMs: number;
  readonly cpuMsPerTurn: number;
  /** The bot's clock at the start (Copenhagen, as /dev/clock said), null for the floor. */
  readonly botClock: string | null;
  readonly process: ProcessFigures;
}

export interface CapacityLevel {
  readonly users: number;
  readonly turns: number;
  readonly turnsPerS: number;
  readonly latencyMs: LatencySummary;
  readonly errors: number;
}

export interface CapacityFigures {
  readonly target: Kind;
  readonly levels: readonly CapacityLevel[];
  readonly peak: { readonly users: number; readonly turnsPerS: number };
  readonly cpuMsPerTurn: number;
  readonly process: ProcessFigures;
}

/** One of the outage bursts with the default configuration (outage-ooh, outage-oh, scale-out). */
export interface ReportBurstFigures {
  readonly storage: 'sqlite' | 'blob';
  readonly instances: number;
  readonly run: RunFigures;
  /** Staff who reported (every one of them does, once, following the cards) and distinct reporters stored after the run. */
  readonly reporters: { readonly sent: number; readonly stored: number | null };
  readonly largestDocument: { readonly key: string; readonly bytes: number } | null;
}

export interface TargetCheck {
  readonly section: SectionName;
  readonly name: string;
  readonly value: number;
  readonly limit: number;
  readonly unit: string;
  readonly pass: boolean;
}

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGb: number;
  readonly node: string;
  readonly os: string;
  readonly date: string;
  readonly copenhagenTime: string;
  /** The commit measured, and how many paths of the working tree differ from it. */
  readonly commit: string;
  readonly loadAverage: readonly number[];
}

export interface BenchResult {
  readonly machine: Machine;
  readonly settings: {
    readonly command: string;
    readonly staff: Readonly<Record<StaffScenario, number>>;
    readonly ratePerS: number;
    readonly levelSeconds: number;
    readonly warmupSeconds: number;
    readonly warmupWalks: number;
    readonly quietCores: number;
    readonly quietWaitSeconds: number;
    /** The environment of a bot on SQLite (all of it: nothing else is set). */
    readonly env: Record<string, string>;
    /** The environment of a scale-out bot. */
    readonly blobEnv: Record<string, string>;
    /** Node flags of the bot and floor processes (those of `npm start`). */
    readonly nodeFlags: readonly string[];
    readonly outOfHoursAt: string;
    readonly inHoursAt: string;
    readonly instances: number;
    readonly azuriteMemoryMb: number;
    readonly cpuProfile: string | null;
  };
  readonly triageBurst?: { readonly bot: RunFigures; readonly floor: RunFigures };
  readonly outageBurst?: { readonly bot: RunFigures };
  readonly capacity?: { readonly bot: CapacityFigures; readonly floor: CapacityFigures; readonly ratio: number };
  readonly outageOutOfHours?: ReportBurstFigures;
  readonly outageInHours?: ReportBurstFigures;
  readonly scaleOut?: ReportBurstFigures;
  readonly targets: readonly TargetCheck[];
  readonly wallSeconds: number;
}
