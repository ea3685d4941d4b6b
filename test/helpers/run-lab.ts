import type { Method } from '../../main/contract/experiment-config.js';
import type { LabContext } from '../../main/lab/context.js';
import type { RoundCheckpoint } from '../../main/lab/events.js';
import type { Mask } from '../../main/lab/masks.js';
import { runMethod } from '../../main/lab/run-method.js';
import type { RunResult } from '../../main/lab/run-result.js';

/**
 * Runs every run (method × seed) of a context's config in this thread, one after another, through
 * runMethod: the code each job worker runs. The reinit control gets the masks `impMasks` gives
 * (tests hand it IMP's from an earlier run); which runs wait for which is the job layer's, tested
 * through the pool (test/integration/jobs).
 */
export async function runLab(
  ctx: LabContext,
  options: { resume?: (method: Method, seed: number) => RoundCheckpoint | undefined; impMasks?: (seed: number) => Mask[] } = {},
): Promise<RunResult[]> {
  const results: RunResult[] = [];
  for (const seed of ctx.config.seeds) {
    for (const method of ctx.config.methods) {
      ctx.sink.event({ type: 'run-start', method, seed });
      const resume = options.resume?.(method, seed);
      const impMasks = method === 'reinit' ? options.impMasks?.(seed) : undefined;
      results.push(await runMethod(ctx, { method, seed, ...(resume ? { resume } : {}), ...(impMasks ? { impMasks } : {}) }));
    }
  }
  return results;
}
