import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Rng } from '../../common/random.js';
import { appDataDir, cacheDir } from '../../common/paths.js';
import { parseExperimentConfig } from '../../contract/experiment-config.js';
import { batches } from '../../data/batches.js';
import { makeImageSet } from '../../data/image-set.js';
import { loadDataset } from '../../data/registry.js';
import { backendInfo, selectBackend } from '../../lab/backend/index.js';
import { runColt } from '../../lab/colt.js';
import { createContext } from '../../lab/context.js';
import type { RoundRecord } from '../../lab/lab-sink.js';
import { getModel } from '../../lab/models/registry.js';
import { onesMask } from '../../lab/masks.js';
import { prunableSizes, pruneRandomly, planFromConfig } from '../../lab/pruning.js';
import { getPreset } from '../../presets/presets.js';
import { trainModel } from '../../lab/train.js';
import { initBuffers, initWeights, ModelState } from '../../lab/weights.js';
import { measureColtParallel, measureEventLoopLag } from '../../bench/jobs-bench.js';
import { benchLibrary } from '../../bench/library-bench.js';
import { info, out } from '../output.js';
import { measureWebgpuAdapters, WEBGPU_MODELS, webgpuOnly } from './bench-webgpu.js';

/** One throughput figure. */
export interface ThroughputResult {
  readonly model: string;
  readonly inputShape: readonly number[];
  readonly batchSize: number;
  readonly iterations: number;
  readonly imagesPerSecond: number;
}

/**
 * Steady-state training throughput (forward + backward + masked update, batch 60 unless given,
 * masks at 50%) of one model on random images of the given shape; the first `warmup` steps are not timed.
 */
export async function measureThroughput(arch: string, shape: [number, number, number], steps: number, warmup: number, batchSize = 60): Promise<ThroughputResult> {
  // Eight batches of images at batch 60; large batches cycle through two.
  const count = batchSize * (batchSize <= 60 ? 8 : 2);
  const rng = new Rng('bench');
  const pixels = new Uint8Array(count * shape[0] * shape[1] * shape[2]);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rng.int(256);
  const labels = Int32Array.from({ length: count }, (_, i) => i % 10);
  const train = makeImageSet(pixels, labels, shape);
  const def = getModel(arch).build(shape, 10);
  const config = parseExperimentConfig({ arch, dataset: 'bench', training: { duration: `${steps + warmup}it`, batchSize, evalEvery: `${steps + warmup}it` } });
  const mask = pruneRandomly(onesMask(prunableSizes(def, 'conv+dense')), planFromConfig(def, config.pruning, 0.5), rng);
  const state = new ModelState(def, initWeights(def, 0), initBuffers(def));
  let warmStart = 0;
  let last = 0;
  try {
    await trainModel({
      state,
      mask,
      train,
      normalization: { mean: Array(shape[2]).fill(0.5), std: Array(shape[2]).fill(0.25) },
      training: config.training,
      seed: 0,
      stream: 'bench',
      onProgress: (p) => {
        if (p.iteration === warmup) warmStart = performance.now();
        last = performance.now();
      },
    });
  } finally {
    state.dispose();
  }
  return { model: arch, inputShape: shape, batchSize, iterations: steps, imagesPerSecond: (steps * batchSize) / ((last - warmStart) / 1000) };
}

/** Wall time of one pruning round (round 1) of the quick preset's COLT on the bundled sample. */
export async function measureQuickColtRound(): Promise<{ seconds: number; samples: number; evaluationSamples: number }> {
  const preset = getPreset('quick');
  const config = parseExperimentConfig({ ...preset.raw, methods: ['colt'], stop: { maxRounds: 1 } });
  const dataset = await loadDataset(config.dataset, { dataDir: appDataDir(), cacheDir: cacheDir() });
  const rounds: RoundRecord[] = [];
  const ctx = createContext(config, dataset, dataset, { event: (e) => void (e.type === 'round' && rounds.push(e)) });
  await runColt(ctx, 0);
  const r = rounds[rounds.length - 1];
  return { seconds: r.seconds, samples: r.samples, evaluationSamples: r.evaluationSamples };
}

/** Time to prepare training batches on the host (shuffle, crop+flip, normalise), per batch. */
export interface BatchPrepResult {
  readonly shape: readonly number[];
  readonly batchSize: number;
  readonly augmentation: string;
  readonly batches: number;
  readonly msPerBatch: number;
}

/**
 * Milliseconds to prepare one 60-image 32x32x3 batch with random crop (padding 4) and horizontal
 * flip through `data/batches.ts`, as training does for CIFAR-10 (best of `repeats` epochs).
 */
