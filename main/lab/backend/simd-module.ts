// Why: a JS loop over the wasm heap runs the fused optimizer update at ~10 ns per weight (V8 does
// not vectorise it); the WebAssembly SIMD module written in simd-optimizer.wat (assembled into
// dist/wasm/ at build time), sharing TF.js's wasm memory, does four lanes per instruction.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../common/paths.js';
import { LabError } from '../../contract/errors.js';

/** Exported functions of the module; pointers are byte offsets into TF.js's wasm memory. */
export interface SimdOptimizerExports {
  /** Masked Adam over `groups` groups of 4 floats (mask 0 = none); see optimizer-kernels.ts. */
  adam(
    w: number,
    g: number,
    m: number,
    v: number,
    mask: number,
    wo: number,
    mo: number,
    vo: number,
    groups: number,
    beta1: number,
    beta2: number,
    epsilon: number,
    weightDecay: number,
    stepSize: number,
    bc2: number,
  ): void;
  /** out[0..4*groups) += each of `rows` rows of x (row stride 16*groups bytes): column sums. */
  colsum(x: number, out: number, rows: number, groups: number): void;
  /**
   * Gradient of one output row of a 2x2 stride-2 max-pool over C = 4*groups channels: for each of
   * `ow` windows, dy goes to the window's first maximum in raster order (strictly greater wins,
   * as the cpu backend), the other three positions get 0. `rowBytes` is the byte stride of x rows.
   */
  pool2grad(x: number, dy: number, dx: number, ow: number, groups: number, rowBytes: number): void;
  /** Masked SGD over `groups` groups of 4 floats (buf 0 = no momentum, mask 0 = none). */
  sgd(
    w: number,
    g: number,
    buf: number,
    mask: number,
    wo: number,
    bo: number,
    groups: number,
    lr: number,
    momentum: number,
    weightDecay: number,
    nesterov: number,
  ): void;
}

/** The assembled module's bytes, importing `env.memory` shared or not, as TF.js's memory is. */
export function simdOptimizerModuleBytes(sharedMemory: boolean): Uint8Array {
  const file = path.join(packageRoot(), 'dist', 'wasm', sharedMemory ? 'simd-optimizer-shared.wasm' : 'simd-optimizer.wasm');
  try {
    return readFileSync(file);
  } catch (e) {
    throw new LabError('internal', `${file} is missing (${(e as NodeJS.ErrnoException).code ?? 'unreadable'}): run \`npm run build\`, which assembles main/lab/backend/simd-optimizer.wat`);
  }
}

/** A WebAssembly.Memory (main/tsconfig has neither the DOM nor the WebAssembly declarations). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

const instances = new WeakMap<WasmMemory, SimdOptimizerExports | null>();

/** The module instantiated on `memory`, or null where this runtime lacks wasm SIMD. */
export function simdOptimizer(memory: WasmMemory): SimdOptimizerExports | null {
  const cached = instances.get(memory);
  if (cached !== undefined) return cached;
  let exports: SimdOptimizerExports | null = null;
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const bytes = simdOptimizerModuleBytes(shared);
  try {
    const wa = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const module = new wa.Module(bytes);
    exports = new wa.Instance(module, { env: { memory } }).exports as unknown as SimdOptimizerExports;
  } catch {
    exports = null;
  }
  instances.set(memory, exports);
  return exports;
}

/** The SIMD module on a wasm backend's memory (single-threaded builds export it, the threaded one imports it). */
export function simdForWasmBackend(backend: { wasm: unknown }): SimdOptimizerExports | null {
  const m = backend.wasm as { asm?: { memory?: WasmMemory }; wasmMemory?: WasmMemory } | null;
  const memory = m?.wasmMemory ?? m?.asm?.memory;
  return memory !== undefined ? simdOptimizer(memory) : null;
}
