import { classPartitions, contiguousClassMap, randomPartitions } from '../data/splits.js';
import type { ImageSet } from '../data/types.js';
import { makeSplits, recipeOf, type LabContext, type PartitionResult, type Splits } from './context.js';
import type { RoundCheckpoint, RoundRecord } from './events.js';
import { intersectMasks, meanPairwiseJaccard, onesMask, sparsity, type Mask } from './masks.js';
import { getModel } from './models/registry.js';
import type { ModelDef } from './models/types.js';
import { planFromConfig, prunableSizes, pruneByMagnitude } from './pruning.js';
import { shouldStop, type RunResult } from './run-result.js';
import { evaluateTicket } from './ticket-eval.js';
import { trainModel } from './train.js';
import { initBuffers, initParam, initWeights, ModelState, type WeightMap } from './weights.js';

/** One COLT partition: its data, its model definition (own C/P-way head) and that head's initial weights. */
interface Partition {
  readonly splits: Splits;
  readonly def: ModelDef;
  readonly head: WeightMap;
}

/**
 * Cyclic Overlapping Lottery Tickets (COLT-SPEC "COLT"; Hossain et al. 2025, §III): train copies of
 * θ0 on P disjoint parts of the data, prune each, keep only the weights every model kept (AND),
 * rewind to θ0 and repeat. Each round's ticket (m, θ0) is evaluated on the full data with θ0's head.
 */
export async function runColt(ctx: LabContext, seed: number, resume?: RoundCheckpoint): Promise<RunResult> {
  const { config, def } = ctx;
  if (resume?.final) return { method: 'colt', seed, rounds: [] };
  const theta0 = initWeights(def, seed);
  const trainPartitions = partitionRound(ctx, seed, theta0);
  const plan = planFromConfig(def, config.pruning, config.colt.rate ?? config.pruning.rate);
  const rounds: RoundRecord[] = [];
  const clock = ctx.clock ?? performance.now.bind(performance);
  let mask: Mask = resume?.ticket.mask ?? onesMask(prunableSizes(def, config.pruning.layers));
  let trained: readonly WeightMap[] = resume?.pruneFrom ?? [];
  for (let round = resume ? resume.record.round + 1 : 0; ; round++) {
    const started = clock();
    // Step 1 (rounds ≥ 1): prune each partition model of the previous round, keep what all kept.
    let overlap: number | undefined;
    if (round > 0) {
      const masks = trained.map((w) => pruneByMagnitude(w, mask, plan));
      overlap = meanPairwiseJaccard(masks);
      mask = intersectMasks(masks);
    }
    // Step 2: rewind every partition model to θ0 ⊙ m (its own head rewound too) and train it on its part.
    const results = await trainPartitions(round, mask);
    trained = results.map((r) => r.weights);
    // Step 3: evaluate the ticket (m, θ0) on the full data with θ0's full-class head.
    const s = sparsity(mask, ctx.totalParams);
    const last = shouldStop(config, round, s);
    const evaluate = config.colt.evaluate === 'every-round' || (config.colt.evaluate === 'final' && last);
    const evaluation = evaluate ? await evaluateTicket(ctx, mask, theta0, seed, { method: 'colt', round }) : null;
    const record: RoundRecord = {
      type: 'round',
      method: 'colt',
      seed,
      round,
      sparsity: s.overall,
      sparsityAll: s.overAll,
      layerSparsity: s.perLayer,
      testAccuracy: evaluation?.selected.testAccuracy ?? null,
      valAccuracy: evaluation?.selected.valAccuracy ?? null,
      earlyStopIteration: evaluation?.earlyStopIteration ?? null,
      ...(overlap !== undefined ? { overlap } : {}),
      partitionAccuracies: results.map((r) => r.accuracy),
      samples: results.reduce((a, r) => a + r.samples, 0),
      evaluationSamples: evaluation?.samples ?? 0,
      seconds: (clock() - started) / 1000,
    };
    rounds.push(record);
    ctx.sink.event(record);
    await ctx.sink.roundDone?.({ record, ticket: { method: 'colt', seed, round, mask, init: theta0 }, pruneFrom: trained, final: last });
    if (last) break;
  }
  return { method: 'colt', seed, rounds };
}

