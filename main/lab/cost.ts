import type { ExperimentConfig, Method } from '../contract/experiment-config.js';
import type { Dataset } from '../data/types.js';
import type { RoundRecord } from './events.js';
import { labelView, makeSplits, partitionData } from './experiment-splits.js';
import { iterationOf, samplesOfSteps, trainingLength } from './schedule.js';

// The one definition of cost (COLT-SPEC: report the samples processed, not only the rounds), used
// by the CLI, the API, the UI, reports and the estimate: training images spent to make a round's
// ticket (`samples`: the round's training, or COLT's partition trainings), to evaluate it
// (`evaluationSamples`: COLT's full-data evaluation or a transfer evaluation), and their sum.

/** Training images of one round, or of several together. */
export interface Cost {
  readonly samples: number;
  readonly evaluationSamples: number;
  readonly total: number;
}

/** A round's cost and the run's cost up to and including it. */
export interface RoundCost extends Cost {
  readonly round: number;
  readonly cumulative: Cost;
}

/** The cost of one stored round. */
export function costOf(r: Pick<RoundRecord, 'samples' | 'evaluationSamples'>): Cost {
  return { samples: r.samples, evaluationSamples: r.evaluationSamples, total: r.samples + r.evaluationSamples };
}

/** Each round's cost and the cumulative cost up to it, in round order. */
export function roundCosts(rounds: readonly Pick<RoundRecord, 'round' | 'samples' | 'evaluationSamples'>[]): RoundCost[] {
  let samples = 0;
  let evaluationSamples = 0;
  return [...rounds]
    .sort((a, b) => a.round - b.round)
    .map((r) => {
      samples += r.samples;
      evaluationSamples += r.evaluationSamples;
      return { round: r.round, ...costOf(r), cumulative: { samples, evaluationSamples, total: samples + evaluationSamples } };
    });
}

/** The cost of a whole run. */
export function runCost(rounds: readonly Pick<RoundRecord, 'round' | 'samples' | 'evaluationSamples'>[]): Cost {
  return roundCosts(rounds).at(-1)?.cumulative ?? { samples: 0, evaluationSamples: 0, total: 0 };
}

/** The training-set sizes a run's trainings use: the full split, each COLT partition, the evaluation dataset's split. */
export interface TrainCounts {
  readonly train: number;
  readonly partitions: readonly number[];
  readonly evaluation: number;
}

/** The sizes of one seed's training splits (they do not depend on the seed), counted without copying pixels. */
export function trainCounts(config: ExperimentConfig, dataset: Dataset, evalDataset: Dataset): TrainCounts {
  const view = labelView(dataset);
  const train = makeSplits(view, config.data, config.seeds[0]).train.count;
  const partitions = config.methods.includes('colt') ? partitionData(config, view, config.seeds[0]).map((p) => p.splits.train.count) : [];
  const evaluation = evalDataset === dataset ? train : makeSplits(labelView(evalDataset), config.data, config.seeds[0]).train.count;
  return { train, partitions, evaluation };
}

/**
 * The cost round `round` of a run of `method` will have, exactly as the lab counts it (each
 * training's images: lab/schedule.ts trainingLength). `last` says whether it is the run's last
 * round (COLT's `evaluate: "final"`).
 */
export function plannedRoundCost(config: ExperimentConfig, counts: TrainCounts, transfer: boolean, method: Method, round: number, last: boolean): Cost {
  const t = config.training;
  if (method !== 'colt') {
    const samples = trainingLength(t, counts.train).samples;
    const evaluationSamples = transfer ? trainingLength(t, counts.evaluation).samples : 0;
    return { samples, evaluationSamples, total: samples + evaluationSamples };
  }
  // Each partition trains the round's duration on its own part: P trainings (for "it" durations P× IMP's steps).
  let samples = counts.partitions.reduce((a, n) => a + trainingLength(t, n).samples, 0);
  if (round === 0 && config.rewind !== 'init') samples += samplesOfSteps(t, counts.train, iterationOf(t, config.rewind, counts.train));
  const evaluated = config.colt.evaluate === 'every-round' || (config.colt.evaluate === 'final' && last);
  const evaluationSamples = evaluated ? trainingLength(t, counts.evaluation).samples : 0;
  return { samples, evaluationSamples, total: samples + evaluationSamples };
}
