// The webgpu backend on SwiftShader (Chromium's Vulkan driver run on the CPU: a real WebGPU
// adapter for Dawn, only a slow one): selection, the fused optimizer kernels, the pad fix.
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { hasFusedOptimizer, selectBackend } from '../../../../main/lab/backend/index.js';
import { mergePadDims } from '../../../../main/lab/backend/webgpu-kernels.js';
import { registerWebgpuOptimizerKernels } from '../../../../main/lab/backend/webgpu-optimizer-kernels.js';
import type { OptimizerConfig } from '../../../../main/lab/optimizers.js';
import { NO_SWIFTSHADER, useSwiftshader } from '../../../helpers/swiftshader.js';
import { OPTIMIZER_CONFIGS as CONFIGS, relErr, trainMasked, values } from './helpers.js';

useSwiftshader();

// Sizes not divisible by 4 exercise the scalar programs, the others the vec4 ones.
const SHAPES: Record<string, number[]> = { 'fc.weight': [7, 13], 'fc.bias': [12], 'conv.weight': [3, 3, 2, 4], 'head.weight': [5, 3] };
const MASKED = ['fc.weight', 'conv.weight', 'head.weight'];

/** `steps` masked optimizer steps with fixed gradients on the active backend: the parameters and slots. */
function train(config: OptimizerConfig, fused: boolean, steps = 3): Promise<Record<string, Float32Array>> {
  return trainMasked({ shapes: SHAPES, masked: MASKED }, config, fused, steps);
}


describe.skipIf(NO_SWIFTSHADER !== undefined)(`the webgpu backend on SwiftShader${NO_SWIFTSHADER ? ` (skipped: ${NO_SWIFTSHADER})` : ''}`, () => {
  it('is never chosen automatically on a software adapter, and is when asked for by name', async () => {
    const auto = await selectBackend('auto');
    expect(auto.name).not.toBe('webgpu');
    const tried = auto.tried.find((t) => t.name === 'webgpu');
    expect(tried?.ok).toBe(false);
    expect(tried?.error).toMatch(/^found no usable adapter: only software adapters \(SwiftShader Device \(Subzero\) \(google swiftshader, vulkan, SwiftShader driver [\d.]+; software\)\): never chosen automatically/);
    expect(auto.reason).toContain('@tensorflow/tfjs-backend-webgpu found no usable adapter: only software adapters');
    const choice = await selectBackend('webgpu');
    expect(choice).toMatchObject({ name: 'webgpu', package: '@tensorflow/tfjs-backend-webgpu' });
    expect(choice.adapter).toMatchObject({ name: 'SwiftShader Device (Subzero)', api: 'vulkan', vendor: 'google', architecture: 'swiftshader', software: true });
    expect(choice.adapter?.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 * 2 ** 20);
    expect(choice.reason).toMatch(/^webgpu: requested, via @tensorflow\/tfjs-backend-webgpu on SwiftShader Device \(Subzero\) \(.*; software\)$/);
    expect(tf.getBackend()).toBe('webgpu');
    // Asked again, the thread keeps its device.
    expect(await selectBackend('webgpu')).toBe(choice);
  });

  it('leaves setImmediate as it was for JavaScript callbacks once Dawn is loaded (only Dawn\'s own poll is spaced out)', async () => {
    await selectBackend('webgpu');
    const order: string[] = [];
    await new Promise<void>((resolve) => {
      setTimeout(() => {
        order.push('timer');
        resolve();
      }, 20);
      setImmediate((x: string) => order.push(x), 'immediate');
    });
    expect(order).toEqual(['immediate', 'timer']);
    await promisify(setImmediate)();
    // A read-back, which Dawn polls for, completes.
    const t = tf.tidy(() => tf.add(tf.tensor([1, 2]), 1));
    expect(Array.from(await t.data())).toEqual([2, 3]);
    t.dispose();
  });

  it('registers the fused masked SGD and Adam on webgpu, once', async () => {
    await selectBackend('webgpu');
    expect(hasFusedOptimizer('webgpu')).toBe(true);
    expect(registerWebgpuOptimizerKernels()).toEqual([]);
  });

  for (const [name, config] of CONFIGS) {
    it(`runs the masked update (${name}) as the cpu kernel and the TF.js-ops reference do`, async () => {
      await selectBackend('cpu');
      const cpu = await train(config, true);
      const reference = await train(config, false);
      await selectBackend('webgpu');
      const before = tf.memory().numTensors;
      const gpu = await train(config, true);
      expect(tf.memory().numTensors).toBe(before);
      for (const key of Object.keys(cpu)) {
        expect(relErr(gpu[key] as Float32Array, cpu[key] as Float32Array), key).toBeLessThan(1e-6);
        expect(relErr(gpu[key] as Float32Array, reference[key] as Float32Array), key).toBeLessThan(1e-6);
      }
      // Pruned weights are exactly zero.
      for (const key of MASKED) {
        const m = values(tf.util.sizeFromShape(SHAPES[key] as number[]), 20 + Object.keys(SHAPES).indexOf(key));
        (gpu[key] as Float32Array).forEach((w, i) => {
          if ((m[i] as number) <= 0) expect(Object.is(w, 0) || Object.is(w, -0)).toBe(true);
        });
      }
    });
  }

  it('pads rank-5 tensors (the gradient of ResNet-20\'s shortcut slice) as the cpu backend does', async () => {
    expect(mergePadDims([2, 3, 1, 4, 5], [[0, 0], [0, 0], [0, 1], [0, 0], [0, 5]])).toEqual({ shape: [6, 4, 5], paddings: [[0, 0], [0, 4], [0, 5]] });
    expect(mergePadDims([2, 3], [[1, 0], [0, 0]])).toEqual({ shape: [6], paddings: [[3, 0]] });
    const x = values(2 * 3 * 1 * 4 * 5, 3);
    const paddings: [number, number][] = [[0, 0], [0, 0], [0, 1], [0, 0], [0, 5]];
    const out: Record<string, Float32Array> = {};
    for (const b of ['cpu', 'webgpu'] as const) {
      await selectBackend(b);
      const y = tf.tidy(() => tf.pad(tf.tensor(x, [2, 3, 1, 4, 5]), paddings, 0.5));
      expect(y.shape).toEqual([2, 3, 2, 4, 10]);
      out[b] = (await y.data()) as Float32Array;
      y.dispose();
    }
    expect(Array.from(out.webgpu as Float32Array)).toEqual(Array.from(out.cpu as Float32Array));
  });
});
