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

/** Receives events; also gets each finished round's ticket. */
export interface LabSink {
  event(e: LabEvent): void;
  ticket?(t: Ticket, round: RoundRecord): void;
}
