import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../main/common/random.js';
import { parseExperimentConfig } from '../../../main/contract/experiment-config.js';
import { makeImageSet } from '../../../main/data/image-set.js';
import type { ImageSet } from '../../../main/data/types.js';
import { onesMask, type Mask } from '../../../main/lab/masks.js';
import { getModel } from '../../../main/lab/models/registry.js';
import { planFromConfig, prunableSizes, pruneRandomly } from '../../../main/lab/pruning.js';
import { trainModel } from '../../../main/lab/train.js';
import { initBuffers, initWeights, ModelState } from '../../../main/lab/weights.js';

/** A learnable toy problem: the label is which quadrant of the image is brightest. */
function quadrantSet(count: number, seed: number, size = 8): ImageSet {
  const rng = new Rng(seed);
  const images = new Uint8Array(count * size * size);
  const labels = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    const q = rng.int(4);
    labels[n] = q;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const inQ = (y < size / 2 ? 0 : 2) + (x < size / 2 ? 0 : 1) === q;
        images[n * size * size + y * size + x] = inQ ? 150 + rng.int(100) : rng.int(100);
      }
    }
  }
  return makeImageSet(images, labels, [size, size, 1]);
}

const norm = { mean: [0.3], std: [0.3] };

function setup(optimizer: object, sparsity = 0.6): { state: ModelState; mask: Mask; config: ReturnType<typeof parseExperimentConfig> } {
  const def = getModel('lenet-300-100').build([8, 8, 1], 4);
  const config = parseExperimentConfig({ arch: 'lenet-300-100', dataset: 'toy', training: { duration: '3ep', batchSize: 20, optimizer } });
  const mask = pruneRandomly(onesMask(prunableSizes(def, 'conv+dense')), planFromConfig(def, config.pruning, sparsity), new Rng(3));
  return { state: new ModelState(def, initWeights(def, 1), initBuffers(def)), mask, config };
}

async function prunedNonZero(state: ModelState, mask: Mask): Promise<number> {
  let bad = 0;
  for (const [name, m] of mask) {
    const w = await state.params[name].data();
    for (let i = 0; i < m.length; i++) if (m[i] === 0 && w[i] !== 0) bad++;
  }
  return bad;
}

describe('training under a mask', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it.each([
    ['SGD with momentum, Nesterov and weight decay', { type: 'sgd', lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 5e-4 }],
    ['Adam with weight decay', { type: 'adam', lr: 1e-3, weightDecay: 1e-4 }],
  ])('keeps pruned weights at exactly zero through every step (%s)', async (_name, optimizer) => {
    const { state, mask, config } = setup(optimizer);
    // Non-zero initial values at pruned positions must be zeroed at load, and stay zero.
    expect(await prunedNonZero(state, mask)).toBeGreaterThan(0);
    const before = (await state.params['fc2.weight'].data()).slice();
    let checked = 0;
    await trainModel({
      state,
      mask,
      train: quadrantSet(200, 1),
      normalization: norm,
      training: config.training,
      seed: 0,
      stream: 't',
      onProgress: () => {
        checked++;
      },
    });
    expect(checked).toBe(30);
    expect(await prunedNonZero(state, mask)).toBe(0);
    // The kept weights did train.
    const after = await state.params['fc2.weight'].data();
    const m = mask.get('fc2.weight')!;
    let moved = 0;
    for (let i = 0; i < m.length; i++) if (m[i] && after[i] !== before[i]) moved++;
    expect(moved).toBeGreaterThan(m.reduce((a, b) => a + b, 0) * 0.9);
    state.dispose();
  });

  it('learns a learnable task and selects the best validation point', async () => {
    const { state, mask, config } = setup({ type: 'adam', lr: 3e-3 }, 0.2);
    const result = await trainModel({
      state,
      mask,
      train: quadrantSet(400, 1),
      val: quadrantSet(100, 2),
      test: quadrantSet(100, 3),
      normalization: norm,
      training: config.training,
      seed: 0,
      stream: 't',
    });
    // The untrained point (measured, not a candidate under the default "ends") and the three epoch ends.
    expect(result.evals.map((e) => [e.iteration, e.candidate])).toEqual([[0, false], [20, true], [40, true], [60, true]]);
    expect(result.untrained).toBe(result.evals[0]);
    expect(result.untrained.trainLoss).toBeNull();
    expect(result.selected.testAccuracy).toBeGreaterThan(0.8);
    const bestVal = Math.max(...result.evals.filter((e) => e.candidate).map((e) => e.valAccuracy ?? 0));
    expect(result.selected.valAccuracy).toBe(bestVal);
    expect(result.samples).toBe(3 * 20 * 20);
    expect(result.maskViolations).toBe(0);
    state.dispose();
  });

  it('leaks no tensors across a training round', async () => {
    const { state, mask, config } = setup({ type: 'sgd', lr: 0.01 });
    const before = tf.memory().numTensors;
    await trainModel({ state, mask, train: quadrantSet(100, 1), test: quadrantSet(40, 2), normalization: norm, training: config.training, seed: 0, stream: 't' });
    expect(tf.memory().numTensors).toBe(before);
    state.dispose();
  });

  it('is a pure function of its inputs: the same seed gives the same weights', async () => {
    const run = async (): Promise<Float32Array> => {
      const { state, mask, config } = setup({ type: 'adam', lr: 1e-3 });
      await trainModel({ state, mask, train: quadrantSet(100, 1), normalization: norm, training: config.training, seed: 5, stream: 't' });
      const w = (await state.params['fc1.weight'].data()) as Float32Array;
      state.dispose();
      return w;
    };
    expect(Buffer.from((await run()).buffer).equals(Buffer.from((await run()).buffer))).toBe(true);
  });
});
