import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { WASM_KERNEL_NAMES, registerWasmKernels, selectBackend } from '../../../../main/lab/backend/index.js';
import { wasmKernelOptions } from '../../../../main/lab/backend/wasm-kernels.js';
import { values, relErr } from './helpers.js';

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
type Shape4 = [number, number, number, number];

/** Runs `f` on `backend` and returns its outputs' values (tensors are disposed). */
async function on(backend: 'cpu' | 'wasm', f: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const out = f();
    return (Array.isArray(out) ? out : [out]).map((t) => t.dataSync() as Float32Array);
  });
}

/** Output shape of a conv, from TF.js's own shape logic. */
function convOut(x: Shape4, w: Shape4, strides: number | [number, number], pad: Pad): Shape4 {
  return tf.backend_util.computeConv2DInfo(x, w, strides, 1, pad).outShape as Shape4;
}

interface Case {
  x: Shape4;
  w: Shape4;
  strides: number | [number, number];
  pad: Pad;
}

const CASES: Case[] = [
  { x: [2, 5, 5, 3], w: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { x: [2, 7, 7, 3], w: [3, 3, 3, 5], strides: 2, pad: 'same' },
  { x: [2, 8, 8, 3], w: [3, 3, 3, 4], strides: 2, pad: 'same' },
  { x: [2, 8, 8, 3], w: [3, 3, 3, 4], strides: 2, pad: 'valid' },
  { x: [1, 6, 9, 2], w: [2, 3, 2, 3], strides: 1, pad: 'valid' },
  { x: [2, 7, 7, 4], w: [1, 1, 4, 6], strides: 2, pad: 'valid' },
  { x: [2, 8, 8, 4], w: [1, 1, 4, 6], strides: 2, pad: 'same' },
  { x: [2, 6, 6, 3], w: [3, 3, 3, 4], strides: 1, pad: 1 },
  { x: [2, 9, 7, 3], w: [5, 5, 3, 2], strides: 2, pad: 2 },
  {
    x: [2, 6, 5, 2],
    w: [3, 2, 2, 3],
    strides: 1,
    pad: [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0],
    ],
  },
  { x: [3, 6, 7, 2], w: [3, 3, 2, 2], strides: [1, 2], pad: 'same' },
];

