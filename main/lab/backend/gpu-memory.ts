// Sizing a training run against a WebGPU adapter before it starts: WebGPU exposes no device
// memory size, but every tensor is one buffer, so the largest tensor of a step must fit the
// adapter's maxStorageBufferBindingSize / maxBufferSize; a software adapter's memory is the host's.
import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';

import { invalidInput } from '../../contract/errors.js';
import type { ExperimentConfig } from '../../contract/experiment-config.js';
import type { ModelDef } from '../models/types.js';
import type { GpuAdapter } from './webgpu-adapter.js';

/** What one training step holds: fixed state, plus what grows with every image of the batch. */
export interface StepFootprint {
  /** Parameters, their gradients, optimizer state, masks and one set of update outputs, in bytes. */
  readonly fixedBytes: number;
  /** Forward activations kept for the backward pass and their gradients, per image, in bytes. */
  readonly perImageBytes: number;
  /** The largest single tensor of the forward pass, per image, in bytes (its gradient is as large). */
  readonly largestPerImageBytes: number;
  /** The largest parameter tensor, in bytes. */
  readonly largestParamBytes: number;
}

/** The memory a run needs at its batch size, and how that compares with the adapter. */
export interface MemoryEstimate {
  readonly batchSize: number;
  readonly totalBytes: number;
  readonly largestTensorBytes: number;
  /** The largest buffer the adapter binds: min(maxStorageBufferBindingSize, maxBufferSize). */
  readonly bufferLimitBytes: number;
  /** The memory the run may use in all, when known (a software adapter: the host's memory). */
  readonly budgetBytes?: number;
  /** The largest batch size whose step fits (0: not even one image). */
  readonly largestBatch: number;
}

const FLOAT = 4;

/** TF.js's engine, where every new tensor passes through trackTensor. */
interface TrackingEngine {
  trackTensor(t: tf.Tensor, backend: unknown): void;
}

/**
 * Bytes per image of the buffers a forward pass of `def` on one zero image creates, input
 * included (all of them, and the largest): those whose first dimension is the batch. The model's
 * own tidy frees them as it returns, so they are counted as the engine registers them; the
 * gradient tape of a training step keeps them all.
 */
function forwardBytesPerImage(def: ModelDef): { total: number; largest: number } {
  const engine = tf.engine() as unknown as TrackingEngine;
  const seen = new Map<object, number>();
  return tf.tidy(() => {
    const params = Object.fromEntries(def.params.map((p) => [p.name, tf.zeros([...p.shape])]));
    const buffers = Object.fromEntries(def.buffers.map((b) => [b.name, tf.zeros([...b.shape])]));
    const track = engine.trackTensor;
    // An own property shadows the method for the duration of one forward pass; reshapes share a buffer, counted once.
    engine.trackTensor = function (this: TrackingEngine, t: tf.Tensor, backend: unknown) {
      if (t.rank >= 2 && t.shape[0] === 1) seen.set(t.dataId, t.size * FLOAT);
      return track.call(this, t, backend);
    };
    try {
      def.apply(params, buffers, tf.zeros([1, ...def.inputShape]) as tf.Tensor4D, true);
    } finally {
      delete (engine as Partial<TrackingEngine>).trackTensor;
    }
    let total = 0;
    let largest = 0;
    for (const bytes of seen.values()) {
      total += bytes;
      largest = Math.max(largest, bytes);
    }
    return { total, largest };
  });
}

/** Per-image forward bytes of each architecture, input shape and class count measured in this thread. */
const traced = new Map<string, { total: number; largest: number }>();

/**
 * The footprint of a training step of `def` with `optimizer`, from a forward pass on one image
 * on the active backend (nothing is read back; measured once per architecture and input shape).
 */
