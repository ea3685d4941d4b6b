// Why: the masked optimizer update as TF.js ops costs ~15 kernel launches per parameter per step
// (3.4 ms of a 6.5 ms LeNet-300-100 step on wasm, ~100 ms of a Conv-2 step); these kernels do the
// whole update (weight decay, mask, momentum or Adam moments, step, re-mask) in one pass over memory.
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import {
  getKernel,
  registerKernel,
  util,
  type KernelBackend,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

import { invalidInput } from '../../contract/errors.js';
import { simdForWasmBackend, type SimdOptimizerExports } from './simd-module.js';

/** Kernel name of the fused masked SGD update: inputs w, g, [buf], [mask]; outputs w', [buf']. */
export const MASKED_SGD = 'ColtMaskedSgd';
/** Kernel name of the fused masked Adam update: inputs w, g, m, v, [mask]; outputs w', m', v'. */
export const MASKED_ADAM = 'ColtMaskedAdam';

/** The backends these kernels are registered on (both keep float32 data in plain memory). */
export const FUSED_OPTIMIZER_BACKENDS = ['wasm', 'cpu'] as const;

/** Attributes of the fused SGD update (PyTorch SGD: weight decay added to the gradient). */
export interface MaskedSgdAttrs {
  lr: number;
  momentum: number;
  nesterov: boolean;
  weightDecay: number;
}

/** Attributes of the fused Adam update; bc1/bc2 are the bias corrections 1 - beta^t of this step. */
export interface MaskedAdamAttrs {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
  bc1: number;
  bc2: number;
}

/** Raw float32 storage of the kernel's inputs and outputs on one backend. */
interface Memory {
  /** Allocates an output like `like` (call all of these before `view`: wasm's heap may move). */
  alloc(like: TensorInfo): TensorInfo;
  /** The float32 values of a tensor, without copying where the backend allows. */
  view(t: TensorInfo): Float32Array;
  /** On wasm: the SIMD module on TF.js's memory (null without SIMD) and a tensor's byte offset. */
  simd?: SimdOptimizerExports | null;
  ptr?(t: TensorInfo): number;
}

/** Set false to force the plain JS loops on wasm (tests compare both). */
export const fusedKernelOptions = { simd: true };

function memoryOf(backend: KernelBackend): Memory {
  const wasm = backend as Partial<BackendWasm>;
  if (typeof wasm.typedArrayFromHeap === 'function' && typeof wasm.makeOutput === 'function') {
    const b = backend as BackendWasm;
    return {
      alloc: (like) => b.makeOutput(like.shape, 'float32'),
      view: (t) => b.typedArrayFromHeap(t) as Float32Array,
      simd: fusedKernelOptions.simd ? simdForWasmBackend(b) : null,
      ptr: (t) => b.getMemoryOffset(t.dataId),
    };
  }
  // The cpu backend: readSync hands back its stored array itself; outputs are fresh arrays.
  const cpu = backend as KernelBackend & {
    makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
  };
  return {
    alloc: (like) => cpu.makeTensorInfo(like.shape, 'float32', new Float32Array(util.sizeFromShape(like.shape))),
    view: (t) => cpu.readSync(t.dataId) as Float32Array,
  };
}

/** Refuses inputs of an optimizer kernel that are not float32 or not shaped like w (every backend's kernel checks this). */
export function checkSameShape(kernel: string, w: TensorInfo, others: Record<string, TensorInfo | undefined>): void {
  if (w.dtype !== 'float32') throw invalidInput(`${kernel}: w must be float32, got ${w.dtype}`);
  for (const [name, t] of Object.entries(others)) {
    if (t === undefined) continue;
    if (t.dtype !== 'float32') throw invalidInput(`${kernel}: ${name} must be float32, got ${t.dtype}`);
    if (!util.arraysEqual(t.shape, w.shape)) {
      throw invalidInput(`${kernel}: ${name} has shape [${t.shape}], expected [${w.shape}] like w`);
    }
  }
}

/**
 * g := (g + wd·w) ⊙ mask; with momentum buf := momentum·buf + g and the step is buf (or
 * g + momentum·buf, Nesterov); w := (w − lr·step) ⊙ mask. Same order of operations as the
 * unfused MaskedOptimizer.
 */
function maskedSgd(args: Parameters<KernelFunc>[0]): TensorInfo[] {
  const { w, g, buf, mask } = args.inputs as { w: TensorInfo; g: TensorInfo; buf?: TensorInfo; mask?: TensorInfo };
  const a = args.attrs as unknown as MaskedSgdAttrs;
  checkSameShape(MASKED_SGD, w, { g, buf, mask });
  const useBuf = a.momentum > 0;
  if (useBuf && buf === undefined) throw invalidInput(`${MASKED_SGD}: momentum ${a.momentum} needs the buf input`);
  const mem = memoryOf(args.backend as KernelBackend);
  const wOut = mem.alloc(w);
  const bufOut = useBuf ? mem.alloc(w) : undefined;
  const size = util.sizeFromShape(w.shape);
  let start = 0;
  if (mem.simd && mem.ptr) {
    const p = mem.ptr;
    const groups = size >>> 2;
    mem.simd.sgd(
      p(w), p(g), useBuf ? p(buf!) : 0, mask !== undefined ? p(mask) : 0, p(wOut), bufOut !== undefined ? p(bufOut) : 0,
      groups, a.lr, a.momentum, a.weightDecay, a.nesterov ? 1 : 0,
    );
    start = groups * 4;
  }
  const W = mem.view(w);
  const G = mem.view(g);
  const M = mask !== undefined ? mem.view(mask) : undefined;
  const B = useBuf ? mem.view(buf!) : undefined;
  const Wo = mem.view(wOut);
  const Bo = bufOut !== undefined ? mem.view(bufOut) : undefined;
  const { lr, momentum, weightDecay: wd, nesterov } = a;
  for (let i = start; i < size; i++) {
    const wi = W[i] as number;
    let gi = wd > 0 ? (G[i] as number) + wi * wd : (G[i] as number);
    const mi = M !== undefined ? (M[i] as number) : 1;
    gi *= mi;
    let step = gi;
    if (B !== undefined && Bo !== undefined) {
      const next = (B[i] as number) * momentum + gi;
      Bo[i] = next;
      step = nesterov ? gi + next * momentum : next;
    }
    Wo[i] = (wi - step * lr) * mi;
  }
  return bufOut !== undefined ? [wOut, bufOut] : [wOut];
}

/**
 * g := (g + wd·w) ⊙ mask; m := β1·m + (1−β1)·g; v := β2·v + (1−β2)·g²;
 * w := (w − (lr/bc1)·m / (sqrt(v/bc2) + ε)) ⊙ mask (PyTorch Adam, L2 weight decay).
 */
function maskedAdam(args: Parameters<KernelFunc>[0]): TensorInfo[] {
  const { w, g, m, v, mask } = args.inputs as { w: TensorInfo; g: TensorInfo; m: TensorInfo; v: TensorInfo; mask?: TensorInfo };
  const a = args.attrs as unknown as MaskedAdamAttrs;
  checkSameShape(MASKED_ADAM, w, { g, m, v, mask });
  const mem = memoryOf(args.backend as KernelBackend);
  const wOut = mem.alloc(w);
  const mOut = mem.alloc(w);
  const vOut = mem.alloc(w);
  const size = util.sizeFromShape(w.shape);
  const stepSize = a.lr / a.bc1;
  let start = 0;
  if (mem.simd && mem.ptr) {
    const p = mem.ptr;
    const groups = size >>> 2;
    mem.simd.adam(
      p(w), p(g), p(m), p(v), mask !== undefined ? p(mask) : 0, p(wOut), p(mOut), p(vOut),
      groups, a.beta1, a.beta2, a.epsilon, a.weightDecay, stepSize, a.bc2,
    );
    start = groups * 4;
  }
  const W = mem.view(w);
  const G = mem.view(g);
  const Mi = mem.view(m);
  const Vi = mem.view(v);
  const K = mask !== undefined ? mem.view(mask) : undefined;
  const Wo = mem.view(wOut);
  const Mo = mem.view(mOut);
  const Vo = mem.view(vOut);
  const { beta1: b1, beta2: b2, epsilon: eps, weightDecay: wd } = a;
  const c1 = 1 - b1;
  const c2 = 1 - b2;
  const bc2 = a.bc2;
  for (let i = start; i < size; i++) {
    const wi = W[i] as number;
    let gi = wd > 0 ? (G[i] as number) + wi * wd : (G[i] as number);
    const ki = K !== undefined ? (K[i] as number) : 1;
    gi *= ki;
    const m2 = (Mi[i] as number) * b1 + gi * c1;
    const v2 = (Vi[i] as number) * b2 + gi * gi * c2;
    Mo[i] = m2;
    Vo[i] = v2;
    Wo[i] = (wi - (m2 * stepSize) / (Math.sqrt(v2 / bc2) + eps)) * ki;
  }
  return [wOut, mOut, vOut];
}

const MARK = Symbol.for('colt-lab.optimizer-kernel');

/** Registers the fused optimizer kernels on wasm and cpu (idempotent); returns what it newly registered. */
export function registerOptimizerKernels(): string[] {
  const installed: string[] = [];
  for (const backendName of FUSED_OPTIMIZER_BACKENDS) {
    for (const [kernelName, fn] of [
      [MASKED_SGD, maskedSgd],
      [MASKED_ADAM, maskedAdam],
    ] as const) {
      const existing = getKernel(kernelName, backendName);
      if (existing !== undefined && (existing.kernelFunc as { [MARK]?: boolean })[MARK] === true) continue;
      const kernelFunc = fn as unknown as KernelFunc;
      (kernelFunc as { [MARK]?: boolean })[MARK] = true;
      registerKernel({ kernelName, backendName, kernelFunc });
      installed.push(`${kernelName}@${backendName}`);
    }
  }
  return installed;
}

/** Whether the fused optimizer kernels run on `backendName` (else the optimizer uses TF.js ops). */
export function hasFusedOptimizer(backendName: string): boolean {
  return getKernel(MASKED_ADAM, backendName) !== undefined && getKernel(MASKED_SGD, backendName) !== undefined;
}

registerOptimizerKernels();
