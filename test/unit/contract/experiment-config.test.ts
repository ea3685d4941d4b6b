import { describe, expect, it } from 'vitest';
import { parseDuration, parseExperimentConfig } from '../../../main/contract/experiment-config.js';

const base = { arch: 'lenet-300-100', dataset: 'fashion-mnist-sample' };

describe('experiment config', () => {
  it('fills defaults for a minimal config', () => {
    const c = parseExperimentConfig(base);
    expect(c.methods).toEqual(['imp', 'colt']);
    expect(c.training.optimizer.type).toBe('adam');
    expect(c.colt.partitions).toBe(2);
    expect(c.rewind).toBe('init');
  });

  it.each([
    [{ ...base, arch: 'resnet99' }, /'arch'/],
    [{ ...base, training: { batchSize: 0 } }, /'training.batchSize'/],
    [{ ...base, training: { duration: '3 epochs' } }, /'training.duration'/],
    [{ ...base, pruning: { rate: 1.5 } }, /'pruning.rate'/],
    [{ ...base, pruning: { rtae: 0.2 } }, /'pruning'.*rtae/],
    [{ ...base, methods: ['imp', 'imp'] }, /'methods'/],
    [{ ...base, methods: ['lth'] }, /'methods.0'/],
    [{ ...base, seeds: [-1] }, /'seeds.0'/],
    [{ ...base, training: { optimizer: { type: 'sgd' } } }, /'training.optimizer.lr'/],
    [{ ...base, training: { milestones: [30, 20] } }, /'training.milestones.1'/],
    [{ ...base, pruning: { layers: 'all' } }, /'pruning.layers'.*COLT/],
    [{ ...base, colt: { partitions: 2, partitioning: { classMap: [0, 1, 2] } } }, /'colt.partitioning.classMap.2'/],
    [{ dataset: 'x' }, /'arch'/],
    [{ ...base, methods: ['colt', 'reinit'] }, /'methods'.*needs 'imp'/],
  ])('refuses a bad config, naming the field (%#)', (input, message) => {
    expect(() => parseExperimentConfig(input)).toThrow(message);
  });

  it('parses durations', () => {
    expect(parseDuration('20ep')).toEqual({ amount: 20, unit: 'ep' });
    expect(parseDuration('500it')).toEqual({ amount: 500, unit: 'it' });
    expect(() => parseDuration('0ep')).toThrow();
  });
});
