import { invalidInput, LabError } from '../contract/errors.js';
import { parseDuration, type ExperimentConfig, type Method } from '../contract/experiment-config.js';
import type { Dataset } from '../data/types.js';
import { labelView, makeSplits, partitionData, type Splits } from './experiment-splits.js';
import type { ModelDef } from './models/types.js';
import { prunableParams } from './pruning.js';
import { iterationOf, trainingLength } from './schedule.js';

// Every config refusal that needs the model or the data, or that concerns which method uses a
// setting: run before anything is written (experiments.create, colt run, experiments.validate)
// and again in each worker. A setting no method of the experiment would use is refused, naming it.

/** What the checks look at besides the config. */
export interface RunnableInput {
  readonly dataset: Dataset;
  readonly evalDataset: Dataset;
  readonly def: ModelDef;
}

function refuse(field: string, message: string): never {
  throw invalidInput(`config field '${field}': ${message}`, { field });
}

const has = (config: ExperimentConfig, ...methods: Method[]): boolean => methods.some((m) => config.methods.includes(m));

/** Refuses a config that cannot run on this data and model, or that sets something its methods would ignore. */
export function checkRunnable(config: ExperimentConfig, d: RunnableInput): void {
  checkMethodSettings(config);
  checkTraining(config);
  checkPruning(config, d.def);
  const splits = checkSplits(config, d.dataset, 'data');
  if (d.evalDataset !== d.dataset) checkSplits(config, d.evalDataset, 'evaluationDataset');
  const round0 = trainingLength(config.training, splits.train.count);
  checkSchedule(config, splits.train.count);
  if (config.rewind !== 'init') {
    const k = iterationOf(config.training, config.rewind, splits.train.count);
    if (k > round0.iterations) {
      refuse('rewind', `'${config.rewind}' is step ${k}, past the end of round 0's training (${round0.iterations} steps of '${config.training.duration}' on ${splits.train.count} images)`);
    }
  }
  if (has(config, 'colt')) checkPartitions(config, d.dataset);
}

/** Settings that only some methods use, with a method that does not among the experiment's. */
function checkMethodSettings(config: ExperimentConfig): void {
  const { colt, imp, pruning } = config;
  if (!has(config, 'colt')) {
    const set: [string, boolean][] = [
      ['colt.partitions', colt.partitions !== 2],
      ['colt.partitioning', colt.partitioning !== 'contiguous-classes'],
      ['colt.rate', colt.rate !== undefined],
      // Stating the default head initialisation is no setting: only another one is.
      ['colt.headInit', colt.headInit !== undefined && colt.headInit !== (colt.partitioning === 'random' ? 'shared' : 'independent')],
      ['colt.evaluate', colt.evaluate !== 'every-round'],
    ];
    for (const [field, given] of set) if (given) refuse(field, "applies to COLT, which 'methods' does not include; leave it out of the config");
  }
  if (imp.rate !== undefined && !has(config, 'imp', 'random', 'reinit')) refuse('imp.rate', "applies to imp and random, which 'methods' does not include");
  if (pruning.pruneFrom !== 'last' && has(config, 'random')) {
    refuse('pruning.pruneFrom', "the random control prunes at random and reads no weights; run it with pruneFrom 'last' (in an experiment of its own)");
  }
  if (has(config, 'reinit') && config.rewind !== 'init') {
    refuse('rewind', 'the reinit control starts every round from a fresh initialisation and has no rewind point; run it with rewind "init" (in an experiment of its own)');
  }
  if (has(config, 'reinit') && !config.resetBatchNormOnRewind) {
    refuse('resetBatchNormOnRewind', 'the reinit control starts every round from fresh weights and batch-norm statistics and never rewinds; run it with resetBatchNormOnRewind true');
  }
  if (has(config, 'colt') && colt.evaluate === 'none' && config.evaluationDataset !== undefined) {
    refuse('colt.evaluate', "'none' evaluates no COLT ticket, so COLT would ignore evaluationDataset; use 'every-round' or 'final'");
  }
  if (config.stop.sparsityOver !== 'prunable' && config.stop.targetSparsity === undefined) {
    refuse('stop.sparsityOver', 'is the denominator of stop.targetSparsity, which is not set');
  }
}

/** Recipe settings that would have no effect. */
function checkTraining(config: ExperimentConfig): void {
  const t = config.training;
  if (t.milestones.length === 0 && t.gamma !== 0.1) refuse('training.gamma', 'multiplies the learning rate at training.milestones, and there are none');
  if (t.warmupFromZero && t.warmupEpochs === 0) refuse('training.warmupFromZero', 'shapes the warm-up, and training.warmupEpochs is 0');
  if (t.selection === 'best-val' && config.data.validationFraction === 0) {
    refuse('training.selection', "'best-val' needs a validation split: set data.validationFraction > 0, or select 'best-test' (the authors') or 'last'");
  }
}

