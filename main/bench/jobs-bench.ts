import { availableParallelism, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseExperimentConfig, type ExperimentConfig, type ExperimentConfigInput } from '../contract/experiment-config.js';
import { SAMPLE_DATASET } from '../data/registry.js';
import type { RoundCheckpoint } from '../lab/lab-sink.js';
import type { Mask } from '../lab/masks.js';
import { JobPool, type PoolBackend, type RoundDoneHook } from '../jobs/pool.js';
import type { JobSpec } from '../jobs/protocol.js';

// Measurements for `colt bench` (issue 6, "Must show"): the main thread's event-loop lag while two
// experiments train in workers, and a COLT round with P = 2 in parallel partition workers against
// the same round trained sequentially.

/** Where the bench's jobs find data, and which backend they run on. */
export interface JobsBenchOptions {
  readonly backend: PoolBackend;
  readonly dataDir: string;
  readonly cacheDir?: string;
}

/** A small config on the bundled Fashion-MNIST sample; `overrides` replaces top-level sections. */
export function jobsBenchConfig(overrides: Partial<ExperimentConfigInput> = {}): ExperimentConfig {
  return parseExperimentConfig({
    name: 'bench-jobs',
    arch: 'lenet-300-100',
    dataset: SAMPLE_DATASET,
    methods: ['imp'],
    seeds: [0],
    data: { trainLimit: 2000, testLimit: 500 },
    training: { duration: '300it', batchSize: 60 },
    stop: { maxRounds: 2 },
    ...overrides,
  });
}

/**
 * The main thread's event-loop lag while jobs trained, in milliseconds: how late a timer due every
 * `resolutionMs` fired (the histogram's interval minus the resolution, as @fastify/under-pressure
 * reports it; never below 0).
 */
export interface EventLoopLag {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
  readonly resolutionMs: number;
  /** The histogram's own p99 (timer interval, resolution included). */
  readonly rawP99Ms: number;
  readonly seconds: number;
  /** How many jobs were training at once, at most. */
  readonly concurrentJobs: number;
  readonly statuses: readonly string[];
  readonly cores: number;
  /** 1-minute load average before and after (other processes share the cores). */
  readonly loadBefore: number;
  readonly loadAfter: number;
}

/**
 * Trains two experiments at once (an IMP run and a COLT run, each in its own worker, pool
 * concurrency 2) and records the main thread's event-loop delay with monitorEventLoopDelay.
 * `onRoundDone` lets the caller include the library's writes, which run on the main thread.
 */
export async function measureEventLoopLag(
  o: JobsBenchOptions & { readonly configs?: readonly [ExperimentConfig, ExperimentConfig]; readonly onRoundDone?: RoundDoneHook; readonly resolutionMs?: number },
): Promise<EventLoopLag> {
  const [a, b] = o.configs ?? [jobsBenchConfig(), jobsBenchConfig({ methods: ['colt'], seeds: [1] })];
  const resolutionMs = o.resolutionMs ?? 10;
  let active = 0;
  let concurrentJobs = 0;
  const pool = new JobPool({
    backend: o.backend,
    concurrency: 2,
    ...(o.onRoundDone ? { onRoundDone: o.onRoundDone } : {}),
    onEvent: (e) => {
      if (e.event === 'run.progress' && e.payload.seq === 1) concurrentJobs = Math.max(concurrentJobs, ++active);
      if (e.event === 'run.finished' || e.event === 'run.failed') active--;
    },
  });
  const loadBefore = loadavg()[0];
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  histogram.enable();
  const started = performance.now();
  // parallelPartitions off: each experiment holds one slot, so both train at once.
  const jobs = [a, b].map((config) => pool.submit({ ...specOf(config, o), parallelPartitions: false }));
  const outcomes = await Promise.all(jobs.map((j) => j.done));
  histogram.disable();
  const lag = (ns: number): number => Math.max(0, ns / 1e6 - resolutionMs);
  return {
    p50Ms: lag(histogram.percentile(50)),
    p99Ms: lag(histogram.percentile(99)),
    maxMs: lag(histogram.max),
    meanMs: lag(histogram.mean),
    resolutionMs,
    rawP99Ms: histogram.percentile(99) / 1e6,
    seconds: (performance.now() - started) / 1000,
    concurrentJobs,
    statuses: outcomes.map((x) => x.status + (x.error ? ` (${x.error.message})` : '')),
    cores: availableParallelism(),
    loadBefore,
    loadAfter: loadavg()[0],
  };
}

/** One mode of the COLT comparison: each round's seconds and the whole job's wall time. */
export interface ColtModeTiming {
  readonly partitionWorkers: number;
  readonly roundSeconds: readonly number[];
  readonly wallSeconds: number;
  readonly status: string;
}

/** One parallel-vs-sequential comparison of the same COLT run. */
export interface ColtTrial {
  readonly parallel: ColtModeTiming;
  readonly sequential: ColtModeTiming;
  /** Parallel / sequential seconds of the pruning rounds without a full-data evaluation (rounds 1 … last-1). */
  readonly roundRatio: number;
  /** Parallel / sequential seconds of the last round (it includes the ticket's full-data evaluation, which is sequential). */
  readonly evaluatedRoundRatio: number;
  readonly wallRatio: number;
  /** Every round's mask and partition weights equal between the two modes. */
  readonly sameMasks: boolean;
}