export function measureBatchPrep(repeats = 5, count = 60 * 50): BatchPrepResult {
  const shape: [number, number, number] = [32, 32, 3];
  const batchSize = 60;
  const rng = new Rng('bench-batches');
  const pixels = new Uint8Array(count * 32 * 32 * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rng.int(256);
  const set = makeImageSet(pixels, Int32Array.from({ length: count }, (_, i) => i % 10), shape);
  const normalization = { mean: [0.49, 0.48, 0.45], std: [0.25, 0.24, 0.26] };
  const augment = { cropPadding: 4, horizontalFlip: true, rotationDegrees: 0 };
  let best = Infinity;
  let n = 0;
  for (let r = 0; r <= repeats; r++) {
    const t = performance.now();
    n = 0;
    for (const b of batches(set, { batchSize, rng: Rng.derive(0, 'bench', r), normalization, augment, dropLast: true })) {
      if (b.size > 0) n++;
    }
    if (r > 0) best = Math.min(best, (performance.now() - t) / n); // r = 0 warms up
  }
  return { shape, batchSize, augmentation: 'crop 4 + flip', batches: n, msPerBatch: best };
}

/** The PyTorch comparison: per model the best images/s over the thread counts tried, or why it is absent. */
export interface PytorchResult {
  readonly available: boolean;
  readonly reason?: string;
  readonly python?: string;
  readonly torch?: string;
  readonly blas?: string;
  /** Best figure per model over `threads` (PyTorch's best on these cores). */
  readonly throughput?: readonly (ThroughputResult & { readonly threads: number })[];
  /** Every measurement, per thread count. */
  readonly runs?: readonly { readonly threads: number; readonly throughput: readonly ThroughputResult[] }[];
}

/** A file under bench/ in the source tree (from dist/main/cli/commands or main/cli/commands). */
function benchFile(...parts: string[]): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const up of ['../../../..', '../../..']) {
    const p = path.resolve(here, up, 'bench', ...parts);
    if (existsSync(p)) return p;
  }
  return path.resolve(here, '../../../..', 'bench', ...parts);
}

/** The heatmap render figure (bench/heatmap: the renderer's canvas drawing in Chromium), or why it is absent. */
export type HeatmapResult = { readonly available: true; readonly ms: number; readonly goalMs: number; readonly [k: string]: unknown } | { readonly available: false; readonly reason: string };

/** Times the ticket view's heatmap of a 2.4M-weight layer in Chromium (needs Chromium and the dev dependencies). */
export async function measureHeatmap(): Promise<HeatmapResult> {
  const module = benchFile('heatmap', 'bench-heatmap.mjs');
  if (!existsSync(module)) return { available: false, reason: `bench module not found (${module})` };
  try {
    const { benchHeatmap } = (await import(pathToFileURL(module).href)) as { benchHeatmap: () => Promise<{ ms: number; goalMs: number }> };
    return { available: true, ...(await benchHeatmap()) };
  } catch (e) {
    return { available: false, reason: (e instanceof Error ? e.message : String(e)).split('\n')[0] };
  }
}

/** Runs a command; resolves with its exit code, stdout and stderr (never rejects). */
function runProcess(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string; error?: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr, error: err.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Runs bench/pytorch_throughput.py (same models, batch, masks and optimizer) with each thread
 * count, with the first of `pythons` that imports torch. Absent python or torch is a result, not an error.
 */
export async function measurePytorch(steps: number, threads: number[], pythons: string[]): Promise<PytorchResult> {
  const script = benchFile('pytorch_throughput.py');
  if (!existsSync(script)) return { available: false, reason: `comparison script not found (${script})` };
  const tried: string[] = [];
  for (const python of pythons) {
    const probe = await runProcess(python, ['-c', 'import torch'], 60_000);
    if (probe.code !== 0) {
      tried.push(`${python}: ${probe.error !== undefined ? 'not found' : 'no torch module'}`);
      continue;
    }
    const runs: { threads: number; throughput: ThroughputResult[] }[] = [];
    let meta: { torch?: string; blas?: string } = {};
    for (const t of threads) {
      const r = await runProcess(python, [script, '--json', '--threads', String(t), '--steps', String(steps)], 1_800_000);
      const line = r.stdout.trim().split('\n').pop() ?? '';
      if (r.code !== 0 || !line.startsWith('{')) {
        return { available: false, python, reason: `pytorch_throughput.py failed: ${(r.stderr.trim().split('\n').pop() ?? r.error ?? `exit ${r.code}`).slice(0, 300)}` };
      }
      const parsed = JSON.parse(line) as { torch: string; blas?: string; throughput: ThroughputResult[] };
      meta = { torch: parsed.torch, blas: parsed.blas };
      runs.push({ threads: t, throughput: parsed.throughput });
    }
    const best = new Map<string, ThroughputResult & { threads: number }>();
    for (const run of runs) {
      for (const r of run.throughput) {
        const b = best.get(r.model);
        if (b === undefined || r.imagesPerSecond > b.imagesPerSecond) best.set(r.model, { ...r, threads: run.threads });
      }
    }
    return { available: true, python, ...meta, throughput: [...best.values()], runs };
  }
  return { available: false, reason: `python3 with torch not found (${tried.join('; ')}); install Debian's python3-torch to compare` };
}

/** Best of `repeats` measurements (the machine may be shared: the best is the least disturbed). */
async function bestOf(repeats: number, f: () => Promise<ThroughputResult>): Promise<ThroughputResult & { readonly runs: number[] }> {
  let best: ThroughputResult | undefined;
  const runs: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const r = await f();
    runs.push(r.imagesPerSecond);
    if (best === undefined || r.imagesPerSecond > best.imagesPerSecond) best = r;
  }
  return { ...best!, runs };
}