/** Pruning settings that select nothing or that no layer would use. */
function checkPruning(config: ExperimentConfig, def: ModelDef): void {
  const p = config.pruning;
  const specs = prunableParams(def, p.layers);
  if (specs.length === 0) refuse('pruning.layers', `'${p.layers}' selects no weights of ${def.arch}`);
  const rateFields = ['convRate', 'denseRate', 'headRate'] as const;
  if (p.strategy === 'global') {
    for (const f of rateFields) if (p[f] !== undefined) refuse(`pruning.${f}`, "is a layer-wise rate; global pruning uses one rate (pruning.rate, imp.rate or colt.rate)");
    return;
  }
  if (p.convRate !== undefined && !specs.some((s) => s.kind === 'conv')) refuse('pruning.convRate', `no prunable conv layer of ${def.arch} uses it (pruning.layers '${p.layers}')`);
  if (p.denseRate !== undefined && !specs.some((s) => s.kind === 'dense' && !s.head)) refuse('pruning.denseRate', `no prunable dense layer of ${def.arch} uses it (pruning.layers '${p.layers}')`);
  if (p.headRate !== undefined && !specs.some((s) => s.head)) refuse('pruning.headRate', `the head is not prunable with pruning.layers '${p.layers}'`);
  // A base rate that every layer and method overrides is never used.
  const layersUseBase = specs.some((s) => (s.head ? p.headRate : s.kind === 'conv' ? p.convRate : p.denseRate) === undefined);
  const methodsUseBase = (has(config, 'imp', 'random', 'reinit') && config.imp.rate === undefined) || (has(config, 'colt') && config.colt.rate === undefined);
  if (p.rate !== 0.2 && !(layersUseBase && methodsUseBase)) refuse('pruning.rate', 'every layer and method of this experiment has its own rate, so this one is never used');
}

/** The splits of the first seed (their sizes do not depend on the seed; counted on labels only), refused when a part is empty. */
function checkSplits(config: ExperimentConfig, dataset: Dataset, field: 'data' | 'evaluationDataset'): Splits {
  let splits: Splits;
  try {
    splits = makeSplits(labelView(dataset), config.data, config.seeds[0]);
  } catch (e) {
    if (e instanceof LabError && e.code === 'invalid_input') refuse(field === 'data' ? 'data.validationFraction' : field, `${dataset.name}: ${e.message}`);
    throw e;
  }
  if (splits.train.count === 0) refuse(field === 'data' ? 'data.trainLimit' : field, `${dataset.name} leaves no training images`);
  if (splits.test.count === 0) refuse(field === 'data' ? 'data.testLimit' : field, `${dataset.name} has no test images`);
  if (splits.val && splits.val.count === 0) refuse('data.validationFraction', `${dataset.name}: the validation split is empty`);
  return splits;
}

/** Warm-up and milestones inside the round's training (a milestone after its end is never applied). */
function checkSchedule(config: ExperimentConfig, trainCount: number): void {
  const t = config.training;
  const length = trainingLength(t, trainCount);
  const epochs = length.iterations / length.iterationsPerEpoch;
  t.milestones.forEach((m, i) => {
    if (m >= epochs) refuse(`training.milestones.${i}`, `epoch ${m} is not before the end of a round's training (${round(epochs)} epochs), so the learning rate never changes there`);
  });
  if (t.warmupEpochs > epochs) refuse('training.warmupEpochs', `${t.warmupEpochs} epochs of warm-up are longer than a round's training (${round(epochs)} epochs)`);
  if (t.evalEvery !== undefined && parseDuration(t.evalEvery).unit === 'ep' && parseDuration(t.evalEvery).amount > epochs) {
    refuse('training.evalEvery', `'${t.evalEvery}' is longer than a round's training (${round(epochs)} epochs)`);
  }
}

/** Every COLT partition of the first seed has training and test images (of its own classes). */
function checkPartitions(config: ExperimentConfig, dataset: Dataset): void {
  const { partitions, partitioning } = config.colt;
  if (partitioning === 'contiguous-classes' && dataset.classes % partitions !== 0) {
    refuse(
      'colt.partitions',
      `${dataset.name} has ${dataset.classes} classes, which do not split into ${partitions} equal contiguous ranges; use colt.partitioning {classMap: [...]} or "random"`,
    );
  }
  if (typeof partitioning === 'object' && partitioning.classMap.length !== dataset.classes) {
    refuse('colt.partitioning.classMap', `has ${partitioning.classMap.length} entries but ${dataset.name} has ${dataset.classes} classes`);
  }
  let parts;
  try {
    parts = partitionData(config, labelView(dataset), config.seeds[0]);
  } catch (e) {
    if (e instanceof LabError && e.code === 'invalid_input') refuse('colt.partitioning', `${dataset.name}: ${e.message}`);
    throw e;
  }
  parts.forEach((p, k) => {
    const what = p.classes ? `partition ${k + 1} (classes ${p.classes.join(', ')})` : `partition ${k + 1}`;
    // A one-class head has nothing to learn (and a one-way softmax no gradient).
    if (p.classes && p.classes.length < 2) refuse('colt.partitioning', `${what} has one class; each partition model needs at least 2 classes`);
    if (p.splits.train.count === 0) refuse('colt.partitioning', `${what} has no training images of ${dataset.name} after data.trainLimit and the validation split`);
    if (p.splits.test.count === 0) refuse('colt.partitioning', `${what} has no test images of ${dataset.name} after data.testLimit`);
    if (p.splits.val && p.splits.val.count === 0) refuse('colt.partitioning', `${what} has no validation images of ${dataset.name}`);
  });
}

function round(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}
