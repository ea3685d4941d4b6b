import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { compiledEntry } from '../common/paths.js';
import { LabError } from '../contract/errors.js';

/** The worker entry points of main/jobs. */
export type WorkerName = 'job-worker' | 'partition-worker' | 'backend-probe-worker';

/**
 * Where a worker's compiled entry is. Workers always run compiled JavaScript: from dist/ this is the
 * sibling file; from the TypeScript sources (vitest imports main/ directly) it is the copy under
 * dist/main/jobs, so tests need `npm run build` first (`npm test` builds before vitest runs).
 */
export function workerUrl(name: WorkerName): URL {
  const file = compiledEntry(import.meta.url, 'main/jobs', name);
  if (!existsSync(file)) throw new LabError('internal', `${file} is missing: workers run compiled JavaScript; run \`npm run build\` first`);
  return pathToFileURL(file);
}
