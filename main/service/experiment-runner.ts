import { appVersion } from '../common/app-version.js';
import { cacheDir } from '../common/paths.js';
import { LabError } from '../contract/errors.js';
import type { RunEventMessage } from '../contract/run-events.js';
import type { ExperimentConfig, Method } from '../contract/experiment-config.js';
import type { Dataset } from '../data/types.js';
import type { BackendChoice } from '../lab/backend/index.js';
import type { RoundCheckpoint } from '../lab/lab-sink.js';
import type { Mask } from '../lab/masks.js';
import type { RunResult } from '../lab/run-result.js';
import { hasFinalCheckpoint } from '../library/checkpoints.js';
import { writeTransaction, type Db } from '../library/db.js';
import { refreshExperimentStatus } from '../library/experiments.js';
import { checkExperiment } from '../lab/context.js';
import type { ModelDef } from '../lab/models/types.js';
import { createRecorder, loadResumePoint } from '../library/recorder.js';
import { listRounds } from '../library/rounds.js';
import { getRun, runsOfExperiment, setRunStatus, type RunRow } from '../library/runs.js';
import { loadRunMasks } from '../library/tickets.js';
import { submitExperiment, type ExperimentJobs, type Job, type JobPool } from '../jobs/index.js';

/** What a run stopped by the library (full disk, read-only or damaged file) does next, said with its error. */
const STORAGE_STOP = 'the runs stopped after their last stored round and continue with colt resume once the library can be written again';

/** The backend as run records and summaries name it. */
export function backendLabel(b: BackendChoice): string {
  return b.package ? `${b.name} (${b.package})` : b.name;
}

/** What the caller hears while an experiment runs (all on the main thread, after the library write). */
export interface RunnerHooks {
  /** A run's job started (or, resumed, joined the pool). */
  readonly onRunStarted?: (runId: number, job: Job) => void;
  /** A round is stored in the library. */
  readonly onRoundStored?: (runId: number, checkpoint: RoundCheckpoint) => void;
  /** Every run event of the experiment's jobs, with the library's ids. */
  readonly onEvent?: (e: RunEventMessage, runId: number) => void;
}

/** What running (or resuming) an experiment against the library needs. */
export interface ExperimentRun {
  readonly db: Db;
  readonly pool: JobPool;
  readonly experimentId: number;
  readonly config: ExperimentConfig;
  readonly dataset: Dataset;
  readonly evalDataset: Dataset;
  /** The model the config passed checkExperiment with (ExperimentData.def); absent: checked here. */
  readonly def?: ModelDef;
  readonly backend: BackendChoice;
  /** Where registered datasets are listed (the jobs load the data themselves). */
  readonly dataDir: string;
  /** Runs to continue from their checkpoints; absent: run the whole config from the start. */
  readonly resume?: readonly RunRow[];
  readonly hooks?: RunnerHooks;
}

/** How an experiment's session ended. */
export interface ExperimentOutcome {
  /** Every run this session touched, with all its stored rounds (earlier sessions' included when resumed). */
  readonly results: RunResult[];
  readonly failed: readonly { readonly runId: number; readonly method: Method; readonly seed: number; readonly message: string }[];
  /** Runs paused or cancelled before their last round (now `interrupted` or `cancelled`). */
  readonly stopped: readonly number[];
}

/** A running experiment: its jobs, stop controls and the outcome. */
export interface ExperimentExecution {
  readonly experimentId: number;
  /** Library run id of each job. */
  runIdOf(method: Method, seed: number): number;
  readonly jobs: () => readonly Job[];
  cancel(): void;
  pause(): void;
  readonly done: Promise<ExperimentOutcome>;
}

/**
 * Runs an experiment (or continues some of its runs) in a worker-thread job pool, with every
 * finished round filed into the library by this thread (the one writer) before the job's next
 * round starts. The same code serves `colt run`, `colt resume` and the app's `runs.*` commands.
 * Pause leaves runs `interrupted` (resumable); cancel leaves them `cancelled`; a kill is safe
 * too (each round is one transaction and the next open marks the run interrupted).
 */
