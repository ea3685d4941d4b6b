import type { ExperimentConfig, Method } from '../contract/experiment-config.js';
import type { EvaluationRecord, RoundRecord } from './events.js';
import type { SparsityReport } from './masks.js';
import type { TrainResult } from './train.js';

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

/** A training's evaluated points as a round records them, under a phase name, the selected one marked. */
export function evaluationRecords(phase: string, r: TrainResult): EvaluationRecord[] {
  return r.evals.map((e) => ({ phase, ...e, selected: e === r.selected }));
}

/**
 * The record of a round whose ticket was trained in one piece (IMP, random, reinit): figures from
 * the training, or from the ticket's evaluation on another dataset when there is one (transfer).
 */
export function trainedRoundRecord(
  label: { method: Method; seed: number; round: number },
  s: SparsityReport,
  trained: TrainResult,
  transferred: TrainResult | null,
  seconds: number,
): RoundRecord {
  const shown = transferred ?? trained;
  return {
    type: 'round',
    ...label,
    sparsity: s.overall,
    sparsityAll: s.overAll,
    layerSparsity: s.perLayer,
    testAccuracy: shown.selected.testAccuracy,
    valAccuracy: shown.selected.valAccuracy,
    untrainedAccuracy: shown.untrained.testAccuracy,
    earlyStopIteration: shown.earlyStopIteration,
    samples: trained.samples,
    evaluationSamples: transferred?.samples ?? 0,
    seconds,
    maskViolations: trained.maskViolations + (transferred?.maskViolations ?? 0),
    evaluations: [...evaluationRecords('train', trained), ...(transferred ? evaluationRecords('evaluate', transferred) : [])],
  };
}
