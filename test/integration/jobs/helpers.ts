import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseRunEvent, type RunEventMessage } from '../../../main/contract/run-events.js';
import { parseExperimentConfig, type ExperimentConfig, type ExperimentConfigInput } from '../../../main/contract/experiment-config.js';
import type { RoundCheckpoint } from '../../../main/lab/lab-sink.js';
import { JobPool, type Job, type JobPoolOptions, type PoolBackend } from '../../../main/jobs/pool.js';
import type { JobSpec } from '../../../main/jobs/protocol.js';
import { ROOT } from '../../helpers/cli.js';

/** The backend the jobs run on here (what the CLI picks on a machine without libtensorflow). */
export const WASM: PoolBackend = { name: 'wasm', package: '@tensorflow/tfjs-backend-wasm' };

/**
 * Workers run the compiled JavaScript in dist/ (`npm test` builds first). Refuses, with the fix,
 * when dist/ is missing or older than main/jobs, main/lab or main/contract, so a test never exercises stale workers.
 */
export function assertJobsBuilt(): void {
  for (const dir of ['main/jobs', 'main/lab', 'main/contract']) {
    for (const f of readdirSync(path.join(ROOT, dir)).filter((n) => n.endsWith('.ts'))) {
      const js = path.join(ROOT, 'dist', dir, f.replace(/\.ts$/, '.js'));
      if (!existsSync(js) || statSync(js).mtimeMs < statSync(path.join(ROOT, dir, f)).mtimeMs) {
        throw new Error(`${path.relative(ROOT, js)} is missing or older than ${dir}/${f}: run \`npm run build\` (npm test does) before these tests`);
      }
    }
  }
}

/** A tiny run on the bundled Fashion-MNIST sample. */
export function tinyConfig(over: Partial<ExperimentConfigInput> = {}): ExperimentConfig {
  return parseExperimentConfig({
    arch: 'lenet-300-100',
    dataset: 'fashion-mnist-sample',
    methods: ['imp'],
    seeds: [0],
    training: { duration: '30it' },
    data: { trainLimit: 1000, testLimit: 200 },
    stop: { maxRounds: 1 },
    ...over,
  });
}

/** An empty data folder: only the built-in datasets are known. */
export function dataDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'colt-jobs-'));
}

/** The job spec of a config's first method and seed. */
export function specOf(config: ExperimentConfig, dir: string, extra: Partial<JobSpec> = {}): JobSpec {
  return { config, method: config.methods[0], seed: config.seeds[0], dataDir: dir, ...extra };
}

/** A received event, validated against the contract, with when it arrived. */
export interface Received {
  readonly job: string;
  readonly at: number;
  readonly e: RunEventMessage;
}

/**
 * A pool whose round store is an in-memory "library" (the main thread is its one writer) and
 * which records every event, validated against the contract schemas.
 */
export function recordingPool(options: Partial<JobPoolOptions> = {}): {
  pool: JobPool;
  events: Received[];
  stored: RoundCheckpoint[];
  eventsOf(job: Job): RunEventMessage[];
} {
  const events: Received[] = [];
  const stored: RoundCheckpoint[] = [];
  const pool = new JobPool({
    backend: WASM,
    concurrency: 2,
    ...options,
    onRoundDone: async (c, job, progress) => {
      // A write that takes a moment, as a SQLite transaction does.
      await new Promise((r) => setTimeout(r, 5));
      stored.push(c);
      await options.onRoundDone?.(c, job, progress);
    },
    onEvent: (e, job) => {
      events.push({ job: job.id, at: performance.now(), e: parseRunEvent(JSON.parse(JSON.stringify(e))) });
      options.onEvent?.(e, job);
    },
  });
  return { pool, events, stored, eventsOf: (job) => events.filter((r) => r.job === job.id).map((r) => r.e) };
}
