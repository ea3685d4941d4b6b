import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseExperimentConfig } from '../../../main/contract/experiment-config.js';
import { evaluate } from '../../../main/lab/evaluate.js';
import { getModel } from '../../../main/lab/models/registry.js';
import {
  evaluationCallback,
  evaluationSchedule,
  maskCheckCallback,
  progressCallback,
  rewindCallback,
  selectionCallback,
  yieldCallback,
} from '../../../main/lab/train-callbacks.js';
import type { EvalPoint, StepLogs } from '../../../main/lab/train-loop.js';
import { trainModel } from '../../../main/lab/train.js';
import { initBuffers, initWeights, ModelState } from '../../../main/lab/weights.js';
import { stripeSet } from '../../helpers/toy-dataset.js';

// Each callback of the training loop on its own, fed the logs the loop would give it.

const norm = { mean: [0.35], std: [0.3] };

function model(): ModelState {
  const def = getModel('lenet-300-100').build([8, 8, 1], 4);
  return new ModelState(def, initWeights(def, 1), initBuffers(def));
}

function logs(state: ModelState, iteration: number, loss = 1, evaluation?: EvalPoint): StepLogs {
  return { iteration, iterations: 6, iterationsPerEpoch: 2, epoch: iteration / 2, loss, samples: iteration * 10, state, ...(evaluation ? { evaluation } : {}) };
}

function point(iteration: number, val: number | null, test: number | null, candidate = true): EvalPoint {
  return { iteration, epoch: iteration / 2, trainLoss: null, valLoss: val === null ? null : 1 - val, valAccuracy: val, testLoss: null, testAccuracy: test, candidate };
}

