import type { ExperimentConfig } from '../contract/experiment-config.js';
import { invalidInput } from '../contract/errors.js';
import type { Augmentation, Dataset, ImageSet } from '../data/types.js';
import { limit, validationSplit } from '../data/splits.js';
import type { LabSink } from './events.js';
import type { Mask } from './masks.js';
import { getModel } from './models/registry.js';
import type { ModelDef } from './models/types.js';
import { planFromConfig, prunableSizes, simulateKeptCounts } from './pruning.js';
import type { WeightMap } from './weights.js';

/** The COLT-SPEC augmentations by name. */
export const AUGMENTATIONS: Record<ExperimentConfig['data']['augment'], Augmentation | undefined> = {
  none: undefined,
  cifar: { cropPadding: 4, horizontalFlip: true, rotationDegrees: 15 },
  tinyimagenet: { cropPadding: 0, horizontalFlip: true, rotationDegrees: 20 },
};

/** What training one COLT partition model produced (COLT-SPEC "COLT", step 2). */
export interface PartitionResult {
  /** The weights the next round prunes (last or selected point, as `pruning.pruneFrom` says). */
  readonly weights: WeightMap;
  /** Test accuracy on the partition's own classes. */
  readonly accuracy: number;
  readonly samples: number;
}

/**
 * Trains partition k of a COLT round from θ0 ⊙ mask (θ0 and the partitions follow from config and
 * seed). An injected runner may train a round's partitions concurrently, elsewhere (worker
 * threads); each training is deterministic, so the results equal the in-process sequential order.
 */
export type PartitionRunner = (seed: number, round: number, k: number, mask: Mask) => Promise<PartitionResult>;

/** What every run of an experiment shares: config, data, the model definition, where events go. */
export interface LabContext {
  readonly config: ExperimentConfig;
  readonly dataset: Dataset;
  /** Dataset tickets are evaluated on (the same one unless `evaluationDataset` names another: transfer). */
  readonly evalDataset: Dataset;
  readonly def: ModelDef;
  readonly evalDef: ModelDef;
  readonly totalParams: number;
  readonly sink: LabSink;
  readonly signal?: AbortSignal;
  readonly clock?: () => number;
  /** COLT: trains a round's partitions (all of them started at once); absent: in-process, one after another. */
  readonly partitionRunner?: PartitionRunner;
}

/** The training options every training of an experiment shares: recipe, augmentation, normalisation, cancel signal and clock. */
export function recipeOf(ctx: LabContext, dataset: Dataset = ctx.dataset) {
  return {
    normalization: dataset.normalization,
    augment: AUGMENTATIONS[ctx.config.data.augment],
    training: ctx.config.training,
    signal: ctx.signal,
    clock: ctx.clock,
  };
}

/** Train / validation / test sets of one seed, after the config's limits and split. */
export interface Splits {
  readonly train: ImageSet;
  readonly val?: ImageSet;
  readonly test: ImageSet;
}

/** Builds the context and refuses, before anything trains, configs that cannot work (shapes, unreachable targets). */
export function createContext(
  config: ExperimentConfig,
  dataset: Dataset,
  evalDataset: Dataset,
  sink: LabSink,
  options: { signal?: AbortSignal; clock?: () => number; partitionRunner?: PartitionRunner } = {},
): LabContext {
  const entry = getModel(config.arch);
  const def = entry.build(dataset.shape, dataset.classes);
  if (evalDataset.shape.join('x') !== dataset.shape.join('x')) {
    throw invalidInput(
      `config field 'evaluationDataset': '${evalDataset.name}' has ${evalDataset.shape.join('x')} images but tickets are made on ${dataset.name} with ${dataset.shape.join('x')}; a ticket transfers only between datasets of the same input shape`,
      { field: 'evaluationDataset' },
    );
  }
  const evalDef = entry.build(evalDataset.shape, evalDataset.classes);
  const totalParams = def.params.reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
  checkColtPartitions(config, dataset);
  checkStopTarget(config, def, totalParams);
  return { config, dataset, evalDataset, def, evalDef, totalParams, sink, ...options };
}

