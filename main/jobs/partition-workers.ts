import { Worker, type ResourceLimits } from 'node:worker_threads';
import { LabError } from '../contract/errors.js';
import type { PartitionResult, PartitionRunner } from '../lab/context.js';
import type { ProgressEvent } from '../lab/events.js';
import { fromWire, wireError } from './job-events.js';
import type { PartitionTask, PartitionWorkerData, PartitionWorkerMessage } from './protocol.js';
import { workerUrl } from './worker-url.js';

/** Partition workers of one COLT run and the runner that trains a round's partitions on them. */
export interface PartitionWorkers {
  readonly runner: PartitionRunner;
  /** Stops the workers (their trainings end with them). */
  close(): Promise<void>;
}

interface Pending {
  readonly worker: number;
  resolve(r: PartitionResult): void;
  reject(e: Error): void;
}

/**
 * Starts `count` partition workers for one seed; partition k trains on worker k mod count, so with
 * count = P every partition of a round trains at once. Their progress goes to `onProgress`.
 */
export function startPartitionWorkers(
  count: number,
  data: PartitionWorkerData,
  onProgress: (e: ProgressEvent) => void,
  resourceLimits?: ResourceLimits,
): PartitionWorkers {
  const url = workerUrl('partition-worker');
  const pending = new Map<number, Pending>();
  let nextTask = 0;
  let closing = false;
  const failAll = (worker: number, e: Error): void => {
    for (const [task, p] of pending) {
      if (p.worker !== worker) continue;
      pending.delete(task);
      p.reject(e);
    }
  };
  const workers = Array.from({ length: count }, (_, i) => {
    const w = new Worker(url, { workerData: data, ...(resourceLimits ? { resourceLimits } : {}) });
    let crash: Error | undefined;
    w.on('message', (m: PartitionWorkerMessage) => {
      if (m.type === 'progress') {
        onProgress(m.event);
        return;
      }
      const p = pending.get(m.task);
      if (!p) return;
      pending.delete(m.task);
      if (m.type === 'result') p.resolve(m.result);
      else p.reject(fromWire(m.error));
    });
    w.on('error', (e) => {
      crash = e;
      failAll(i, fromWire(wireError(e)));
    });
    w.on('exit', (code) => {
      if (closing) return;
      failAll(i, crash ? fromWire(wireError(crash)) : new LabError('internal', `partition worker ${i + 1} exited unexpectedly (code ${code})`));
    });
    return w;
  });
  const runner: PartitionRunner = (seed, round, k, mask, start) =>
    new Promise<PartitionResult>((resolve, reject) => {
      if (seed !== data.seed) {
        reject(new LabError('internal', `partition workers of seed ${data.seed} were asked to train seed ${seed}`));
        return;
      }
      const task = nextTask++;
      const worker = k % workers.length;
      pending.set(task, { worker, resolve, reject });
      const message: PartitionTask = { type: 'train', task, round, k, mask, start };
      workers[worker].postMessage(message);
    });
  return {
    runner,
    async close(): Promise<void> {
      closing = true;
      for (const [task, p] of pending) {
        pending.delete(task);
        p.reject(new LabError('cancelled', 'partition workers closed'));
      }
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
