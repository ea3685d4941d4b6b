import { describe, expect, it } from 'vitest';
import { parseExperimentConfig, type ExperimentConfigInput } from '../../../main/contract/experiment-config.js';
import { iterationOf, learningRate, samplesOfSteps, trainingLength } from '../../../main/lab/schedule.js';

const training = (t: ExperimentConfigInput['training']) => parseExperimentConfig({ arch: 'lenet-300-100', dataset: 'x', training: t }).training;

describe('learning-rate schedule', () => {
  it('warms up linearly over warmupEpochs, counting the step being taken', () => {
    const t = training({ optimizer: { type: 'sgd', lr: 0.1 }, warmupEpochs: 1, duration: '4ep' });
    // 10 steps per epoch: step i (0-based) of the warm-up runs at 0.1 · (i + 1) / 10.
    expect(learningRate(t, 0, 10)).toBeCloseTo(0.01, 12);
    expect(learningRate(t, 4, 10)).toBeCloseTo(0.05, 12);
    expect(learningRate(t, 9, 10)).toBeCloseTo(0.1, 12);
    expect(learningRate(t, 10, 10)).toBe(0.1);
  });

  it('starts the warm-up at lr 0 with warmupFromZero (the authors\' scheduler)', () => {
    const t = training({ optimizer: { type: 'adam', lr: 1.2e-3 }, warmupEpochs: 1, warmupFromZero: true, duration: '3ep' });
    expect(learningRate(t, 0, 235)).toBe(0);
    expect(learningRate(t, 100, 235)).toBeCloseTo((1.2e-3 * 100) / 235, 15);
    expect(learningRate(t, 235, 235)).toBe(1.2e-3);
  });

  it('multiplies by gamma at each milestone epoch passed (the authors\' ×0.2 at 20, 30, 45)', () => {
    const t = training({ optimizer: { type: 'sgd', lr: 0.1 }, warmupEpochs: 1, milestones: [20, 30, 45], gamma: 0.2, duration: '50ep' });
    expect(learningRate(t, 19 * 100 + 99, 100)).toBe(0.1);
    expect(learningRate(t, 20 * 100, 100)).toBeCloseTo(0.02, 15);
    expect(learningRate(t, 30 * 100, 100)).toBeCloseTo(0.004, 15);
    expect(learningRate(t, 45 * 100, 100)).toBeCloseTo(0.0008, 15);
  });
});

describe('training length', () => {
  it('drops the last partial batch by default, keeps it with keepLastBatch', () => {
    expect(trainingLength(training({ duration: '3ep', batchSize: 256 }), 30000)).toEqual({ batchSize: 256, iterationsPerEpoch: 117, samplesPerEpoch: 117 * 256, iterations: 351, samples: 351 * 256 });
    expect(trainingLength(training({ duration: '3ep', batchSize: 256, keepLastBatch: true }), 30000)).toEqual({ batchSize: 256, iterationsPerEpoch: 118, samplesPerEpoch: 30000, iterations: 354, samples: 90000 });
  });

  it('counts iteration durations in steps, across epochs, and a batch larger than the set as the set', () => {
    const t = training({ duration: '25it', batchSize: 40, keepLastBatch: true });
    // 100 images: 3 steps per epoch (40, 40, 20); 25 steps = 8 epochs + 1 step.
    expect(trainingLength(t, 100)).toMatchObject({ iterationsPerEpoch: 3, iterations: 25, samples: 8 * 100 + 40 });
    expect(samplesOfSteps(t, 100, 4)).toBe(100 + 40);
    expect(trainingLength(training({ duration: '2ep', batchSize: 500 }), 120)).toMatchObject({ batchSize: 120, iterations: 2, samples: 240 });
  });

  it('places a late-rewinding point in steps', () => {
    const t = training({ duration: '3ep', batchSize: 50 });
    expect(iterationOf(t, '2ep', 1000)).toBe(40);
    expect(iterationOf(t, '7it', 1000)).toBe(7);
  });
});
