import { describe, expect, it } from 'vitest';
import { countParams, getModel } from '../../../../main/lab/models/registry.js';

// Exact trainable parameter counts (batch-norm scale/shift included, running stats not).
// Cross-checks: LTH paper fig. 2 (LeNet 266K; Conv-2/4/6 4.3M/2.4M/2.3M, conv weights
// 38K/260K/1.1M); kuangliu/pytorch-cifar ResNet-18 11,173,962, VGG-16 14,728,266,
// VGG-19 20,040,522; He et al. ResNet-20 0.27M (akamaster: 269,722).
const CIFAR: Record<string, number> = {
  'lenet-300-100': 32 * 32 * 3 * 300 + 300 + 300 * 100 + 100 + 100 * 10 + 10,
  conv2: 4_301_642,
  conv4: 2_425_930,
  conv6: 2_262_602,
  conv3: 374_282,
  resnet18: 11_173_962,
  resnet20: 269_722,
  vgg16: 14_728_266,
  vgg19: 20_040_522,
};

describe('parameter counts', () => {
  it('LeNet-300-100 on 28x28x1 with 10 classes has 266,610 parameters', () => {
    expect(countParams(getModel('lenet-300-100').build([28, 28, 1], 10))).toBe(266_610);
  });

  for (const [name, count] of Object.entries(CIFAR)) {
    it(`${name} on 32x32x3 with 10 classes has ${count} parameters`, () => {
      expect(countParams(getModel(name).build([32, 32, 3], 10))).toBe(count);
    });
  }

  it('LTH conv nets have the paper\'s conv-weight counts', () => {
    const convWeights = (name: string): number =>
      countParams(getModel(name).build([32, 32, 3], 10), (p) => p.kind === 'conv');
    expect(convWeights('conv2')).toBe(38_592);
    expect(convWeights('conv4')).toBe(259_776);
    expect(convWeights('conv6')).toBe(1_144_512);
  });

  it('buffers are one mean and one variance per batch-norm channel', () => {
    for (const name of Object.keys(CIFAR)) {
      const def = getModel(name).build([32, 32, 3], 10);
      const bnChannels = countParams(def, (p) => p.kind === 'bn-scale');
      const bufferSize = def.buffers.reduce((n, b) => n + b.shape.reduce((a, d) => a * d, 1), 0);
      expect(bufferSize).toBe(2 * bnChannels);
    }
  });
});