/** A readable name for a case. */
function label(c: Case): string {
  return `x[${c.x}] w[${c.w}] stride ${JSON.stringify(c.strides)} pad ${JSON.stringify(c.pad)}`;
}

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('wasm kernels', () => {
  it('registers its kernels on the wasm backend, once', () => {
    for (const name of WASM_KERNEL_NAMES) expect(tf.getKernel(name, 'wasm')).toBeDefined();
    expect(registerWasmKernels()).toEqual([]);
  });

  it.each([
    ...CASES.map((c) => ({ ...c, shiftGemm: true })),
    ...CASES.map((c) => ({ ...c, shiftGemm: false })),
    { x: [3, 10, 9, 8] as Shape4, w: [3, 3, 8, 12] as Shape4, strides: 1, pad: 'same' as Pad, shiftGemm: true },
    { x: [2, 11, 12, 3] as Shape4, w: [5, 3, 3, 8] as Shape4, strides: 1, pad: 'valid' as Pad, shiftGemm: true },
  ])('Conv2DBackpropFilter agrees with cpu: $x $w $strides $pad (shift-GEMM path for stride 1: $shiftGemm)', async (c) => {
    wasmKernelOptions.shiftGemmFilterGrad = c.shiftGemm;
    const dyShape = convOut(c.x, c.w, c.strides, c.pad);
    const xv = values(tf.util.sizeFromShape(c.x), 11);
    const dyv = values(tf.util.sizeFromShape(dyShape), 23);
    const run = (): tf.Tensor => {
      const out = tf.engine().runKernel(
        'Conv2DBackpropFilter',
        { x: tf.tensor4d(xv, c.x), dy: tf.tensor4d(dyv, dyShape) },
        { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.w } as unknown as tf.NamedAttrMap,
      ) as tf.Tensor;
      expect(out.shape).toEqual(c.w);
      return out;
    };
    const [cpu] = await on('cpu', run);
    const [wasm] = await on('wasm', run);
    wasmKernelOptions.shiftGemmFilterGrad = true;
    expect(relErr(wasm as Float32Array, cpu as Float32Array), label(c)).toBeLessThanOrEqual(1e-4);
  });

  it.each(CASES)('Conv2DBackpropInput agrees with cpu: $x $w $strides $pad', async (c) => {
    const dyShape = convOut(c.x, c.w, c.strides, c.pad);
    const wv = values(tf.util.sizeFromShape(c.w), 31);
    const dyv = values(tf.util.sizeFromShape(dyShape), 37);
    const run = (): tf.Tensor => {
      const out = tf.engine().runKernel(
        'Conv2DBackpropInput',
        { dy: tf.tensor4d(dyv, dyShape), filter: tf.tensor4d(wv, c.w) },
        { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x } as unknown as tf.NamedAttrMap,
      ) as tf.Tensor;
      expect(out.shape).toEqual(c.x);
      return out;
    };
    const [cpu] = await on('cpu', run);
    const [wasm] = await on('wasm', run);
    expect(relErr(wasm as Float32Array, cpu as Float32Array), label(c)).toBeLessThanOrEqual(1e-4);
  });

  it('gives the gradient of tf.conv2d on wasm (the kernel wasm lacks)', async () => {
    await tf.setBackend('wasm');
    const g = tf.tidy(() => {
      const x = tf.tensor4d(values(2 * 6 * 6 * 3, 5), [2, 6, 6, 3]);
      const w = tf.tensor4d(values(3 * 3 * 3 * 4, 6), [3, 3, 3, 4]);
      return tf.grad((f: tf.Tensor) => tf.sum(tf.conv2d(x, f as tf.Tensor4D, 2, 'same')))(w).dataSync();
    });
    expect(g.length).toBe(3 * 3 * 3 * 4);
    expect(g.some((v) => v !== 0)).toBe(true);
  });

  it('routes max-pool gradients to negative maxima like cpu (wasm drops them)', async () => {
    const shape: Shape4 = [2, 6, 6, 3];
    const xv = values(tf.util.sizeFromShape(shape), 41).map((v) => -Math.abs(v) - 0.1);
    const run = (pad: 'valid' | 'same', size: number, stride: number) => (): tf.Tensor =>
      tf.grad((x: tf.Tensor) => {
        const y = tf.maxPool(x as tf.Tensor4D, size, stride, pad);
        return tf.sum(tf.mul(y, tf.tensor(values(tf.util.sizeFromShape(y.shape), 43), y.shape)));
      })(tf.tensor4d(xv, shape));
    for (const [pad, size, stride] of [
      ['valid', 2, 2],
      ['same', 3, 2],
      ['same', 3, 1],
    ] as const) {
      const [cpu] = await on('cpu', run(pad, size, stride));
      const [wasm] = await on('wasm', run(pad, size, stride));
      expect(relErr(wasm as Float32Array, cpu as Float32Array), `${pad} ${size}/${stride}`).toBeLessThanOrEqual(1e-6);
    }
  });

  it.each([true, false])('routes 2x2 max-pool gradients like cpu with channels in fours (SIMD path: %s)', async (simd) => {
    wasmKernelOptions.simdPoolGrad = simd;
    // Odd sizes leave a row/column outside every window; rounded values make ties (first max wins).
    for (const shape of [
      [2, 6, 6, 8],
      [2, 7, 5, 4],
      [1, 4, 4, 12],
    ] as Shape4[]) {
      const xv = values(tf.util.sizeFromShape(shape), 47).map((v) => Math.round(v * 3) / 3 - 0.2);
      const run = (): tf.Tensor =>
        tf.grad((x: tf.Tensor) => {
          const y = tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid');
          return tf.sum(tf.mul(y, tf.tensor(values(tf.util.sizeFromShape(y.shape), 48), y.shape)));
        })(tf.tensor4d(xv, shape));
      const [cpu] = await on('cpu', run);
      const [wasm] = await on('wasm', run);
      expect(relErr(wasm as Float32Array, cpu as Float32Array), `${shape}`).toBeLessThanOrEqual(1e-6);
    }
    wasmKernelOptions.simdPoolGrad = true;
  });

  it.each([true, false])('sums over leading axes (bias gradients) like cpu (SIMD path: %s)', async (simd) => {
    wasmKernelOptions.simdColumnSum = simd;
    const x = values(4 * 5 * 3 * 8, 57);
    const cases: [number[], number | number[], boolean][] = [
      [[4, 5, 3, 8], [0, 1, 2], false],
      [[4, 5, 3, 8], [0, 1, 2], true],
      [[20, 24], 0, false],
      [[4, 5, 24], [1, 0], false],
      [[4, 5, 3, 8], [-1], false], // not leading: the original kernel
      [[4, 5, 3, 8], [0, 2], true],
      [[20, 3, 8], [0, 1], false],
      [[8, 5, 3, 4], [0, 1, 2, 3], false],
      [[40, 3], [0], false], // 3 columns: not a multiple of 4
    ];
    for (const [shape, axis, keepDims] of cases) {
      const run = (): tf.Tensor => tf.sum(tf.tensor(x.subarray(0, tf.util.sizeFromShape(shape)), shape), axis, keepDims);
      const [cpu] = await on('cpu', run);
      const [wasm] = await on('wasm', run);
      expect(relErr(wasm as Float32Array, cpu as Float32Array), `${shape} ${String(axis)} ${keepDims}`).toBeLessThanOrEqual(1e-5);
    }
    await tf.setBackend('wasm');
    expect(tf.sum(tf.ones([3, 2, 4]), [0, 1], true).shape).toEqual([1, 1, 4]);
    wasmKernelOptions.simdColumnSum = true;
  });

  it('computes transposed and batched matMul like cpu', async () => {
    const a = values(6 * 4, 51);
    const b = values(50 * 3, 52);
    const cases: [number[], number[], boolean, boolean][] = [
      [[6, 4], [4, 5], false, false],
      [[4, 6], [4, 5], true, false],
      [[6, 4], [5, 4], false, true],
      [[4, 6], [5, 4], true, true],
      [[2, 3, 4], [2, 3, 5], true, false],
      [[1, 6, 4], [1, 5, 4], false, true],
      [[2, 3], [50, 3], false, true],
      [[3, 2], [3, 50], true, false],
      [[3, 2], [50, 3], true, true],
    ];
    for (const [sa, sb, ta, tb] of cases) {
      const run = (): tf.Tensor =>
        tf.matMul(
          tf.tensor(a.subarray(0, tf.util.sizeFromShape(sa)), sa),
          tf.tensor(b.subarray(0, tf.util.sizeFromShape(sb)), sb),
          ta,
          tb,
        );
      const [cpu] = await on('cpu', run);
      const [wasm] = await on('wasm', run);
      expect(relErr(wasm as Float32Array, cpu as Float32Array), `${sa} ${sb} ${ta} ${tb}`).toBeLessThanOrEqual(1e-5);
    }
  });

  it('gives the gradient of tf.gather on wasm (UnsortedSegmentSum)', async () => {
    const run = (): tf.Tensor =>
      tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.gather(t, tf.tensor1d([3, 0, 3, 1], 'int32')))))(
        tf.tensor2d(values(5 * 3, 61), [5, 3]),
      );
    const [cpu] = await on('cpu', run);
    const [wasm] = await on('wasm', run);
    expect(relErr(wasm as Float32Array, cpu as Float32Array)).toBeLessThanOrEqual(1e-6);
  });

  it('gives the same gradient as cpu for a small conv net, w.r.t. every weight', async () => {
    const shapes: Record<string, number[]> = {
      w1: [3, 3, 3, 8],
      b1: [8],
      w2: [3, 3, 8, 6],
      b2: [6],
      w3: [2 * 2 * 6, 5],
      b3: [5],
    };
    const x = values(4 * 8 * 8 * 3, 71);
    const labels = [0, 3, 1, 4];
    const run = (): tf.Tensor[] => {
      const params = Object.entries(shapes).map(([, s], i) => tf.variable(tf.tensor(values(tf.util.sizeFromShape(s), 80 + i), s)));
      const [w1, b1, w2, b2, w3, b3] = params as [tf.Variable, tf.Variable, tf.Variable, tf.Variable, tf.Variable, tf.Variable];
      const loss = (): tf.Scalar => {
        const input = tf.tensor4d(x, [4, 8, 8, 3]);
        let h = tf.relu(tf.add(tf.conv2d(input, w1 as tf.Tensor4D, 1, 'same'), b1)) as tf.Tensor4D;
        h = tf.maxPool(h, 2, 2, 'valid');
        h = tf.relu(tf.add(tf.conv2d(h, w2 as tf.Tensor4D, 2, 'same'), b2)) as tf.Tensor4D;
        const logits = tf.add(tf.matMul(tf.reshape(h, [4, -1]), w3), b3);
        return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 5), logits) as tf.Scalar;
      };
      const { grads } = tf.variableGrads(loss, params);
      const out = params.map((p) => grads[p.name] as tf.Tensor);
      params.forEach((p) => p.dispose());
      return out;
    };
    const cpu = await on('cpu', run);
    const wasm = await on('wasm', run);
    expect(wasm.length).toBe(6);
    Object.keys(shapes).forEach((name, i) => {
      expect(relErr(wasm[i] as Float32Array, cpu[i] as Float32Array), name).toBeLessThanOrEqual(1e-4);
    });
  });

  it('leaks no tensors or wasm buffers', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor4d(values(2 * 8 * 8 * 3, 91), [2, 8, 8, 3]);
    const w = tf.tensor4d(values(3 * 3 * 3 * 4, 92), [3, 3, 3, 4]);
    const step = (): void => {
      const g = tf.tidy(() =>
        tf.grads((a: tf.Tensor, b: tf.Tensor) => {
          const y = tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'valid');
          const p = tf.maxPool(y, 2, 1, 'same');
          return tf.sum(tf.matMul(tf.reshape(p, [2, -1]), tf.reshape(p, [2, -1]), false, true));
        })([x, w]),
      );
      g.forEach((t) => t.dispose());
    };
    step();
    const before = tf.memory();
    for (let i = 0; i < 3; i++) step();
    for (const pad of ['same', 'valid'] as const) {
      tf.tidy(() => {
        const dy = tf.ones(convOut([2, 8, 8, 3], [3, 3, 3, 4], 2, pad));
        tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
          strides: 2,
          pad,
          dataFormat: 'NHWC',
          filterShape: [3, 3, 3, 4],
        } as unknown as tf.NamedAttrMap);
        tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, {
          strides: 2,
          pad,
          dataFormat: 'NHWC',
          inputShape: [2, 8, 8, 3],
        } as unknown as tf.NamedAttrMap);
      });
    }
    // Stride 1 (the shift-GEMM filter gradient), a SIMD 2x2 max-pool gradient and a column sum.
    tf.tidy(() => {
      const x4 = tf.tensor4d(values(2 * 8 * 8 * 4, 93), [2, 8, 8, 4]);
      tf.grads((a: tf.Tensor, b: tf.Tensor) => {
        const y = tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'));
        return tf.sum(tf.maxPool(tf.add(y, tf.ones([8])) as tf.Tensor4D, 2, 2, 'valid'));
      })([x4, tf.ones([3, 3, 4, 8])]);
    });
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numDataBuffers).toBe(before.numDataBuffers);
    x.dispose();
    w.dispose();
  });

  it('rejects NCHW and dilated convolutions with a clear error', async () => {
    await tf.setBackend('wasm');
    const x = tf.ones([1, 5, 5, 2]);
    const dy = tf.ones([1, 5, 5, 3]);
    const call = (attrs: Record<string, unknown>) => () =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
        strides: 1,
        pad: 'same',
        filterShape: [3, 3, 2, 3],
        ...attrs,
      } as unknown as tf.NamedAttrMap);
    expect(call({ dataFormat: 'NCHW' })).toThrow(/NHWC only/);
    expect(call({ dataFormat: 'NHWC', dilations: 2 })).toThrow(/dilation 1 only/);
    tf.dispose([x, dy]);
  });
});
