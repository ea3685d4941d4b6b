import { expectedRandomJaccard } from '../analysis/overlap.js';
import { comparisonSeries, denseBaseline, roundsToReach, type MethodSeries, type Reach } from '../analysis/comparison.js';
import type { Stat } from '../analysis/stats.js';
import type { ExperimentConfig, Method } from '../contract/experiment-config.js';
import type { Db } from '../library/db.js';
import { getDataset, type DatasetRow } from '../library/datasets.js';
import { getExperiment } from '../library/experiments.js';
import { listRounds, type RoundRow } from '../library/rounds.js';
import type { RunRow } from '../library/runs.js';
import { listTickets } from '../library/tickets.js';
import { selectRuns, type ReportSelection } from './selection.js';
import { summarise, type RandomControl } from './summary.js';
import { selectedTickets, type SelectedTicket, type TicketOverlap } from './tickets.js';

/** An experiment as the report shows it: its settings and dataset. */
export interface ReportExperiment {
  readonly id: number;
  readonly name: string;
  readonly preset: string | null;
  readonly config: ExperimentConfig;
  readonly dataset: DatasetRow | null;
  readonly evaluationDataset: DatasetRow | null;
}

/** A run as the report lists it (provenance: backend, versions, checksum). */
export interface ReportRun {
  readonly id: number;
  readonly experimentId: number;
  readonly method: Method;
  readonly seed: number;
  readonly status: string;
  readonly backend: string | null;
  readonly backendPackage: string | null;
  readonly backendReason: string | null;
  readonly appVersion: string;
  readonly datasetChecksum: string;
  readonly rounds: number;
}

/** The mask check over the selected runs: rounds and tickets whose pruned weights were verified to be zero. */
export interface MaskCheck {
  readonly rounds: number;
  /** Rounds stored with the check (older rounds were not checked). */
  readonly checked: number;
  /** Pruned weights found not zero, over the checked rounds (0 expected). */
  readonly violations: number;
  /** Stored tickets with final weights, and pruned weights not zero among them. */
  readonly tickets: number;
  readonly ticketViolations: number;
}

/** One run's per-epoch test-accuracy curves, one per round, of the training its round figures come from. */
export interface RunCurves {
  readonly method: Method;
  readonly runId: number;
  readonly seed: number;
  /** "train" (IMP, random, reinit) or "evaluate" (COLT's full-data ticket evaluation). */
  readonly phase: string;
  readonly rounds: { readonly round: number; readonly points: { readonly epoch: number; readonly testAccuracy: number; readonly selected: boolean }[] }[];
}

/** Everything a report shows, as plain data (rendered to HTML and CSV, and reusable by the UI). */
export interface ReportModel {
  readonly title: string;
  readonly generated: string;
  readonly generator: { readonly app: string; readonly node: string };
  /** The question the comparison answers, in words. */
  readonly question: string;
  readonly experiments: ReportExperiment[];
  readonly runs: ReportRun[];
  readonly methods: Method[];
  readonly seeds: number[];
  readonly series: MethodSeries[];
  readonly dense: Stat | null;
  readonly targets: number[];
  readonly reach: Reach[];
  /** COLT's per-model rate and what two independent random prunings at that rate would overlap. */
  readonly overlapBaseline: { readonly rate: number; readonly expected: number } | null;
  readonly tickets: SelectedTicket[];
  readonly ticketOverlaps: TicketOverlap[];
  readonly randomControl: RandomControl | null;
  readonly maskCheck: MaskCheck;
  /** Per-epoch curves of each method's first run (rounds stored before curves were kept have none). */
  readonly curves: RunCurves[];
  readonly summary: string[];
}

/** Report options that shape the model. */
export interface ReportModelOptions {
  readonly title?: string;
  /** Sparsity targets of the rounds-to-reach table (default 50, 80, 90, 95, 98, 99 %). */
  readonly targets?: readonly number[];
  /** Largest heatmap grid per layer (default 64 rows × 128 columns). */
  readonly heatmap?: { readonly maxRows: number; readonly maxCols: number };
  readonly now?: () => Date;
  /** This program's version, recorded as the report's generator. */
  readonly appVersion?: string;
}

/** Default sparsity targets: the range the LTH and COLT papers discuss. */
export const DEFAULT_TARGETS = [0.5, 0.8, 0.9, 0.95, 0.98, 0.99];

