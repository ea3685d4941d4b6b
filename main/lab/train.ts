import * as tf from '@tensorflow/tfjs-core';
import './gradients.js';
import { Rng } from '../common/random.js';
import { LabError } from '../contract/errors.js';
import { parseDuration, type ExperimentConfig } from '../contract/experiment-config.js';
import { batches } from '../data/batches.js';
import type { Augmentation, ImageSet, Normalization } from '../data/types.js';
import type { Mask } from './masks.js';
import { MaskedOptimizer } from './optimizers.js';
import { learningRate } from './schedule.js';
import type { ModelState, WeightMap } from './weights.js';

/** One evaluation point of a training run. */
export interface EvalPoint {
  readonly iteration: number;
  readonly epoch: number;
  readonly trainLoss: number;
  readonly valLoss: number | null;
  readonly valAccuracy: number | null;
  readonly testLoss: number | null;
  readonly testAccuracy: number | null;
}

/** Live progress of a training run, emitted after every batch (callers throttle). */
export interface TrainProgress {
  readonly iteration: number;
  readonly iterations: number;
  readonly epoch: number;
  readonly loss: number;
  readonly imagesPerSecond: number;
}

/** What one training run produced. */
export interface TrainResult {
  readonly iterations: number;
  readonly samples: number;
  readonly seconds: number;
  readonly evals: readonly EvalPoint[];
  /** The point the config's selection rule picks; its test accuracy is what a round reports. */
  readonly selected: EvalPoint;
  /** LTH's early-stopping iteration: where validation (or test, without validation) loss was lowest. */
  readonly earlyStopIteration: number;
  /** Parameters at the selected point, when asked for (pruneFrom: "best"). */
  readonly selectedParams?: WeightMap;
  /** Parameters and buffers after `rewindIteration` iterations, when asked for (late rewinding). */
  readonly rewindParams?: WeightMap;
  readonly rewindBuffers?: WeightMap;
}

/** Everything one training run needs. */
export interface TrainOptions {
  readonly state: ModelState;
  /** Masks of the prunable parameters (absent = dense). */
  readonly mask?: Mask;
  readonly train: ImageSet;
  readonly val?: ImageSet;
  readonly test?: ImageSet;
  readonly normalization: Normalization;
  readonly augment?: Augmentation;
  readonly training: ExperimentConfig['training'];
  /** Seed and a label naming this training (e.g. "imp/round/3"), so every shuffle has its own stream. */
  readonly seed: number;
  readonly stream: string;
  readonly keepSelectedParams?: boolean;
  readonly rewindIteration?: number;
  readonly onProgress?: (p: TrainProgress) => void;
  readonly signal?: AbortSignal;
  readonly clock?: () => number;
}

const EVAL_BATCH = 500;

/**
 * Trains a (masked) model for the configured duration with per-interval evaluation (COLT-SPEC,
 * training recipe; LTH §2 for the early-stopping iteration). Pruned weights stay exactly zero.
 */
export async function trainModel(o: TrainOptions): Promise<TrainResult> {
  const clock = o.clock ?? (() => performance.now());
  const started = clock();
  const { state, training } = o;
  const batchSize = Math.min(training.batchSize, o.train.count);
  if (o.train.count === 0) throw new LabError('invalid_input', 'training set is empty');
  const iterationsPerEpoch = Math.max(1, Math.floor(o.train.count / batchSize));
  const duration = parseDuration(training.duration);
  const iterations = duration.unit === 'ep' ? duration.amount * iterationsPerEpoch : duration.amount;
  const evalEvery = evalInterval(training, iterationsPerEpoch, iterations);

  const maskTensors: Record<string, tf.Tensor> = {};
  for (const [name, m] of o.mask ?? new Map<string, Uint8Array>()) {
    const v = state.params[name];
    if (!v) throw new LabError('internal', `mask names unknown parameter ${name}`);
    maskTensors[name] = tf.tensor(Float32Array.from(m), v.shape, 'float32');
  }
  // Apply the mask at load, so training starts from θ ⊙ m.
  tf.tidy(() => {
    for (const [name, m] of Object.entries(maskTensors)) state.params[name].assign(tf.mul(state.params[name], m));
  });
  const optimizer = new MaskedOptimizer(training.optimizer, state.params, maskTensors);
  const trainable = Object.values(state.params);
  const [h, w, c] = o.train.shape;

  const evals: EvalPoint[] = [];
  let selected: EvalPoint | undefined;
  let selectedParams: WeightMap | undefined;
  let rewindParams: WeightMap | undefined;
  let rewindBuffers: WeightMap | undefined;
  let iteration = 0;
  let samples = 0;
  let lossSum = 0;
  let lossCount = 0;
  let epoch = 0;
  try {
    while (iteration < iterations) {
      const rng = Rng.derive(o.seed, o.stream, 'epoch', epoch);
      for (const batch of batches(o.train, {
        batchSize,
        rng,
        normalization: o.normalization,
        augment: o.augment,
        dropLast: true,
      })) {
        if (o.signal?.aborted) throw new LabError('cancelled', 'training cancelled');
        const lr = learningRate(training, iteration / iterationsPerEpoch, iterationsPerEpoch);
        const loss = tf.tidy(() => {
          const x = tf.tensor4d(batch.x, [batch.size, h, w, c]);
          const y = tf.tensor1d(batch.y, 'int32');
          const newBuffers: Record<string, tf.Tensor> = {};
          const { value, grads } = tf.variableGrads(() => {
            const out = state.def.apply(state.params, state.buffers, x, true);
            for (const [k, t] of Object.entries(out.buffers)) newBuffers[k] = tf.keep(t);
            return crossEntropy(out.logits, y, state.def.classes);
          }, trainable);
          optimizer.step(grads, lr);
          for (const [k, t] of Object.entries(newBuffers)) {
            state.buffers[k].assign(t);
            t.dispose();
          }
          return value;
        });
        // Read asynchronously: webgpu has no synchronous read-back in Node.
        const lossValue = (await loss.data())[0] as number;
        loss.dispose();
        if (!Number.isFinite(lossValue)) {
          throw new LabError('internal', `training diverged: loss is ${lossValue} at iteration ${iteration + 1}; lower training.optimizer.lr`);
        }
        iteration++;
        samples += batch.size;
        lossSum += lossValue;
        lossCount++;
        if (o.rewindIteration !== undefined && iteration === o.rewindIteration) {
          rewindParams = await state.readParams();
          rewindBuffers = await state.readBuffers();
        }
        o.onProgress?.({
          iteration,
          iterations,
          epoch: iteration / iterationsPerEpoch,
          loss: lossValue,
          imagesPerSecond: samples / Math.max(1e-9, (clock() - started) / 1000),
        });
        if (iteration % evalEvery === 0 || iteration === iterations) {
          const point = await evaluatePoint(state, o, iteration, iteration / iterationsPerEpoch, lossSum / Math.max(1, lossCount));
          lossSum = 0;
          lossCount = 0;
          evals.push(point);
          if (isBetter(point, selected, training.selection, o.val !== undefined)) {
            selected = point;
            if (o.keepSelectedParams) selectedParams = await state.readParams();
          }
        }
        if (iteration >= iterations) break;
      }
      epoch++;
    }
  } finally {
    optimizer.dispose();
    for (const t of Object.values(maskTensors)) t.dispose();
  }
  if (!selected) throw new LabError('internal', 'training ended without an evaluation');
  return {
    iterations,
    samples,
    seconds: (clock() - started) / 1000,
    evals,
    selected,
    earlyStopIteration: earlyStop(evals),
    ...(selectedParams ? { selectedParams } : {}),
    ...(rewindParams ? { rewindParams, rewindBuffers } : {}),
  };
}