/** Applies limits and the validation split for one seed (deterministic in the seed). */
export function makeSplits(dataset: Dataset, data: ExperimentConfig['data'], seed: number): Splits {
  const train0 = data.trainLimit !== undefined && data.trainLimit < dataset.train.count ? limit(dataset.train, data.trainLimit, seed) : dataset.train;
  const test = data.testLimit !== undefined && data.testLimit < dataset.test.count ? limit(dataset.test, data.testLimit, seed) : dataset.test;
  if (data.validationFraction === 0) return { train: train0, test };
  const { train, val } = validationSplit(train0, data.validationFraction, seed);
  return { train, val, test };
}

function checkColtPartitions(config: ExperimentConfig, dataset: Dataset): void {
  if (!config.methods.includes('colt')) return;
  const { partitions, partitioning } = config.colt;
  if (partitioning === 'contiguous-classes' && dataset.classes % partitions !== 0) {
    throw invalidInput(
      `config field 'colt.partitions': ${dataset.name} has ${dataset.classes} classes, which do not split into ${partitions} equal contiguous ranges; use colt.partitioning {classMap: [...]} or "random"`,
      { field: 'colt.partitions' },
    );
  }
  if (typeof partitioning === 'object' && partitioning.classMap.length !== dataset.classes) {
    throw invalidInput(
      `config field 'colt.partitioning.classMap': has ${partitioning.classMap.length} entries but ${dataset.name} has ${dataset.classes} classes`,
      { field: 'colt.partitioning.classMap' },
    );
  }
}

/**
 * Refuses a stop target no run can reach (COLT-SPEC, known quirks): either more than the prunable
 * share of all weights when sparsity is counted over all weights, or beyond where rounding stalls pruning.
 */
export function checkStopTarget(config: ExperimentConfig, def: ModelDef, totalParams: number): void {
  const target = config.stop.targetSparsity;
  if (target === undefined) return;
  const sizes = prunableSizes(def, config.pruning.layers);
  const prunable = [...sizes.values()].reduce((a, b) => a + b, 0);
  const denominator = config.stop.sparsityOver === 'all' ? totalParams : prunable;
  const reachableMax = prunable / denominator;
  if (target >= reachableMax) {
    throw invalidInput(
      `config field 'stop.targetSparsity': ${target} cannot be reached: only ${prunable} of ${denominator} weights of ${def.arch} are prunable (at most ${(reachableMax * 100).toFixed(2)}% sparsity over ${config.stop.sparsityOver} weights)`,
      { field: 'stop.targetSparsity' },
    );
  }
  const rates = [config.imp.rate, config.colt.rate, config.pruning.rate].filter((r): r is number => r !== undefined);
  for (const rate of rates) {
    const kept = simulateKeptCounts(sizes, planFromConfig(def, config.pruning, rate), 2000);
    const lowest = kept[kept.length - 1];
    const best = (prunable - lowest) / denominator;
    if (best < target) {
      throw invalidInput(
        `config field 'stop.targetSparsity': ${target} cannot be reached at rate ${rate}: rounding stops pruning at ${(best * 100).toFixed(2)}% sparsity (layers too small to lose another weight)`,
        { field: 'stop.targetSparsity' },
      );
    }
  }
}

/** Rounds IMP needs to reach the target at a rate (for estimates and notices), or null if never. */
export function roundsToTarget(config: ExperimentConfig, def: ModelDef, totalParams: number, rate: number): number | null {
  const target = config.stop.targetSparsity;
  if (target === undefined) return null;
  const sizes = prunableSizes(def, config.pruning.layers);
  const prunable = [...sizes.values()].reduce((a, b) => a + b, 0);
  const denominator = config.stop.sparsityOver === 'all' ? totalParams : prunable;
  const kept = simulateKeptCounts(sizes, planFromConfig(def, config.pruning, rate), 2000);
  const r = kept.findIndex((k) => (prunable - k) / denominator >= target);
  return r < 0 ? null : r;
}
