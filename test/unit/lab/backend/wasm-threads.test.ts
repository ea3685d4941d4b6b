// The threaded wasm build replaces the process's 'wasm' backend, so it has a test file (a forked
// process under vitest's 'forks' pool) of its own.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { backendInfo, selectBackend } from '../../../../main/lab/backend/index.js';
import { wantedWasmThreads, type ThreadContext } from '../../../../main/lab/backend/wasm-threads.js';
import { MaskedOptimizer } from '../../../../main/lab/optimizers.js';
import { values, relErr } from './helpers.js';

/** One masked Adam step of a small conv net; returns the updated parameters. */
async function trainStep(backend: 'cpu' | 'wasm'): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const shapes: number[][] = [[3, 3, 3, 8], [8], [3, 3, 8, 8], [8], [4 * 4 * 8, 4], [4]];
  const params: Record<string, tf.Variable> = {};
  shapes.forEach((s, i) => {
    const t = tf.tensor(values(tf.util.sizeFromShape(s), 30 + i), s);
    params[`p${i}`] = tf.variable(t);
    t.dispose();
  });
  const masks = { p2: tf.tensor(values(3 * 3 * 8 * 8, 9).map((v) => (v > -0.3 ? 1 : 0)), [3, 3, 8, 8]) };
  const opt = new MaskedOptimizer({ type: 'adam', lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 }, params, masks);
  const x = tf.tensor4d(values(6 * 8 * 8 * 3, 7), [6, 8, 8, 3]);
  tf.tidy(() => {
    const { grads } = tf.variableGrads(() => {
      const p = params as Record<string, tf.Tensor>;
      let h = tf.relu(tf.add(tf.conv2d(x, p.p0 as tf.Tensor4D, 1, 'same'), p.p1!)) as tf.Tensor4D;
      h = tf.relu(tf.add(tf.conv2d(h, p.p2 as tf.Tensor4D, 1, 'same'), p.p3!)) as tf.Tensor4D;
      h = tf.maxPool(h, 2, 2, 'valid');
      const logits = tf.add(tf.matMul(tf.reshape(h, [6, -1]), p.p4!), p.p5!);
      return tf.losses.softmaxCrossEntropy(tf.oneHot([0, 1, 2, 3, 0, 1], 4), logits) as tf.Scalar;
    }, Object.values(params));
    opt.step(grads, 0.01);
  });
  const out = Object.values(params).map((p) => p.dataSync() as Float32Array);
  opt.dispose();
  tf.dispose([...Object.values(params), masks.p2, x]);
  return out;
}

beforeAll(async () => {
  process.env.COLT_WASM_THREADS = '2';
  await selectBackend('wasm');
});

describe('threaded wasm backend', () => {
  it('takes COLT_WASM_THREADS, else every core when a core is free in a main thread', () => {
    const idle: ThreadContext = { cores: 2, load: 0.3, isMainThread: true };
    const busy: ThreadContext = { cores: 2, load: 3.2, isMainThread: true };
    const worker: ThreadContext = { cores: 4, load: 0, isMainThread: false };
    expect(wantedWasmThreads({}, idle)).toBe(2);
    expect(wantedWasmThreads({}, busy)).toBe(1);
    expect(wantedWasmThreads({}, worker)).toBe(1);
    expect(wantedWasmThreads({}, { cores: 1, load: 0, isMainThread: true })).toBe(1);
    expect(wantedWasmThreads({}, { cores: 32, load: 0, isMainThread: true })).toBe(8);
    expect(wantedWasmThreads({ COLT_WASM_THREADS: '3' }, busy)).toBe(3);
    expect(wantedWasmThreads({ COLT_WASM_THREADS: '64' }, idle)).toBe(8);
    expect(wantedWasmThreads({ COLT_WASM_THREADS: '1' }, idle)).toBe(1);
    expect(wantedWasmThreads({ COLT_WASM_THREADS: 'nonsense' }, busy)).toBe(1);
    expect(wantedWasmThreads({ COLT_WASM_THREADS: 'auto' }, busy)).toBe(2);
  });

  it('runs the threaded build with the requested threads, and says so', () => {
    const info = backendInfo();
    expect(info.name).toBe('wasm');
    expect(info.details.wasmThreads).toBe(2);
    expect(info.details.wasmThreadsNote).toBe('threaded build: COLT_WASM_THREADS=2');
  });

  it('trains like cpu (conv, gradients, fused masked update) and repeats itself exactly', async () => {
    const cpu = await trainStep('cpu');
    const wasm = await trainStep('wasm');
    const again = await trainStep('wasm');
    wasm.forEach((w, i) => {
      expect(relErr(w, cpu[i] as Float32Array), `param ${i}`).toBeLessThanOrEqual(1e-4);
      expect(Array.from(again[i] as Float32Array)).toEqual(Array.from(w));
    });
  });
});
