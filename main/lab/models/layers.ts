/**
 * Shared building blocks of the model files: spec builders (parameter and buffer lists) and
 * plain TF.js layer functions (conv, dense, batch-norm, pooling). Only core ops with kernels on
 * the cpu and wasm backends are used (conv2d, matMul, add, mul, relu, maxPool, mean, moments,
 * reshape, slice, pad); nothing fused.
 *
 * Layout: activations are NHWC, conv kernels [kh, kw, in, out], dense kernels [in, out]. Flatten
 * therefore orders features (h, w, c), not PyTorch's (c, h, w); importing PyTorch weights into
 * the first dense layer after a flatten needs a permutation.
 */
import * as tf from '@tensorflow/tfjs-core';
import { LabError } from '../../contract/errors.js';
import type { BufferSpec, ForwardResult, InitKind, ModelDef, ParamSpec } from './types.js';

/** PyTorch BatchNorm2d momentum: running = (1 - m) * running + m * batch. */
export const BN_MOMENTUM = 0.1;
/** PyTorch BatchNorm2d epsilon added to the variance. */
export const BN_EPSILON = 1e-5;

/** Input shape [h, w, c] as the models take it. */
export type InputShape = readonly [number, number, number];

/** Options of a conv layer in a spec. */
export interface ConvSpecOptions {
  readonly bias: boolean;
  readonly init: InitKind;
  readonly biasInit?: InitKind;
}

/** Options of a dense layer in a spec. */
export interface DenseSpecOptions {
  readonly init: InitKind;
  readonly biasInit: InitKind;
  readonly head?: boolean;
}

/** Collects a model's parameter and buffer specs in declaration order, refusing duplicate names. */
export class SpecBuilder {
  readonly params: ParamSpec[] = [];
  readonly buffers: BufferSpec[] = [];
  private readonly names = new Set<string>();

  /** Adds `${name}.weight` [k, k, inC, outC] and, with bias, `${name}.bias` [outC]. */
  conv(name: string, k: number, inC: number, outC: number, opts: ConvSpecOptions): void {
    const fanIn = k * k * inC;
    const fanOut = k * k * outC;
    this.param({ name: `${name}.weight`, shape: [k, k, inC, outC], kind: 'conv', head: false, init: opts.init, fanIn, fanOut });
    if (opts.bias) {
      const init = opts.biasInit ?? opts.init;
      this.param({ name: `${name}.bias`, shape: [outC], kind: 'bias', head: false, init, fanIn, fanOut });
    }
  }

  /** Adds `${name}.weight` [inF, outF] and `${name}.bias` [outF]. */
  dense(name: string, inF: number, outF: number, opts: DenseSpecOptions): void {
    const head = opts.head ?? false;
    this.param({ name: `${name}.weight`, shape: [inF, outF], kind: 'dense', head, init: opts.init, fanIn: inF, fanOut: outF });
    this.param({ name: `${name}.bias`, shape: [outF], kind: 'bias', head, init: opts.biasInit, fanIn: inF, fanOut: outF });
  }

  /**
   * Adds batch-norm `${name}.scale` (ones), `${name}.shift` (zeros) and buffers `${name}.mean`
   * (zeros), `${name}.variance` (ones); fanIn/fanOut are those of the conv it follows.
   */
  batchNorm(name: string, channels: number, fanIn: number, fanOut: number): void {
    this.param({ name: `${name}.scale`, shape: [channels], kind: 'bn-scale', head: false, init: 'ones', fanIn, fanOut });
    this.param({ name: `${name}.shift`, shape: [channels], kind: 'bn-shift', head: false, init: 'zeros', fanIn, fanOut });
    this.buffer({ name: `${name}.mean`, shape: [channels], init: 'zeros' });
    this.buffer({ name: `${name}.variance`, shape: [channels], init: 'ones' });
  }

  /** Adds one parameter spec. */
  param(spec: ParamSpec): void {
    this.claim(spec.name);
    this.params.push(spec);
  }

  /** Adds one buffer spec. */
  buffer(spec: BufferSpec): void {
    this.claim(spec.name);
    this.buffers.push(spec);
  }

  private claim(name: string): void {
    if (this.names.has(name)) throw new LabError('internal', `duplicate tensor name '${name}' in a model spec`);
    this.names.add(name);
  }
}

/** Throws invalid_input unless the input shape is three positive integers and classes a positive integer. */
export function checkBuildArgs(arch: string, inputShape: readonly number[], classes: number): void {
  if (
    !Array.isArray(inputShape) ||
    inputShape.length !== 3 ||
    !inputShape.every((d) => Number.isInteger(d) && d >= 1)
  ) {
    throw new LabError('invalid_input', `${arch}: input shape must be [height, width, channels] of positive integers, got ${JSON.stringify(inputShape)}`);
  }
  if (!Number.isInteger(classes) || classes < 1) {
    throw new LabError('invalid_input', `${arch}: classes must be a positive integer, got ${String(classes)}`);
  }
}