/** COLT with P partitions trained in parallel workers against one after another, over `trials.length` trials. */
export interface ColtParallelResult {
  readonly partitions: number;
  readonly trials: readonly ColtTrial[];
  /** Medians over the trials. */
  readonly roundRatio: number;
  readonly evaluatedRoundRatio: number;
  readonly wallRatio: number;
  /** True when every trial gave the same masks in both modes. */
  readonly sameMasks: boolean;
  readonly cores: number;
  readonly loadBefore: number;
  readonly loadAfter: number;
}

/**
 * Runs the same COLT run, alone in the pool, with its partitions in P parallel workers and in the
 * job's worker one after another (alternating which goes first, `repeats` times: other processes
 * share the cores); compares round times and every round's mask. The default config evaluates only
 * the final ticket, so rounds 1 … maxRounds-1 time the partition step alone.
 */
export async function measureColtParallel(o: JobsBenchOptions & { readonly config?: ExperimentConfig; readonly repeats?: number }): Promise<ColtParallelResult> {
  const config = o.config ?? jobsBenchConfig({ methods: ['colt'], colt: { partitions: 2, evaluate: 'final' }, stop: { maxRounds: 3 } });
  const P = config.colt.partitions;
  const loadBefore = loadavg()[0];
  const trials: ColtTrial[] = [];
  for (let i = 0; i < (o.repeats ?? 1); i++) {
    const first = await timeColt(o, config, i % 2 === 0, P);
    const second = await timeColt(o, config, i % 2 !== 0, P);
    const [parallel, sequential] = i % 2 === 0 ? [first, second] : [second, first];
    const middle = (t: ColtModeTiming): number => t.roundSeconds.slice(1, -1).reduce((s, x) => s + x, 0);
    const last = (t: ColtModeTiming): number => t.roundSeconds[t.roundSeconds.length - 1] ?? NaN;
    trials.push({
      parallel: parallel.timing,
      sequential: sequential.timing,
      roundRatio: middle(parallel.timing) / middle(sequential.timing),
      evaluatedRoundRatio: last(parallel.timing) / last(sequential.timing),
      wallRatio: parallel.timing.wallSeconds / sequential.timing.wallSeconds,
      sameMasks:
        parallel.checkpoints.length === sequential.checkpoints.length &&
        parallel.checkpoints.every((c, k) => sameCheckpoint(c, sequential.checkpoints[k])),
    });
  }
  return {
    partitions: P,
    trials,
    roundRatio: median(trials.map((t) => t.roundRatio)),
    evaluatedRoundRatio: median(trials.map((t) => t.evaluatedRoundRatio)),
    wallRatio: median(trials.map((t) => t.wallRatio)),
    sameMasks: trials.every((t) => t.sameMasks),
    cores: availableParallelism(),
    loadBefore,
    loadAfter: loadavg()[0],
  };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function timeColt(o: JobsBenchOptions, config: ExperimentConfig, parallel: boolean, P: number): Promise<{ timing: ColtModeTiming; checkpoints: RoundCheckpoint[] }> {
  const checkpoints: RoundCheckpoint[] = [];
  // On a GPU backend "parallel" is the interleaved policy: P partition workers taking turns on the one device.
  const pool = new JobPool({ backend: o.backend, concurrency: parallel ? P : 1, gpuPartitions: parallel ? 'interleaved' : 'sequential', onRoundDone: (c) => void checkpoints.push(c) });
  const started = performance.now();
  const job = pool.submit({ ...specOf(config, o), method: 'colt', parallelPartitions: parallel });
  const outcome = await job.done;
  return {
    timing: {
      partitionWorkers: job.partitionWorkers,
      roundSeconds: outcome.rounds.map((r) => r.seconds),
      wallSeconds: (performance.now() - started) / 1000,
      status: outcome.status + (outcome.error ? ` (${outcome.error.message})` : ''),
    },
    checkpoints,
  };
}

function specOf(config: ExperimentConfig, o: JobsBenchOptions): JobSpec {
  return { config, method: config.methods[0], seed: config.seeds[0], dataDir: o.dataDir, ...(o.cacheDir !== undefined ? { cacheDir: o.cacheDir } : {}) };
}

/** Same mask and the same partition weights to the bit. */
export function sameCheckpoint(a: RoundCheckpoint, b: RoundCheckpoint): boolean {
  if (a.record.round !== b.record.round || !sameMask(a.ticket.mask, b.ticket.mask)) return false;
  if (a.pruneFrom.length !== b.pruneFrom.length) return false;
  return a.pruneFrom.every((w, k) => [...w].every(([name, v]) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).equals(bytes(b.pruneFrom[k].get(name)))));
}

/** Same layers, same bits. */
export function sameMask(a: Mask, b: Mask): boolean {
  if (a.size !== b.size) return false;
  return [...a].every(([name, v]) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).equals(bytes(b.get(name))));
}

function bytes(v: ArrayBufferView | undefined): Buffer {
  return v ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : Buffer.alloc(0);
}
