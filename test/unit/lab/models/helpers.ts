/** Test helpers for the model files: deterministic tensors for a ModelDef's specs. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core registers no gradients by itself; the lab's gradients module does.
import '../../../../main/lab/gradients.js';
import type { ModelDef } from '../../../../main/lab/models/types.js';

/** Sets the cpu backend once. */
export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/** Parameters drawn U(-1/sqrt(fanIn), 1/sqrt(fanIn)) (BN ones/zeros) with a fixed seed. */
export function makeParams(def: ModelDef, seed = 1): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  def.params.forEach((p, i) => {
    if (p.init === 'ones') out[p.name] = tf.ones([...p.shape]);
    else if (p.init === 'zeros' && p.kind !== 'bias') out[p.name] = tf.zeros([...p.shape]);
    else {
      const a = 1 / Math.sqrt(p.fanIn);
      out[p.name] = tf.randomUniform([...p.shape], -a, a, 'float32', seed * 1000 + i);
    }
  });
  return out;
}

/** Buffers at their initial values (running mean zeros, variance ones). */
export function makeBuffers(def: ModelDef): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const b of def.buffers) out[b.name] = b.init === 'ones' ? tf.ones([...b.shape]) : tf.zeros([...b.shape]);
  return out;
}

/** A deterministic NHWC input batch. */
export function makeInput(n: number, shape: readonly number[], seed = 7): tf.Tensor4D {
  return tf.randomNormal([n, shape[0], shape[1], shape[2]], 0, 1, 'float32', seed) as tf.Tensor4D;
}

/** Disposes every tensor of a record. */
export function disposeAll(...records: Record<string, tf.Tensor>[]): void {
  for (const r of records) for (const t of Object.values(r)) t.dispose();
}
