import * as tf from '@tensorflow/tfjs-core';
import './gradients.js';
import { Rng } from '../common/random.js';
import { LabError } from '../contract/errors.js';
import type { ExperimentConfig } from '../contract/experiment-config.js';
import { batches } from '../data/batches.js';
import type { Augmentation, ImageSet, Normalization } from '../data/types.js';
import { crossEntropy } from './evaluate.js';
import type { Mask } from './masks.js';
import { MaskedOptimizer } from './optimizers.js';
import { learningRate, trainingLength } from './schedule.js';
import type { ModelState } from './weights.js';

/** One evaluated point of a training. */
export interface EvalPoint {
  readonly iteration: number;
  readonly epoch: number;
  /** Mean batch loss since the previous evaluated point (null at iteration 0: nothing trained yet). */
  readonly trainLoss: number | null;
  readonly valLoss: number | null;
  readonly valAccuracy: number | null;
  readonly testLoss: number | null;
  readonly testAccuracy: number | null;
  /** Whether the selection rule may pick this point (evaluation.points). */
  readonly candidate: boolean;
}

/**
 * What a callback sees before training (iteration 0) and after every step: tfjs-layers' `logs`.
 * The evaluation callback sets `evaluation` when it evaluated at this step; callbacks after it read it.
 */
export interface StepLogs {
  readonly iteration: number;
  readonly iterations: number;
  readonly iterationsPerEpoch: number;
  /** Epochs done (fractional): iteration / iterationsPerEpoch. */
  readonly epoch: number;
  /** This step's batch loss (NaN before the first step). */
  readonly loss: number;
  /** Training images seen so far. */
  readonly samples: number;
  readonly state: ModelState;
  evaluation?: EvalPoint;
}

/** A hook of the training loop (open_lth's callbacks, tfjs-layers' fit callbacks); each may be async. */
export interface TrainCallback {
  onTrainBegin?(logs: StepLogs): void | Promise<void>;
  onBatchEnd?(logs: StepLogs): void | Promise<void>;
  onTrainEnd?(logs: StepLogs): void | Promise<void>;
}

/** What the bare loop needs: the model, its mask, the data and the recipe. */
export interface LoopOptions {
  readonly state: ModelState;
  /** Masks of the prunable parameters (absent = dense). */
  readonly mask?: Mask;
  readonly train: ImageSet;
  readonly normalization: Normalization;
  readonly augment?: Augmentation;
  readonly training: ExperimentConfig['training'];
  /** Seed and a label naming this training (e.g. "round/3"), so every shuffle has its own stream. */
  readonly seed: number;
  readonly stream: string;
  readonly signal?: AbortSignal;
}

/** What the loop did. */
export interface LoopResult {
  readonly iterations: number;
  readonly iterationsPerEpoch: number;
  readonly samples: number;
}

/**
 * The training loop: one masked optimizer step per batch for the configured duration, and
 * nothing else; evaluation, selection, rewind capture, progress and yielding are callbacks, run
 * in list order. Pruned weights are zeroed at load and stay exactly zero (the optimizer masks).
 */
export async function trainLoop(o: LoopOptions, callbacks: readonly TrainCallback[]): Promise<LoopResult> {
  const { state, training } = o;
  if (o.train.count === 0) throw new LabError('invalid_input', 'training set is empty');
  const { batchSize, iterationsPerEpoch, iterations } = trainingLength(training, o.train.count);
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
  const logs = (iteration: number, loss: number, samples: number): StepLogs => ({
    iteration,
    iterations,
    iterationsPerEpoch,
    epoch: iteration / iterationsPerEpoch,
    loss,
    samples,
    state,
  });
  let iteration = 0;
  let samples = 0;
  try {
    const begin = logs(0, NaN, 0);
    for (const cb of callbacks) await cb.onTrainBegin?.(begin);
    for (let epoch = 0; iteration < iterations; epoch++) {
      const rng = Rng.derive(o.seed, o.stream, 'epoch', epoch);
      for (const batch of batches(o.train, { batchSize, rng, normalization: o.normalization, augment: o.augment, dropLast: !training.keepLastBatch })) {
        if (o.signal?.aborted) throw new LabError('cancelled', 'training cancelled');
        const lr = learningRate(training, iteration, iterationsPerEpoch);
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
        const step = logs(iteration, lossValue, samples);
        for (const cb of callbacks) await cb.onBatchEnd?.(step);
        if (iteration >= iterations) break;
      }
    }
    const end = logs(iteration, NaN, samples);
    for (const cb of callbacks) await cb.onTrainEnd?.(end);
  } finally {
    optimizer.dispose();
    for (const t of Object.values(maskTensors)) t.dispose();
  }
  return { iterations, iterationsPerEpoch, samples };
}

