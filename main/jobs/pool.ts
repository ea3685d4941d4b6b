import { availableParallelism } from 'node:os';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { invalidInput, LabError } from '../contract/errors.js';
import { isRunEventMessage, type RunEventMessage } from '../contract/run-events.js';
import type { BackendChoice, BackendRequest } from '../lab/backend/index.js';
import type { ProgressEvent, RoundCheckpoint, RoundRecord } from '../lab/lab-sink.js';
import { threadError } from './event-payloads.js';
import { STOP, type JobSpec, type JobStatus, type JobWorkerData, type JobWorkerMessage, type ToJobWorker, type ThreadError } from './protocol.js';
import { workerUrl } from './worker-url.js';

/** The backend as the pool needs it: its name and the package providing it. */
export type PoolBackend = Pick<BackendChoice, 'name' | 'package'>;

/**
 * Stores a finished round; the job's worker waits for it before starting the next round. It gets
 * the round's sampled progress (a training curve). A rejection fails the job (nothing after it runs).
 */
export type RoundDoneHook = (checkpoint: RoundCheckpoint, job: Job, progress: readonly ProgressEvent[]) => void | Promise<void>;

/** Receives every run event of every job, in each job's order. */
export type EventHook = (e: RunEventMessage, job: Job) => void;

/** Options of a JobPool. */
export interface JobPoolOptions {
  /** The backend every job selects (from selectBackend or probeBackend). */
  readonly backend: PoolBackend;
  /** Jobs at once (a parallel COLT job counts one per partition worker); default: defaultConcurrency. */
  readonly concurrency?: number;
  /** GPUs, for the default concurrency on the GPU backends (default 1). */
  readonly gpus?: number;
  /** The library's one writer: called on the main thread for every finished round, one at a time per job. */
  readonly onRoundDone?: RoundDoneHook;
  readonly onEvent?: EventHook;
  /** Memory limits of each worker (an exceeded limit fails that job only). */
  readonly resourceLimits?: ResourceLimits;
  /** After a cancel or pause, how long a worker may take to stop before it is terminated (default 60 s). */
  readonly stopGraceMs?: number;
  /** How COLT partitions share a GPU (default GPU_PARTITIONS). */
  readonly gpuPartitions?: GpuPartitions;
}

/** Hooks of one job, run after the pool's. */
export interface JobHooks {
  readonly onRoundDone?: RoundDoneHook;
  readonly onEvent?: EventHook;
}

/** How a job ended. */
export interface JobOutcome {
  readonly status: Exclude<JobStatus, 'queued' | 'running'>;
  /** Rounds stored by this job (acknowledged by onRoundDone), in order. */
  readonly rounds: readonly RoundRecord[];
  /** The run's last stored checkpoint (this job's, or the one it resumed from): where a resume continues. */
  readonly lastCheckpoint?: RoundCheckpoint;
  readonly error?: ThreadError;
}

/** Whether a backend runs on a GPU: tfjs-node-gpu (CUDA) or webgpu (any adapter: a software one emulates a GPU with all cores). */
export function isGpuBackend(b: PoolBackend): boolean {
  return (b.name === 'tensorflow' && b.package.endsWith('-gpu')) || b.name === 'webgpu';
}

/** The selectBackend request that gives a worker the same backend as `b`. */
export function backendRequestFor(b: PoolBackend): BackendRequest {
  if (b.name === 'tensorflow') return isGpuBackend(b) ? 'tensorflow-gpu' : 'tensorflow';
  return b.name;
}

/** Default jobs at once: one per GPU on the GPU backends, else one per core. */
export function defaultConcurrency(b: PoolBackend, gpus = 1, cores = availableParallelism()): number {
  return Math.max(1, isGpuBackend(b) ? gpus : cores);
}

/**
 * How a COLT job's partitions share one GPU: 'sequential' (in the job's worker, one after another)
 * or 'interleaved' (P partition workers, each with its own device, taking turns on the GPU).
 */
export type GpuPartitions = 'sequential' | 'interleaved';