export function executeExperiment(o: ExperimentRun): ExperimentExecution {
  const { db } = o;
  const runIds = new Map(runsOfExperiment(db, o.experimentId).map((r) => [`${r.method}/${r.seed}`, r.id]));
  const runIdOf = (method: Method, seed: number): number => {
    const id = runIds.get(`${method}/${seed}`);
    if (id === undefined) throw new LabError('internal', `experiment e${o.experimentId} has no run for ${method}, seed ${seed}`);
    return id;
  };
  const recorder = createRecorder({
    db,
    def: o.def ?? checkExperiment(o.config, o.dataset, o.evalDataset).def,
    experimentId: o.experimentId,
    runIdOf,
    dataset: { name: o.dataset.name, checksum: o.dataset.checksum },
    appVersion: appVersion(),
    backend: { backend: o.backend.name, backendPackage: o.backend.package, backendReason: o.backend.reason, ...(o.backend.adapter ? { backendAdapter: o.backend.adapter } : {}) },
  });

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
    o.hooks?.onRunStarted?.(runIdOf(job.spec.method, job.spec.seed), job);
  };
  // IMP's masks of rounds stored before this session (the reinit control of a resumed experiment).
  const finishedMasks = (method: Method, seed: number): Mask[] => {
    const id = runIds.get(`${method}/${seed}`);
    return id === undefined ? [] : loadRunMasks(db, id);
  };
  let exp: ExperimentJobs;
  try {
    exp = submitExperiment(o.pool, o.config, {
      dataDir: o.dataDir,
      cacheDir: cacheDir(),
      ...(o.resume ? { resume: (m: Method, s: number) => loadResumePoint(db, runIdOf(m, s)), finishedMasks } : {}),
      ...(only ? { only } : {}),
      hooks: {
        onRoundDone: (c, job, progress) => {
          markStarted(job);
          for (const e of progress) recorder.event(e);
          recorder.roundDone(c);
          o.hooks?.onRoundStored?.(runIdOf(job.spec.method, job.spec.seed), c);
        },
        onEvent: (e, job) => {
          markStarted(job);
          const runId = runIdOf(job.spec.method, job.spec.seed);
          const payload = e.event === 'run.failed' && e.payload.error.code === 'storage' ? { ...e.payload, error: { ...e.payload.error, message: `${e.payload.error.message}; ${STORAGE_STOP}` } } : e.payload;
          o.hooks?.onEvent?.({ event: e.event, payload: { ...payload, runId, experimentId: o.experimentId } } as RunEventMessage, runId);
        },
      },
    });
  } catch (e) {
    settleRuns(db, o.experimentId, marked, runIdOf);
    throw e;
  }
  // Mark runs started as they are submitted (a reinit joins once its seed's IMP job has finished).
  const markNew = (): void => {
    for (const job of exp.jobs) {
      if (!marked.has(job)) {
        markStarted(job);
        void job.done.then(() => setImmediate(markNew));
      }
    }
  };
  markNew();

  const finish = async (): Promise<ExperimentOutcome> => {
    try {
      await exp.done;
      const failed: { runId: number; method: Method; seed: number; message: string }[] = [];
      const stopped: number[] = [];
      recordEnd(db, exp.jobs, () => {
        for (const job of exp.jobs) {
          const runId = runIdOf(job.spec.method, job.spec.seed);
          if (job.status === 'failed' && job.error?.code === 'storage') {
            // The library could not take a round (a full disk, a read-only or damaged file): the run
            // itself did nothing wrong and continues from its last stored round once that is fixed.
            const message = `${job.error.message}; the run is interrupted after its last stored round (colt resume continues it)`;
            setRunStatus(db, runId, 'interrupted', message);
            failed.push({ runId, method: job.spec.method, seed: job.spec.seed, message });
          } else if (job.status === 'failed') {
            const message = job.error?.message ?? 'failed';
            setRunStatus(db, runId, 'failed', message);
            failed.push({ runId, method: job.spec.method, seed: job.spec.seed, message });
          } else if (job.status !== 'finished' && getRun(db, runId).status === 'running') {
            setRunStatus(db, runId, job.status === 'cancelled' ? 'cancelled' : 'interrupted');
            stopped.push(runId);
          }
        }
        refreshExperimentStatus(db, o.experimentId);
      });
      // A resumed run's results cover all its rounds, those from before the interruption included.
      const results: RunResult[] = o.resume
        ? o.resume.map((run) => ({
            method: run.method,
            seed: run.seed,
            rounds: listRounds(db, run.id).map(({ runId: _r, final: _f, created: _c, ...record }) => record),
          }))
        : await exp.done;
      return { results, failed, stopped };
    } finally {
      settleRuns(db, o.experimentId, marked, runIdOf);
    }
  };
  return {
    experimentId: o.experimentId,
    runIdOf,
    jobs: () => exp.jobs,
    cancel: () => exp.cancel(),
    pause: () => exp.pause(),
    done: finish(),
  };
}

/**
 * Records how the runs ended. When the library cannot take even that (the disk that stopped a
 * round is still full), the error says why the runs stopped and how they continue: they are
 * still marked running, and the next open of the library marks them interrupted.
 */
function recordEnd(db: Db, jobs: readonly Job[], write: () => void): void {
  try {
    writeTransaction(db, 'record how the runs ended', write);
  } catch (e) {
    if (!(e instanceof LabError && e.code === 'storage')) throw e;
    const cause = jobs.map((j) => j.error).find((err) => err?.code === 'storage')?.message ?? e.message;
    throw new LabError('storage', `${cause}; ${STORAGE_STOP}`, e.details);
  }
}

/** Runs still marked running by this process (a job that never got to end) become interrupted. */
function settleRuns(db: Db, experimentId: number, jobs: Iterable<Job>, runIdOf: (m: Method, s: number) => number): void {
  try {
    writeTransaction(db, 'record how the runs ended', () => {
      for (const job of jobs) {
        const runId = runIdOf(job.spec.method, job.spec.seed);
        if (getRun(db, runId).status === 'running') setRunStatus(db, runId, 'interrupted');
      }
      refreshExperimentStatus(db, experimentId);
    });
  } catch (e) {
    // A library that cannot be written now (full, read-only) marks these runs interrupted at its next open.
    if (!(e instanceof LabError && e.code === 'storage')) throw e;
  }
}
