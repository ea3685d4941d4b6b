import { expect } from 'vitest';
import type { OptimizerConfig } from '../../../../main/lab/optimizers.js';

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
