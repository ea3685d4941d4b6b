import { invalidInput } from '../contract/errors.js';
import type { RunEventMessage } from '../contract/run-events.js';
import type { ExperimentConfig } from '../contract/experiment-config.js';
import type { Dataset } from '../data/types.js';
import { BACKEND_REQUESTS, type BackendChoice, type BackendRequest } from '../lab/backend/index.js';
import { methodSummaries } from '../analysis/stats.js';
import type { Db } from '../library/db.js';
import type { RunRow } from '../library/runs.js';
import { JobPool } from '../jobs/index.js';
import { backendLabel, executeExperiment, type ExperimentExecution } from '../service/experiment-runner.js';
import { describeRound, info, out, ProgressBar, type ExperimentSummary } from './output.js';

export { backendLabel };
export { describeSummary } from './output.js';

/** What running (or resuming) an experiment against the library needs. */
export interface LibraryRun {
  readonly db: Db;
  readonly experimentId: number;
  readonly config: ExperimentConfig;
  readonly dataset: Dataset;
  readonly evalDataset: Dataset;
  readonly backend: BackendChoice;
  readonly json: boolean;
  /** Hint appended to `colt resume` suggestions (the --library argument). */
  readonly libraryHint: string;
  /** Where registered datasets are listed (the jobs load the data themselves). */
  readonly dataDir: string;
  /** Runs to continue from their checkpoints; absent: run the whole config from the start. */
  readonly resume?: readonly RunRow[];
  /** Runs training at once (default: the pool's). */
  readonly concurrency?: number;
}

/** How a library run ended: its summary and the exit code (0; 1 when a run failed; 130 when paused). */
export interface LibraryRunResult {
  readonly summary: ExperimentSummary;
  readonly code: number;
}

/**
 * Runs an experiment (or continues some of its runs) in the worker-thread job pool, as the app
 * does (executeExperiment), printing each stored round. Ctrl-C pauses: the jobs stop within a
 * batch, their runs become `interrupted` and `colt resume` continues them; a second Ctrl-C exits.
 */
export async function executeLibraryRun(o: LibraryRun): Promise<LibraryRunResult> {
  const bar = new ProgressBar();
  const started = performance.now();
  const pool = new JobPool({ backend: o.backend, ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}) });
  let exp: ExperimentExecution | undefined;
  let interrupts = 0;
  const onSigint = (): void => {
    if (++interrupts > 1) process.exit(130);
    bar.clear();
    info(`pausing: the runs stop within a batch and keep their finished rounds (\`colt resume e${o.experimentId}${o.libraryHint}\` continues them; Ctrl-C again quits at once)`);
    exp?.pause();
  };
  process.on('SIGINT', onSigint);
  try {
    exp = executeExperiment({
      db: o.db,
      pool,
      experimentId: o.experimentId,
      config: o.config,
      dataset: o.dataset,
      evalDataset: o.evalDataset,
      backend: o.backend,
      dataDir: o.dataDir,
      ...(o.resume ? { resume: o.resume } : {}),
      hooks: {
        onRunStarted: (runId, job) => {
          if (o.json) return;
          bar.clear();
          info(`— ${job.spec.method}, seed ${job.spec.seed} (run ${runId})`);
        },
        onRoundStored: (_runId, c) => {
          bar.clear();
          if (o.json) out(JSON.stringify(c.record));
          else info(describeRound(c.record));
        },
        onEvent: (e) => printRunEvent(e, o.json, bar),
      },
    });
    const { results, failed, stopped } = await exp.done;
    bar.clear();
    let code = failed.length > 0 ? 1 : 0;
    for (const f of failed) info(`run ${f.runId} (${f.method}, seed ${f.seed}) failed: ${f.message}`);
    if (stopped.length > 0) {
      info(`run${stopped.length > 1 ? 's' : ''} ${stopped.join(', ')} paused; their finished rounds are kept (\`colt resume e${o.experimentId}${o.libraryHint}\` continues)`);
      if (code === 0) code = 130;
    }
    const summary: ExperimentSummary = {
      type: 'summary',
      name: o.config.name,
      arch: o.config.arch,
      dataset: o.dataset.name,
      datasetChecksum: o.dataset.checksum,
      ...(o.evalDataset !== o.dataset ? { evaluationDataset: o.evalDataset.name } : {}),
      backend: backendLabel(o.backend),
      seeds: o.resume ? [...new Set(results.map((r) => r.seed))] : o.config.seeds,
      seconds: (performance.now() - started) / 1000,
      methods: methodSummaries(results),
    };
    return { summary, code };
  } catch (err) {
    // Submitting failed (e.g. a checkpoint could not be read): stop what started, keep what is stored.
    exp?.cancel();
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
    await pool.close();
    bar.clear();
  }
}

function printRunEvent(e: RunEventMessage, json: boolean, bar: ProgressBar): void {
  if (e.event !== 'run.progress') return;
  const p = e.payload;
  bar.update({
    type: 'progress',
    method: p.method,
    seed: p.seed,
    round: p.round,
    phase: p.phase,
    iteration: p.iteration,
    iterations: p.iterations,
    ...(p.epoch !== null ? { epoch: p.epoch } : {}),
    loss: p.loss ?? Number.NaN,
    imagesPerSecond: p.imagesPerSecond ?? 0,
  });
}

/** Validates a `--backend` value. */
export function parseBackend(b: string): BackendRequest {
  if ((BACKEND_REQUESTS as readonly string[]).includes(b)) return b as BackendRequest;
  throw invalidInput(`--backend '${b}': expected ${BACKEND_REQUESTS.join(', ')}`);
}
