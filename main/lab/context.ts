import type { ExperimentConfig } from '../contract/experiment-config.js';
import { invalidInput, LabError } from '../contract/errors.js';
import type { Augmentation, Dataset } from '../data/types.js';
import { checkRunnable } from './config-checks.js';
import type { EvaluationRecord, LabSink } from './events.js';
import type { Mask } from './masks.js';
import { countWeights, getModel } from './models/registry.js';
import type { ModelDef } from './models/types.js';
import { planFromConfig, prunableSizes, simulateKeptCounts } from './pruning.js';
import { withInitialiser, type WeightMap } from './weights.js';

export { makeSplits, type Splits } from './experiment-splits.js';

/** The COLT-SPEC augmentations by name. */
export const AUGMENTATIONS: Record<ExperimentConfig['data']['augment'], Augmentation | undefined> = {
  none: undefined,
  cifar: { cropPadding: 4, horizontalFlip: true, rotationDegrees: 15 },
  tinyimagenet: { cropPadding: 0, horizontalFlip: true, rotationDegrees: 20 },
};

/** Where partition k of a round starts: its body weights (absent: θ0) and batch-norm buffers (absent: fresh). */
export interface PartitionStart {
  /** The rewind point θk of late rewinding (its body is used; each partition keeps its own head). */
  readonly params?: WeightMap;
  readonly buffers?: WeightMap;
}

/** What training one COLT partition model produced (COLT-SPEC "COLT", step 2). */
export interface PartitionResult {
  /** The weights the next round prunes (last or selected point, as `pruning.pruneFrom` says). */
  readonly weights: WeightMap;
  /** Test accuracy on the partition's own classes at the selected point. */
  readonly accuracy: number;
  /** Test accuracy of the untrained partition model (θ ⊙ m with its head, iteration 0). */
  readonly untrainedAccuracy: number;
  readonly samples: number;
  /** Its evaluated points, under the phase "partition k/P". */
  readonly evaluations: readonly EvaluationRecord[];
  /** Pruned weights that were not zero after training (0 expected). */
  readonly maskViolations: number;
  /** Batch-norm buffers after training (carried into the next round when they are not reset). */
  readonly buffers: WeightMap;
}

/**
 * Trains partition k of a COLT round from the start point ⊙ mask (θ0 and the partitions follow
 * from config and seed). An injected runner may train a round's partitions concurrently,
 * elsewhere (worker threads); each training is deterministic, so the results equal the
 * in-process sequential order.
 */
export type PartitionRunner = (seed: number, round: number, k: number, mask: Mask, start: PartitionStart) => Promise<PartitionResult>;

/** What every run of an experiment shares: config, data, the model definition, where events go. */
export interface LabContext {
  readonly config: ExperimentConfig;
  readonly dataset: Dataset;
  /** Dataset tickets are evaluated on (the same one unless `evaluationDataset` names another: transfer). */
  readonly evalDataset: Dataset;
  readonly def: ModelDef;
  readonly evalDef: ModelDef;
  /** The model's weights as sparsity over all weights counts them (models/registry countWeights). */
  readonly totalWeights: number;
  readonly sink: LabSink;
  readonly signal?: AbortSignal;
  readonly clock?: () => number;
  /** COLT: trains a round's partitions (all of them started at once); absent: in-process, one after another. */
  readonly partitionRunner?: PartitionRunner;
}

/** The training options every training of an experiment shares: recipe, evaluation points, augmentation, normalisation, cancel signal and clock. */
export function recipeOf(ctx: LabContext, dataset: Dataset = ctx.dataset) {
  return {
    normalization: dataset.normalization,
    augment: AUGMENTATIONS[ctx.config.data.augment],
    training: ctx.config.training,
    points: ctx.config.evaluation.points,
    signal: ctx.signal,
    clock: ctx.clock,
  };
}

/**
 * The architecture for an input shape and class count, initialised as the config's `init` says.
 * An input the architecture cannot take is refused naming `arch`.
 */
export function buildModel(config: ExperimentConfig, shape: readonly [number, number, number], classes: number, dataset = 'the dataset'): ModelDef {
  const entry = getModel(config.arch);
  let def: ModelDef;
  try {
    def = entry.build(shape, classes);
  } catch (e) {
    if (e instanceof LabError && e.code === 'invalid_input') {
      throw invalidInput(`config field 'arch': ${config.arch} cannot take ${dataset}'s ${shape.join('x')} images with ${classes} classes (${e.message})`, { field: 'arch' });
    }
    throw e;
  }
  const why = entry.untrainable?.(shape);
  if (why) throw invalidInput(`config field 'arch': ${config.arch} cannot be trained on ${dataset}: ${why}`, { field: 'arch' });
  return withInitialiser(def, config.init);
}

/**
 * Builds the context and refuses, before anything trains, every config that cannot work or that
 * a method would ignore (config-checks.ts): shapes, data sizes, partitions, rewind points, rates.
 */
export function createContext(
  config: ExperimentConfig,
  dataset: Dataset,
  evalDataset: Dataset,
  sink: LabSink,
  options: { signal?: AbortSignal; clock?: () => number; partitionRunner?: PartitionRunner } = {},
): LabContext {
  const def = buildModel(config, dataset.shape, dataset.classes, dataset.name);
  if (evalDataset.shape.join('x') !== dataset.shape.join('x')) {
    throw invalidInput(
      `config field 'evaluationDataset': '${evalDataset.name}' has ${evalDataset.shape.join('x')} images but tickets are made on ${dataset.name} with ${dataset.shape.join('x')}; a ticket transfers only between datasets of the same input shape`,
      { field: 'evaluationDataset' },
    );
  }
  const evalDef = buildModel(config, evalDataset.shape, evalDataset.classes, evalDataset.name);
  checkRunnable(config, { dataset, evalDataset, def });
  checkStopTarget(config, def);
  return { config, dataset, evalDataset, def, evalDef, totalWeights: countWeights(def), sink, ...options };
}

/**
 * Refuses a stop target no run can reach (COLT-SPEC, known quirks): either more than the prunable
 * share of all weights when sparsity is counted over all weights, or beyond where rounding stalls pruning.
 */
export function checkStopTarget(config: ExperimentConfig, def: ModelDef): void {
  const target = config.stop.targetSparsity;
  if (target === undefined) return;
  const sizes = prunableSizes(def, config.pruning.layers);
  const prunable = [...sizes.values()].reduce((a, b) => a + b, 0);
  const denominator = config.stop.sparsityOver === 'all' ? countWeights(def) : prunable;
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
export function roundsToTarget(config: ExperimentConfig, def: ModelDef, rate: number): number | null {
  const target = config.stop.targetSparsity;
  if (target === undefined) return null;
  const sizes = prunableSizes(def, config.pruning.layers);
  const prunable = [...sizes.values()].reduce((a, b) => a + b, 0);
  const denominator = config.stop.sparsityOver === 'all' ? countWeights(def) : prunable;
  const kept = simulateKeptCounts(sizes, planFromConfig(def, config.pruning, rate), 2000);
  const r = kept.findIndex((k) => (prunable - k) / denominator >= target);
  return r < 0 ? null : r;
}
