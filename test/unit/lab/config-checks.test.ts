import { describe, expect, it } from 'vitest';
import { parseExperimentConfig, type ExperimentConfigInput } from '../../../main/contract/experiment-config.js';
import { LabError } from '../../../main/contract/errors.js';
import type { Dataset } from '../../../main/data/types.js';
import { createContext } from '../../../main/lab/context.js';
import { stripeDataset } from '../../helpers/toy-dataset.js';

// Configs refused before anything trains or is written: the error is invalid_input and names the field.

const base: ExperimentConfigInput = {
  arch: 'lenet-300-100',
  dataset: 'stripes',
  methods: ['imp', 'colt'],
  training: { duration: '2ep', batchSize: 40 },
  stop: { maxRounds: 1 },
};

function refusal(input: ExperimentConfigInput, dataset: Dataset = stripeDataset(), evalDataset: Dataset = dataset): LabError {
  try {
    createContext(parseExperimentConfig(input), dataset, evalDataset, { event: () => undefined });
  } catch (e) {
    if (e instanceof LabError) return e;
    throw e;
  }
  throw new Error('the config was accepted');
}

/** A 28x28x1 dataset of the stripe problem (the shape of Fashion-MNIST). */
function wide(): Dataset {
  const d = stripeDataset('stripes-28', 4, 40, 20);
  const grow = (set: Dataset['train']) => ({ ...set, images: new Uint8Array(set.count * 28 * 28), shape: [28, 28, 1] as const });
  return { ...d, shape: [28, 28, 1], train: grow(d.train), test: grow(d.test) };
}

describe('config checks before training', () => {
  it.each<[string, ExperimentConfigInput, string, Dataset?]>([
    ['an input shape the model cannot train on (VGG-16 on 28x28x1)', { ...base, arch: 'vgg16', methods: ['imp'] }, 'arch', wide()],
    ['a rewind point past round 0', { ...base, rewind: '1000it' }, 'rewind'],
    ['pruning.layers selecting nothing', { ...base, pruning: { layers: 'conv' } }, 'pruning.layers'],
    ['a COLT partition without classes', { ...base, colt: { partitions: 3, partitioning: { classMap: [0, 0, 1, 1] } } }, 'colt.partitioning'],
    ['a COLT partition left empty by the training limit', { ...base, data: { trainLimit: 2, validationFraction: 0 }, training: { duration: '1ep', batchSize: 40, selection: 'best-test' } }, 'colt.partitioning'],
    ['a train split too small for a validation split', { ...base, data: { trainLimit: 1 } }, 'data.validationFraction'],
    ['classes that do not split into contiguous ranges', { ...base, colt: { partitions: 3 } }, 'colt.partitions'],
    ['best-val selection without a validation split', { ...base, data: { validationFraction: 0 } }, 'training.selection'],
    ['a milestone after the round ends', { ...base, training: { duration: '2ep', milestones: [2] } }, 'training.milestones.0'],
    ['a warm-up longer than the round', { ...base, training: { duration: '2ep', warmupEpochs: 3 } }, 'training.warmupEpochs'],
    ['gamma without milestones', { ...base, training: { gamma: 0.5 } }, 'training.gamma'],
    ['warmupFromZero without a warm-up', { ...base, training: { warmupFromZero: true } }, 'training.warmupFromZero'],
    ['a conv rate for a net without conv layers', { ...base, pruning: { convRate: 0.1 } }, 'pruning.convRate'],
    ['a head rate when the head is not prunable', { ...base, pruning: { headRate: 0.1 } }, 'pruning.headRate'],
    ['a layer-wise rate under global pruning', { ...base, pruning: { strategy: 'global', denseRate: 0.1 } }, 'pruning.denseRate'],
    ['a base rate every method overrides', { ...base, pruning: { rate: 0.5 }, imp: { rate: 0.2 }, colt: { rate: 0.2 } }, 'pruning.rate'],
    ['a COLT setting without COLT', { ...base, methods: ['imp'], colt: { headInit: 'shared' } }, 'colt.headInit'],
    ['COLT partitions without COLT', { ...base, methods: ['imp'], colt: { partitions: 4 } }, 'colt.partitions'],
    ["IMP's rate without IMP", { ...base, methods: ['colt'], imp: { rate: 0.3 } }, 'imp.rate'],
    ['pruneFrom for the random control, which reads no weights', { ...base, methods: ['imp', 'random'], pruning: { pruneFrom: 'best' } }, 'pruning.pruneFrom'],
    ['late rewinding for the reinit control', { ...base, methods: ['imp', 'reinit'], rewind: '1ep' }, 'rewind'],
    ['kept batch-norm statistics for the reinit control', { ...base, methods: ['imp', 'reinit'], resetBatchNormOnRewind: false }, 'resetBatchNormOnRewind'],
    ['a stop denominator without a stop target', { ...base, stop: { maxRounds: 1, sparsityOver: 'all' } }, 'stop.sparsityOver'],
    ['an evaluation dataset COLT would never use', { ...base, colt: { evaluate: 'none' }, evaluationDataset: 'stripes-2' }, 'colt.evaluate', undefined],
  ])('refuses %s, naming %s', (_what, input, field, dataset) => {
    const e = refusal(input, dataset ?? stripeDataset(), input.evaluationDataset ? stripeDataset('stripes-2', 2) : (dataset ?? stripeDataset()));
    expect(e.code).toBe('invalid_input');
    expect(e.message).toContain(`config field '${field}'`);
    expect(e.details?.field).toBe(field);
  });

  it('accepts every shipped preset\'s settings on data of its shape (fields consistent with their methods)', async () => {
    const { listPresets } = await import('../../../main/lab/presets.js');
    for (const p of listPresets()) {
      if (p.config.arch !== 'lenet-300-100') continue;
      const data = { ...p.raw, dataset: 'stripes-28', data: { ...(p.raw.data as object), trainLimit: undefined } };
      expect(() => createContext(parseExperimentConfig(data), wide(), wide(), { event: () => undefined }), p.name).not.toThrow();
    }
  });
});
