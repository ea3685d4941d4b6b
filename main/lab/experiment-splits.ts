import type { ExperimentConfig } from '../contract/experiment-config.js';
import { classPartitions, contiguousClassMap, limit, randomPartitions, validationSplit } from '../data/splits.js';
import type { Dataset, ImageSet } from '../data/types.js';

/** Train / validation / test sets of one seed, after the config's limits and split. */
export interface Splits {
  readonly train: ImageSet;
  readonly val?: ImageSet;
  readonly test: ImageSet;
}

/** Applies limits and the validation split for one seed (deterministic in the seed; the sizes do not depend on it). */
export function makeSplits(dataset: Dataset, data: ExperimentConfig['data'], seed: number): Splits {
  const train0 = data.trainLimit !== undefined && data.trainLimit < dataset.train.count ? limit(dataset.train, data.trainLimit, seed) : dataset.train;
  const test = data.testLimit !== undefined && data.testLimit < dataset.test.count ? limit(dataset.test, data.testLimit, seed) : dataset.test;
  if (data.validationFraction === 0) return { train: train0, test };
  const { train, val } = validationSplit(train0, data.validationFraction, seed);
  return { train, val, test };
}

/** One COLT partition's data, and its classes in the dataset's numbering (null: all classes, random partitions). */
export interface PartitionData {
  readonly splits: Splits;
  readonly classes: readonly number[] | null;
}

/**
 * The COLT partitions of one seed's splits (COLT-SPEC "COLT": by contiguous class ranges, an
 * explicit class map, or at random). Class partitions filter validation and test the same way
 * and renumber labels; random partitions split only the training set and keep every class.
 */
export function partitionData(config: ExperimentConfig, dataset: Dataset, seed: number): PartitionData[] {
  const splits = makeSplits(dataset, config.data, seed);
  const P = config.colt.partitions;
  if (config.colt.partitioning === 'random') {
    return randomPartitions(splits.train, P, seed).map((train) => ({ splits: { train, val: splits.val, test: splits.test }, classes: null }));
  }
  const classMap = config.colt.partitioning === 'contiguous-classes' ? contiguousClassMap(dataset.classes, P) : config.colt.partitioning.classMap;
  const trainParts = classPartitions(splits.train, classMap, P);
  const valParts = splits.val ? classPartitions(splits.val, classMap, P) : undefined;
  const testParts = classPartitions(splits.test, classMap, P);
  return trainParts.sets.map((train, k) => ({
    splits: { train, ...(valParts ? { val: valParts.sets[k] } : {}), test: testParts.sets[k] },
    classes: trainParts.classes[k],
  }));
}

/**
 * The dataset with one-byte images and the same labels: its splits and partitions have exactly
 * the sizes and labels of the real ones (they depend only on labels, config and seed), without
 * copying pixels. For config checks and cost estimates.
 */
export function labelView(dataset: Dataset): Dataset {
  const shrink = (set: ImageSet): ImageSet => ({ images: new Uint8Array(set.count), labels: set.labels, count: set.count, shape: [1, 1, 1] });
  return { ...dataset, shape: [1, 1, 1], train: shrink(dataset.train), test: shrink(dataset.test) };
}
