import { appVersion } from '../common/app-version.js';
import { invalidInput, LabError } from '../contract/errors.js';
import { cacheDir } from '../common/paths.js';
import type { RunEventMessage } from '../contract/events.js';
import type { ExperimentConfig, Method } from '../contract/experiment-config.js';
import type { Dataset } from '../data/types.js';
import type { BackendChoice } from '../lab/backend/index.js';
import { createContext } from '../lab/context.js';
import type { LabEvent } from '../lab/events.js';
import { summarise, type ExperimentSummary } from '../lab/experiment.js';
import type { RunResult } from '../lab/run-result.js';
import { writeTransaction, type Db } from '../library/db.js';
import { hasFinalCheckpoint } from '../library/checkpoints.js';
import { refreshExperimentStatus } from '../library/experiments.js';
import { listRounds } from '../library/rounds.js';
import { loadRunMasks } from '../library/tickets.js';
import type { Mask } from '../lab/masks.js';
import { createRecorder, loadResumePoint } from '../library/recorder.js';
import { getRun, runsOfExperiment, setRunStatus, type RunRow } from '../library/runs.js';
import { JobPool, submitExperiment, type ExperimentJobs, type Job } from '../jobs/index.js';
import { info, out, pct, ProgressBar } from './output.js';

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
}

/** The backend as run records and summaries name it. */
export function backendLabel(b: BackendChoice): string {
  return b.package ? `${b.name} (${b.package})` : b.name;
}

/** The `--backend` request that selects a stored run's backend again. */
export function backendRequestOf(run: RunRow): 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu' | 'auto' {
  if (run.backend === 'tensorflow') return run.backendPackage?.endsWith('-gpu') ? 'tensorflow-gpu' : 'tensorflow';
  if (run.backend === 'wasm' || run.backend === 'cpu') return run.backend;
  return 'auto';
}

/** How a library run ended: its summary and the exit code (0; 1 when a run failed; 130 when paused). */
export interface LibraryRunResult {
  readonly summary: ExperimentSummary;
  readonly code: number;
}

/**
 * Runs an experiment (or continues some of its runs) in the worker-thread job pool (main/jobs/),
 * as the app does, with every finished round filed into the library by this thread (the one
 * writer) before the job's next round starts. Ctrl-C pauses: the jobs stop within a batch, their
 * runs become `interrupted` and `colt resume` continues them; a second Ctrl-C exits at once. A
 * kill is safe too (every round is one transaction; the next command marks the run interrupted).
 */
