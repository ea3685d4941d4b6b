import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { LabError } from '../../../../main/contract/errors.js';
import { getModel, listModels } from '../../../../main/lab/models/registry.js';
import { disposeAll, makeBuffers, makeInput, makeParams, useCpu } from './helpers.js';

beforeAll(useCpu);

// [input shape, classes] per model, small enough for the cpu backend; 32x32 / 40x40 runs of the
// large nets are in forward.slow.test.ts.
const CASES: Record<string, [[number, number, number], number][]> = {
  'lenet-300-100': [[[28, 28, 1], 10], [[32, 32, 3], 5], [[12, 20, 2], 3]],
  conv2: [[[32, 32, 3], 10], [[28, 28, 1], 5], [[12, 20, 2], 3]],
  conv4: [[[32, 32, 3], 10], [[28, 28, 1], 5], [[12, 20, 2], 3]],
  conv6: [[[32, 32, 3], 10], [[28, 28, 1], 5], [[8, 20, 2], 3]],
  conv3: [[[32, 32, 3], 10], [[28, 28, 1], 5], [[12, 20, 2], 3]],
  resnet20: [[[32, 32, 3], 10], [[28, 28, 1], 5], [[9, 7, 2], 3]],
  resnet18: [[[16, 16, 3], 10], [[9, 7, 1], 1]],
  vgg16: [[[16, 16, 3], 10], [[9, 7, 1], 1]],
  vgg19: [[[16, 16, 3], 10], [[9, 7, 1], 1]],
};

