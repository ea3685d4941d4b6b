import type { Method } from '../contract/experiment-config.js';
import { runColt } from './colt.js';
import type { LabContext } from './context.js';
import type { LabSink, RoundCheckpoint, RoundRecord } from './events.js';
import type { Mask } from './masks.js';
import { runReinit } from './reinit.js';
import { runImp } from './imp.js';
import type { RunResult } from './run-result.js';

/** Mean and standard deviation over seeds (population sd; 0 for one seed). */
export interface MeanStd {
  readonly mean: number;
  readonly std: number;
  readonly n: number;
}

/** Per-method figures of a finished experiment. */
export interface MethodSummary {
  readonly runs: number;
  readonly rounds: number;
  readonly denseAccuracy: MeanStd | null;
  readonly finalAccuracy: MeanStd | null;
  readonly finalSparsity: MeanStd;
  readonly samples: number;
}

/** The last line of `colt run --json`. */
export interface ExperimentSummary {
  readonly type: 'summary';
  readonly name: string;
  readonly arch: string;
  readonly dataset: string;
  readonly datasetChecksum: string;
  readonly evaluationDataset?: string;
  readonly backend: string;
  readonly seeds: readonly number[];
  readonly seconds: number;
  readonly methods: Partial<Record<Method, MethodSummary>>;
}

/** Where each run (method × seed) continues from: its last finished round's checkpoint, if any. */
export type ResumePoints = (method: Method, seed: number) => RoundCheckpoint | undefined;

/** Masks of the rounds a run had finished before this session (for the reinit control after a resume). */
export type FinishedMasks = (method: Method, seed: number) => Mask[];

/**
 * Runs every method for every seed, in config order (the reinit control after IMP, whose masks it
 * uses), and summarises. With resume points, runs continue after their last finished round; the
 * summary then covers the rounds run here.
 */
export async function runExperiment(
  ctx: LabContext,
  backend: string,
  resume: ResumePoints = () => undefined,
  finishedMasks: FinishedMasks = () => [],
): Promise<{ runs: RunResult[]; summary: ExperimentSummary }> {
  const clock = ctx.clock ?? performance.now.bind(performance);
  const started = clock();
  const runs: RunResult[] = [];
  const methods = [...ctx.config.methods.filter((m) => m !== 'reinit'), ...ctx.config.methods.filter((m) => m === 'reinit')];
  for (const seed of ctx.config.seeds) {
    const impMasks: Mask[] = [...finishedMasks('imp', seed)];
    const sink: LabSink = {
      event: (e) => ctx.sink.event(e),
      roundDone: async (c) => {
        if (c.record.method === 'imp') impMasks[c.record.round] = c.ticket.mask;
        await ctx.sink.roundDone?.(c);
      },
    };
    const seedCtx: LabContext = { ...ctx, sink };
    for (const method of methods) {
      const t0 = clock();
      ctx.sink.event({ type: 'run-start', method, seed });
      const from = resume(method, seed);
      const run =
        method === 'colt'
          ? await runColt(seedCtx, seed, from)
          : method === 'reinit'
            ? await runReinit(seedCtx, seed, impMasks, from)
            : await runImp(seedCtx, method, seed, from);
      runs.push(run);
      ctx.sink.event({ type: 'run-end', method, seed, rounds: run.rounds.length, seconds: (clock() - t0) / 1000 });
    }
  }
  const summary: ExperimentSummary = {
    type: 'summary',
    name: ctx.config.name,
    arch: ctx.config.arch,
    dataset: ctx.dataset.name,
    datasetChecksum: ctx.dataset.checksum,
    ...(ctx.evalDataset !== ctx.dataset ? { evaluationDataset: ctx.evalDataset.name } : {}),
    backend,
    seeds: ctx.config.seeds,
    seconds: (clock() - started) / 1000,
    methods: summarise(runs),
  };
  return { runs, summary };
}

/** Per-method means over seeds of the dense and final rounds. */
export function summarise(runs: readonly RunResult[]): Partial<Record<Method, MethodSummary>> {
  const out: Partial<Record<Method, MethodSummary>> = {};
  const methods = [...new Set(runs.map((r) => r.method))];
  for (const method of methods) {
    const mine = runs.filter((r) => r.method === method && r.rounds.length > 0);
    const first = mine.map((r) => r.rounds[0]);
    const last = mine.map((r) => r.rounds[r.rounds.length - 1]);
    out[method] = {
      runs: mine.length,
      rounds: Math.max(0, ...mine.map((r) => r.rounds.length - 1)),
      denseAccuracy: meanStd(first.map((r) => r.testAccuracy)),
      finalAccuracy: meanStd(last.map((r) => r.testAccuracy)),
      finalSparsity: meanStd(last.map((r) => r.sparsity)) ?? { mean: 0, std: 0, n: 0 },
      samples: mine.reduce((s, r) => s + r.rounds.reduce((a, x: RoundRecord) => a + x.samples, 0), 0),
    };
  }
  return out;
}

/** Mean ± sd of the non-null values, or null when there are none. */
export function meanStd(values: readonly (number | null)[]): MeanStd | null {
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (xs.length === 0) return null;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
  return { mean, std, n: xs.length };
}
