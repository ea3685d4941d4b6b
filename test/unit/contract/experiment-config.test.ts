import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { coltHeadInit, experimentConfigSchema, parseDuration, parseExperimentConfig } from '../../../main/contract/experiment-config.js';

const base = { arch: 'lenet-300-100', dataset: 'fashion-mnist-sample' };

describe('experiment config', () => {
  it('fills defaults for a minimal config', () => {
    const c = parseExperimentConfig(base);
    expect(c.methods).toEqual(['imp', 'colt']);
    expect(c.training.optimizer.type).toBe('adam');
    expect(c.colt.partitions).toBe(2);
    expect(c.rewind).toBe('init');
    expect(c.init).toBe('default');
    expect(c.evaluation.points).toBe('ends');
    expect(c.pruning.pruneFrom).toBe('last');
    expect(c.training).toMatchObject({ selection: 'best-val', warmupFromZero: false, keepLastBatch: false });
    expect(c.colt.headInit).toBeUndefined();
  });

  it("resolves COLT's head initialisation: independent for class partitions, shared for random ones, as given otherwise", () => {
    expect(coltHeadInit(parseExperimentConfig(base))).toBe('independent');
    expect(coltHeadInit(parseExperimentConfig({ ...base, colt: { partitioning: 'random' } }))).toBe('shared');
    expect(coltHeadInit(parseExperimentConfig({ ...base, colt: { headInit: 'shared' } }))).toBe('shared');
  });

  it('describes every field with a help text in the JSON Schema the form is built from', () => {
    const schema = z.toJSONSchema(experimentConfigSchema, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, { description?: string; properties?: Record<string, { description?: string }> }> };
    for (const key of ['init', 'rewind', 'resetBatchNormOnRewind']) expect(schema.properties[key].description, key).toBeTruthy();
    expect(schema.properties.evaluation.properties?.points.description).toMatch(/untrained ticket/);
    expect(schema.properties.colt.properties?.headInit.description).toMatch(/shared/);
    expect(schema.properties.pruning.properties?.pruneFrom.description).toMatch(/authors/);
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
    [{ ...base, init: 'xavier' }, /'init'/],
    [{ ...base, evaluation: { points: 'middle' } }, /'evaluation.points'/],
    [{ ...base, pruning: { pruneFrom: 'first' } }, /'pruning.pruneFrom'/],
    [{ ...base, colt: { headInit: 'copied' } }, /'colt.headInit'/],
  ])('refuses a bad config, naming the field (%#)', (input, message) => {
    expect(() => parseExperimentConfig(input)).toThrow(message);
  });

  it('parses durations', () => {
    expect(parseDuration('20ep')).toEqual({ amount: 20, unit: 'ep' });
    expect(parseDuration('500it')).toEqual({ amount: 500, unit: 'it' });
    expect(() => parseDuration('0ep')).toThrow();
  });
});
