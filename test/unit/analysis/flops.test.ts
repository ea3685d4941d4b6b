import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { convOutputSizes, FLOPS_NOTE, ticketFlops } from '../../../main/analysis/flops.js';
import { getModel, listModels } from '../../../main/lab/models/registry.js';
import { disposeAll, makeBuffers, makeInput, makeParams, useCpu } from '../lab/models/helpers.js';

beforeAll(useCpu);

// Small inputs (odd sizes too) so that every pooling and stride rule is exercised on the cpu backend.
const SHAPES: Record<string, [number, number, number]> = {
  'lenet-300-100': [28, 28, 1],
  conv2: [12, 10, 3],
  conv4: [12, 10, 3],
  conv6: [16, 14, 3],
  conv3: [11, 9, 3],
  resnet18: [9, 7, 3],
  resnet20: [9, 7, 3],
  vgg16: [9, 7, 1],
  vgg19: [9, 7, 1],
};

describe('convOutputSizes', () => {
  for (const entry of listModels()) {
    it(`${entry.name}: every conv's output size is the one TF.js computes in a forward pass`, () => {
      const def = entry.build(SHAPES[entry.name], 3);
      const params = makeParams(def);
      const buffers = makeBuffers(def);
      const x = makeInput(1, def.inputShape);
      // tf.profile lists the kernels run, in order; the Conv2D ones are the conv layers in spec (= forward) order.
      const convs = def.params.filter((p) => p.kind === 'conv');
      return tf
        .profile(() => {
          const r = def.apply(params, buffers, x, false);
          r.logits.dispose();
        })
        .then((info) => {
          const kernels = info.kernels.filter((k) => k.name === 'Conv2D');
          expect(kernels).toHaveLength(convs.length);
          const sizes = convOutputSizes(def)!;
          kernels.forEach((k, i) => {
            expect(k.inputShapes[1]).toEqual(convs[i].shape);
            const [, h, w] = k.outputShapes[0] as number[];
            expect(sizes.get(convs[i].name), convs[i].name).toEqual([h, w]);
          });
          disposeAll(params);
          disposeAll(buffers);
          x.dispose();
        });
    });
  }

  it('is null for an architecture it does not know', () => {
    const def = { ...getModel('conv2').build([8, 8, 3], 10), arch: 'unknown-net' };
    expect(convOutputSizes(def)).toBeNull();
    expect(ticketFlops(def, new Map()).flops).toBeNull();
  });
});

describe('ticketFlops', () => {
  it('LeNet-300-100 dense: 266,200 multiply-adds (2 FLOPs each) and 266,610 parameters', () => {
    const def = getModel('lenet-300-100').build([28, 28, 1], 10);
    const f = ticketFlops(def, new Map());
    expect(f.flops).toEqual({ dense: 2 * 266_200, remaining: 2 * 266_200 });
    expect(f.parameters).toEqual({ total: 266_610, remaining: 266_610 });
    expect(f.layers.map((l) => l.name)).toEqual(['fc1.weight', 'fc2.weight', 'head.weight']);
    expect(f.note).toBe(FLOPS_NOTE);
    expect(f.note).toMatch(/not a speed-up/);
  });

  it('counts only kept weights of the masked layers, each at its output positions', () => {
    const def = getModel('conv2').build([32, 32, 3], 10);
    const conv1 = new Uint8Array(3 * 3 * 3 * 64);
    for (let i = 0; i < conv1.length; i += 4) conv1[i] = 1; // keeps a quarter
    const fc1 = new Uint8Array(16 * 16 * 64 * 256);
    fc1.fill(1, 0, 1000);
    const f = ticketFlops(def, new Map([['conv1.weight', conv1], ['fc1.weight', fc1]]));
    const l = (n: string) => f.layers.find((x) => x.name === n)!;
    expect(l('conv1.weight')).toMatchObject({ kept: 432, pruned: true, positions: 1024, denseFlops: 2 * 1728 * 1024, remainingFlops: 2 * 432 * 1024 });
    expect(l('fc1.weight')).toMatchObject({ kept: 1000, pruned: true, positions: 1, remainingFlops: 2000 });
    // Layers the ticket does not prune count in full.
    expect(l('conv2.weight')).toMatchObject({ kept: 36_864, pruned: false, remainingFlops: 2 * 36_864 * 1024 });
    const pruned = 1728 - 432 + (fc1.length - 1000);
    expect(f.parameters).toEqual({ total: 4_301_642, remaining: 4_301_642 - pruned });
    expect(f.flops!.remaining).toBe(f.layers.reduce((s, x) => s + x.remainingFlops!, 0));
  });

  it('matches the usual CIFAR figures: ResNet-18 ≈ 0.56 G multiply-adds, VGG-16 ≈ 0.31 G', () => {
    const resnet = ticketFlops(getModel('resnet18').build([32, 32, 3], 10), new Map());
    expect(resnet.flops!.dense / 2 / 1e9).toBeCloseTo(0.556, 2);
    const vgg = ticketFlops(getModel('vgg16').build([32, 32, 3], 10), new Map());
    expect(vgg.flops!.dense / 2 / 1e9).toBeCloseTo(0.313, 2);
  });
});