/** Spatial size after a 2x2 stride-2 max-pool: floor (PyTorch default) or ceil (ceil_mode, TF 'same'). */
export function pooledSize(size: number, ceil = false): number {
  return ceil ? Math.ceil(size / 2) : Math.floor(size / 2);
}

/** Throws invalid_input when an architecture's pooling would shrink the input to nothing. */
export function checkMinInput(arch: string, inputShape: InputShape, pools: number): void {
  let h = inputShape[0];
  let w = inputShape[1];
  for (let i = 0; i < pools; i++) {
    h = pooledSize(h);
    w = pooledSize(w);
  }
  if (h < 1 || w < 1) {
    const min = 2 ** pools;
    throw new LabError('invalid_input', `${arch}: input ${inputShape[0]}x${inputShape[1]} is too small; it needs at least ${min}x${min} for its ${pools} max-pools`);
  }
}

/**
 * 2-D convolution with an optional bias. `pad` is PyTorch's symmetric zero padding (1 for a 3x3
 * 'same' conv); stride-1 'same' convs use TF 'same', others explicit padding so that strided
 * convs sample the same positions as PyTorch (TF 'same' would pad only bottom/right).
 */
export function conv2d(x: tf.Tensor4D, kernel: tf.Tensor4D, bias: tf.Tensor | undefined, stride = 1, pad = 0): tf.Tensor4D {
  const k = kernel.shape[0];
  let padding: 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
  if (pad === 0) padding = 'valid';
  else if (stride === 1 && 2 * pad === k - 1 && kernel.shape[1] === k) padding = 'same';
  else padding = [[0, 0], [pad, pad], [pad, pad], [0, 0]];
  const y = tf.conv2d(x, kernel, stride, padding);
  return bias === undefined ? y : (tf.add(y, bias) as tf.Tensor4D);
}

/** Dense layer x·W + b on [N, in] inputs. */
export function dense(x: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor | undefined): tf.Tensor2D {
  const y = tf.matMul(x, kernel) as tf.Tensor2D;
  return bias === undefined ? y : (tf.add(y, bias) as tf.Tensor2D);
}

/** Result of a batch-norm layer: output, and in training mode the updated running statistics. */
export interface BatchNormResult {
  readonly y: tf.Tensor4D;
  readonly runningMean?: tf.Tensor1D;
  readonly runningVariance?: tf.Tensor1D;
}

/**
 * Batch-norm over N, H, W (PyTorch BatchNorm2d). Training: normalise with the biased batch
 * variance and return running stats updated with the unbiased one (momentum BN_MOMENTUM; a batch
 * of one value per channel uses the biased variance, where PyTorch refuses). Eval: normalise
 * with the running statistics.
 */
export function batchNorm(
  x: tf.Tensor4D,
  scale: tf.Tensor,
  shift: tf.Tensor,
  runningMean: tf.Tensor,
  runningVariance: tf.Tensor,
  training: boolean,
): BatchNormResult {
  if (!training) {
    const inv = tf.mul(tf.rsqrt(tf.add(runningVariance, BN_EPSILON)), scale);
    return { y: tf.add(tf.mul(tf.sub(x, runningMean), inv), shift) };
  }
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const n = x.shape[0] * x.shape[1] * x.shape[2];
  const unbiased = n > 1 ? tf.mul(variance, n / (n - 1)) : variance;
  const inv = tf.mul(tf.rsqrt(tf.add(variance, BN_EPSILON)), scale);
  const y: tf.Tensor4D = tf.add(tf.mul(tf.sub(x, mean), inv), shift);
  const newMean: tf.Tensor1D = tf.add(tf.mul(runningMean, 1 - BN_MOMENTUM), tf.mul(mean, BN_MOMENTUM));
  const newVariance: tf.Tensor1D = tf.add(tf.mul(runningVariance, 1 - BN_MOMENTUM), tf.mul(unbiased, BN_MOMENTUM));
  return { y, runningMean: newMean, runningVariance: newVariance };
}

/** 2x2 stride-2 max-pool; floor mode (PyTorch default) or ceil mode (TF 'same', padding bottom/right). */
export function maxPool2x2(x: tf.Tensor4D, ceil = false): tf.Tensor4D {
  return tf.maxPool(x, 2, 2, ceil ? 'same' : 'valid');
}

/** Global average pool NHWC → [N, C]. */
export function globalAvgPool(x: tf.Tensor4D): tf.Tensor2D {
  return tf.mean(x, [1, 2]) as tf.Tensor2D;
}

/** Flattens NHWC to [N, h*w*c] in (h, w, c) order. */
export function flatten(x: tf.Tensor): tf.Tensor2D {
  return tf.reshape(x, [x.shape[0], -1]);
}

/**
 * Keeps every second row and column from the first (x[:, ::2, ::2, :]) with differentiable ops
 * (pad to even, reshape, slice), as TF.js has no StridedSlice gradient. Output ceil(h/2) x ceil(w/2).
 */
