// Entry of the backend probe: selects a backend in a throwaway thread and reports the choice, so
// the main thread learns which backend jobs will get without loading TF.js (or CUDA) itself.
import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend, type BackendRequest } from '../lab/backend/index.js';
import { threadError } from './event-payloads.js';

const request = workerData as BackendRequest;
selectBackend(request).then(
  (choice) => parentPort?.postMessage({ ok: true, choice }),
  (e: unknown) => parentPort?.postMessage({ ok: false, error: threadError(e) }),
);
