// Entry of a job worker: runs one run (method × seed) of an experiment off the main thread. It
// selects the backend, loads the data, runs the lab, and posts run events ({event, payload}) and
// each finished round's checkpoint; the main thread stores the round (it is the library's one
// writer) and acks, and only then does the next round start, so a crash never loses a stored round.
import { parentPort, workerData } from 'node:worker_threads';
import { LabError } from '../contract/errors.js';
import type { RunEventMessage } from '../contract/events.js';
import { parseExperimentConfig } from '../contract/experiment-config.js';
import { loadDataset } from '../data/registry.js';
import { selectBackend } from '../lab/backend/index.js';
import { createContext } from '../lab/context.js';
import type { LabEvent, LabSink, RoundCheckpoint } from '../lab/events.js';
import { runMethod } from '../lab/run-method.js';
import { evaluateJob } from './evaluate-job.js';
import {
  createCurveSampler,
  createThrottle,
  fromWire,
  progressPayload,
  PROGRESS_PER_SECOND,
  roundPayload,
  wireError,
  type EventRef,
} from './job-events.js';
import { startPartitionWorkers, type PartitionWorkers } from './partition-workers.js';
import { STOP, type JobWorkerData, type JobWorkerMessage, type ToJobWorker } from './protocol.js';

const data = workerData as JobWorkerData;
const port = parentPort;
if (!port) throw new LabError('internal', 'job-worker.js runs only as a worker thread');
const { spec } = data;
const stopFlag = new Int32Array(data.stop);
const controller = new AbortController();
const started = performance.now();
let seq = 0;
let stored = 0;
let lastRound: number | null = spec.resume?.record.round ?? null;
let awaiting: { round: number; resolve(): void; reject(e: Error): void } | undefined;

function post(m: JobWorkerMessage): void {
  port?.postMessage(m);
}

function ref(): EventRef {
  return { job: data.jobId, method: spec.method, seed: spec.seed, seq: ++seq };
}

/**
 * Aborts the lab once the main thread has raised the stop flag: on its 'stop' message (training
 * yields to the event loop every few batches, so the message is served) and after every batch.
 */
function checkStop(): void {
  if (!controller.signal.aborted && Atomics.load(stopFlag, 0) !== STOP.none) controller.abort();
}

port.on('message', (m: ToJobWorker) => {
  if (m.type === 'stop') checkStop();
  else if (awaiting && awaiting.round === m.round) {
    const a = awaiting;
    awaiting = undefined;
    if (m.type === 'ack') a.resolve();
    else a.reject(fromWire(m.error));
  }
});

const throttle = createThrottle(PROGRESS_PER_SECOND);
const curve = createCurveSampler();
const sink: LabSink = {
  event(e: LabEvent): void {
    if (e.type !== 'progress') return;
    checkStop();
    curve.add(e);
    if (throttle.pass()) post({ event: 'run.progress', payload: progressPayload(ref(), e, spec.config.training.batchSize) });
  },
  async roundDone(c: RoundCheckpoint): Promise<void> {
    const acked = new Promise<void>((resolve, reject) => {
      awaiting = { round: c.record.round, resolve, reject };
    });
    // Structured clone copies the maps: the lab keeps using θ0 and the mask, so nothing is transferred.
    post({ type: 'checkpoint', checkpoint: c, progress: curve.take(c.record.round) });
    await acked;
    stored++;
    lastRound = c.record.round;
    post({ event: 'run.roundDone', payload: { ...ref(), record: roundPayload(c.record), final: c.final } });
  },
};

async function run(): Promise<void> {
  let partitions: PartitionWorkers | undefined;
  try {
    // The whole experiment's config (one method × seed of it runs here), checked again at this boundary.
    const config = parseExperimentConfig(spec.config);
    if (spec.method === 'colt' && !spec.evaluate && !spec.resume?.final && data.partitionWorkers >= 2) {
      // Started first, so they load the backend and data while this worker does the same.
      partitions = startPartitionWorkers(
        data.partitionWorkers,
        { config, seed: spec.seed, dataDir: spec.dataDir, cacheDir: spec.cacheDir, backend: data.backend, stop: data.stop },
        (e) => sink.event(e),
        data.resourceLimits,
      );
    }
    await selectBackend(data.backend);
    const loadOptions = { dataDir: spec.dataDir, cacheDir: spec.cacheDir };
    const dataset = await loadDataset(config.dataset, loadOptions);
    const evalName = config.evaluationDataset;
    const evalDataset = evalName && evalName !== config.dataset ? await loadDataset(evalName, loadOptions) : dataset;
    checkStop();
    if (controller.signal.aborted) throw new LabError('cancelled', 'stopped before training started');
    const ctx = createContext(config, dataset, evalDataset, sink, { signal: controller.signal, partitionRunner: partitions?.runner });
    if (spec.evaluate) await evaluateJob(ctx, spec.method, spec.seed, spec.evaluate);
    else await runMethod(ctx, { method: spec.method, seed: spec.seed, ...(spec.resume ? { resume: spec.resume } : {}), ...(spec.impMasks ? { impMasks: spec.impMasks } : {}) });
    await partitions?.close();
    finish({ event: 'run.finished', payload: { ...ref(), status: 'finished', rounds: stored, lastRound, seconds: seconds() } });
  } catch (e) {
    await partitions?.close();
    if (controller.signal.aborted) {
      const status = Atomics.load(stopFlag, 0) === STOP.pause ? 'paused' : 'cancelled';
      finish({ event: 'run.finished', payload: { ...ref(), status, rounds: stored, lastRound, seconds: seconds() } });
    } else {
      finish({ event: 'run.failed', payload: { ...ref(), status: 'failed', error: wireError(e), rounds: stored, lastRound, seconds: seconds() } });
    }
  }
}

function seconds(): number {
  return (performance.now() - started) / 1000;
}

function finish(m: RunEventMessage): void {
  post(m);
  port?.close();
}

void run();