export function subsample2(x: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const ph = h % 2;
  const pw = w % 2;
  const even = ph === 0 && pw === 0 ? x : tf.pad(x, [[0, 0], [0, ph], [0, pw], [0, 0]]);
  const h2 = (h + ph) / 2;
  const w2 = (w + pw) / 2;
  const r = tf.reshape(even, [n, h2, 2, w2, 2 * c]);
  return tf.reshape(tf.slice(r, [0, 0, 0, 0, 0], [n, h2, 1, w2, c]), [n, h2, w2, c]);
}

/** Looks up a forward pass's tensors by name and collects the batch-norm running-stat updates. */
export class Forward {
  /** Updated running statistics keyed by buffer name (training mode only). */
  readonly updates: Record<string, tf.Tensor> = {};

  constructor(
    private readonly arch: string,
    private readonly params: Readonly<Record<string, tf.Tensor>>,
    private readonly buffers: Readonly<Record<string, tf.Tensor>>,
    readonly training: boolean,
  ) {}

  /** The parameter of that name; invalid_input when missing. */
  param(name: string): tf.Tensor {
    const t = this.params[name];
    if (t === undefined) throw new LabError('invalid_input', `${this.arch}: missing parameter '${name}'`);
    return t;
  }

  /** The buffer of that name; invalid_input when missing. */
  buffer(name: string): tf.Tensor {
    const t = this.buffers[name];
    if (t === undefined) throw new LabError('invalid_input', `${this.arch}: missing buffer '${name}'`);
    return t;
  }

  /** Conv layer `name` (uses `${name}.weight` and, with bias, `${name}.bias`). */
  conv(x: tf.Tensor4D, name: string, opts: { stride?: number; pad: number; bias: boolean }): tf.Tensor4D {
    const kernel = this.param(`${name}.weight`) as tf.Tensor4D;
    const bias = opts.bias ? this.param(`${name}.bias`) : undefined;
    return conv2d(x, kernel, bias, opts.stride ?? 1, opts.pad);
  }

  /** Dense layer `name` (uses `${name}.weight` and `${name}.bias`). */
  dense(x: tf.Tensor2D, name: string): tf.Tensor2D {
    return dense(x, this.param(`${name}.weight`) as tf.Tensor2D, this.param(`${name}.bias`));
  }

  /** Batch-norm layer `name`; in training mode records `${name}.mean` and `${name}.variance` updates. */
  batchNorm(x: tf.Tensor4D, name: string): tf.Tensor4D {
    const r = batchNorm(
      x,
      this.param(`${name}.scale`),
      this.param(`${name}.shift`),
      this.buffer(`${name}.mean`),
      this.buffer(`${name}.variance`),
      this.training,
    );
    if (r.runningMean !== undefined && r.runningVariance !== undefined) {
      this.updates[`${name}.mean`] = r.runningMean;
      this.updates[`${name}.variance`] = r.runningVariance;
    }
    return r.y;
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Assembles a ModelDef: `apply` checks the input and every named tensor's shape (invalid_input
 * naming the first mismatch), then runs `body` inside tf.tidy so that only the logits and the
 * running-stat updates survive. Inputs are never disposed.
 */
export function makeModelDef(
  arch: string,
  inputShape: InputShape,
  classes: number,
  spec: SpecBuilder,
  body: (f: Forward, x: tf.Tensor4D) => tf.Tensor2D,
): ModelDef {
  const params: readonly ParamSpec[] = spec.params.map((p) => ({ ...p, shape: [...p.shape] }));
  const buffers: readonly BufferSpec[] = spec.buffers.map((b) => ({ ...b, shape: [...b.shape] }));
  const shape: InputShape = [inputShape[0], inputShape[1], inputShape[2]];
  return {
    arch,
    inputShape: shape,
    classes,
    params,
    buffers,
    apply(p, b, x, training): ForwardResult {
      if (x.rank !== 4 || !sameShape(x.shape.slice(1), shape)) {
        throw new LabError('invalid_input', `${arch}: input must be [N, ${shape.join(', ')}], got [${x.shape.join(', ')}]`);
      }
      for (const s of params) {
        const t = p[s.name];
        if (t === undefined) throw new LabError('invalid_input', `${arch}: missing parameter '${s.name}'`);
        if (!sameShape(t.shape, s.shape)) {
          throw new LabError('invalid_input', `${arch}: parameter '${s.name}' must be [${s.shape.join(', ')}], got [${t.shape.join(', ')}]`);
        }
      }
      for (const s of buffers) {
        const t = b[s.name];
        if (t === undefined) throw new LabError('invalid_input', `${arch}: missing buffer '${s.name}'`);
        if (!sameShape(t.shape, s.shape)) {
          throw new LabError('invalid_input', `${arch}: buffer '${s.name}' must be [${s.shape.join(', ')}], got [${t.shape.join(', ')}]`);
        }
      }
      const out = tf.tidy(() => {
        const f = new Forward(arch, p, b, training);
        const logits = body(f, x);
        return { logits, buffers: f.updates };
      });
      return out;
    },
  };
}