/**
 * `colt bench [--json] [--backend B] [--steps N] [--repeat N] [--skip-round|-library|-jobs|-ui|-webgpu]
 * [--no-pytorch] [--python P] [--torch-threads 1,2] [--webgpu-models a,b] [--webgpu-batches default,largest]`.
 */
export async function benchCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean', default: false },
      backend: { type: 'string', default: 'auto' },
      steps: { type: 'string', default: '30' },
      repeat: { type: 'string', default: '1' },
      'skip-round': { type: 'boolean', default: false },
      'skip-library': { type: 'boolean', default: false },
      'skip-jobs': { type: 'boolean', default: false },
      'skip-ui': { type: 'boolean', default: false },
      'no-pytorch': { type: 'boolean', default: false },
      python: { type: 'string' },
      'torch-threads': { type: 'string' },
      'skip-webgpu': { type: 'boolean', default: false },
      'webgpu-only': { type: 'boolean', default: false },
      'webgpu-models': { type: 'string', default: Object.keys(WEBGPU_MODELS).join(',') },
      'webgpu-batches': { type: 'string', default: 'default,largest' },
    },
    strict: true,
  });
  const steps = Number(values.steps);
  const webgpuOptions = {
    models: (values['webgpu-models'] ?? '').split(',').filter((m) => m in WEBGPU_MODELS),
    batches: (values['webgpu-batches'] ?? '').split(',').filter((b): b is 'default' | 'largest' => b === 'default' || b === 'largest'),
    steps,
  };
  if (values['webgpu-only']) {
    // One adapter's figures (COLT_WEBGPU_ADAPTER names it), for the parent bench's webgpu section.
    out(JSON.stringify({ type: 'webgpu-bench', webgpu: await webgpuOnly(webgpuOptions, measureThroughput) }));
    return 0;
  }
  const backend = await selectBackend(values.backend as 'auto');
  const repeats = Math.max(1, Number(values.repeat) || 1);
  const details = backendInfo().details;
  if (!values.json) info(`backend: ${backend.name} (${backend.reason})${details.wasmThreads !== undefined ? `; wasm threads: ${String(details.wasmThreads)}` : ''}`);
  const lenet = await bestOf(repeats, () => measureThroughput('lenet-300-100', [28, 28, 1], steps * 4, 10));
  if (!values.json) out(`lenet-300-100  28x28x1  batch 60: ${lenet.imagesPerSecond.toFixed(0)} images/s`);
  const conv2 = await bestOf(repeats, () => measureThroughput('conv2', [32, 32, 3], steps, 3));
  if (!values.json) out(`conv2          32x32x3  batch 60: ${conv2.imagesPerSecond.toFixed(0)} images/s`);
  const prep = measureBatchPrep();
  if (!values.json) out(`batch preparation 60 x 32x32x3, crop+flip: ${prep.msPerBatch.toFixed(2)} ms per batch`);
  let pytorch: PytorchResult;
  if (values['no-pytorch']) {
    pytorch = { available: false, reason: 'skipped (--no-pytorch)' };
  } else {
    const cores = availableParallelism();
    const threads = values['torch-threads'] !== undefined
      ? values['torch-threads'].split(',').map(Number).filter((t) => Number.isInteger(t) && t > 0)
      : [...new Set([1, cores])];
    const pythons = values.python !== undefined ? [values.python] : ['python3', '/usr/bin/python3'];
    pytorch = await measurePytorch(steps, threads, [...new Set(pythons)]);
  }
  const ratio: Record<string, number> = {};
  for (const r of pytorch.throughput ?? []) {
    const ours = r.model === lenet.model ? lenet : r.model === conv2.model ? conv2 : undefined;
    if (ours !== undefined) ratio[r.model] = ours.imagesPerSecond / r.imagesPerSecond;
  }
  if (!values.json) {
    if (pytorch.available) {
      for (const r of pytorch.throughput ?? []) {
        out(`pytorch ${pytorch.torch ?? ''} ${r.model.padEnd(14)} batch 60: ${r.imagesPerSecond.toFixed(0)} images/s (${r.threads} thread${r.threads === 1 ? '' : 's'}${pytorch.blas ? `, ${pytorch.blas}` : ''}); ratio ${backend.name}/pytorch ${(ratio[r.model] ?? NaN).toFixed(2)}`);
      }
    } else {
      out(`pytorch: not measured: ${pytorch.reason ?? 'unavailable'}`);
    }
  }
  const round = values['skip-round'] ? null : await measureQuickColtRound();
  if (!values.json && round) out(`quick COLT round 1: ${round.seconds.toFixed(1)} s (${round.samples} partition + ${round.evaluationSamples} evaluation images)`);
  const library = values['skip-library'] ? null : await benchLibrary();
  if (!values.json && library) for (const f of library) out(`library: ${f.name}: ${f.ms.toFixed(0)} ms (goal ≤ ${f.goalMs} ms; ${f.detail})`);
  let jobs: { eventLoopLag: Awaited<ReturnType<typeof measureEventLoopLag>>; coltParallel: Awaited<ReturnType<typeof measureColtParallel>> } | null = null;
  if (!values['skip-jobs']) {
    const where = { backend, dataDir: appDataDir(), cacheDir: cacheDir() };
    jobs = { eventLoopLag: await measureEventLoopLag(where), coltParallel: await measureColtParallel({ ...where, repeats: 3 }) };
    if (!values.json) {
      const lag = jobs.eventLoopLag;
      const colt = jobs.coltParallel;
      out(`jobs: main-thread event-loop lag while ${lag.concurrentJobs} experiments train: p99 ${lag.p99Ms.toFixed(1)} ms (max ${lag.maxMs.toFixed(0)} ms; goal p99 ≤ 20 ms; load ${lag.loadBefore.toFixed(1)} → ${lag.loadAfter.toFixed(1)})`);
      out(`jobs: COLT P=${colt.partitions} round in parallel workers / sequential: ${colt.roundRatio.toFixed(2)} (goal ≤ 0.6; with the full-data evaluation ${colt.evaluatedRoundRatio.toFixed(2)}); same masks: ${colt.sameMasks}`);
    }
  }
  const webgpu = values['skip-webgpu'] ? null : await measureWebgpuAdapters(webgpuOptions, values['skip-jobs'] ? undefined : { dataDir: appDataDir(), cacheDir: cacheDir() });
  if (!values.json && webgpu) {
    if (webgpu.adapters.length === 0) out(`webgpu: not measured: ${webgpu.reason ?? 'no adapter'}`);
    for (const a of webgpu.adapters) {
      if (a.error !== undefined) out(`webgpu ${a.adapter.name} (${a.kind}): failed: ${a.error}`);
      for (const f of a.throughput) {
        const where = `webgpu ${a.adapter.name} (${a.kind}) ${f.model.padEnd(14)} batch ${f.batchSize}${f.batch === 'largest' ? ' (largest that fits)' : ''}`;
        out('skipped' in f ? `${where}: ${f.skipped}` : `${where}: ${f.imagesPerSecond.toFixed(0)} images/s`);
      }
    }
    const c = webgpu.coltPartitions;
    if (c) out(`webgpu: COLT P=${c.partitions} round, partitions interleaved / sequential on ${c.adapter}: ${c.roundRatio.toFixed(2)} (same masks: ${c.sameMasks})`);
  }
  const heatmap = values['skip-ui'] ? null : await measureHeatmap();
  if (!values.json && heatmap) {
    if (heatmap.available) out(`ui: heatmap of a 2,359,296-weight layer (512 x 4608) in Chromium: ${heatmap.ms.toFixed(1)} ms (goal ≤ ${heatmap.goalMs} ms; downsampling, transfer and canvas drawing)`);
    else out(`ui: heatmap not measured: ${heatmap.reason}`);
  }
  if (values.json) {
    out(
      JSON.stringify({
        type: 'bench',
        backend: backend.name,
        backendReason: backend.reason,
        backendDetails: details,
        throughput: [lenet, conv2],
        pytorch,
        ratio,
        batchPrep: prep,
        quickColtRound: round,
        library,
        jobs,
        webgpu,
        heatmap,
      }),
    );
  }
  return 0;
}
