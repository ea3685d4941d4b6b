import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

import {
  FUSED_OPTIMIZER_BACKENDS,
  MASKED_ADAM,
  hasFusedOptimizer,
  registerOptimizerKernels,
  selectBackend,
} from '../../../../main/lab/backend/index.js';
import { fusedKernelOptions } from '../../../../main/lab/backend/optimizer-kernels.js';
import { simdOptimizerModuleBytes } from '../../../../main/lab/backend/simd-module.js';
import { packageRoot } from '../../../../main/common/paths.js';
import { assemble, sharedVariant } from '../../../../build/assemble-wasm.mjs';
import type { OptimizerConfig } from '../../../../main/lab/optimizers.js';
import { OPTIMIZER_CONFIGS as CONFIGS, relErr, trainMasked, values } from './helpers.js';

// Sizes not divisible by 4 exercise the SIMD groups and the scalar tail.
const SHAPES: Record<string, number[]> = { 'fc.weight': [7, 13], 'fc.bias': [13], 'conv.weight': [3, 3, 2, 4], 'head.weight': [5, 3] };
const MASKED = ['fc.weight', 'conv.weight'];

/**
 * Runs `steps` masked optimizer steps on `backend` with fixed gradients per step; returns the
 * final parameters and slots. `fused: false` is the unfused TF.js-ops reference.
 */
async function train(backend: 'cpu' | 'wasm', config: OptimizerConfig, fused: boolean, steps = 4): Promise<Record<string, Float32Array>> {
  await tf.setBackend(backend);
  return trainMasked({ shapes: SHAPES, masked: MASKED }, config, fused, steps);
}


beforeAll(async () => {
  await selectBackend('wasm');
});

afterEach(() => {
  fusedKernelOptions.simd = true;
});

describe('fused masked optimizer kernels', () => {
  it('are registered on wasm and cpu, once', () => {
    for (const b of FUSED_OPTIMIZER_BACKENDS) expect(hasFusedOptimizer(b)).toBe(true);
    expect(hasFusedOptimizer('tensorflow')).toBe(false);
    expect(registerOptimizerKernels()).toEqual([]);
  });

  it('ship a valid WebAssembly SIMD module for shared and unshared memory', () => {
    const wa = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly;
    expect(wa.validate(simdOptimizerModuleBytes(false))).toBe(true);
    expect(wa.validate(simdOptimizerModuleBytes(true))).toBe(true);
  });

  it('load the module the build assembled from simd-optimizer.wat as it reads now', async () => {
    const file = 'main/lab/backend/simd-optimizer.wat';
    const text = readFileSync(path.join(packageRoot(), file), 'utf8');
    expect(Buffer.from(simdOptimizerModuleBytes(false)).equals(await assemble(text, file))).toBe(true);
    expect(Buffer.from(simdOptimizerModuleBytes(true)).equals(await assemble(sharedVariant(text, file), file))).toBe(true);
    expect(() => sharedVariant('(module)', 'x.wat')).toThrow(/x\.wat: expected the line/);
  });

  it.each(CONFIGS)('%s: wasm (SIMD and JS loop) and cpu agree with the unfused ops on cpu', async (_, config) => {
    const reference = await train('cpu', config, false);
    const candidates = {
      'cpu fused': await train('cpu', config, true),
      'wasm fused SIMD': await train('wasm', config, true),
      'wasm fused JS': await (async () => {
        fusedKernelOptions.simd = false;
        return train('wasm', config, true);
      })(),
      'wasm unfused': await train('wasm', config, false),
    };
    for (const [label, got] of Object.entries(candidates)) {
      expect(Object.keys(got).sort()).toEqual(Object.keys(reference).sort());
      for (const key of Object.keys(reference)) {
        expect(relErr(got[key] as Float32Array, reference[key] as Float32Array), `${label} ${key}`).toBeLessThanOrEqual(1e-4);
      }
    }
  });

  it('keeps pruned weights and their optimizer state at exactly zero', async () => {
    const out = await train('wasm', CONFIGS[1]![1], true, 6);
    for (const [i, name] of MASKED.entries()) {
      const size = tf.util.sizeFromShape(SHAPES[name]!);
      const mask = values(size, 20 + Object.keys(SHAPES).indexOf(name)).map((v) => (v > 0 ? 1 : 0));
      for (let j = 0; j < size; j++) {
        if (mask[j] === 0) {
          // (-0 is fine: a negative update times a zero mask, as with the unfused ops.)
          expect(Math.abs(out[name]![j]!), `${name}[${j}] (${i})`).toBe(0);
          expect(Math.abs(out[`${name}#0`]![j]!)).toBe(0);
          expect(Math.abs(out[`${name}#1`]![j]!)).toBe(0);
        }
      }
    }
  });

  it('rejects inputs of different shapes', async () => {
    await tf.setBackend('wasm');
    const w = tf.ones([4]);
    const g = tf.ones([5]);
    expect(() =>
      tf.engine().runKernel(MASKED_ADAM, { w, g, m: w, v: w }, { lr: 1, beta1: 0.9, beta2: 0.9, epsilon: 1e-8, weightDecay: 0, bc1: 1, bc2: 1 }),
    ).toThrow(/shape/);
    tf.dispose([w, g]);
  });

  it('leaks no tensors', async () => {
    await tf.setBackend('wasm');
    await train('wasm', CONFIGS[0]![1], true, 1);
    const before = tf.memory();
    await train('wasm', CONFIGS[0]![1], true, 3);
    await train('wasm', CONFIGS[4]![1], true, 3);
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numDataBuffers).toBe(before.numDataBuffers);
  });
});
