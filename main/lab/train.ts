import { LabError } from '../contract/errors.js';
import { parseDuration, type ExperimentConfig } from '../contract/experiment-config.js';
import type { ImageSet } from '../data/types.js';
import { trainingLength } from './schedule.js';
import {
  evaluationCallback,
  evaluationSchedule,
  maskCheckCallback,
  progressCallback,
  rewindCallback,
  selectionCallback,
  yieldCallback,
  type TrainProgress,
} from './train-callbacks.js';
import { trainLoop, type EvalPoint, type LoopOptions, type TrainCallback } from './train-loop.js';
import type { WeightMap } from './weights.js';

export type { TrainProgress } from './train-callbacks.js';
export type { EvalPoint } from './train-loop.js';
export { crossEntropy, evaluate } from './evaluate.js';

/** What one training run produced. */
export interface TrainResult {
  readonly iterations: number;
  readonly samples: number;
  readonly seconds: number;
  /** Every evaluated point, the untrained one (iteration 0) first. */
  readonly evals: readonly EvalPoint[];
  /** The untrained model (iteration 0, θ ⊙ m before any step): the "supermask" accuracy. */
  readonly untrained: EvalPoint;
  /** The point the config's selection rule picks among the candidates; its test accuracy is what a round reports. */
  readonly selected: EvalPoint;
  /** LTH's early-stopping iteration: where validation (or test, without validation) loss was lowest among the candidates. */
  readonly earlyStopIteration: number;
  /** Parameters at the selected point, when asked for (pruning from the selected point). */
  readonly selectedParams?: WeightMap;
  /** Parameters and buffers after `rewindIteration` iterations, when asked for (late rewinding). */
  readonly rewindParams?: WeightMap;
  readonly rewindBuffers?: WeightMap;
  /** Pruned weights (mask 0) that were not exactly zero at the end: 0 unless masking failed. */
  readonly maskViolations: number;
}

/** Everything one evaluated training run needs. */
export interface TrainOptions extends LoopOptions {
  readonly val?: ImageSet;
  readonly test?: ImageSet;
  /** Which points are evaluated and may be selected (default: interval ends). */
  readonly points?: ExperimentConfig['evaluation']['points'];
  readonly keepSelectedParams?: boolean;
  readonly rewindIteration?: number;
  readonly onProgress?: (p: TrainProgress) => void;
  readonly clock?: () => number;
}

/**
 * Trains a (masked) model for the configured duration with evaluation at the configured points
 * (COLT-SPEC, training recipe; LTH §2 for the early-stopping iteration): the loop with its
 * evaluation, selection, rewind-capture, mask-check, progress and yield callbacks.
 */
export async function trainModel(o: TrainOptions): Promise<TrainResult> {
  const clock = o.clock ?? (() => performance.now());
  const started = clock();
  const { iterations, iterationsPerEpoch } = trainingLength(o.training, o.train.count);
  const schedule = evaluationSchedule(o.points ?? 'ends', evalInterval(o.training, iterationsPerEpoch, iterations), iterations);
  const evaluation = evaluationCallback({ val: o.val, test: o.test, normalization: o.normalization, schedule });
  const selection = selectionCallback({ rule: o.training.selection, hasVal: o.val !== undefined && o.val.count > 0, keepParams: o.keepSelectedParams ?? false });
  const rewind = o.rewindIteration !== undefined ? rewindCallback(o.rewindIteration) : undefined;
  const check = maskCheckCallback(o.mask);
  const callbacks: TrainCallback[] = [evaluation, selection, check, yieldCallback()];
  if (rewind) callbacks.push(rewind);
  if (o.onProgress) callbacks.push(progressCallback(o.onProgress, clock));
  const loop = await trainLoop(o, callbacks);
  const selected = selection.selected;
  if (!selected) throw new LabError('internal', 'training ended without an evaluation');
  return {
    iterations: loop.iterations,
    samples: loop.samples,
    seconds: (clock() - started) / 1000,
    evals: evaluation.points,
    untrained: evaluation.points[0],
    selected,
    earlyStopIteration: earlyStop(evaluation.points.filter((p) => p.candidate)),
    ...(selection.selectedParams ? { selectedParams: selection.selectedParams } : {}),
    ...(rewind?.params ? { rewindParams: rewind.params, rewindBuffers: rewind.buffers } : {}),
    maskViolations: check.violations,
  };
}

function earlyStop(candidates: readonly EvalPoint[]): number {
  let best = candidates[0];
  const lossOf = (e: EvalPoint): number => e.valLoss ?? e.testLoss ?? e.trainLoss ?? Infinity;
  for (const e of candidates) if (lossOf(e) < lossOf(best)) best = e;
  return best.iteration;
}

/** The evaluation interval in iterations: `evalEvery`, else every epoch ("ep" durations) or a tenth of the round. */
export function evalInterval(training: ExperimentConfig['training'], iterationsPerEpoch: number, iterations: number): number {
  if (training.evalEvery) {
    const d = parseDuration(training.evalEvery);
    return Math.max(1, d.unit === 'ep' ? d.amount * iterationsPerEpoch : d.amount);
  }
  return parseDuration(training.duration).unit === 'ep' ? iterationsPerEpoch : Math.max(1, Math.ceil(iterations / 10));
}
