import type { Method } from '../contract/experiment-config.js';
import type { Mask } from './masks.js';
import type { WeightMap } from './weights.js';

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
  readonly earlyStopIteration: number | null;
  /** COLT only: mean pairwise Jaccard overlap of the partition models' masks this round. */
  readonly overlap?: number;
  /** COLT only: each partition model's test accuracy on its own classes. */
  readonly partitionAccuracies?: number[];
  /** Training images processed to produce this round's ticket (partition trainings for COLT). */
  readonly samples: number;
  /** Training images processed to evaluate the ticket (COLT's full-data evaluation; 0 otherwise). */
  readonly evaluationSamples: number;
  readonly seconds: number;
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
  /** IMP and random: the rewind point (θ0 unless late rewinding) and its batch-norm buffers. */
  readonly rewindParams?: WeightMap;
  readonly rewindBuffers?: WeightMap;
  /** IMP and random: buffers after training, carried into the next round when batch-norm is not reset. */
  readonly buffers?: WeightMap;
  /** True on the run's last round. */
  readonly final: boolean;
}

/** Receives events, and each finished round's checkpoint (awaited before the next round starts). */
export interface LabSink {
  event(e: LabEvent): void;
  roundDone?(c: RoundCheckpoint): void | Promise<void>;
}
