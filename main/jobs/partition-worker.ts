// Entry of a COLT partition worker: trains partition models of one seed on request, in its own
// thread, with the same code and backend as the job worker, so the results are those of the
// sequential order. Started by a job worker (see partition-workers.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { LabError } from '../contract/errors.js';
import { loadDataset } from '../data/registry.js';
import { selectBackend } from '../lab/backend/index.js';
import { localPartitionTrainer } from '../lab/colt.js';
import { createContext } from '../lab/context.js';
import type { LabEvent, LabSink } from '../lab/events.js';
import type { Mask } from '../lab/masks.js';
import { wireError } from './job-events.js';
import { STOP, type PartitionTask, type PartitionWorkerData, type PartitionWorkerMessage } from './protocol.js';

const data = workerData as PartitionWorkerData;
const port = parentPort;
if (!port) throw new LabError('internal', 'partition-worker.js runs only as a worker thread');
const stop = new Int32Array(data.stop);
const controller = new AbortController();

function post(m: PartitionWorkerMessage, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(m, transfer);
}

const ready = (async () => {
  await selectBackend(data.backend);
  const dataset = await loadDataset(data.config.dataset, { dataDir: data.dataDir, cacheDir: data.cacheDir });
  const { config } = data;
  const sink: LabSink = {
    event(e: LabEvent): void {
      if (e.type !== 'progress') return;
      // Checked after every batch: the flag flips in another thread.
      if (Atomics.load(stop, 0) !== STOP.none) controller.abort();
      post({ type: 'progress', event: e });
    },
  };
  const ctx = createContext(config, dataset, dataset, sink, { signal: controller.signal });
  return localPartitionTrainer(ctx, data.seed);
})();
// Keep a failed start from surfacing as an unhandled rejection; each task reports it instead.
ready.catch(() => undefined);

async function handle(t: PartitionTask): Promise<void> {
  try {
    const train = await ready;
    const r = await train(t.round, t.k, t.mask as Mask, t.start);
    const buffers = new Set<ArrayBuffer>();
    for (const map of [r.weights, r.buffers]) for (const v of map.values()) buffers.add(v.buffer as ArrayBuffer);
    post({ type: 'result', task: t.task, result: r }, [...buffers]);
  } catch (e) {
    post({ type: 'error', task: t.task, error: wireError(e) });
  }
}

let queue: Promise<void> = Promise.resolve();
port.on('message', (t: PartitionTask) => {
  queue = queue.then(() => handle(t));
});
