import type { Method } from '../contract/experiment-config.js';
import type { Mask } from './masks.js';
import type { WeightMap } from './weights.js';

/** One evaluated point of one of a round's trainings: the curves a researcher plots. */
export interface EvaluationRecord {
  /** Which training: "train" (IMP, random, reinit), "partition 1/2" (COLT) or "evaluate" (a ticket's full-data or transfer evaluation). */
  readonly phase: string;
  readonly iteration: number;
  readonly epoch: number;
  readonly trainLoss: number | null;
  readonly valLoss: number | null;
  readonly valAccuracy: number | null;
  readonly testLoss: number | null;
  readonly testAccuracy: number | null;
  /** Whether the selection rule could pick it (evaluation.points), and whether it did. */
  readonly candidate: boolean;
  readonly selected: boolean;
}

/** What a round reports (one JSON line of `colt run --json`). */
export interface RoundRecord {
  readonly type: 'round';
  readonly method: Method;
  readonly seed: number;
  readonly round: number;
  /** Pruned / prunable weights. */
  readonly sparsity: number;
  /** Pruned / all weights (the authors' denominator). */
  readonly sparsityAll: number;
  readonly layerSparsity: Record<string, number>;
  /** Test accuracy of the ticket at the selected evaluation point (for COLT: the full-data evaluation). */
  readonly testAccuracy: number | null;
  readonly valAccuracy: number | null;
  /**
   * Test accuracy of the untrained ticket (θ ⊙ m at iteration 0, before any step) of the training
   * testAccuracy comes from: the "supermask" accuracy. Null when that training did not run
   * (COLT without an evaluation this round) or for rounds stored before it was measured.
   */
  readonly untrainedAccuracy: number | null;
  readonly earlyStopIteration: number | null;
  /** COLT only: mean pairwise Jaccard overlap of the partition models' masks this round. */
  readonly overlap?: number;
  /** COLT only: each partition model's test accuracy on its own classes. */
  readonly partitionAccuracies?: number[];
  /** COLT only: each untrained partition model's test accuracy on its own classes (iteration 0). */
  readonly partitionUntrainedAccuracies?: number[];
  /**
   * Training images processed to produce this round's ticket: the round's training (IMP, random,
   * reinit) or its partition trainings (COLT; in round 0 with late rewinding also the dense
   * training to the rewind point). See lab/cost.ts for the one definition of cost.
   */
  readonly samples: number;
  /** Training images processed to evaluate the ticket (COLT's full-data evaluation, or a transfer evaluation; 0 otherwise). */
  readonly evaluationSamples: number;
  readonly seconds: number;
  /**
   * The mask check: weights that were not exactly zero where the mask is 0, at the end of every
   * training of the round (0 expected); null for rounds stored before the check existed.
   */
  readonly maskViolations: number | null;
  /** Every evaluated point of every training of the round, in training order. */
  readonly evaluations: readonly EvaluationRecord[];
}

/** A ticket as the lab holds it: a mask and the weights it applies to (DESIGN.md, Ticket). */
export interface Ticket {
  readonly method: Method;
  readonly seed: number;
  readonly round: number;
  readonly mask: Mask;
  /** θ0 of the body and the shared full-class head, or the rewind point for late rewinding. */
  readonly init: WeightMap;
  readonly final?: WeightMap;
}

/** Live training progress inside a round. */
export interface ProgressEvent {
  readonly type: 'progress';
  readonly method: Method;
  readonly seed: number;
  readonly round: number;
  /** What is training: "train", "partition 2/2" or "evaluate". */
  readonly phase: string;
  readonly iteration: number;
  readonly iterations: number;
  /** Epochs of this training so far (fractional); present when the training loop reports it. */
  readonly epoch?: number;
  readonly loss: number;
  readonly imagesPerSecond: number;
}

/** A run (method × seed) starts or ends. */
export interface RunEvent {
  readonly type: 'run-start' | 'run-end';
  readonly method: Method;
  readonly seed: number;
  readonly rounds?: number;
  readonly seconds?: number;
}

/** Everything an experiment reports while it runs. */
export type LabEvent = RoundRecord | ProgressEvent | RunEvent | { readonly type: 'notice'; readonly message: string };

/**
 * Everything a finished round leaves behind: its record, its ticket and the state the next round
 * starts from, so a killed run resumes exactly (DESIGN.md, Storage).
 */
export interface RoundCheckpoint {
  readonly record: RoundRecord;
  readonly ticket: Ticket;
  /** The weights the next round prunes: one map for IMP and random, one per partition for COLT. */
  readonly pruneFrom: readonly WeightMap[];
  /** The rewind point (IMP and random: θ0 unless late rewinding; COLT: θk, only with late rewinding) and its batch-norm buffers. */
  readonly rewindParams?: WeightMap;
  readonly rewindBuffers?: WeightMap;
  /** IMP and random: buffers after training, carried into the next round when batch-norm is not reset. */
  readonly buffers?: WeightMap;
  /** COLT: each partition model's buffers after training, carried into the next round when batch-norm is not reset. */
  readonly partitionBuffers?: readonly WeightMap[];
  /** True on the run's last round. */
  readonly final: boolean;
}

/** Receives events, and each finished round's checkpoint (awaited before the next round starts). */
export interface LabSink {
  event(e: LabEvent): void;
  roundDone?(c: RoundCheckpoint): void | Promise<void>;
}
