import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../common/random.js';
import type { Initialiser } from '../contract/experiment-config.js';
import type { BufferSpec, InitKind, ModelDef, ParamSpec } from './models/types.js';

/** Host-side copies of named tensors (parameters or buffers): the unit we snapshot, rewind to and store. */
export type WeightMap = Map<string, Float32Array>;

/**
 * Draws a parameter's initial values from the seeded Rng, so θ0 is identical on every backend.
 * The stream is derived from (seed, parameter name), so adding a layer does not shift the others.
 */
export function initParam(spec: ParamSpec, seed: number, stream = 'init'): Float32Array {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  const rng = Rng.derive(seed, stream, spec.name);
  switch (spec.init) {
    case 'zeros':
      break;
    case 'ones':
      out.fill(1);
      break;
    case 'glorot-normal': {
      // Keras GlorotNormal: truncated normal, stddev sqrt(2 / (fanIn + fanOut)) / .87962566 (truncation correction).
      const sd = Math.sqrt(2 / (spec.fanIn + spec.fanOut)) / 0.87962566103423978;
      for (let i = 0; i < size; i++) out[i] = rng.truncatedNormal() * sd;
      break;
    }
    case 'glorot-uniform': {
      const bound = Math.sqrt(6 / (spec.fanIn + spec.fanOut));
      for (let i = 0; i < size; i++) out[i] = (rng.next() * 2 - 1) * bound;
      break;
    }
    case 'he-normal': {
      const sd = Math.sqrt(2 / spec.fanIn);
      for (let i = 0; i < size; i++) out[i] = rng.normal() * sd;
      break;
    }
    case 'he-uniform': {
      const bound = Math.sqrt(6 / spec.fanIn);
      for (let i = 0; i < size; i++) out[i] = (rng.next() * 2 - 1) * bound;
      break;
    }
    case 'torch-default': {
      const bound = 1 / Math.sqrt(spec.fanIn);
      for (let i = 0; i < size; i++) out[i] = (rng.next() * 2 - 1) * bound;
      break;
    }
  }
  return out;
}

/** The initialiser of conv/dense weights and of their biases for each config `init` choice. */
const SCHEMES: Record<Exclude<Initialiser, 'default'>, { readonly weight: InitKind; readonly bias: InitKind }> = {
  'glorot-normal': { weight: 'glorot-normal', bias: 'zeros' },
  'glorot-uniform': { weight: 'glorot-uniform', bias: 'zeros' },
  'kaiming-normal': { weight: 'he-normal', bias: 'zeros' },
  'kaiming-uniform': { weight: 'he-uniform', bias: 'zeros' },
  'pytorch-default': { weight: 'torch-default', bias: 'torch-default' },
};

/**
 * The model with its conv and dense weights and biases initialised as `scheme` says (batch-norm
 * parameters keep ones / zeros); `default` keeps the architecture's own initialisers.
 */
export function withInitialiser(def: ModelDef, scheme: Initialiser): ModelDef {
  if (scheme === 'default') return def;
  const { weight, bias } = SCHEMES[scheme];
  const params = def.params.map((p): ParamSpec => {
    if (p.kind === 'conv' || p.kind === 'dense') return { ...p, init: weight };
    if (p.kind === 'bias') return { ...p, init: bias };
    return p;
  });
  return { ...def, params };
}

/** θ0 for a model: every parameter initialised from the seed. */
export function initWeights(def: ModelDef, seed: number, stream = 'init'): WeightMap {
  const map: WeightMap = new Map();
  for (const spec of def.params) map.set(spec.name, initParam(spec, seed, stream));
  return map;
}

/** Fresh buffers (batch-norm running mean 0, variance 1). */
export function initBuffers(def: ModelDef): WeightMap {
  const map: WeightMap = new Map();
  for (const spec of def.buffers) map.set(spec.name, initBuffer(spec));
  return map;
}

function initBuffer(spec: BufferSpec): Float32Array {
  const out = new Float32Array(spec.shape.reduce((a, b) => a * b, 1));
  if (spec.init === 'ones') out.fill(1);
  return out;
}

/** Deep copy of a weight map. */
export function cloneWeights(map: WeightMap): WeightMap {
  const out: WeightMap = new Map();
  for (const [k, v] of map) out.set(k, v.slice());
  return out;
}

/**
 * The live tensors of one model being trained: parameters and buffers as tf.Variables.
 * Owns its variables; call dispose() when done.
 */
export class ModelState {
  readonly def: ModelDef;
  readonly params: Record<string, tf.Variable>;
  readonly buffers: Record<string, tf.Variable>;

  constructor(def: ModelDef, params: WeightMap, buffers: WeightMap) {
    this.def = def;
    this.params = {};
    this.buffers = {};
    for (const spec of def.params) {
      const values = params.get(spec.name);
      if (!values) throw new Error(`missing initial values for parameter ${spec.name}`);
      this.params[spec.name] = tf.tidy(() => tf.variable(tf.tensor(values, [...spec.shape], 'float32'), true, undefined, 'float32'));
    }
    for (const spec of def.buffers) {
      const values = buffers.get(spec.name);
      if (!values) throw new Error(`missing initial values for buffer ${spec.name}`);
      this.buffers[spec.name] = tf.tidy(() => tf.variable(tf.tensor(values, [...spec.shape], 'float32'), false, undefined, 'float32'));
    }
  }

  /** Overwrites parameters (all, or those present in the map) from host values. */
  loadParams(map: WeightMap): void {
    for (const [name, values] of map) {
      const v = this.params[name];
      if (v) tf.tidy(() => v.assign(tf.tensor(values, v.shape, 'float32')));
    }
  }

  /** Overwrites buffers from host values. */
  loadBuffers(map: WeightMap): void {
    for (const [name, values] of map) {
      const v = this.buffers[name];
      if (v) tf.tidy(() => v.assign(tf.tensor(values, v.shape, 'float32')));
    }
  }

  /** Host copy of all parameters. */
  async readParams(): Promise<WeightMap> {
    return readAll(this.params);
  }

  /** Host copy of all buffers. */
  async readBuffers(): Promise<WeightMap> {
    return readAll(this.buffers);
  }

  /** Releases the variables. */
  dispose(): void {
    for (const v of Object.values(this.params)) v.dispose();
    for (const v of Object.values(this.buffers)) v.dispose();
  }
}

async function readAll(vars: Record<string, tf.Variable>): Promise<WeightMap> {
  const out: WeightMap = new Map();
  for (const [name, v] of Object.entries(vars)) out.set(name, ((await v.data()) as Float32Array).slice());
  return out;
}
