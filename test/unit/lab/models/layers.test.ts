import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { LabError } from '../../../../main/contract/errors.js';
import {
  conv2d,
  dense,
  flatten,
  globalAvgPool,
  maxPool2x2,
  SpecBuilder,
  subsample2,
} from '../../../../main/lab/models/layers.js';
import { makeInput, useCpu } from './helpers.js';

beforeAll(useCpu);

function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

describe('layers', () => {
  it('a stride-2 3x3 conv pads symmetrically like PyTorch (not TF same)', () => {
    for (const size of [8, 7]) {
      const [ours, reference, tfSame] = tf.tidy(() => {
        const x = makeInput(2, [size, size, 3]);
        const k = tf.randomNormal([3, 3, 3, 5], 0, 1, 'float32', 3) as tf.Tensor4D;
        const b = tf.tensor1d([0.1, -0.2, 0.3, 0, 1]);
        return [
          conv2d(x, k, b, 2, 1),
          tf.add(tf.conv2d(tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]), k, 2, 'valid'), b),
          tf.add(tf.conv2d(x, k, 2, 'same'), b),
        ];
      });
      expect(ours.shape).toEqual([2, Math.ceil(size / 2), Math.ceil(size / 2), 5]);
      expect(ours.shape).toEqual(reference.shape);
      values(ours).forEach((v, i) => expect(v).toBeCloseTo(values(reference)[i], 4));
      if (size === 8) expect(Math.max(...values(tf.abs(tf.sub(ours, tfSame))))).toBeGreaterThan(1e-3);
      tf.dispose([ours, reference, tfSame]);
    }
  });

  it('a stride-1 3x3 conv with pad 1 keeps the size; pad 0 is valid', () => {
    const x = makeInput(1, [5, 6, 2]);
    const k = tf.ones([3, 3, 2, 4]) as tf.Tensor4D;
    const same = conv2d(x, k, undefined, 1, 1);
    const valid = conv2d(x, k, undefined, 1, 0);
    expect(same.shape).toEqual([1, 5, 6, 4]);
    expect(valid.shape).toEqual([1, 3, 4, 4]);
    tf.dispose([x, k, same, valid]);
  });

  it('subsample2 equals x[:, ::2, ::2, :] for even and odd sizes', () => {
    for (const [h, w] of [
      [4, 6],
      [5, 7],
      [1, 1],
    ]) {
      const [ours, reference] = tf.tidy(() => {
        const x = makeInput(2, [h, w, 3]);
        return [subsample2(x), tf.stridedSlice(x, [0, 0, 0, 0], [2, h, w, 3], [1, 2, 2, 1])];
      });
      expect(ours.shape).toEqual(reference.shape);
      expect(values(ours)).toEqual(values(reference));
      tf.dispose([ours, reference]);
    }
  });

  it('max-pool floors by default and ceils on request', () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    const floor = maxPool2x2(x);
    const ceil = maxPool2x2(x, true);
    expect(floor.shape).toEqual([1, 1, 1, 1]);
    expect(values(floor)).toEqual([5]);
    expect(ceil.shape).toEqual([1, 2, 2, 1]);
    expect(values(ceil)).toEqual([5, 6, 8, 9]);
    tf.dispose([x, floor, ceil]);
  });

  it('flatten keeps (h, w, c) order; global average pool means over h and w; dense adds the bias', () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 2, 2]);
    const f = flatten(x);
    const g = globalAvgPool(x);
    const d = tf.tidy(() => dense(g, tf.tensor2d([1, 0, 0, 1, 1, 1], [2, 3]), tf.tensor1d([0, 0, 10])));
    expect(values(f)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(values(g)).toEqual([4, 5]);
    expect(values(d)).toEqual([4 + 5, 5, 5 + 10]);
    tf.dispose([x, f, g, d]);
  });

  it('the spec builder refuses duplicate names', () => {
    const s = new SpecBuilder();
    s.conv('conv1', 3, 3, 8, { bias: true, init: 'torch-default' });
    expect(() => s.conv('conv1', 3, 3, 8, { bias: false, init: 'torch-default' })).toThrow(LabError);
    expect(() => s.buffer({ name: 'conv1.bias', shape: [8], init: 'zeros' })).toThrow(/duplicate/);
  });
});