/**
 * The default for GPU backends: sequential. `colt bench` times both (jobs.coltGpu); on the only
 * adapter measured so far, SwiftShader, sequential was faster (bench/README.md has the figures).
 */
export const GPU_PARTITIONS: GpuPartitions = 'sequential';

/**
 * Partition workers a COLT job gets when it starts: on CPU backends min(P, free slots, cores)
 * when that is at least 2; on a GPU backend P when `gpu` is 'interleaved' (they share the job's
 * one GPU slot); else 0 (partitions train in the job's own worker, one after another).
 */
export function partitionWorkersFor(
  spec: Pick<JobSpec, 'method' | 'config' | 'parallelPartitions'>,
  b: PoolBackend,
  free: number,
  cores = availableParallelism(),
  gpu: GpuPartitions = GPU_PARTITIONS,
): number {
  if (spec.method !== 'colt' || spec.parallelPartitions === false) return 0;
  if (isGpuBackend(b)) return gpu === 'interleaved' && spec.config.colt.partitions >= 2 ? spec.config.colt.partitions : 0;
  const n = Math.min(spec.config.colt.partitions, free, cores);
  return n >= 2 ? n : 0;
}

let nextJob = 1;

/** One run (method × seed) in the pool: its status, stored rounds, and cancel / pause. */
export class Job {
  readonly id: string;
  readonly spec: JobSpec;
  /** Where a resume continues: the last stored checkpoint (starts as the spec's). */
  lastCheckpoint: RoundCheckpoint | undefined;
  /** Partition workers this job trains COLT partitions in (0: in its own worker); set when it starts. */
  partitionWorkers = 0;
  /** Resolves when the job has ended (never rejects). */
  readonly done: Promise<JobOutcome>;
  private statusValue: JobStatus = 'queued';
  private readonly storedRounds: RoundRecord[] = [];
  private errorValue: ThreadError | undefined;
  private settleDone!: (o: JobOutcome) => void;

  constructor(
    spec: JobSpec,
    private readonly pool: JobPool,
    readonly hooks: JobHooks = {},
  ) {
    this.id = `job-${nextJob++}`;
    this.spec = spec;
    this.lastCheckpoint = spec.resume;
    this.done = new Promise((resolve) => {
      this.settleDone = resolve;
    });
  }

  /** queued, running, or how it ended. */
  get status(): JobStatus {
    return this.statusValue;
  }

  /** Rounds stored by this job, in order. */
  get rounds(): readonly RoundRecord[] {
    return this.storedRounds;
  }

  /** Why it failed. */
  get error(): ThreadError | undefined {
    return this.errorValue;
  }

  /** Stops the run within one batch; status `cancelled`; stored rounds stay. */
  cancel(): void {
    this.pool.stop(this, 'cancelled');
  }

  /** Stops like cancel, with status `paused`: `pool.resume(job)` continues after the last stored round. */
  pause(): void {
    this.pool.stop(this, 'paused');
  }

  /** @internal */
  setStatus(s: JobStatus): void {
    this.statusValue = s;
  }

  /** @internal */
  addRound(c: RoundCheckpoint): void {
    this.storedRounds.push(c.record);
    this.lastCheckpoint = c;
  }

  /** @internal */
  settle(status: JobOutcome['status'], error?: ThreadError): void {
    this.statusValue = status;
    this.errorValue = error;
    this.settleDone({
      status,
      rounds: this.storedRounds,
      ...(this.lastCheckpoint ? { lastCheckpoint: this.lastCheckpoint } : {}),
      ...(error ? { error } : {}),
    });
  }
}

/** The event a job ends with. */
type EndEvent = Extract<RunEventMessage, { event: 'run.finished' | 'run.failed' }>;

interface Running {
  readonly worker: Worker;
  readonly stop: Int32Array;
  readonly slots: number;
  readonly started: number;
  /** The stored round chain: each round's hook runs after the previous one's. */
  storing: Promise<void>;
  lastSeq: number;
  terminal?: EndEvent;
  crash?: unknown;
  stopping?: 'cancelled' | 'paused';
  graceTimer?: NodeJS.Timeout;
}