export function stepFootprint(def: ModelDef, optimizer: ExperimentConfig['training']['optimizer']): StepFootprint {
  const key = `${def.arch}|${def.inputShape.join('x')}|${def.classes}`;
  const one = traced.get(key) ?? forwardBytesPerImage(def);
  traced.set(key, one);
  const sizes = def.params.map((p) => p.shape.reduce((a, b) => a * b, 1) * FLOAT);
  const params = sizes.reduce((a, b) => a + b, 0);
  const prunable = def.params.filter((p) => p.kind === 'conv' || p.kind === 'dense').reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1) * FLOAT, 0);
  const slots = optimizer.type === 'adam' ? 2 : optimizer.momentum > 0 ? 1 : 0;
  return {
    // Weights, gradients, slots, the new weights and slots of an update, masks.
    fixedBytes: params * (2 + 2 * slots + 1) + prunable,
    // The backward pass makes a gradient as large as each kept activation; counted in full.
    perImageBytes: 2 * one.total,
    largestPerImageBytes: one.largest,
    largestParamBytes: Math.max(0, ...sizes),
  };
}

/** The estimate for one batch size against an adapter's limits (pure; exported for tests). */
export function estimateMemory(f: StepFootprint, batchSize: number, adapter: Pick<GpuAdapter, 'limits' | 'software'>, hostBytes = os.totalmem()): MemoryEstimate {
  const bufferLimitBytes = Math.min(adapter.limits.maxStorageBufferBindingSize, adapter.limits.maxBufferSize);
  const budgetBytes = adapter.software ? hostBytes : undefined;
  const fits = (b: number): boolean =>
    f.largestPerImageBytes * b <= bufferLimitBytes && (budgetBytes === undefined || f.fixedBytes + f.perImageBytes * b <= budgetBytes);
  let largestBatch = 0;
  if (f.largestParamBytes <= bufferLimitBytes && fits(1)) {
    let lo = 1;
    let hi = 2;
    while (fits(hi) && hi < 1 << 30) {
      lo = hi;
      hi *= 2;
    }
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (fits(mid)) lo = mid;
      else hi = mid;
    }
    largestBatch = lo;
  }
  return {
    batchSize,
    totalBytes: f.fixedBytes + f.perImageBytes * batchSize,
    largestTensorBytes: Math.max(f.largestParamBytes, f.largestPerImageBytes * batchSize),
    bufferLimitBytes,
    ...(budgetBytes !== undefined ? { budgetBytes } : {}),
    largestBatch,
  };
}

/** "1.18 GB". */
function gb(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

/**
 * Refuses, before anything is recorded, a run whose training step cannot fit the adapter: a
 * tensor beyond its largest buffer, or (software adapters) more than the host's memory. The
 * error names training.batchSize and the largest batch that fits.
 */
export function checkRunFits(def: ModelDef, training: ExperimentConfig['training'], batchSize: number, adapter: GpuAdapter): MemoryEstimate {
  const e = estimateMemory(stepFootprint(def, training.optimizer), batchSize, adapter);
  const where = `${adapter.name} (${adapter.software ? 'software' : 'hardware'})`;
  const fix = e.largestBatch > 0 ? `; the largest batch that fits is ${e.largestBatch}` : '; not even one image fits';
  if (e.largestTensorBytes > e.bufferLimitBytes) {
    throw invalidInput(
      `config field 'training.batchSize': a ${def.arch} training step at batch ${batchSize} needs a ${gb(e.largestTensorBytes)} tensor, more than the largest buffer of the WebGPU adapter ${where}, ${gb(e.bufferLimitBytes)}${fix}`,
      { field: 'training.batchSize', estimate: e },
    );
  }
  if (e.budgetBytes !== undefined && e.totalBytes > e.budgetBytes) {
    throw invalidInput(
      `config field 'training.batchSize': a ${def.arch} training step at batch ${batchSize} needs about ${gb(e.totalBytes)}, more than this machine's ${gb(e.budgetBytes)} of memory, which the software adapter ${where} uses${fix}`,
      { field: 'training.batchSize', estimate: e },
    );
  }
  return e;
}