export async function executeLibraryRun(o: LibraryRun): Promise<LibraryRunResult> {
  const { db } = o;
  const runIds = new Map(runsOfExperiment(db, o.experimentId).map((r) => [`${r.method}/${r.seed}`, r.id]));
  const runIdOf = (method: Method, seed: number): number => {
    const id = runIds.get(`${method}/${seed}`);
    if (id === undefined) throw new LabError('internal', `experiment e${o.experimentId} has no run for ${method}, seed ${seed}`);
    return id;
  };
  const bar = new ProgressBar();
  const ctx = createContext(o.config, o.dataset, o.evalDataset, { event: () => undefined });
  const recorder = createRecorder({
    db,
    def: ctx.def,
    experimentId: o.experimentId,
    runIdOf,
    dataset: { name: o.dataset.name, checksum: o.dataset.checksum },
    appVersion: appVersion(),
    backend: { backend: o.backend.name, backendPackage: o.backend.package, backendReason: o.backend.reason },
  });
  const label = backendLabel(o.backend);
  const started = performance.now();

  // Resumed runs whose last round is stored: nothing to compute, only their status to settle.
  let only: { method: Method; seed: number }[] | undefined;
  if (o.resume) {
    only = [];
    for (const run of o.resume) {
      if (hasFinalCheckpoint(db, run.id)) {
        writeTransaction(db, `finish run ${run.id}`, () => {
          setRunStatus(db, run.id, 'finished');
          refreshExperimentStatus(db, o.experimentId);
        });
      } else only.push({ method: run.method, seed: run.seed });
    }
  }

  const marked = new Set<Job>();
  const markStarted = (job: Job): void => {
    if (marked.has(job)) return;
    marked.add(job);
    recorder.event({ type: 'run-start', method: job.spec.method, seed: job.spec.seed });
    if (!o.json) {
      bar.clear();
      info(`— ${job.spec.method}, seed ${job.spec.seed} (run ${runIdOf(job.spec.method, job.spec.seed)})`);
    }
  };
  const pool = new JobPool({
    backend: o.backend,
    onRoundDone: (c, job, progress) => {
      markStarted(job);
      for (const e of progress) recorder.event(e);
      recorder.roundDone(c);
      bar.clear();
      if (o.json) out(JSON.stringify(c.record));
      else info(describeRound(c.record));
    },
    onEvent: (e, job) => {
      markStarted(job);
      printRunEvent(e, o.json, bar);
    },
  });
  let exp: ExperimentJobs | undefined;
  let interrupts = 0;
  const onSigint = (): void => {
    if (++interrupts > 1) process.exit(130);
    bar.clear();
    info(`pausing: the runs stop within a batch and keep their finished rounds (\`colt resume e${o.experimentId}${o.libraryHint}\` continues them; Ctrl-C again quits at once)`);
    exp?.pause();
  };
  process.on('SIGINT', onSigint);
  try {
    // IMP's masks of rounds stored before this session (the reinit control of a resumed experiment).
    const finishedMasks = (method: Method, seed: number): Mask[] => {
      const id = runIds.get(`${method}/${seed}`);
      return id === undefined ? [] : loadRunMasks(db, id);
    };
    const e = submitExperiment(pool, o.config, {
      dataDir: o.dataDir,
      cacheDir: cacheDir(),
      ...(o.resume ? { resume: (m: Method, s: number) => loadResumePoint(db, runIdOf(m, s)), finishedMasks } : {}),
      ...(only ? { only } : {}),
    });
    exp = e;
    // Mark runs started as they are submitted (a reinit joins once its seed's IMP job has finished).
    const markNew = (): void => {
      for (const job of e.jobs) {
        if (!marked.has(job)) {
          markStarted(job);
          void job.done.then(() => setImmediate(markNew));
        }
      }
    };
    markNew();
    await e.done;
    bar.clear();
    let code = 0;
    const stopped: number[] = [];
    writeTransaction(db, 'record how the runs ended', () => {
      for (const job of e.jobs) {
        const runId = runIdOf(job.spec.method, job.spec.seed);
        if (job.status === 'failed') {
          setRunStatus(db, runId, 'failed', job.error?.message ?? 'failed');
          code = 1;
        } else if (job.status !== 'finished' && getRun(db, runId).status === 'running') {
          setRunStatus(db, runId, 'interrupted');
          stopped.push(runId);
        }
      }
      refreshExperimentStatus(db, o.experimentId);
    });
    for (const job of e.jobs) {
      if (job.status === 'failed') {
        info(`run ${runIdOf(job.spec.method, job.spec.seed)} (${job.spec.method}, seed ${job.spec.seed}) failed: ${job.error?.message ?? 'unknown error'}`);
      }
    }
    if (stopped.length > 0) {
      info(`run${stopped.length > 1 ? 's' : ''} ${stopped.join(', ')} paused; their finished rounds are kept (\`colt resume e${o.experimentId}${o.libraryHint}\` continues)`);
      if (code === 0) code = 130;
    }
    // A resumed run's summary covers all its rounds, those from before the interruption included.
    const results: RunResult[] = o.resume
      ? o.resume.map((run) => ({
          method: run.method,
          seed: run.seed,
          rounds: listRounds(db, run.id).map(({ runId: _r, final: _f, created: _c, ...record }) => record),
        }))
      : await e.done;
    const summary: ExperimentSummary = {
      type: 'summary',
      name: o.config.name,
      arch: o.config.arch,
      dataset: o.dataset.name,
      datasetChecksum: o.dataset.checksum,
      ...(o.evalDataset !== o.dataset ? { evaluationDataset: o.evalDataset.name } : {}),
      backend: label,
      seeds: o.resume ? [...new Set(results.map((r) => r.seed))] : o.config.seeds,
      seconds: (performance.now() - started) / 1000,
      methods: summarise(results),
    };
    return { summary, code };
  } catch (err) {
    bar.clear();
    // Submitting failed (e.g. a checkpoint could not be read): stop what started, keep what is stored.
    exp?.cancel();
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
    await pool.close();
    bar.clear();
    // Runs still marked running by this process (a job that never got to end) are interrupted.
    writeTransaction(db, 'record how the runs ended', () => {
      for (const job of marked) {
        const runId = runIdOf(job.spec.method, job.spec.seed);
        if (getRun(db, runId).status === 'running') setRunStatus(db, runId, 'interrupted');
      }
      refreshExperimentStatus(db, o.experimentId);
    });
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

/** One line per finished round. */
export function describeRound(e: Extract<LabEvent, { type: 'round' }>): string {
  const parts = [
    `${e.method.padEnd(6)} seed ${e.seed} round ${String(e.round).padStart(2)}:`,
    `sparsity ${pct(e.sparsity).padStart(6)}`,
    `test ${pct(e.testAccuracy)}`,
  ];
  if (e.overlap !== undefined) parts.push(`overlap ${pct(e.overlap)}`);
  if (e.partitionAccuracies) parts.push(`partitions ${e.partitionAccuracies.map((a) => pct(a)).join(' / ')}`);
  parts.push(`${e.seconds.toFixed(1)} s`);
  return parts.join('  ');
}

/** The closing summary of a run or resume. */
export function describeSummary(s: ExperimentSummary): string {
  const lines = [`${s.name}: ${s.arch} on ${s.dataset} (${s.backend}), ${s.seconds.toFixed(0)} s`];
  for (const [method, m] of Object.entries(s.methods)) {
    if (!m) continue;
    lines.push(
      `  ${method.padEnd(6)} ${m.rounds} rounds → sparsity ${pct(m.finalSparsity.mean)}, test ${pct(m.finalAccuracy?.mean)} (dense ${pct(m.denseAccuracy?.mean)}), ${m.samples} training images`,
    );
  }
  return lines.join('\n');
}

/** Validates a `--backend` value. */
export function parseBackend(b: string): 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu' {
  if (b === 'auto' || b === 'tensorflow-gpu' || b === 'tensorflow' || b === 'wasm' || b === 'cpu') return b;
  throw invalidInput(`--backend '${b}': expected auto, tensorflow-gpu, tensorflow, wasm or cpu`);
}
