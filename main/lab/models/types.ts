import type * as tf from '@tensorflow/tfjs-core';

/** What a parameter is; decides whether it can be pruned and how the heatmap draws it. */
export type ParamKind = 'conv' | 'dense' | 'bias' | 'bn-scale' | 'bn-shift';

/** How a parameter is initialised (all draws come from the seeded Rng, never from TF.js). */
export type InitKind =
  | 'glorot-normal' // LTH: Glorot/Xavier normal, truncated at 2 sd as Keras does
  | 'glorot-uniform' // Glorot/Xavier uniform: U(-sqrt(6 / (fanIn + fanOut)), +sqrt(6 / (fanIn + fanOut)))
  | 'he-normal' // Kaiming normal, fan-in, gain sqrt(2)
  | 'he-uniform' // Kaiming uniform, fan-in, gain sqrt(2): U(-sqrt(6 / fanIn), +sqrt(6 / fanIn))
  | 'torch-default' // PyTorch's default Conv/Linear init: U(-1/sqrt(fanIn), 1/sqrt(fanIn)) for weights and biases
  | 'zeros'
  | 'ones';

/**
 * One trainable tensor. Conv kernels are [kh, kw, inChannels, outChannels] and dense kernels
 * [in, out] (TF.js layout); `fanIn` is what the initialiser uses (kh*kw*in for conv, in for dense).
 */
export interface ParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly kind: ParamKind;
  /** True for the classifier's parameters, which are replaced for other class counts (COLT heads, transfer). */
  readonly head: boolean;
  readonly init: InitKind;
  readonly fanIn: number;
  readonly fanOut: number;
}

/** Non-trainable state, e.g. batch-norm running mean ('zeros') and variance ('ones'). */
export interface BufferSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: 'zeros' | 'ones';
}

/** Result of a forward pass; in training mode batch-norm layers return their updated running statistics. */
export interface ForwardResult {
  readonly logits: tf.Tensor2D;
  readonly buffers: Readonly<Record<string, tf.Tensor>>;
}

/** An architecture instantiated for an input shape and class count: its tensors and its forward function. */
export interface ModelDef {
  readonly arch: string;
  readonly inputShape: readonly [number, number, number];
  readonly classes: number;
  readonly params: readonly ParamSpec[];
  readonly buffers: readonly BufferSpec[];
  /** Pure forward pass over the given tensors; x is NHWC float32. Must not dispose its inputs. */
  apply(
    params: Readonly<Record<string, tf.Tensor>>,
    buffers: Readonly<Record<string, tf.Tensor>>,
    x: tf.Tensor4D,
    training: boolean,
  ): ForwardResult;
}

/** An entry of the model registry. */
export interface ModelEntry {
  readonly name: string;
  readonly description: string;
  /** Where the architecture comes from (paper and section, or the authors' code). */
  readonly source: string;
  build(inputShape: readonly [number, number, number], classes: number): ModelDef;
  /** Why this architecture cannot be trained on an input it builds for (a backend limitation), or null. */
  untrainable?(inputShape: readonly [number, number, number]): string | null;
}
