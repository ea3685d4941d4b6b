import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { getModel } from '../../../../main/lab/models/registry.js';
import { disposeAll, makeBuffers, makeInput, makeParams, useCpu } from './helpers.js';

beforeAll(useCpu);

// The large nets at CIFAR size, at 40x40 (VGG ends at 2x2 before its global average pool) and
// at MNIST size; the LTH nets at 64x64.
const CASES: [string, [number, number, number], number][] = [
  ['resnet18', [32, 32, 3], 10],
  ['resnet18', [28, 28, 1], 5],
  ['vgg16', [32, 32, 3], 10],
  ['vgg16', [40, 40, 3], 200],
  ['vgg19', [32, 32, 3], 10],
  ['vgg19', [28, 28, 1], 5],
  ['conv2', [64, 64, 3], 200],
  ['conv6', [64, 64, 3], 200],
  ['conv3', [64, 64, 3], 200],
  ['resnet20', [64, 64, 3], 200],
];

describe('forward pass on larger inputs', () => {
  for (const [name, shape, classes] of CASES) {
    it(`${name} on ${shape.join('x')}, ${classes} classes: logits [2, classes], no leaks`, () => {
      const def = getModel(name).build(shape, classes);
      const params = makeParams(def);
      const buffers = makeBuffers(def);
      const x = makeInput(2, shape);
      const before = tf.memory().numTensors;
      for (const training of [true, false]) {
        const logits = tf.tidy(() => def.apply(params, buffers, x, training).logits);
        expect(logits.shape).toEqual([2, classes]);
        expect(Array.from(logits.dataSync()).every(Number.isFinite)).toBe(true);
        logits.dispose();
      }
      expect(tf.memory().numTensors).toBe(before);
      disposeAll(params, buffers);
      x.dispose();
    });
  }
});