/**
 * Trains a round's P partition models, in k order: through the context's runner, all started at
 * once, or here one after another. Each training is deterministic, so both give the same results.
 */
function partitionRound(ctx: LabContext, seed: number, theta0: WeightMap): (round: number, mask: Mask) => Promise<PartitionResult[]> {
  const P = ctx.config.colt.partitions;
  const runner = ctx.partitionRunner;
  if (runner) return (round, mask) => Promise.all(Array.from({ length: P }, (_, k) => runner(seed, round, k, mask)));
  const local = localPartitionTrainer(ctx, seed, theta0);
  return async (round, mask) => {
    const results: PartitionResult[] = [];
    for (let k = 0; k < P; k++) results.push(await local(round, k, mask));
    return results;
  };
}

/**
 * Trains one seed's COLT partition models in this thread: the default runner, and what a partition
 * worker runs. θ0 and the partitions are derived once from (config, dataset, seed).
 */
export function localPartitionTrainer(
  ctx: LabContext,
  seed: number,
  theta0: WeightMap = initWeights(ctx.def, seed),
): (round: number, k: number, mask: Mask) => Promise<PartitionResult> {
  const partitions = makePartitions(ctx, seed, theta0);
  return (round, k, mask) => trainPartition(ctx, partitions[k], theta0, mask, seed, round, k);
}

/** Splits one seed's data into the configured partitions, each with its model definition and head. */
function makePartitions(ctx: LabContext, seed: number, theta0: WeightMap): Partition[] {
  const { config, dataset } = ctx;
  const splits = makeSplits(dataset, config.data, seed);
  const P = config.colt.partitions;
  const entry = getModel(config.arch);
  if (config.colt.partitioning === 'random') {
    // Random parts keep all classes: each model has a full-class head, initialised as θ0's.
    const trains = randomPartitions(splits.train, P, seed);
    const head = new Map([...theta0].filter(([name]) => ctx.def.params.some((p) => p.head && p.name === name)));
    return trains.map((train) => ({ splits: { train, val: splits.val, test: splits.test }, def: ctx.def, head }));
  }
  const classMap = config.colt.partitioning === 'contiguous-classes' ? contiguousClassMap(dataset.classes, P) : config.colt.partitioning.classMap;
  const trainParts = classPartitions(splits.train, classMap, P);
  const valParts = splits.val ? classPartitions(splits.val, classMap, P) : undefined;
  const testParts = classPartitions(splits.test, classMap, P);
  return trainParts.sets.map((train: ImageSet, k: number) => {
    const classes = trainParts.classes[k].length;
    const def = entry.build(dataset.shape, classes);
    const head: WeightMap = new Map();
    for (const spec of def.params) if (spec.head) head.set(spec.name, initParam(spec, seed, `colt-head/${k}`));
    return { splits: { train, val: valParts?.sets[k], test: testParts.sets[k] }, def, head };
  });
}

/** Trains one partition model from θ0 ⊙ m with its own head on its own part of the data. */
async function trainPartition(
  ctx: LabContext,
  p: Partition,
  theta0: WeightMap,
  mask: Mask,
  seed: number,
  round: number,
  k: number,
): Promise<PartitionResult> {
  const { config } = ctx;
  const weights: WeightMap = new Map();
  for (const spec of p.def.params) {
    const v = spec.head ? p.head.get(spec.name) : theta0.get(spec.name);
    if (v) weights.set(spec.name, v);
  }
  const state = new ModelState(p.def, weights, initBuffers(p.def));
  try {
    const result = await trainModel({
      state,
      mask,
      ...p.splits,
      ...recipeOf(ctx),
      seed,
      stream: `colt/round/${round}/partition/${k}`,
      keepSelectedParams: config.pruning.pruneFrom === 'best',
      onProgress: (pr) =>
        ctx.sink.event({ type: 'progress', method: 'colt', seed, round, phase: `partition ${k + 1}/${ctx.config.colt.partitions}`, ...pr }),
    });
    const trained = config.pruning.pruneFrom === 'best' && result.selectedParams ? result.selectedParams : await state.readParams();
    return { weights: trained, accuracy: result.selected.testAccuracy ?? NaN, samples: result.samples };
  } finally {
    state.dispose();
  }
}
