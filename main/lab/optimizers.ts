import * as tf from '@tensorflow/tfjs-core';
import type { ExperimentConfig } from '../contract/experiment-config.js';

/** Optimizer settings of the experiment config. */
export type OptimizerConfig = ExperimentConfig['training']['optimizer'];

/**
 * An optimizer that keeps pruned weights at exactly zero (DESIGN.md, Engine): the gradient is
 * masked before it reaches any state, so momentum and Adam moments stay zero at pruned positions,
 * and w := w ⊙ m after every update.
 */
export class MaskedOptimizer {
  private readonly slots = new Map<string, tf.Variable[]>();
  private stepCount = 0;

  constructor(
    private readonly config: OptimizerConfig,
    private readonly params: Readonly<Record<string, tf.Variable>>,
    private readonly masks: Readonly<Record<string, tf.Tensor>>,
  ) {
    const slotsPerParam = config.type === 'adam' ? 2 : config.momentum > 0 ? 1 : 0;
    for (const [name, v] of Object.entries(params)) {
      const slots: tf.Variable[] = [];
      for (let s = 0; s < slotsPerParam; s++) slots.push(tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
      this.slots.set(name, slots);
    }
  }

  /**
   * One update with the gradients `tf.variableGrads` returned, which are keyed by each variable's
   * engine name (PyTorch semantics: weight decay added to the gradient).
   */
  step(grads: Readonly<Record<string, tf.Tensor>>, lr: number): void {
    this.stepCount++;
    const c = this.config;
    tf.tidy(() => {
      for (const [name, w] of Object.entries(this.params)) {
        const raw = grads[w.name];
        if (!raw) continue;
        const mask = this.masks[name];
        let g = c.weightDecay > 0 ? tf.add(raw, tf.mul(w, c.weightDecay)) : raw;
        if (mask) g = tf.mul(g, mask);
        const slots = this.slots.get(name) ?? [];
        let update: tf.Tensor;
        if (c.type === 'sgd') {
          if (c.momentum > 0) {
            const buf = slots[0];
            const next = tf.add(tf.mul(buf, c.momentum), g);
            buf.assign(next);
            update = c.nesterov ? tf.add(g, tf.mul(next, c.momentum)) : next;
          } else {
            update = g;
          }
          update = tf.mul(update, lr);
        } else {
          const [m, v] = slots;
          const m2 = tf.add(tf.mul(m, c.beta1), tf.mul(g, 1 - c.beta1));
          const v2 = tf.add(tf.mul(v, c.beta2), tf.mul(tf.square(g), 1 - c.beta2));
          m.assign(m2);
          v.assign(v2);
          const bc1 = 1 - Math.pow(c.beta1, this.stepCount);
          const bc2 = 1 - Math.pow(c.beta2, this.stepCount);
          const denom = tf.add(tf.sqrt(tf.div(v2, bc2)), c.epsilon);
          update = tf.div(tf.mul(m2, lr / bc1), denom);
        }
        let next = tf.sub(w, update);
        if (mask) next = tf.mul(next, mask);
        w.assign(next);
      }
    });
  }

  /** Releases the optimizer state. */
  dispose(): void {
    for (const slots of this.slots.values()) for (const s of slots) s.dispose();
    this.slots.clear();
  }
}