/** Reads the selected runs, their rounds and tickets from the library and computes the report model. */
export function buildReportModel(db: Db, selection: ReportSelection, options: ReportModelOptions = {}): ReportModel {
  const runRows = selectRuns(db, selection);
  const experiments = [...new Set(runRows.map((r) => r.experimentId))].map((id) => experimentOf(db, id));
  const rounds = new Map<number, RoundRow[]>(runRows.map((r) => [r.id, listRounds(db, r.id)]));
  const runRounds = runRows.map((r) => ({ runId: r.id, method: r.method, seed: r.seed, rounds: rounds.get(r.id) ?? [] }));
  const series = comparisonSeries(runRounds);
  const dense = denseBaseline(runRounds);
  const targets = [...(options.targets ?? DEFAULT_TARGETS)].sort((a, b) => a - b);
  const reach = roundsToReach(runRounds, targets);
  const methods = series.map((s) => s.method);
  const { tickets, overlaps } = selectedTickets(db, runRows, rounds, options.heatmap ?? { maxRows: 64, maxCols: 128 });
  const overlapBaseline = coltOverlapBaseline(experiments, methods);
  const facts = summarise({ series, dense, reach, overlapBaseline });
  return {
    title: options.title ?? titleOf(experiments, runRows),
    generated: (options.now?.() ?? new Date()).toISOString(),
    generator: { app: options.appVersion ?? 'unknown', node: process.versions.node },
    question: questionOf(methods),
    experiments,
    runs: runRows.map(toReportRun(rounds)),
    methods,
    seeds: [...new Set(runRows.map((r) => r.seed))].sort((a, b) => a - b),
    series,
    dense,
    targets,
    reach,
    overlapBaseline,
    tickets,
    ticketOverlaps: overlaps,
    randomControl: facts.randomControl,
    maskCheck: maskCheckOf(db, runRows, rounds),
    curves: curvesOf(runRows, rounds),
    summary: facts.sentences,
  };
}

function maskCheckOf(db: Db, runs: readonly RunRow[], rounds: ReadonlyMap<number, readonly RoundRow[]>): MaskCheck {
  const all = runs.flatMap((r) => rounds.get(r.id) ?? []);
  const checked = all.filter((r) => r.maskViolations !== null);
  const tickets = runs.flatMap((r) => listTickets(db, { runId: r.id })).filter((t) => t.maskViolations !== null);
  return {
    rounds: all.length,
    checked: checked.length,
    violations: checked.reduce((a, r) => a + (r.maskViolations ?? 0), 0),
    tickets: tickets.length,
    ticketViolations: tickets.reduce((a, t) => a + (t.maskViolations ?? 0), 0),
  };
}

function curvesOf(runs: readonly RunRow[], rounds: ReadonlyMap<number, readonly RoundRow[]>): RunCurves[] {
  const out: RunCurves[] = [];
  for (const method of [...new Set(runs.map((r) => r.method))]) {
    const run = runs.filter((r) => r.method === method).sort((a, b) => a.seed - b.seed)[0];
    const phase = method === 'colt' ? 'evaluate' : 'train';
    const curves = (rounds.get(run.id) ?? [])
      .map((r) => ({
        round: r.round,
        points: r.evaluations
          .filter((e) => e.phase === phase && e.testAccuracy !== null)
          .map((e) => ({ epoch: e.epoch, testAccuracy: e.testAccuracy as number, selected: e.selected })),
      }))
      .filter((c) => c.points.length > 1);
    if (curves.length > 0) out.push({ method, runId: run.id, seed: run.seed, phase, rounds: curves });
  }
  return out;
}

function experimentOf(db: Db, id: number): ReportExperiment {
  const e = getExperiment(db, id);
  return {
    id: e.id,
    name: e.name,
    preset: e.preset,
    config: e.config,
    dataset: getDataset(db, e.datasetId) ?? null,
    evaluationDataset: e.evalDatasetId !== e.datasetId ? (getDataset(db, e.evalDatasetId) ?? null) : null,
  };
}

function toReportRun(rounds: ReadonlyMap<number, readonly RoundRow[]>): (r: RunRow) => ReportRun {
  return (r) => ({
    id: r.id,
    experimentId: r.experimentId,
    method: r.method,
    seed: r.seed,
    status: r.status,
    backend: r.backend,
    backendPackage: r.backendPackage,
    backendReason: r.backendReason,
    appVersion: r.appVersion,
    datasetChecksum: r.datasetChecksum,
    rounds: rounds.get(r.id)?.length ?? 0,
  });
}

function titleOf(experiments: readonly ReportExperiment[], runs: readonly RunRow[]): string {
  if (experiments.length === 1) {
    const e = experiments[0];
    return `${e.name}: ${e.config.arch} on ${e.dataset?.name ?? e.config.dataset}`;
  }
  return `Runs ${runs.map((r) => r.id).join(', ')}`;
}

function questionOf(methods: readonly Method[]): string {
  const has = (m: Method): boolean => methods.includes(m);
  if (has('colt') && has('imp')) {
    return (
      'Does COLT (pruning copies trained on disjoint parts of the data and keeping only the weights every copy kept) find ' +
      'tickets as accurate as IMP\'s, in fewer pruning rounds and fewer training images?' +
      (has('random') ? ' Random pruning on IMP\'s schedule is the control: a ticket method should beat it.' : '')
    );
  }
  if (has('imp') && has('random')) return 'Do IMP tickets stay more accurate than random pruning at the same sparsity?';
  return `How do ${methods.join(', ')} tickets trade accuracy for sparsity?`;
}

/** COLT's per-model rate and the Jaccard two independent random choices at that rate would give. */
function coltOverlapBaseline(experiments: readonly ReportExperiment[], methods: readonly Method[]): ReportModel['overlapBaseline'] {
  if (!methods.includes('colt')) return null;
  const rates = new Set(experiments.filter((e) => e.config.methods.includes('colt')).map((e) => e.config.colt.rate ?? e.config.pruning.rate));
  if (rates.size !== 1) return null;
  const rate = [...rates][0];
  return { rate, expected: expectedRandomJaccard(1 - rate, 1 - rate) };
}
