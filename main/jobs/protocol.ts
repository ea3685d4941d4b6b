import type { ResourceLimits } from 'node:worker_threads';
import type { LabErrorCode } from '../contract/errors.js';
import type { RunEventMessage } from '../contract/events.js';
import type { ExperimentConfig, Method } from '../contract/experiment-config.js';
import type { BackendRequest } from '../lab/backend/index.js';
import type { PartitionResult, PartitionStart } from '../lab/context.js';
import type { ProgressEvent, RoundCheckpoint } from '../lab/events.js';
import type { Mask } from '../lab/masks.js';
import type { WeightMap } from '../lab/weights.js';

// Messages between the main thread, job workers and COLT partition workers. Run events use the
// contract's `{event, payload}` shape; checkpoints and partition tasks carry typed arrays (structured
// clone), so they are internal messages that never leave the process.

/** What a job is doing: waiting for a slot, training, or how it ended. */
export type JobStatus = 'queued' | 'running' | 'finished' | 'failed' | 'cancelled' | 'paused';

/** A LabError as it crosses a thread boundary. */
export interface WireError {
  readonly code: LabErrorCode;
  readonly message: string;
}

/** One job: one run (method × seed) of a validated experiment config. */
export interface JobSpec {
  readonly config: ExperimentConfig;
  readonly method: Method;
  readonly seed: number;
  /** Folder holding datasets.json (registered datasets). */
  readonly dataDir: string;
  /** Folder for decoded-dataset caches (none when absent). */
  readonly cacheDir?: string;
  /** The run's last finished round: training continues after it. */
  readonly resume?: RoundCheckpoint;
  /** reinit only: IMP's mask of each round for the same seed (index = round). */
  readonly impMasks?: readonly Mask[];
  /** COLT: train a round's partitions in parallel workers when the backend is CPU-bound and slots allow (default true). */
  readonly parallelPartitions?: boolean;
  /** Memory limits of this job's worker (overrides the pool's). */
  readonly resourceLimits?: ResourceLimits;
  /**
   * Instead of running the method: train this ticket (θ0 ⊙ mask, with a full-class head) once on
   * the config's dataset with its recipe, and report it as the job's one stored round (round 0).
   */
  readonly evaluate?: { readonly mask: Mask; readonly init: WeightMap };
}

/** Values of the stop flag (an Int32 in a SharedArrayBuffer that workers read after every batch). */
export const STOP = { none: 0, cancel: 1, pause: 2 } as const;

/** workerData of a job worker. */
export interface JobWorkerData {
  readonly jobId: string;
  readonly spec: Omit<JobSpec, 'resourceLimits'>;
  readonly backend: BackendRequest;
  /** Int32[1] holding a STOP value, set by the main thread. */
  readonly stop: SharedArrayBuffer;
  /** COLT: partition workers to train a round's partitions in (0: in this worker, one after another). */
  readonly partitionWorkers: number;
  readonly resourceLimits?: ResourceLimits;
}

/** A finished round on its way to the main thread, which stores it and answers with an ack. */
export interface CheckpointMessage {
  readonly type: 'checkpoint';
  readonly checkpoint: RoundCheckpoint;
  /** The round's progress events, sampled like a training curve (about 100 per phase), for the library. */
  readonly progress: readonly ProgressEvent[];
}

/** Job worker → main thread. */
export type JobWorkerMessage = RunEventMessage | CheckpointMessage;

/** Main thread → job worker. */
export type ToJobWorker =
  | { readonly type: 'ack'; readonly round: number }
  | { readonly type: 'nack'; readonly round: number; readonly error: WireError }
  | { readonly type: 'stop' };

/** workerData of a COLT partition worker (one seed of one experiment). */
export interface PartitionWorkerData {
  readonly config: ExperimentConfig;
  readonly seed: number;
  readonly dataDir: string;
  readonly cacheDir?: string;
  readonly backend: BackendRequest;
  readonly stop: SharedArrayBuffer;
}

/** Job worker → partition worker: train partition k of a round from its start point ⊙ mask. */
export interface PartitionTask {
  readonly type: 'train';
  readonly task: number;
  readonly round: number;
  readonly k: number;
  readonly mask: Mask;
  readonly start: PartitionStart;
}

/** Partition worker → job worker. */
export type PartitionWorkerMessage =
  | { readonly type: 'progress'; readonly event: ProgressEvent }
  | { readonly type: 'result'; readonly task: number; readonly result: PartitionResult }
  | { readonly type: 'error'; readonly task: number; readonly error: WireError };