/** Mean softmax cross-entropy of logits against integer labels. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, classes: number): tf.Scalar {
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits);
    const onehot = tf.oneHot(labels, classes);
    return tf.neg(tf.mean(tf.sum(tf.mul(logp, onehot), 1))) as tf.Scalar;
  });
}

/** Loss and accuracy of a model (eval mode) on a whole set. */
export async function evaluate(
  state: ModelState,
  set: ImageSet,
  normalization: Normalization,
): Promise<{ loss: number; accuracy: number }> {
  if (set.count === 0) return { loss: NaN, accuracy: NaN };
  const [h, w, c] = set.shape;
  let lossSum = 0;
  let correct = 0;
  for (const batch of batches(set, { batchSize: EVAL_BATCH, normalization, dropLast: false })) {
    const [loss, hits] = tf.tidy(() => {
      const x = tf.tensor4d(batch.x, [batch.size, h, w, c]);
      const y = tf.tensor1d(batch.y, 'int32');
      const { logits } = state.def.apply(state.params, state.buffers, x, false);
      return [tf.mul(crossEntropy(logits, y, state.def.classes), batch.size), tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'int32'))];
    });
    const [l, k] = await Promise.all([loss.data(), hits.data()]);
    tf.dispose([loss, hits]);
    lossSum += l[0] as number;
    correct += k[0] as number;
  }
  return { loss: lossSum / set.count, accuracy: correct / set.count };
}

async function evaluatePoint(state: ModelState, o: TrainOptions, iteration: number, epoch: number, trainLoss: number): Promise<EvalPoint> {
  const val = o.val && o.val.count > 0 ? await evaluate(state, o.val, o.normalization) : null;
  const test = o.test && o.test.count > 0 ? await evaluate(state, o.test, o.normalization) : null;
  return {
    iteration,
    epoch,
    trainLoss,
    valLoss: val?.loss ?? null,
    valAccuracy: val?.accuracy ?? null,
    testLoss: test?.loss ?? null,
    testAccuracy: test?.accuracy ?? null,
  };
}

function isBetter(p: EvalPoint, best: EvalPoint | undefined, rule: string, hasVal: boolean): boolean {
  if (!best || rule === 'last') return true;
  const key = rule === 'best-val' && hasVal ? 'valAccuracy' : 'testAccuracy';
  return (p[key] ?? -1) > (best[key] ?? -1);
}

function earlyStop(evals: readonly EvalPoint[]): number {
  let best = evals[0];
  for (const e of evals) {
    const a = e.valLoss ?? e.testLoss ?? e.trainLoss;
    const b = best.valLoss ?? best.testLoss ?? best.trainLoss;
    if (a < b) best = e;
  }
  return best.iteration;
}

function evalInterval(training: ExperimentConfig['training'], iterationsPerEpoch: number, iterations: number): number {
  if (training.evalEvery) {
    const d = parseDuration(training.evalEvery);
    return Math.max(1, d.unit === 'ep' ? d.amount * iterationsPerEpoch : d.amount);
  }
  return parseDuration(training.duration).unit === 'ep' ? iterationsPerEpoch : Math.max(1, Math.ceil(iterations / 10));
}
