import { LabError } from '../contract/errors.js';
import type { RunEventMessage } from '../contract/run-events.js';
import type { ExperimentConfig } from '../contract/experiment-config.js';
import type { BackendChoice } from '../lab/backend/index.js';
import type { Db } from '../library/db.js';
import { getRun, runsOfExperiment, type RunRow } from '../library/runs.js';
import { backendRequestFor, JobPool, type Job, type JobHooks, type JobSpec } from '../jobs/index.js';
import { executeExperiment, type ExperimentExecution } from './experiment-runner.js';
import type { ExperimentData } from '../lab/experiment-data.js';
import { planResume } from './run-plans.js';

/** A run of the pool as `runs.active` shows it. */
export interface LiveRun {
  readonly runId: number;
  readonly experimentId: number;
  readonly method: RunRow['method'];
  readonly seed: number;
  status: 'queued' | 'running';
  round: number | null;
  phase: string | null;
  iteration: number | null;
  iterations: number | null;
  loss: number | null;
  imagesPerSecond: number | null;
  etaSeconds: number | null;
}

/** What the manager needs: the library (it is the one writer), data folder, backend, and where events go. */
export interface RunManagerOptions {
  readonly db: Db;
  readonly dataDir: string;
  readonly backend: BackendChoice;
  readonly emit: (e: RunEventMessage) => void;
  /** Jobs at once (default: the pool's, one per core on CPU backends). */
  readonly concurrency?: number;
}

/**
 * The app's runs: one job pool for the life of the service, at most one session per experiment,
 * runs started, paused, cancelled and resumed by id, live progress kept for `runs.active`.
 */
export class RunManager {
  private pool: JobPool | undefined;
  private readonly sessions = new Map<number, ExperimentExecution>();
  private readonly live = new Map<number, LiveRun>();
  private readonly jobs = new Map<number, Job>();

  constructor(private readonly o: RunManagerOptions) {}

  /** Starts a newly recorded experiment's runs (its data already loaded). */
  startNew(experimentId: number, config: ExperimentConfig, data: ExperimentData): number[] {
    this.refuseBusy(experimentId);
    const runs = runsOfExperiment(this.o.db, experimentId);
    this.launch(experimentId, runs, () =>
      executeExperiment({ db: this.o.db, pool: this.ensurePool(), experimentId, config, ...data, backend: this.o.backend, dataDir: this.o.dataDir, hooks: this.hooks() }),
    );
    return runs.map((r) => r.id);
  }

  /** Continues runs of one experiment (pending ones start from round 0) after planResume's checks; `force` takes over runs marked running elsewhere. */
  async resume(experimentId: number, runs: readonly RunRow[], options: { force?: boolean } = {}): Promise<{ runIds: number[]; notes: string[] }> {
    this.refuseBusy(experimentId);
    const plan = await planResume(this.o.db, experimentId, runs, { dataDir: this.o.dataDir, backend: backendRequestFor(this.o.backend), force: options.force ?? false });
    // Checks are async: another call may have started the experiment meanwhile.
    this.refuseBusy(experimentId);
    this.launch(experimentId, plan.resume, () =>
      executeExperiment({
        db: this.o.db,
        pool: this.ensurePool(),
        experimentId,
        config: plan.config,
        dataset: plan.dataset,
        evalDataset: plan.evalDataset,
        def: plan.def,
        backend: this.o.backend,
        dataDir: this.o.dataDir,
        resume: plan.resume,
        hooks: this.hooks(),
      }),
    );
    return { runIds: plan.resume.map((r) => r.id), notes: plan.notes };
  }

  /** Pauses or cancels runs of this process; returns those it stopped. */
  stop(runIds: readonly number[], how: 'pause' | 'cancel'): number[] {
    const stopped: number[] = [];
    for (const runId of runIds) {
      const job = this.jobs.get(runId);
      if (!job || (job.status !== 'queued' && job.status !== 'running')) continue;
      if (how === 'pause') job.pause();
      else job.cancel();
      stopped.push(runId);
    }
    return stopped;
  }

  /** Whether an experiment has a session in this process. */
  isActive(experimentId: number): boolean {
    return this.sessions.has(experimentId);
  }

  /** The live state of a run, or null when it is not queued or training here. */
  liveRun(runId: number): LiveRun | null {
    const l = this.live.get(runId);
    return l ? { ...l } : null;
  }

  /** Runs queued or training, oldest first. */
  active(): LiveRun[] {
    return [...this.live.values()].map((l) => ({ ...l }));
  }

  /** Pauses every run (they resume next start) and waits until all have stopped. */
  async close(): Promise<void> {
    const sessions = [...this.sessions.values()];
    for (const s of sessions) s.pause();
    await Promise.allSettled(sessions.map((s) => s.done));
    await this.pool?.close();
    this.pool = undefined;
  }

  private refuseBusy(experimentId: number): void {
    if (this.sessions.has(experimentId)) {
      throw new LabError('busy', `experiment e${experimentId} has runs queued or training; pause or wait for them first`, { experiment: experimentId });
    }
  }

  private ensurePool(): JobPool {
    this.pool ??= new JobPool({ backend: this.o.backend, ...(this.o.concurrency !== undefined ? { concurrency: this.o.concurrency } : {}) });
    return this.pool;
  }

  private launch(experimentId: number, runs: readonly RunRow[], start: () => ExperimentExecution): void {
    for (const r of runs) {
      this.live.set(r.id, { runId: r.id, experimentId, method: r.method, seed: r.seed, status: 'queued', round: null, phase: null, iteration: null, iterations: null, loss: null, imagesPerSecond: null, etaSeconds: null });
    }
    let session: ExperimentExecution;
    try {
      session = start();
    } catch (e) {
      for (const r of runs) this.live.delete(r.id);
      throw e;
    }
    this.sessions.set(experimentId, session);
    const forget = (): void => {
      this.sessions.delete(experimentId);
      for (const r of runs) {
        this.live.delete(r.id);
        this.jobs.delete(r.id);
      }
    };
    // A failure is already recorded on the runs and announced as run.failed; nothing else to do here.
    session.done.then(forget, forget);
  }

  private hooks() {
    return {
      onRunStarted: (runId: number, job: Job) => {
        this.jobs.set(runId, job);
        const l = this.live.get(runId);
        if (l) l.status = job.status === 'running' ? 'running' : 'queued';
      },
      onEvent: (e: RunEventMessage, runId: number) => {
        const l = this.live.get(runId);
        if (l && e.event === 'run.progress') {
          const p = e.payload;
          Object.assign(l, { status: 'running', round: p.round, phase: p.phase, iteration: p.iteration, iterations: p.iterations, loss: p.loss, imagesPerSecond: p.imagesPerSecond, etaSeconds: p.etaSeconds });
        } else if (l && e.event === 'run.roundDone') {
          l.status = 'running';
          l.round = e.payload.record.round;
        } else if (e.event === 'run.finished' || e.event === 'run.failed') {
          this.live.delete(runId);
        }
        this.o.emit(e);
      },
      onRoundStored: () => undefined,
    } satisfies Parameters<typeof executeExperiment>[0]['hooks'];
  }

  /** Queues a job that belongs to no run (a ticket evaluation) in the same pool, sharing its slots. */
  submitJob(spec: JobSpec, hooks: JobHooks): Job {
    return this.ensurePool().submit(spec, hooks);
  }

  /** Re-reads a run (for callers answering with fresh rows). */
  run(runId: number): RunRow {
    return getRun(this.o.db, runId);
  }
}
