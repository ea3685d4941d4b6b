import * as tf from '@tensorflow/tfjs-core';
import { batches } from '../data/batches.js';
import type { ImageSet, Normalization } from '../data/types.js';
import type { ModelState } from './weights.js';

const EVAL_BATCH = 500;

/** Mean softmax cross-entropy of logits against integer labels. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, classes: number): tf.Scalar {
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits);
    const onehot = tf.oneHot(labels, classes);
    return tf.neg(tf.mean(tf.sum(tf.mul(logp, onehot), 1))) as tf.Scalar;
  });
}

/** Loss and accuracy of a model (eval mode) on a whole set; read asynchronously (webgpu has no synchronous read-back in Node). */
export async function evaluate(state: ModelState, set: ImageSet, normalization: Normalization): Promise<{ loss: number; accuracy: number }> {
  if (set.count === 0) return { loss: NaN, accuracy: NaN };
  const [h, w, c] = set.shape;
  let lossSum = 0;
  let correct = 0;
  for (const batch of batches(set, { batchSize: EVAL_BATCH, normalization, dropLast: false })) {
    const [loss, hits] = tf.tidy(() => {
      const x = tf.tensor4d(batch.x, [batch.size, h, w, c]);
      const y = tf.tensor1d(batch.y, 'int32');
      const { logits } = state.def.apply(state.params, state.buffers, x, false);
      return [tf.mul(crossEntropy(logits, y, state.def.classes), batch.size), tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'int32'))];
    });
    const [l, k] = await Promise.all([loss.data(), hits.data()]);
    tf.dispose([loss, hits]);
    lossSum += l[0] as number;
    correct += k[0] as number;
  }
  return { loss: lossSum / set.count, accuracy: correct / set.count };
}