describe('forward pass', () => {
  for (const entry of listModels()) {
    for (const [shape, classes] of CASES[entry.name] ?? []) {
      it(`${entry.name} on ${shape.join('x')}, ${classes} classes: logits are [N, classes] and finite in both modes`, () => {
        const def = entry.build(shape, classes);
        const params = makeParams(def);
        const buffers = makeBuffers(def);
        const x = makeInput(2, shape);
        for (const training of [true, false]) {
          const logits = tf.tidy(() => def.apply(params, buffers, x, training).logits);
          expect(logits.shape).toEqual([2, classes]);
          expect(logits.dtype).toBe('float32');
          expect(Array.from(logits.dataSync()).every(Number.isFinite)).toBe(true);
          logits.dispose();
        }
        disposeAll(params, buffers);
        x.dispose();
      });
    }
  }

  it('every registered model has forward cases', () => {
    expect(listModels().every((e) => CASES[e.name] !== undefined)).toBe(true);
  });

  for (const name of ['lenet-300-100', 'conv2', 'conv3', 'resnet20', 'vgg16']) {
    it(`${name}: leaks nothing, keeps its inputs, returns updates only in training`, () => {
      const def = getModel(name).build([16, 16, 3], 4);
      const params = makeParams(def);
      const buffers = makeBuffers(def);
      const x = makeInput(2, [16, 16, 3]);
      const hasBn = def.buffers.length > 0;

      const before = tf.memory().numTensors;
      const logits = tf.tidy(() => def.apply(params, buffers, x, true).logits);
      expect(tf.memory().numTensors).toBe(before + 1);
      logits.dispose();

      // Even without an enclosing tidy only the outputs survive.
      const r = def.apply(params, buffers, x, true);
      expect(Object.keys(r.buffers).sort()).toEqual(def.buffers.map((b) => b.name).sort());
      expect(tf.memory().numTensors).toBe(before + 1 + def.buffers.length);
      for (const b of def.buffers) expect(r.buffers[b.name].shape).toEqual(b.shape);
      r.logits.dispose();
      disposeAll(r.buffers as Record<string, tf.Tensor>);

      const e = def.apply(params, buffers, x, false);
      expect(e.buffers).toEqual({});
      expect(tf.memory().numTensors).toBe(before + 1);
      e.logits.dispose();
      expect(tf.memory().numTensors).toBe(before);

      for (const t of [...Object.values(params), ...Object.values(buffers), x]) expect(t.isDisposed).toBe(false);
      expect(hasBn).toBe(name !== 'lenet-300-100' && name !== 'conv2');
      disposeAll(params, buffers);
      x.dispose();
    });
  }

  for (const name of ['conv2', 'conv3', 'resnet20']) {
    it(`${name}: every parameter gets a gradient of its shape, without leaks`, () => {
      const def = getModel(name).build([8, 8, 3], 4);
      const params = makeParams(def);
      const buffers = makeBuffers(def);
      const x = makeInput(3, [8, 8, 3]);
      const labels = tf.oneHot(tf.tensor1d([0, 1, 3], 'int32'), 4);
      const names = def.params.map((p) => p.name);
      const before = tf.memory().numTensors;
      const grads = tf.tidy(() => {
        const f = (...ts: tf.Tensor[]): tf.Scalar => {
          const p = Object.fromEntries(names.map((n, i) => [n, ts[i]]));
          return tf.losses.softmaxCrossEntropy(labels, def.apply(p, buffers, x, true).logits);
        };
        return tf.grads(f)(names.map((n) => params[n]));
      });
      expect(tf.memory().numTensors).toBe(before + names.length);
      grads.forEach((g, i) => {
        expect(g.shape).toEqual(def.params[i].shape);
        const v = g.dataSync();
        expect(Array.from(v).every(Number.isFinite)).toBe(true);
        expect(Array.from(v).some((a) => a !== 0)).toBe(true);
      });
      tf.dispose(grads);
      disposeAll(params, buffers);
      x.dispose();
      labels.dispose();
    });
  }

  it('refuses a wrong input shape, a missing tensor or a tensor of the wrong shape', () => {
    const def = getModel('conv3').build([16, 16, 3], 4);
    const params = makeParams(def);
    const buffers = makeBuffers(def);
    const x = makeInput(1, [16, 16, 1]);
    const before = tf.memory().numTensors;
    expect(() => def.apply(params, buffers, x, false)).toThrow(/input must be \[N, 16, 16, 3\]/);
    const noHead = { ...params };
    delete noHead['head.bias'];
    expect(() => def.apply(noHead, buffers, makeInput(1, [16, 16, 3]), false)).toThrow(/missing parameter 'head.bias'/);
    const noBuf = { ...buffers };
    delete noBuf['bn2.mean'];
    expect(() => def.apply(params, noBuf, makeInput(1, [16, 16, 3]), false)).toThrow(LabError);
    const other = getModel('conv3').build([16, 16, 3], 7);
    const otherParams = makeParams(other);
    expect(() => def.apply(otherParams, buffers, makeInput(1, [16, 16, 3]), false)).toThrow(
      /parameter 'head.weight' must be \[256, 4\], got \[256, 7\]/,
    );
    expect(tf.memory().numTensors).toBe(before + 3 + Object.keys(otherParams).length);
    disposeAll(params, buffers, otherParams);
    x.dispose();
  });

  it('a model built for other classes shares the body: swapping heads changes only the logits width', () => {
    const a = getModel('resnet20').build([16, 16, 3], 10);
    const b = getModel('resnet20').build([16, 16, 3], 2);
    const pa = makeParams(a);
    const pb = makeParams(b, 99);
    const body = Object.fromEntries(Object.entries(pa).filter(([n]) => !n.startsWith('head.')));
    const mixed = { ...body, 'head.weight': pb['head.weight'], 'head.bias': pb['head.bias'] };
    const buffers = makeBuffers(a);
    const x = makeInput(2, [16, 16, 3]);
    const la = tf.tidy(() => a.apply(pa, buffers, x, false).logits);
    const lb = tf.tidy(() => b.apply(mixed, buffers, x, false).logits);
    expect(la.shape).toEqual([2, 10]);
    expect(lb.shape).toEqual([2, 2]);
    tf.dispose([la, lb]);
    disposeAll(pa, pb, buffers);
    x.dispose();
  });
});
