import type { ExperimentConfig } from '../contract/experiment-config.js';
import type { ImageSet, Normalization } from '../data/types.js';
import { countViolations, type Mask } from './masks.js';
import { evaluate } from './evaluate.js';
import type { EvalPoint, StepLogs, TrainCallback } from './train-loop.js';
import type { WeightMap } from './weights.js';

// The training loop's callbacks (open_lth's training hooks, tfjs-layers' fit callbacks): each does
// one thing at iteration 0 (onTrainBegin), after steps (onBatchEnd) or at the end (onTrainEnd).

/** Live progress of a training run, emitted after every batch (callers throttle). */
export interface TrainProgress {
  readonly iteration: number;
  readonly iterations: number;
  readonly epoch: number;
  readonly loss: number;
  readonly imagesPerSecond: number;
}

/** Where a training is evaluated: a candidate for selection, measured only (stored, never selected), or not at all. */
export type EvaluationAt = 'candidate' | 'measure' | null;

/**
 * Evaluation points (the config's `evaluation.points`) for a training of `iterations` steps
 * evaluated every `every` steps. Iteration 0 (the untrained ticket) is always measured.
 * - ends: every interval end and the last step are candidates (ours);
 * - starts: iteration 0 and every interval end before the last step (the authors': the start of every epoch);
 * - all: both.
 */
export function evaluationSchedule(points: ExperimentConfig['evaluation']['points'], every: number, iterations: number): (iteration: number) => EvaluationAt {
  return (iteration) => {
    if (iteration === 0) return points === 'ends' ? 'measure' : 'candidate';
    const end = iteration % every === 0 || iteration === iterations;
    if (points === 'starts') return iteration % every === 0 && iteration < iterations ? 'candidate' : null;
    return end ? 'candidate' : null;
  };
}

/** Evaluates the model on validation and test sets where the schedule says; keeps every point and hands it on in `logs.evaluation`. */
export function evaluationCallback(o: {
  readonly val?: ImageSet;
  readonly test?: ImageSet;
  readonly normalization: Normalization;
  readonly schedule: (iteration: number) => EvaluationAt;
}): TrainCallback & { readonly points: EvalPoint[] } {
  const points: EvalPoint[] = [];
  let lossSum = 0;
  let lossCount = 0;
  const at = async (logs: StepLogs): Promise<void> => {
    const kind = o.schedule(logs.iteration);
    if (kind === null) return;
    const val = o.val && o.val.count > 0 ? await evaluate(logs.state, o.val, o.normalization) : null;
    const test = o.test && o.test.count > 0 ? await evaluate(logs.state, o.test, o.normalization) : null;
    const point: EvalPoint = {
      iteration: logs.iteration,
      epoch: logs.epoch,
      trainLoss: lossCount > 0 ? lossSum / lossCount : null,
      valLoss: val?.loss ?? null,
      valAccuracy: val?.accuracy ?? null,
      testLoss: test?.loss ?? null,
      testAccuracy: test?.accuracy ?? null,
      candidate: kind === 'candidate',
    };
    lossSum = 0;
    lossCount = 0;
    points.push(point);
    logs.evaluation = point;
  };
  return {
    points,
    onTrainBegin: at,
    onBatchEnd(logs) {
      lossSum += logs.loss;
      lossCount++;
      return at(logs);
    },
  };
}

/**
 * Picks the reported point among the candidates (`training.selection`): best validation accuracy
 * (test accuracy when there is no validation split), best test accuracy, or the last candidate.
 * Ties keep the earlier point. With `keepParams`, copies the parameters at the picked point.
 */
export function selectionCallback(o: {
  readonly rule: ExperimentConfig['training']['selection'];
  readonly hasVal: boolean;
  readonly keepParams: boolean;
}): TrainCallback & { readonly selected: EvalPoint | undefined; readonly selectedParams: WeightMap | undefined } {
  let selected: EvalPoint | undefined;
  let selectedParams: WeightMap | undefined;
  const key = o.rule === 'best-val' && o.hasVal ? 'valAccuracy' : 'testAccuracy';
  const consider = async (logs: StepLogs): Promise<void> => {
    const p = logs.evaluation;
    if (!p || !p.candidate || p.iteration !== logs.iteration) return;
    if (selected && o.rule !== 'last' && !((p[key] ?? -1) > (selected[key] ?? -1))) return;
    selected = p;
    if (o.keepParams) selectedParams = await logs.state.readParams();
  };
  return {
    get selected() {
      return selected;
    },
    get selectedParams() {
      return selectedParams;
    },
    onTrainBegin: consider,
    onBatchEnd: consider,
  };
}

/** Copies parameters and buffers after `iteration` steps: the rewind point θk of late rewinding. */
export function rewindCallback(iteration: number): TrainCallback & { readonly params: WeightMap | undefined; readonly buffers: WeightMap | undefined } {
  let params: WeightMap | undefined;
  let buffers: WeightMap | undefined;
  return {
    get params() {
      return params;
    },
    get buffers() {
      return buffers;
    },
    async onBatchEnd(logs) {
      if (logs.iteration !== iteration) return;
      params = await logs.state.readParams();
      buffers = await logs.state.readBuffers();
    },
  };
}

/** Counts, at the end, the pruned weights (mask 0) that are not exactly zero: the mask check every stored round records. */
export function maskCheckCallback(mask: Mask | undefined): TrainCallback & { readonly violations: number } {
  let violations = 0;
  return {
    get violations() {
      return violations;
    },
    async onTrainEnd(logs) {
      if (!mask) return;
      for (const [name, m] of mask) {
        const w = (await logs.state.params[name].data()) as Float32Array;
        violations += countViolations(w, m);
      }
    },
  };
}

/** Reports progress after every step: iteration, epoch, batch loss and images per second since the start. */
export function progressCallback(onProgress: (p: TrainProgress) => void, clock: () => number = () => performance.now()): TrainCallback {
  let started = 0;
  return {
    onTrainBegin() {
      started = clock();
    },
    onBatchEnd(logs) {
      onProgress({
        iteration: logs.iteration,
        iterations: logs.iterations,
        epoch: logs.epoch,
        loss: logs.loss,
        imagesPerSecond: logs.samples / Math.max(1e-9, (clock() - started) / 1000),
      });
    },
  };
}

/** How many steps pass between two yields to the event loop. */
export const YIELD_EVERY = 4;

/**
 * Yields to the event loop (a macrotask: setImmediate) every `every` steps, so messages (pause,
 * stop), timers and a test runner's RPC are served while a long training runs.
 */
export function yieldCallback(every = YIELD_EVERY, yieldNow: () => Promise<void> = () => new Promise((resolve) => setImmediate(resolve))): TrainCallback {
  return {
    async onBatchEnd(logs) {
      if (logs.iteration % every === 0) await yieldNow();
    },
  };
}
