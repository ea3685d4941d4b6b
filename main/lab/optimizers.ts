import * as tf from '@tensorflow/tfjs-core';
import type { ExperimentConfig } from '../contract/experiment-config.js';
import { MASKED_ADAM, MASKED_SGD, hasFusedOptimizer } from './backend/optimizer-kernels.js';

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
   * engine name (PyTorch semantics: weight decay added to the gradient). On wasm and cpu one fused
   * kernel per parameter does the whole masked update; elsewhere (or with `fused: false`) TF.js ops.
   */
  step(grads: Readonly<Record<string, tf.Tensor>>, lr: number, opts: { fused?: boolean } = {}): void {
    this.stepCount++;
    if (opts.fused !== false && hasFusedOptimizer(tf.getBackend())) {
      this.fusedStep(grads, lr);
      return;
    }
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

  /** The update of `step` with one fused kernel per parameter (see backend/optimizer-kernels.ts). */
  private fusedStep(grads: Readonly<Record<string, tf.Tensor>>, lr: number): void {
    const c = this.config;
    const attrs: tf.NamedAttrMap =
      c.type === 'sgd'
        ? { lr, momentum: c.momentum, nesterov: c.nesterov, weightDecay: c.weightDecay }
        : {
            lr,
            beta1: c.beta1,
            beta2: c.beta2,
            epsilon: c.epsilon,
            weightDecay: c.weightDecay,
            bc1: 1 - Math.pow(c.beta1, this.stepCount),
            bc2: 1 - Math.pow(c.beta2, this.stepCount),
          };
    const engine = tf.engine();
    for (const [name, w] of Object.entries(this.params)) {
      const g = grads[w.name];
      if (!g) continue;
      const mask = this.masks[name];
      const slots = this.slots.get(name) ?? [];
      const inputs: tf.NamedTensorMap = { w, g };
      if (mask) inputs.mask = mask;
      let targets: tf.Variable[];
      if (c.type === 'sgd') {
        if (c.momentum > 0) inputs.buf = slots[0];
        targets = c.momentum > 0 ? [w, slots[0]] : [w];
      } else {
        inputs.m = slots[0];
        inputs.v = slots[1];
        targets = [w, slots[0], slots[1]];
      }
      const outs = engine.runKernel(c.type === 'sgd' ? MASKED_SGD : MASKED_ADAM, inputs, attrs) as tf.Tensor[];
      targets.forEach((t, i) => t.assign(outs[i]));
      tf.dispose(outs);
    }
  }

  /** Releases the optimizer state. */
  dispose(): void {
    for (const slots of this.slots.values()) for (const s of slots) s.dispose();
    this.slots.clear();
  }
}
