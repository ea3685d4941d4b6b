import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { parseExperimentConfig } from '../../../../main/contract/experiment-config.js';
import { LabError } from '../../../../main/contract/errors.js';
import { checkRunFits, estimateMemory, selectBackend, stepFootprint, type GpuAdapter } from '../../../../main/lab/backend/index.js';
import { getModel } from '../../../../main/lab/models/registry.js';

const GiB = 2 ** 30;
const adapter = (software: boolean, binding = GiB): GpuAdapter => ({
  name: software ? 'SwiftShader Device (Subzero)' : 'Some GPU',
  api: 'vulkan',
  vendor: software ? 'google' : 'nvidia',
  architecture: '',
  device: '',
  description: '',
  software,
  limits: { maxBufferSize: 4 * GiB, maxStorageBufferBindingSize: binding, maxComputeWorkgroupStorageSize: 32768, maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupsPerDimension: 65535, maxStorageBuffersPerShaderStage: 8 },
});
const adam = parseExperimentConfig({ arch: 'conv2', dataset: 'x' }).training;

describe('GPU memory sizing', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('measures a step from the model: parameters and optimizer state fixed, activations per image', () => {
    const def = getModel('conv2').build([8, 8, 3], 10);
    const before = tf.memory().numTensors;
    const f = stepFootprint(def, adam.optimizer);
    expect(tf.memory().numTensors).toBe(before);
    const params = def.params.reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
    // Weights, gradients, Adam's two slots, an update's outputs and the masks: 7-8 copies.
    expect(f.fixedBytes).toBeGreaterThan(7 * 4 * params);
    expect(f.fixedBytes).toBeLessThan(8 * 4 * params);
    // The largest activation is an 8x8x64 conv output of one image.
    expect(f.largestPerImageBytes).toBe(8 * 8 * 64 * 4);
    expect(f.perImageBytes).toBeGreaterThan(4 * f.largestPerImageBytes);
    const sgd = stepFootprint(def, { type: 'sgd', lr: 0.1, momentum: 0, nesterov: false, weightDecay: 0 });
    expect(sgd.fixedBytes).toBeLessThan(f.fixedBytes);
    expect(sgd.perImageBytes).toBe(f.perImageBytes);
  });

  it('finds the largest batch under the buffer limit and, on a software adapter, the host memory', () => {
    const f = { fixedBytes: 1e8, perImageBytes: 1e6, largestPerImageBytes: 2e5, largestParamBytes: 1e7 };
    const hw = estimateMemory(f, 60, adapter(false), 1e12);
    expect(hw.largestBatch).toBe(Math.floor(GiB / 2e5));
    expect(hw.budgetBytes).toBeUndefined();
    expect(hw.totalBytes).toBe(1e8 + 60e6);
    const sw = estimateMemory(f, 60, adapter(true), 2e9);
    expect(sw.budgetBytes).toBe(2e9);
    expect(sw.largestBatch).toBe(1900);
    expect(estimateMemory({ ...f, largestParamBytes: 2 * GiB }, 1, adapter(false)).largestBatch).toBe(0);
  });

  it('refuses a batch whose activations exceed the adapter\'s largest buffer, naming the field and the batch that fits', () => {
    const def = getModel('conv2').build([8, 8, 3], 10);
    const e = checkRunFits(def, adam, 60, adapter(false));
    expect(e.largestBatch).toBe(Math.floor(GiB / (8 * 8 * 64 * 4)));
    let err: unknown;
    try {
      checkRunFits(def, adam, 70_000, adapter(false));
    } catch (x) {
      err = x;
    }
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).code).toBe('invalid_input');
    expect((err as LabError).message).toMatch(/^config field 'training\.batchSize': a conv2 training step at batch 70000 needs a 1\.15 GB tensor, more than the largest buffer of the WebGPU adapter Some GPU \(hardware\), 1\.07 GB; the largest batch that fits is 65536$/);
  });
});
