// Why: tfjs-backend-wasm ships a threaded SIMD build (XNNPACK on a pthread pool) but never uses it
// in Node (its WASM_HAS_MULTITHREAD_SUPPORT flag is hard-wired false there, tfjs issue 3830), and
// its loader hands the pthread workers Blob URLs that Node's worker_threads cannot load. Node 20
// runs wasm threads natively (SharedArrayBuffer + worker_threads), so this loads that build with
// file paths instead: Conv2D (and the conv-based gradients in wasm-kernels.ts) then run on
// several cores. BatchMatMul stays single-threaded (TF.js runs it without the pool).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { isMainThread } from 'node:worker_threads';

import * as tf from '@tensorflow/tfjs-core';
import * as tfWasm from '@tensorflow/tfjs-backend-wasm';

const require = createRequire(import.meta.url);

/** Emscripten module of the threaded build, as far as this file uses it. */
interface ThreadedModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => number;
  PThread?: { runningWorkers: { unref(): void }[]; unusedWorkers: { unref(): void }[] };
  tfjs?: unknown;
}

type Factory = (config: Record<string, unknown>) => Promise<ThreadedModule>;

/** Highest thread count the build supports (it pre-creates 8 pthread workers). */
export const MAX_WASM_THREADS = 8;

/** What the default thread count depends on (injectable for tests). */
export interface ThreadContext {
  readonly cores: number;
  /** The 1-minute load average. */
  readonly load: number;
  /** False inside a worker_threads worker (the jobs pool parallelises across workers instead). */
  readonly isMainThread: boolean;
}

function currentContext(): ThreadContext {
  return { cores: os.availableParallelism(), load: os.loadavg()[0] ?? 0, isMainThread };
}

/**
 * Threads the wasm backend should use, with the reason: `COLT_WASM_THREADS` (1..8, or `auto` for
 * every core) when set; else every core when this is a process's main thread and the load average
 * leaves a core free, else 1. Measured on 2 cores, Conv-2 trains 1.7x faster on 2 threads when
 * the other core is free (141 vs 82 images/s) but up to 1.5x slower, and LeNet-300-100 up to 3x
 * slower, while other processes keep both cores busy (pthreadpool's spinning workers then steal
 * the main thread's time). Results are bitwise the same for any thread count.
 */
export function wasmThreadChoice(env: NodeJS.ProcessEnv = process.env, ctx: ThreadContext = currentContext()): { threads: number; why: string } {
  const all = Math.max(1, Math.min(ctx.cores, MAX_WASM_THREADS));
  const raw = env.COLT_WASM_THREADS?.trim();
  if (raw === 'auto') return { threads: all, why: 'COLT_WASM_THREADS=auto' };
  if (raw !== undefined && raw !== '') {
    const n = Number(raw);
    if (Number.isInteger(n) && n >= 1) return { threads: Math.min(n, MAX_WASM_THREADS), why: `COLT_WASM_THREADS=${n}` };
  }
  if (!ctx.isMainThread) return { threads: 1, why: 'worker thread (parallelism comes from the worker pool)' };
  if (all <= 1) return { threads: 1, why: 'one core' };
  if (ctx.load > ctx.cores - 0.5) return { threads: 1, why: `load average ${ctx.load.toFixed(1)} leaves no core free` };
  return { threads: all, why: `all ${all} cores (load average ${ctx.load.toFixed(1)})` };
}

/** The thread count of wasmThreadChoice. */
export function wantedWasmThreads(env: NodeJS.ProcessEnv = process.env, ctx: ThreadContext = currentContext()): number {
  return wasmThreadChoice(env, ctx).threads;
}

/** Whether this runtime can run the threaded build at all. */
export function threadsSupported(): boolean {
  return typeof SharedArrayBuffer === 'function' && typeof Atomics === 'object';
}

function wasmOutDir(): string {
  return path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '..', 'wasm-out');
}

/**
 * The pthread worker script as a file (TF.js only has it as a string meant for a Blob URL):
 * written once per content hash into the OS temp folder, atomically.
 */
function workerScriptPath(outDir: string): string {
  const { wasmWorkerContents } = require(path.join(outDir, 'tfjs-backend-wasm-threaded-simd.worker.js')) as {
    wasmWorkerContents: string;
  };
  // The contents sit in a JS template literal whose "\n" escapes became real newlines; TF.js
  // escapes them back before making its Blob, and so must we.
  const source = wasmWorkerContents.replace(/\n/g, '\\n');
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const dir = path.join(os.tmpdir(), 'colt-lab');
  const file = path.join(dir, `tfjs-wasm-pthread-${hash}.cjs`);
  if (!existsSync(file) || readFileSync(file, 'utf8') !== source) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(tmp, source);
    renameSync(tmp, file);
  }
  return file;
}

/**
 * Instantiates the threaded SIMD build with `threads` XNNPACK threads. The build caps its pool at
 * (logical cores / 2), read from os.cpus() while its C++ globals initialise; os.cpus is doubled
 * for that moment only, so that every core can be used.
 */
async function instantiate(threads: number): Promise<ThreadedModule> {
  const outDir = wasmOutDir();
  const mainScript = path.join(outDir, 'tfjs-backend-wasm-threaded-simd.js');
  const factory = require(mainScript) as Factory;
  const worker = workerScriptPath(outDir);
  const cpus = os.cpus;
  const doubled = (): os.CpuInfo[] => {
    const list = cpus();
    while (list.length < 2 * threads) list.push(...cpus());
    return list;
  };
  const osMutable = os as unknown as { cpus: () => os.CpuInfo[] };
  osMutable.cpus = doubled;
  let module: ThreadedModule;
  try {
    module = await factory({
      locateFile: (p: string) => (p.endsWith('.worker.js') ? worker : path.join(outDir, p)),
      // Each pthread worker evaluates this file to get the factory (importScripts reads a path in Node).
      mainScriptUrlOrBlob: mainScript,
    });
  } finally {
    osMutable.cpus = cpus;
  }
  const voidType = null;
  module.tfjs = {
    init: module.cwrap('init', voidType, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', voidType, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', voidType, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', voidType, ['number']),
    dispose: module.cwrap('dispose', voidType, []),
  };
  return module;
}

/** Lets the process exit while pool threads wait for work (emscripten refs each running pthread worker). */
function unrefWorkers(module: ThreadedModule): void {
  for (const w of module.PThread?.runningWorkers ?? []) w.unref();
  for (const w of module.PThread?.unusedWorkers ?? []) w.unref();
}

/**
 * Replaces the registered 'wasm' backend factory by one that loads the threaded build with
 * `threads` threads. Returns a function restoring the original factory (for a fallback).
 */
export function useThreadedWasm(threads: number): () => void {
  const original = tf.findBackendFactory('wasm');
  tf.removeBackend('wasm');
  tfWasm.setThreadsCount(threads);
  tf.registerBackend(
    'wasm',
    async () => {
      const module = await instantiate(threads);
      const backend = new tfWasm.BackendWasm(module as unknown as ConstructorParameters<typeof tfWasm.BackendWasm>[0]);
      unrefWorkers(module);
      return backend;
    },
    2,
  );
  return () => {
    tf.removeBackend('wasm');
    if (original !== null) tf.registerBackend('wasm', original, 2);
  };
}
