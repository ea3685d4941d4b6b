// The training loop on webgpu (SwiftShader): masks hold through an epoch, the same seed gives the
// same weights and masks on the same adapter, and no tensor or buffer grows from step to step.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { Rng } from '../../../../main/common/random.js';
import { parseExperimentConfig } from '../../../../main/contract/experiment-config.js';
import { selectBackend } from '../../../../main/lab/backend/index.js';
import { onesMask, type Mask } from '../../../../main/lab/masks.js';
import { getModel } from '../../../../main/lab/models/registry.js';
import { planFromConfig, prunableSizes, pruneByMagnitude, pruneRandomly } from '../../../../main/lab/pruning.js';
import { trainModel } from '../../../../main/lab/train.js';
import { initBuffers, initWeights, ModelState, type WeightMap } from '../../../../main/lab/weights.js';
import { NO_SWIFTSHADER, useSwiftshader } from '../../../helpers/swiftshader.js';
import { stripeSet } from '../../../helpers/toy-dataset.js';
import { runSteps, stepCase } from './training-steps.js';

useSwiftshader();

const config = parseExperimentConfig({ arch: 'conv2', dataset: 'stripes', training: { duration: '1ep', batchSize: 20, optimizer: { type: 'adam', lr: 3e-3 } } });
const def = getModel('conv2').build([8, 8, 1], 4);
const plan = planFromConfig(def, config.pruning, 0.6);
const mask0 = pruneRandomly(onesMask(prunableSizes(def, 'conv+dense')), plan, new Rng(3));
const train = stripeSet(100, 4, 1);

/** One epoch of the training loop on webgpu from θ0(seed 1) ⊙ mask; the trained weights. */
async function epoch(mask: Mask): Promise<{ weights: WeightMap; losses: number[]; numTensors: number }> {
  const state = new ModelState(def, initWeights(def, 1), initBuffers(def));
  const losses: number[] = [];
  try {
    await trainModel({ state, mask, train, normalization: { mean: [0.35], std: [0.3] }, training: config.training, seed: 0, stream: 't', onProgress: (p) => losses.push(p.loss) });
    return { weights: await state.readParams(), losses, numTensors: tf.memory().numTensors };
  } finally {
    state.dispose();
  }
}

describe.skipIf(NO_SWIFTSHADER !== undefined)(`training on webgpu (SwiftShader)${NO_SWIFTSHADER ? ` (skipped: ${NO_SWIFTSHADER})` : ''}`, () => {
  beforeAll(async () => {
    await selectBackend('webgpu');
  });

  it('keeps pruned weights at exactly zero through an epoch and learns; the same seed gives the same weights and next masks', async () => {
    const before = tf.memory().numTensors;
    const a = await epoch(mask0);
    const { weights, losses } = a;
    expect(tf.memory().numTensors).toBe(before);
    expect(losses).toHaveLength(5);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[4] as number).toBeLessThan(losses[0] as number);
    let pruned = 0;
    for (const [name, m] of mask0) {
      const w = weights.get(name) as Float32Array;
      for (let i = 0; i < m.length; i++) {
        if (m[i] !== 0) continue;
        pruned++;
        expect(w[i] === 0, `${name}[${i}] = ${w[i]}`).toBe(true);
      }
    }
    expect(pruned).toBeGreaterThan(1000);
    // Again from the same θ0 and seed on the same adapter: the same bits, so the same next masks.
    const b = await epoch(mask0);
    for (const [name, w] of a.weights) expect(Buffer.from((b.weights.get(name) as Float32Array).buffer).equals(Buffer.from(w.buffer)), name).toBe(true);
    const ma = pruneByMagnitude(a.weights, mask0, plan);
    const mb = pruneByMagnitude(b.weights, mask0, plan);
    for (const [name, m] of ma) expect(Buffer.from(m).equals(Buffer.from(mb.get(name) as Uint8Array)), name).toBe(true);
    expect(a.losses).toEqual(b.losses);
  });

  it('allocates nothing that grows from step to step: tensors and bytes flat, the buffer pool stops growing', async () => {
    const c = stepCase('conv2', [8, 8, 3], 4);
    const before = tf.memory().numTensors;
    const r = await runSteps(c, { type: 'adam', lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 5e-4 }, 6);
    expect(tf.memory().numTensors).toBe(before);
    const m = r.memory as (tf.MemoryInfo & { numBytesInGPU: number; numBytesAllocatedInGPU: number })[];
    for (const s of m.slice(1)) {
      expect(s.numTensors).toBe(m[0]?.numTensors);
      expect(s.numBytes).toBe(m[0]?.numBytes);
      expect(s.numBytesInGPU).toBe(m[0]?.numBytesInGPU);
    }
    expect(typeof m[2]?.numBytesAllocatedInGPU).toBe('number');
    // From the third step on, every buffer a step needs comes from the pool: none is allocated.
    for (const s of m.slice(3)) expect(s.numBytesAllocatedInGPU).toBe(m[2]?.numBytesAllocatedInGPU);
    expect(r.revived).toBe(0);
  });
});
