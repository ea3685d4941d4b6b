import { Worker } from 'node:worker_threads';
import type { BackendChoice, BackendRequest } from '../lab/backend/index.js';
import { fromThread } from './event-payloads.js';
import type { ThreadError } from './protocol.js';
import { workerUrl } from './worker-url.js';

/**
 * Which backend a worker gets for a request (selectBackend run in a throwaway worker thread), so
 * the main thread can size the pool and report the choice without loading TF.js or CUDA itself.
 */
export function probeBackend(request: BackendRequest = 'auto'): Promise<BackendChoice> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerUrl('backend-probe-worker'), { workerData: request });
    let answered = false;
    worker.once('message', (m: { ok: true; choice: BackendChoice } | { ok: false; error: ThreadError }) => {
      answered = true;
      if (m.ok) resolve(m.choice);
      else reject(fromThread(m.error));
      void worker.terminate();
    });
    worker.once('error', (e) => {
      answered = true;
      reject(e);
    });
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`the backend probe exited without an answer (code ${code})`));
    });
  });
}
