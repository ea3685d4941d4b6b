// Jobs: experiments run in worker threads (issue 6). The main thread holds the pool and is the
// library's one writer (onRoundDone); workers train and post contract-shaped run events. Workers
// load compiled JavaScript (dist/main/jobs/*.js, found from this module's URL; from the TypeScript
// sources, as under vitest, the dist/ copy: build first, as `npm test` does).
export {
  JobPool,
  Job,
  defaultConcurrency,
  partitionWorkersFor,
  isGpuBackend,
  backendRequestFor,
  GPU_PARTITIONS,
  type GpuPartitions,
  type JobPoolOptions,
  type JobHooks,
  type JobOutcome,
  type PoolBackend,
  type RoundDoneHook,
  type EventHook,
} from './pool.js';
export { probeBackend } from './backend-probe.js';
export { submitExperiment, type ExperimentJobs, type ExperimentJobsOptions } from './experiment-jobs.js';
export { PROGRESS_PER_SECOND } from './event-payloads.js';
export type { JobSpec, JobStatus, ThreadError } from './protocol.js';
