// `colt bench`'s webgpu figures: training throughput on every WebGPU adapter Dawn finds, each in
// its own `colt bench --webgpu-only` process (one device per process, the adapter picked with
// COLT_WEBGPU_ADAPTER), labelled hardware or software.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { parseExperimentConfig } from '../../contract/experiment-config.js';
import { ADAPTER_ENV } from '../../lab/backend/webgpu-adapter.js';
import { checkRunFits, findAdapters, selectBackend, type GpuAdapter } from '../../lab/backend/index.js';
import { getModel } from '../../lab/models/registry.js';
import { jobsBenchConfig, measureColtParallel, type ColtParallelResult } from '../../bench/jobs-bench.js';
import { WEBGPU_PACKAGE } from '../../lab/backend/webgpu-backend.js';
import type { ThroughputResult } from './bench.js';

/** The models timed on webgpu, with the input shape of each. */
export const WEBGPU_MODELS: Readonly<Record<string, [number, number, number]>> = {
  'lenet-300-100': [28, 28, 1],
  conv2: [32, 32, 3],
  resnet18: [32, 32, 3],
};

/**
 * The models a software adapter times: on SwiftShader (2 cores) a LeNet step at batch 60 takes about
 * a second and a Conv-2 step about a minute, but a ResNet-18 step tens of minutes.
 */
export const SOFTWARE_MODELS: readonly string[] = ['lenet-300-100', 'conv2'];

/** The largest batch timed as "the largest that fits" (a training set of 60,000 images is the most the presets use). */
export const MAX_TIMED_BATCH = 16_384;

/** One model's figure on one adapter at one batch size: timed, or why not. */
export type WebgpuFigure =
  | (ThroughputResult & { readonly batch: 'default' | 'largest' })
  | { readonly model: string; readonly batch: 'default' | 'largest'; readonly batchSize: number; readonly skipped: string };

/** Everything measured on one adapter. */
export interface WebgpuAdapterBench {
  readonly adapter: GpuAdapter;
  readonly kind: 'hardware' | 'software';
  readonly throughput: readonly WebgpuFigure[];
  /** Per model, the largest batch whose training step fits the adapter (gpu-memory.ts). */
  readonly largestBatch: Readonly<Record<string, number>>;
  readonly error?: string;
}

/** The webgpu section of `colt bench --json`: one entry per adapter found, or why there is none. */
export interface WebgpuBench {
  readonly adapters: readonly WebgpuAdapterBench[];
  readonly reason?: string;
  /** A COLT P=2 run on webgpu with its partitions interleaved ("parallel") against sequential, on Dawn's first adapter. */
  readonly coltPartitions?: ColtParallelResult & { readonly adapter: string };
}

/** What to time. */
export interface WebgpuBenchOptions {
  readonly models: readonly string[];
  /** 'default' (batch 60) and/or 'largest' (the largest batch that fits, at most MAX_TIMED_BATCH). */
  readonly batches: readonly ('default' | 'largest')[];
  /** Timed steps per figure (LeNet's are four times as many, as for the other backends). */
  readonly steps: number;
}

type Measure = (arch: string, shape: [number, number, number], steps: number, warmup: number, batchSize?: number) => Promise<ThroughputResult>;

/**
 * In a `--webgpu-only` process: selects webgpu (on the adapter COLT_WEBGPU_ADAPTER names) and
 * times each model. A software adapter (the CPU emulating a GPU) times batch 60 of SOFTWARE_MODELS
 * over at most 3 steps, and reports the largest batch without timing it.
 */
export async function webgpuOnly(o: WebgpuBenchOptions, measure: Measure): Promise<WebgpuAdapterBench> {
  const choice = await selectBackend('webgpu');
  const adapter = choice.adapter as GpuAdapter;
  const throughput: WebgpuFigure[] = [];
  const largestBatch: Record<string, number> = {};
  const adam = parseExperimentConfig({ arch: 'conv2', dataset: 'bench' }).training;
  for (const model of o.models) {
    const shape = WEBGPU_MODELS[model];
    if (shape === undefined) continue;
    const def = getModel(model).build(shape, 10);
    const largest = checkRunFits(def, adam, 60, adapter).largestBatch;
    largestBatch[model] = largest;
    const steps = (model === 'lenet-300-100' ? 4 : 1) * (adapter.software ? Math.min(o.steps, 3) : o.steps);
    for (const batch of o.batches) {
      const batchSize = batch === 'default' ? 60 : Math.min(largest, MAX_TIMED_BATCH);
      if (adapter.software && (batch === 'largest' || !SOFTWARE_MODELS.includes(model))) {
        throughput.push({ model, batch, batchSize, skipped: 'not timed on a software adapter (the CPU runs it: one step at this batch takes many minutes)' });
        continue;
      }
      throughput.push({ ...(await measure(model, shape, steps, adapter.software ? 1 : 3, batchSize)), batch });
    }
  }
  return { adapter, kind: adapter.software ? 'software' : 'hardware', throughput, largestBatch };
}

/** bin/colt.js of this installation (from dist/main/cli/commands or main/cli/commands). */
function coltBin(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const up of ['../../../..', '../../..']) {
    const p = path.resolve(here, up, 'bin', 'colt.js');
    if (existsSync(p)) return p;
  }
  return path.resolve(here, '../../../..', 'bin', 'colt.js');
}

/** Runs one adapter's `colt bench --webgpu-only --json` and reads its result line. */
function benchAdapter(name: string, o: WebgpuBenchOptions): Promise<{ result?: WebgpuAdapterBench; error?: string }> {
  const args = [coltBin(), 'bench', '--webgpu-only', '--json', '--steps', String(o.steps), '--webgpu-models', o.models.join(','), '--webgpu-batches', o.batches.join(',')];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, [ADAPTER_ENV]: name }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (e) => resolve({ error: e.message }));
    child.on('close', (code) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      if (code === 0 && line.startsWith('{')) resolve({ result: (JSON.parse(line) as { webgpu: WebgpuAdapterBench }).webgpu });
      else resolve({ error: (stderr.trim().split('\n').pop() ?? `exit ${code}`).slice(0, 300) });
    });
  });
}

/**
 * Times the models on every adapter Dawn finds here, one process per adapter, one after another;
 * with `colt` (data folders), also COLT's two partition policies on the first adapter (pool.ts GPU_PARTITIONS).
 */
export async function measureWebgpuAdapters(o: WebgpuBenchOptions, colt?: { dataDir: string; cacheDir?: string }): Promise<WebgpuBench> {
  const { adapters, error } = await findAdapters();
  if (adapters.length === 0) return { adapters: [], reason: error ?? 'no WebGPU adapter' };
  const out: WebgpuAdapterBench[] = [];
  for (const a of adapters) {
    const r = await benchAdapter(a.info.name, o);
    out.push(r.result ?? { adapter: a.info, kind: a.info.software ? 'software' : 'hardware', throughput: [], largestBatch: {}, error: r.error ?? 'no result' });
  }
  if (colt === undefined) return { adapters: out };
  const first = adapters[0]?.info.name as string;
  // The pool's workers pick the adapter themselves; this one is Dawn's first choice, as for a run.
  const config = jobsBenchConfig({ methods: ['colt'], colt: { partitions: 2, evaluate: 'final' }, stop: { maxRounds: 3 }, training: { duration: '100it', batchSize: 60 } });
  const coltPartitions = await measureColtParallel({ backend: { name: 'webgpu', package: WEBGPU_PACKAGE }, ...colt, config, repeats: 1 });
  return { adapters: out, coltPartitions: { ...coltPartitions, adapter: first } };
}