/**
 * Runs experiment jobs in worker threads, a queue with a concurrency limit. Each job is one run
 * (method × seed) in its own worker; the main thread stays free (it only relays events and stores
 * rounds through onRoundDone, the library's one writer). A job that throws, crashes or runs out of
 * memory fails alone; the others go on.
 */
export class JobPool {
  readonly concurrency: number;
  private readonly queue: Job[] = [];
  private readonly running = new Map<Job, Running>();
  /** Queued and running jobs (ended ones are dropped, so their checkpoints can be collected). */
  private readonly active = new Set<Job>();
  private used = 0;

  constructor(private readonly options: JobPoolOptions) {
    this.concurrency = Math.max(1, options.concurrency ?? defaultConcurrency(options.backend, options.gpus));
  }

  /** The jobs queued or running, in submission order. */
  get jobs(): readonly Job[] {
    return [...this.active];
  }

  /** Queues a job; it starts when a slot is free. */
  submit(spec: JobSpec, hooks?: JobHooks): Job {
    if (!spec.config.methods.includes(spec.method) || !spec.config.seeds.includes(spec.seed)) {
      throw invalidInput(`job: ${spec.method}, seed ${spec.seed} is not a run of experiment '${spec.config.name}' (methods ${spec.config.methods.join(', ')}; seeds ${spec.config.seeds.join(', ')})`);
    }
    const job = new Job(spec, this, hooks);
    this.active.add(job);
    void job.done.then(() => this.active.delete(job));
    this.queue.push(job);
    this.pump();
    return job;
  }

  /** Queues a paused, cancelled or failed job's run again, continuing after its last stored round. */
  resume(job: Job, hooks: JobHooks = job.hooks): Job {
    if (job.status === 'queued' || job.status === 'running') throw new LabError('busy', `${job.id} is ${job.status}; pause it first`);
    return this.submit({ ...job.spec, resume: job.lastCheckpoint }, hooks);
  }

  /** Cancels every job; resolves when all have ended. */
  async close(): Promise<void> {
    for (const job of [...this.queue, ...this.running.keys()]) job.cancel();
    await this.idle();
  }

  /** Resolves when every job queued or running now has ended. */
  async idle(): Promise<void> {
    await Promise.all([...this.active].map((j) => j.done));
  }

