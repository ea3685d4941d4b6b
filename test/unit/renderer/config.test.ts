import { describe, expect, it } from 'vitest';
import { configDiff, flattenConfig, showValue } from '../../../renderer/src/config/diff.js';
import { fieldLabel, humanize } from '../../../renderer/src/config/labels.js';

describe('flattenConfig and configDiff', () => {
  const a = { name: 'x', methods: ['imp', 'colt'], training: { batchSize: 60, optimizer: { type: 'adam', lr: 0.0012 } }, colt: {} };
  const b = { name: 'y', methods: ['imp', 'colt'], training: { batchSize: 128, optimizer: { type: 'adam', lr: 0.0012 } }, stop: { maxRounds: 5 } };

  it('lists every leaf by its dotted path, arrays and empty objects as leaves', () => {
    expect(flattenConfig(a).map((l) => l.path)).toEqual(['name', 'methods', 'training.batchSize', 'training.optimizer.type', 'training.optimizer.lr', 'colt']);
  });

  it('finds the fields two configs differ in, including fields only one has', () => {
    expect(configDiff(a, b)).toEqual([
      { path: 'name', a: 'x', b: 'y' },
      { path: 'training.batchSize', a: 60, b: 128 },
      { path: 'colt', a: {}, b: undefined },
      { path: 'stop.maxRounds', a: undefined, b: 5 },
    ]);
    expect(configDiff(a, a)).toEqual([]);
  });

  it('shows values as the tables do', () => {
    expect(showValue(['imp', 'colt'])).toBe('["imp","colt"]');
    expect(showValue('3ep')).toBe('3ep');
    expect(showValue(undefined)).toBe('—');
  });
});

describe('fieldLabel', () => {
  it('names fields as researchers do and humanizes the rest', () => {
    expect(fieldLabel('training.batchSize')).toBe('Batch size');
    expect(fieldLabel('training.optimizer.lr')).toBe('Learning rate');
    expect(fieldLabel('stop.maxRounds')).toBe('Pruning rounds (after round 0)');
    expect(fieldLabel('colt.headInit')).toBe('Head init');
    expect(fieldLabel('seeds.2')).toBe('Seeds');
    expect(humanize('resetBatchNormOnRewind')).toBe('Reset batch norm on rewind');
  });
});

describe('friendlyMessage', () => {
  it("drops the field prefix and says zod's messages plainly", async () => {
    const { friendlyMessage, isUnregisteredDataset, unregisteredName } = await import('../../../renderer/src/config/messages.js');
    expect(friendlyMessage("config field 'arch': Invalid option: expected one of \"lenet-300-100\"|\"conv2\"")).toBe('choose one of lenet-300-100, conv2');
    expect(friendlyMessage("config field 'dataset': Invalid input: expected string, received undefined")).toBe('required');
    expect(friendlyMessage("config field 'training.batchSize': Too small: expected number to be >0")).toBe('must be > 0');
    expect(friendlyMessage("config field 'training.batchSize': Too big: expected number to be <=4096")).toBe('must be ≤ 4096');
    expect(friendlyMessage("config field 'methods': 'reinit' retrains IMP's masks")).toBe("'reinit' retrains IMP's masks");
    const missing = "dataset 'cifar10' is not registered: download cifar-10-binary.tar.gz and run `colt data add cifar10 PATH`";
    expect(isUnregisteredDataset(missing)).toBe(true);
    expect(unregisteredName(missing)).toBe('cifar10');
    expect(isUnregisteredDataset('something else')).toBe(false);
  });
});
