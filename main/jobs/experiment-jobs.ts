import type { ExperimentConfig, Method } from '../contract/experiment-config.js';
import type { RoundCheckpoint } from '../lab/events.js';
import type { Mask } from '../lab/masks.js';
import type { RunResult } from '../lab/run-result.js';
import type { Job, JobHooks, JobPool } from './pool.js';
import type { JobSpec } from './protocol.js';

/** Where each run (method × seed) continues from: its last finished round's checkpoint, if any. */
export type ResumePoints = (method: Method, seed: number) => RoundCheckpoint | undefined;

/** Masks of the rounds a run had finished before this session (for the reinit control after a resume). */
export type FinishedMasks = (method: Method, seed: number) => Mask[];

/** How to submit an experiment's runs. */
export interface ExperimentJobsOptions {
  readonly dataDir: string;
  readonly cacheDir?: string;
  /** Runs to continue from their last stored round (e.g. the library's loadResumePoint). */
  readonly resume?: ResumePoints;
  /** IMP's masks of rounds stored before this session, for the reinit control after a resume. */
  readonly finishedMasks?: FinishedMasks;
  /** Only these runs (default: every method × seed of the config). */
  readonly only?: readonly { readonly method: Method; readonly seed: number }[];
  readonly parallelPartitions?: boolean;
  readonly hooks?: JobHooks;
}

/** An experiment's jobs: one per run; reinit jobs join once their seed's IMP run has finished. */
export interface ExperimentJobs {
  /** The jobs submitted so far (reinit jobs are added when they start waiting for a slot). */
  readonly jobs: readonly Job[];
  /** Cancels every job (a reinit not yet submitted never will be). */
  cancel(): void;
  /** Pauses every job (as cancel, with status `paused`). */
  pause(): void;
  /** Resolves when every job has ended, with each run's stored rounds (for analysis/stats methodSummaries). */
  readonly done: Promise<RunResult[]>;
}

/**
 * Submits every run (method × seed) of an experiment as its own job. The runs of a seed do not
 * depend on each other, except the reinit control, which uses IMP's masks: it is submitted when
 * that seed's IMP job has finished (with the masks of all its rounds), and not at all otherwise.
 */
export function submitExperiment(pool: JobPool, config: ExperimentConfig, o: ExperimentJobsOptions): ExperimentJobs {
  const jobs: Job[] = [];
  const waits: Promise<unknown>[] = [];
  let stopped: 'cancelled' | 'paused' | undefined;
  const wanted = (method: Method, seed: number): boolean => !o.only || o.only.some((r) => r.method === method && r.seed === seed);
  const spec = (method: Method, seed: number): JobSpec => {
    const resume = o.resume?.(method, seed);
    return {
      config,
      method,
      seed,
      dataDir: o.dataDir,
      ...(o.cacheDir !== undefined ? { cacheDir: o.cacheDir } : {}),
      ...(resume ? { resume } : {}),
      ...(o.parallelPartitions !== undefined ? { parallelPartitions: o.parallelPartitions } : {}),
    };
  };
  const submit = (s: JobSpec, hooks?: JobHooks): Job => {
    const job = pool.submit(s, hooks);
    jobs.push(job);
    waits.push(job.done);
    return job;
  };
  const reinit = config.methods.includes('reinit');
  for (const seed of config.seeds) {
    const impMasks: Mask[] = [...(o.finishedMasks?.('imp', seed) ?? [])];
    for (const method of config.methods) {
      if (method === 'reinit' || !wanted(method, seed)) continue;
      const collect = method === 'imp' && reinit && wanted('reinit', seed);
      submit(
        spec(method, seed),
        collect
          ? {
              ...o.hooks,
              onRoundDone: async (c, job, progress) => {
                impMasks[c.record.round] = c.ticket.mask;
                await o.hooks?.onRoundDone?.(c, job, progress);
              },
            }
          : o.hooks,
      );
    }
    if (!reinit || !wanted('reinit', seed)) continue;
    const imp = jobs.find((j) => j.spec.method === 'imp' && j.spec.seed === seed);
    const after = imp ? imp.done.then((outcome) => outcome.status === 'finished') : Promise.resolve(impMasks.length > 0);
    waits.push(
      after.then((ready) => {
        if (ready && !stopped) submit({ ...spec('reinit', seed), impMasks: [...impMasks] }, o.hooks);
      }),
    );
  }
  const stop = (how: 'cancelled' | 'paused'): void => {
    stopped = how;
    for (const j of jobs) {
      if (how === 'paused') j.pause();
      else j.cancel();
    }
  };
  const settle = async (): Promise<RunResult[]> => {
    // Waiting may submit more (reinit): wait until the list stops growing.
    for (let seen = -1; seen !== waits.length; ) {
      seen = waits.length;
      await Promise.all(waits);
    }
    return jobs.map((j) => ({ method: j.spec.method, seed: j.spec.seed, rounds: j.rounds }));
  };
  return {
    jobs,
    cancel: () => stop('cancelled'),
    pause: () => stop('paused'),
    done: settle(),
  };
}
