import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LabError } from '../contract/errors.js';

/** The worker entry points of main/jobs. */
export type WorkerName = 'job-worker' | 'partition-worker' | 'backend-probe-worker';

/**
 * Where a worker's compiled entry is. Workers always run compiled JavaScript: from dist/ this is the
 * sibling file; from the TypeScript sources (vitest imports main/ directly) it is the copy under
 * dist/main/jobs, so tests need `npm run build` first (`npm test` builds before vitest runs).
 */
export function workerUrl(name: WorkerName): URL {
  if (import.meta.url.endsWith('.js')) return new URL(`./${name}.js`, import.meta.url);
  const compiled = new URL(`../../dist/main/jobs/${name}.js`, import.meta.url);
  if (!existsSync(fileURLToPath(compiled))) {
    throw new LabError('internal', `${fileURLToPath(compiled)} is missing: workers run compiled JavaScript; run \`npm run build\` first`);
  }
  return compiled;
}
