/** Masked training steps of a registry model on the active backend, for comparing backends. */
import * as tf from '@tensorflow/tfjs-core';

import { Rng } from '../../../../main/common/random.js';
import { parseExperimentConfig } from '../../../../main/contract/experiment-config.js';
import { onesMask, type Mask } from '../../../../main/lab/masks.js';
import { getModel } from '../../../../main/lab/models/registry.js';
import type { ModelDef } from '../../../../main/lab/models/types.js';
import { MaskedOptimizer, type OptimizerConfig } from '../../../../main/lab/optimizers.js';
import { planFromConfig, prunableSizes, pruneRandomly } from '../../../../main/lab/pruning.js';
import { crossEntropy } from '../../../../main/lab/train.js';
import { initBuffers, initWeights, ModelState, type WeightMap } from '../../../../main/lab/weights.js';
import { values } from './helpers.js';

/** A model, its input shape and batch, and a random 50 % mask on its prunable kernels. */
export interface StepCase {
  readonly def: ModelDef;
  readonly batch: number;
  readonly mask: Mask;
  readonly x: Float32Array;
  readonly y: Int32Array;
}

/** The case of `arch` on `shape` images, `batch` of them, deterministic in everything (the images from `inputSeed`). */
export function stepCase(arch: string, shape: [number, number, number], batch: number, inputSeed = 7): StepCase {
  const def = getModel(arch).build(shape, 10);
  const config = parseExperimentConfig({ arch, dataset: 'test' });
  const mask = pruneRandomly(onesMask(prunableSizes(def, 'conv+dense')), planFromConfig(def, config.pruning, 0.5), new Rng(2));
  const x = values(batch * shape[0] * shape[1] * shape[2], inputSeed);
  const y = Int32Array.from({ length: batch }, (_, i) => i % 10);
  return { def, batch, mask, x, y };
}

/** What `steps` masked optimizer steps produced: the first step's gradients, the final weights, memory after each step. */
export interface StepsResult {
  readonly loss: number;
  readonly grads: WeightMap;
  readonly weights: WeightMap;
  /** tf.memory() after each step. */
  readonly memory: tf.MemoryInfo[];
  /** Positions a mask prunes that held a non-zero weight after some step. */
  readonly revived: number;
}

/**
 * Runs the training loop's step (forward, cross-entropy, gradients, MaskedOptimizer, batch-norm
 * buffers) `steps` times on the same batch from θ0 ⊙ m, on the active backend.
 */
export async function runSteps(c: StepCase, optimizer: OptimizerConfig, steps = 3, lr = 1e-3): Promise<StepsResult> {
  const state = new ModelState(c.def, initWeights(c.def, 0), initBuffers(c.def));
  const masks: Record<string, tf.Tensor> = {};
  for (const [name, m] of c.mask) masks[name] = tf.tensor(Float32Array.from(m), state.params[name].shape);
  tf.tidy(() => {
    for (const [name, m] of Object.entries(masks)) state.params[name].assign(tf.mul(state.params[name], m));
  });
  const opt = new MaskedOptimizer(optimizer, state.params, masks);
  const trainable = Object.values(state.params);
  const [h, w, ch] = c.def.inputShape;
  const memory: tf.MemoryInfo[] = [];
  let grads: WeightMap | undefined;
  let loss = NaN;
  let revived = 0;
  try {
    for (let step = 0; step < steps; step++) {
      const kept: Record<string, tf.Tensor> = {};
      const value = tf.tidy(() => {
        const x = tf.tensor4d(c.x, [c.batch, h, w, ch]);
        const y = tf.tensor1d(c.y, 'int32');
        const newBuffers: Record<string, tf.Tensor> = {};
        const r = tf.variableGrads(() => {
          const out = c.def.apply(state.params, state.buffers, x, true);
          for (const [k, t] of Object.entries(out.buffers)) newBuffers[k] = tf.keep(t);
          return crossEntropy(out.logits, y, c.def.classes);
        }, trainable);
        if (step === 0) for (const [name, v] of Object.entries(state.params)) kept[name] = tf.keep(r.grads[v.name] as tf.Tensor);
        opt.step(r.grads, lr);
        for (const [k, t] of Object.entries(newBuffers)) {
          state.buffers[k].assign(t);
          t.dispose();
        }
        return r.value;
      });
      if (step === 0) {
        loss = (await value.data())[0] as number;
        grads = new Map();
        for (const [name, g] of Object.entries(kept)) grads.set(name, (await g.data()) as Float32Array);
        tf.dispose(Object.values(kept));
      }
      value.dispose();
      for (const [name, m] of c.mask) {
        const wv = await state.params[name].data();
        for (let i = 0; i < m.length; i++) if (m[i] === 0 && wv[i] !== 0) revived++;
      }
      memory.push(tf.memory());
    }
    return { loss, grads: grads as WeightMap, weights: await state.readParams(), memory, revived };
  } finally {
    opt.dispose();
    state.dispose();
    tf.dispose(Object.values(masks));
  }
}

/** ‖a − b‖₂ / ‖b‖₂, the norm-wise relative error. */
export function normRelErr(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < b.length; i++) {
    diff += ((a[i] as number) - (b[i] as number)) ** 2;
    norm += (b[i] as number) ** 2;
  }
  return norm === 0 ? Math.sqrt(diff) : Math.sqrt(diff / norm);
}
