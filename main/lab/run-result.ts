import type { ExperimentConfig, Method } from '../contract/experiment-config.js';
import type { RoundRecord } from './events.js';
import type { SparsityReport } from './masks.js';

/** The rounds one run (method × seed) produced. */
export interface RunResult {
  readonly method: Method;
  readonly seed: number;
  readonly rounds: readonly RoundRecord[];
}

/** True once a run has reached its target sparsity (over the configured denominator) or its round limit. */
export function shouldStop(config: ExperimentConfig, round: number, s: SparsityReport): boolean {
  if (round >= config.stop.maxRounds) return true;
  const target = config.stop.targetSparsity;
  if (target === undefined) return false;
  return (config.stop.sparsityOver === 'all' ? s.overAll : s.overall) >= target;
}