describe('training callbacks', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('evaluation schedule: interval ends (ours), interval starts (the authors\'), or both; iteration 0 always measured', () => {
    const at = (points: 'ends' | 'starts' | 'all') => {
      const s = evaluationSchedule(points, 2, 5);
      return [0, 1, 2, 3, 4, 5].map((i) => s(i));
    };
    expect(at('ends')).toEqual(['measure', null, 'candidate', null, 'candidate', 'candidate']);
    expect(at('starts')).toEqual(['candidate', null, 'candidate', null, 'candidate', null]);
    expect(at('all')).toEqual(['candidate', null, 'candidate', null, 'candidate', 'candidate']);
  });

  it('evaluation: evaluates where the schedule says, averages the batch losses in between, hands each point on', async () => {
    const state = model();
    const val = stripeSet(40, 4, 5);
    const test = stripeSet(40, 4, 6);
    const cb = evaluationCallback({ val, test, normalization: norm, schedule: evaluationSchedule('ends', 2, 4) });
    const begin = logs(state, 0, NaN);
    await cb.onTrainBegin!(begin);
    expect(begin.evaluation).toBe(cb.points[0]);
    expect(cb.points[0]).toMatchObject({ iteration: 0, trainLoss: null, candidate: false, testAccuracy: (await evaluate(state, test, norm)).accuracy, valAccuracy: (await evaluate(state, val, norm)).accuracy });
    const l1 = logs(state, 1, 0.5);
    await cb.onBatchEnd!(l1);
    expect(l1.evaluation).toBeUndefined();
    await cb.onBatchEnd!(logs(state, 2, 1.5));
    expect(cb.points).toHaveLength(2);
    expect(cb.points[1]).toMatchObject({ iteration: 2, epoch: 1, trainLoss: 1, candidate: true });
    state.dispose();
  });

  it.each([
    ['best-val', true, 2],
    ['best-val', false, 4],
    ['best-test', true, 4],
    ['last', true, 6],
  ] as const)('selection %s (validation split: %s) picks iteration %i; ties keep the earlier point, non-candidates are ignored', async (rule, hasVal, expected) => {
    const state = model();
    const cb = selectionCallback({ rule, hasVal, keepParams: false });
    const points = [point(0, 0.9, 0.99, false), point(2, 0.8, 0.5), point(4, 0.8, 0.7), point(6, 0.6, 0.7)];
    for (const p of points) await cb.onBatchEnd!(logs(state, p.iteration, 1, p));
    expect(cb.selected?.iteration).toBe(expected);
    state.dispose();
  });

  it('selection keeps the parameters of the picked point when asked', async () => {
    const state = model();
    const cb = selectionCallback({ rule: 'best-test', hasVal: false, keepParams: true });
    await cb.onBatchEnd!(logs(state, 2, 1, point(2, null, 0.9)));
    const kept = (await state.readParams()).get('fc1.weight')!;
    state.loadParams(new Map([['fc1.weight', new Float32Array(kept.length)]]));
    await cb.onBatchEnd!(logs(state, 4, 1, point(4, null, 0.5)));
    expect(cb.selectedParams?.get('fc1.weight')).toEqual(kept);
    state.dispose();
  });

  it('rewind capture copies parameters and buffers after exactly k steps', async () => {
    const state = model();
    const cb = rewindCallback(3);
    await cb.onBatchEnd!(logs(state, 2));
    expect(cb.params).toBeUndefined();
    await cb.onBatchEnd!(logs(state, 3));
    const at3 = cb.params!.get('fc1.weight')!.slice();
    state.loadParams(new Map([['fc1.weight', new Float32Array(at3.length)]]));
    await cb.onBatchEnd!(logs(state, 4));
    expect(cb.params!.get('fc1.weight')).toEqual(at3);
    expect(cb.buffers).toBeDefined();
    state.dispose();
  });

  it('mask check counts pruned weights that are not zero at the end', async () => {
    const state = model();
    const size = 64 * 300;
    const mask = new Map([['fc1.weight', new Uint8Array(size).fill(1)]]);
    mask.get('fc1.weight')!.fill(0, 0, 10);
    const cb = maskCheckCallback(mask);
    await cb.onTrainEnd!(logs(state, 6));
    expect(cb.violations).toBe(10);
    const w = (await state.readParams()).get('fc1.weight')!;
    w.fill(0, 0, 7);
    state.loadParams(new Map([['fc1.weight', w]]));
    const again = maskCheckCallback(mask);
    await again.onTrainEnd!(logs(state, 6));
    expect(again.violations).toBe(3);
    state.dispose();
  });

  it('progress reports iteration, epoch, loss and images per second on the injected clock', () => {
    const state = model();
    const seen: unknown[] = [];
    let now = 0;
    const cb = progressCallback((p) => seen.push(p), () => now);
    cb.onTrainBegin!(logs(state, 0));
    now = 2000;
    cb.onBatchEnd!(logs(state, 2, 0.25));
    expect(seen).toEqual([{ iteration: 2, iterations: 6, epoch: 1, loss: 0.25, imagesPerSecond: 10 }]);
    state.dispose();
  });

  it('yield awaits a macrotask every N steps', async () => {
    const state = model();
    let yields = 0;
    const cb = yieldCallback(3, async () => void yields++);
    for (let i = 1; i <= 9; i++) await cb.onBatchEnd!(logs(state, i));
    expect(yields).toBe(3);
    state.dispose();
  });

  it('a training yields to the event loop while it runs: a timer set before it fires before it ends', async () => {
    const state = model();
    const config = parseExperimentConfig({ arch: 'lenet-300-100', dataset: 'toy', training: { duration: '16it', batchSize: 10 } });
    let steps = 0;
    let firedAt: number | undefined;
    setTimeout(() => {
      firedAt = steps;
    }, 0);
    await trainModel({ state, train: stripeSet(100, 4, 1), normalization: norm, training: config.training, seed: 0, stream: 't', onProgress: (p) => void (steps = p.iteration) });
    expect(firedAt).toBeDefined();
    expect(firedAt).toBeLessThan(16);
    state.dispose();
  });
});
