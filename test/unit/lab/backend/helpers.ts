import { expect } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { MaskedOptimizer, type OptimizerConfig } from '../../../../main/lab/optimizers.js';

/** Deterministic values in [-1, 1) from a seed (a small LCG, identical on every backend). */
export function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** max|a - b| / max|b|, the agreement measure between backends. */
export function relErr(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs((a[i] as number) - (b[i] as number)));
    scale = Math.max(scale, Math.abs(b[i] as number));
  }
  return scale === 0 ? diff : diff / scale;
}

/** The optimizer settings the kernel tests run: Adam and SGD with and without momentum, Nesterov and weight decay. */
export const OPTIMIZER_CONFIGS: [string, OptimizerConfig][] = [
  ['adam', { type: 'adam', lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 }],
  ['adam + weight decay', { type: 'adam', lr: 0.01, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.01 }],
  ['sgd', { type: 'sgd', lr: 0.1, momentum: 0, weightDecay: 0, nesterov: false }],
  ['sgd + momentum + weight decay', { type: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 5e-4, nesterov: false }],
  ['sgd + nesterov', { type: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 5e-4, nesterov: true }],
];

/** The parameters of a masked optimizer test: each one's shape, and which carry a mask. */
export interface OptimizerCase {
  readonly shapes: Record<string, number[]>;
  readonly masked: readonly string[];
}

/**
 * `steps` masked optimizer steps with fixed gradients per step on the active backend; returns the
 * final parameters and slots (read asynchronously: webgpu has no synchronous read-back in Node).
 * `fused: false` is the unfused TF.js-ops reference.
 */
export async function trainMasked(c: OptimizerCase, config: OptimizerConfig, fused: boolean, steps: number): Promise<Record<string, Float32Array>> {
  const params: Record<string, tf.Variable> = {};
  const masks: Record<string, tf.Tensor> = {};
  Object.entries(c.shapes).forEach(([name, shape], i) => {
    const size = tf.util.sizeFromShape(shape);
    params[name] = tf.tidy(() => tf.variable(tf.tensor(values(size, 10 + i), shape)));
    if (c.masked.includes(name)) {
      masks[name] = tf.tensor(Float32Array.from(values(size, 20 + i), (v) => (v > 0 ? 1 : 0)), shape);
      tf.tidy(() => params[name]?.assign(tf.mul(params[name] as tf.Variable, masks[name] as tf.Tensor)));
    }
  });
  const opt = new MaskedOptimizer(config, params, masks);
  for (let step = 0; step < steps; step++) {
    const grads: Record<string, tf.Tensor> = {};
    Object.entries(c.shapes).forEach(([name, shape], i) => {
      grads[(params[name] as tf.Variable).name] = tf.tensor(values(tf.util.sizeFromShape(shape), 100 * step + i + 1), shape);
    });
    opt.step(grads, 0.05 / (step + 1), { fused });
    tf.dispose(Object.values(grads));
  }
  const out: Record<string, Float32Array> = {};
  for (const [name, v] of Object.entries(params)) out[name] = (await v.data()) as Float32Array;
  const slots = (opt as unknown as { slots: Map<string, tf.Variable[]> }).slots;
  for (const [name, list] of slots) for (const [i, s] of list.entries()) out[`${name}#${i}`] = (await s.data()) as Float32Array;
  opt.dispose();
  tf.dispose([...Object.values(params), ...Object.values(masks)]);
  return out;
}
