import { invalidInput } from '../contract/errors.js';
import type { Method } from '../contract/experiment-config.js';
import { runColt } from './colt.js';
import type { LabContext } from './context.js';
import type { RoundCheckpoint } from './events.js';
import { runImp } from './imp.js';
import type { Mask } from './masks.js';
import { runReinit } from './reinit.js';
import type { RunResult } from './run-result.js';

/** One run of an experiment: a method and a seed, where it continues from, and (reinit) IMP's masks of that seed. */
export interface RunSpec {
  readonly method: Method;
  readonly seed: number;
  /** The run's last finished round: training continues after it. */
  readonly resume?: RoundCheckpoint;
  /** reinit only: IMP's mask of each round for the same seed (index = round). */
  readonly impMasks?: readonly Mask[];
}

/**
 * Runs one run (method × seed) of an experiment in this thread: what every job worker runs, and
 * what the algorithm tests drive. Which runs an experiment has, and the reinit control's wait for
 * its seed's IMP masks, are the job layer's (jobs/experiment-jobs.ts).
 */
export async function runMethod(ctx: LabContext, spec: RunSpec): Promise<RunResult> {
  if (spec.method === 'colt') return runColt(ctx, spec.seed, spec.resume);
  if (spec.method === 'reinit') {
    if (!spec.resume?.final && !spec.impMasks?.length) {
      throw invalidInput(`the reinit control of seed ${spec.seed} needs IMP's masks of that seed (run IMP first)`);
    }
    return runReinit(ctx, spec.seed, spec.impMasks ?? [], spec.resume);
  }
  return runImp(ctx, spec.method, spec.seed, spec.resume);
}