  /** @internal Stops a queued or running job (Job.cancel / Job.pause). */
  stop(job: Job, how: 'cancelled' | 'paused'): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      const last = job.lastCheckpoint?.record.round ?? null;
      job.settle(how);
      this.emit(job, { event: 'run.finished', payload: { ...this.ref(job, 1), status: how, rounds: 0, lastRound: last, seconds: 0 } });
      return;
    }
    const r = this.running.get(job);
    if (!r || r.stopping || r.terminal) return;
    r.stopping = how;
    Atomics.store(r.stop, 0, how === 'paused' ? STOP.pause : STOP.cancel);
    this.send(r, { type: 'stop' });
    // A worker stuck outside the training loop (a long evaluation) is terminated: only stored rounds count.
    r.graceTimer = setTimeout(() => void r.worker.terminate(), this.options.stopGraceMs ?? 60_000);
  }

  private pump(): void {
    while (this.queue.length > 0 && this.used < this.concurrency) {
      const job = this.queue.shift() as Job;
      this.start(job);
    }
  }

  private start(job: Job): void {
    const partitionWorkers = partitionWorkersFor(job.spec, this.options.backend, this.concurrency - this.used, undefined, this.options.gpuPartitions);
    // On a GPU the partition workers take turns on the job's one device: one slot.
    const slots = isGpuBackend(this.options.backend) ? 1 : Math.max(1, partitionWorkers);
    job.partitionWorkers = partitionWorkers;
    job.setStatus('running');
    this.used += slots;
    const stop = new SharedArrayBuffer(4);
    const { resourceLimits: jobLimits, ...spec } = job.spec;
    const resourceLimits = jobLimits ?? this.options.resourceLimits;
    const data: JobWorkerData = {
      jobId: job.id,
      spec,
      backend: backendRequestFor(this.options.backend),
      stop,
      partitionWorkers,
      ...(resourceLimits ? { resourceLimits } : {}),
    };
    let worker: Worker;
    try {
      // The worker's stdout goes to stderr: stdout may be a JSON-lines stream (`colt run --json`).
      worker = new Worker(workerUrl('job-worker'), { workerData: data, stdout: true, ...(resourceLimits ? { resourceLimits } : {}) });
      // Copied chunk by chunk: a pipe per worker would add listeners to process.stderr for every job.
      worker.stdout.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    } catch (e) {
      this.used -= slots;
      const error = threadError(e);
      job.settle('failed', error);
      queueMicrotask(() => this.pump());
      this.emit(job, { event: 'run.failed', payload: { ...this.ref(job, 1), status: 'failed', error, rounds: 0, lastRound: null, seconds: 0 } });
      return;
    }
    const r: Running = { worker, stop: new Int32Array(stop), slots, started: performance.now(), storing: Promise.resolve(), lastSeq: 0 };
    this.running.set(job, r);
    worker.on('message', (m: JobWorkerMessage) => this.onMessage(job, r, m));
    worker.on('error', (e) => {
      r.crash = e;
    });
    worker.on('exit', (code) => void this.onExit(job, r, code));
  }

  private onMessage(job: Job, r: Running, m: JobWorkerMessage): void {
    if (isRunEventMessage(m)) {
      r.lastSeq = m.payload.seq;
      if (m.event === 'run.finished' || m.event === 'run.failed') {
        // The worker is done; its exit settles the job once the stored-round chain has drained.
        r.terminal = m;
        void r.worker.terminate();
        return;
      }
      this.emit(job, m);
      return;
    }
    const c = m.checkpoint;
    r.storing = r.storing.then(async () => {
      try {
        await this.options.onRoundDone?.(c, job, m.progress);
        await job.hooks.onRoundDone?.(c, job, m.progress);
      } catch (e) {
        this.send(r, { type: 'nack', round: c.record.round, error: threadError(e) });
        return;
      }
      job.addRound(c);
      this.send(r, { type: 'ack', round: c.record.round });
    });
  }

  private async onExit(job: Job, r: Running, code: number): Promise<void> {
    clearTimeout(r.graceTimer);
    await r.storing;
    this.running.delete(job);
    this.used -= r.slots;
    const terminal = r.terminal ?? this.synthesizeEnd(job, r, code);
    // Settled first (its `done` callbacks run after this tick, so after the event): a throwing hook cannot strand the job.
    if (terminal.event === 'run.failed') job.settle('failed', terminal.payload.error);
    else job.settle(terminal.payload.status);
    try {
      this.emit(job, terminal);
    } finally {
      this.pump();
    }
  }

  /** The end of a job whose worker died without saying how (crash, out of memory, terminated). */
  private synthesizeEnd(job: Job, r: Running, code: number): EndEvent {
    const base = {
      ...this.ref(job, r.lastSeq + 1),
      rounds: job.rounds.length,
      lastRound: job.lastCheckpoint?.record.round ?? null,
      seconds: (performance.now() - r.started) / 1000,
    };
    if (r.stopping) return { event: 'run.finished', payload: { ...base, status: r.stopping } };
    const error = r.crash !== undefined ? threadError(r.crash) : { code: 'internal' as const, message: `the job's worker exited unexpectedly (code ${code})` };
    return { event: 'run.failed', payload: { ...base, status: 'failed', error } };
  }

  private ref(job: Job, seq: number): { job: string; method: JobSpec['method']; seed: number; seq: number } {
    return { job: job.id, method: job.spec.method, seed: job.spec.seed, seq };
  }

  private send(r: Running, m: ToJobWorker): void {
    // A worker that has already exited ignores messages.
    r.worker.postMessage(m);
  }

  private emit(job: Job, e: RunEventMessage): void {
    this.options.onEvent?.(e, job);
    job.hooks.onEvent?.(e, job);
  }
}
