import { coltHeadInit } from '../contract/experiment-config.js';
import { invalidInput } from '../contract/errors.js';
import { buildModel, makeSplits, recipeOf, type LabContext, type PartitionResult, type PartitionStart, type Splits } from './context.js';
import type { RoundCheckpoint, RoundRecord } from './events.js';
import { partitionData } from './experiment-splits.js';
import { intersectMasks, meanPairwiseJaccard, onesMask, sparsity, type Mask } from './masks.js';
import type { ModelDef } from './models/types.js';
import { planFromConfig, prunableSizes, pruneByMagnitude, prunesFromSelected } from './pruning.js';
import { evaluationRecords, shouldStop, type RunResult } from './run-result.js';
import { iterationOf } from './schedule.js';
import { evaluateTicket } from './ticket-eval.js';
import { rewindCallback, yieldCallback, progressCallback } from './train-callbacks.js';
import { trainLoop } from './train-loop.js';
import { trainModel } from './train.js';
import { initBuffers, initParam, initWeights, ModelState, type WeightMap } from './weights.js';

/** One COLT partition: its data, its model definition (own C/P-way head) and that head's initial weights. */
interface Partition {
  readonly splits: Splits;
  readonly def: ModelDef;
  readonly head: WeightMap;
}

/** The rewind point of late rewinding: θk and its batch-norm buffers. */
interface RewindPoint {
  readonly params: WeightMap;
  readonly buffers: WeightMap;
}

/**
 * Cyclic Overlapping Lottery Tickets (COLT-SPEC "COLT"; Hossain et al. 2025, §III): train copies of
 * θ0 on P disjoint parts of the data, prune each, keep only the weights every model kept (AND),
 * rewind and repeat. Rewinding goes to θ0, or with late rewinding to θk: the dense network trained
 * k steps on the full data, as IMP's round 0 does. Each round's ticket (m, θ0 or θk) is evaluated
 * on the full data with that point's full-class head, the one IMP starts from.
 */
export async function runColt(ctx: LabContext, seed: number, resume?: RoundCheckpoint): Promise<RunResult> {
  const { config, def } = ctx;
  if (resume?.final) return { method: 'colt', seed, rounds: [] };
  checkResumable(ctx, resume);
  const theta0 = initWeights(def, seed);
  const trainPartitions = partitionRound(ctx, seed, theta0);
  const plan = planFromConfig(def, config.pruning, config.colt.rate ?? config.pruning.rate);
  const P = config.colt.partitions;
  const rounds: RoundRecord[] = [];
  const clock = ctx.clock ?? performance.now.bind(performance);
  let mask: Mask = resume?.ticket.mask ?? onesMask(prunableSizes(def, config.pruning.layers));
  let trained: readonly WeightMap[] = resume?.pruneFrom ?? [];
  let partitionBuffers: readonly WeightMap[] | undefined = resume?.partitionBuffers;
  let rewind: RewindPoint | undefined = resume?.rewindParams && resume.rewindBuffers ? { params: resume.rewindParams, buffers: resume.rewindBuffers } : undefined;
  for (let round = resume ? resume.record.round + 1 : 0; ; round++) {
    const started = clock();
    let rewindSamples = 0;
    if (round === 0 && config.rewind !== 'init') {
      // Late rewinding: the dense network trains to step k on the full data once (IMP's round 0 up to k).
      const point = await denseRewindPoint(ctx, seed, theta0);
      rewind = point;
      rewindSamples = point.samples;
    }
    // Step 1 (rounds ≥ 1): prune each partition model of the previous round, keep what all kept.
    let overlap: number | undefined;
    if (round > 0) {
      const masks = trained.map((w) => pruneByMagnitude(w, mask, plan));
      overlap = meanPairwiseJaccard(masks);
      mask = intersectMasks(masks);
    }
    // Step 2: rewind every partition model to the rewind point ⊙ m (its own head rewound too) and train it on its part.
    const starts = Array.from({ length: P }, (_, k): PartitionStart => {
      if (round === 0) return {};
      const buffers = config.resetBatchNormOnRewind ? rewind?.buffers : partitionBuffers?.[k];
      return { ...(rewind ? { params: rewind.params } : {}), ...(buffers ? { buffers } : {}) };
    });
    const results = await trainPartitions(round, mask, starts);
    trained = results.map((r) => r.weights);
    partitionBuffers = results.map((r) => r.buffers);
    // Step 3: evaluate the ticket (m, rewind point) on the full data with that point's full-class head.
    const s = sparsity(mask, ctx.totalWeights);
    const last = shouldStop(config, round, s);
    const ticketInit = rewind?.params ?? theta0;
    const evaluate = config.colt.evaluate === 'every-round' || (config.colt.evaluate === 'final' && last);
    const evaluation = evaluate ? await evaluateTicket(ctx, mask, ticketInit, seed, { method: 'colt', round }, rewind?.buffers) : null;
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
      untrainedAccuracy: evaluation?.untrained.testAccuracy ?? null,
      earlyStopIteration: evaluation?.earlyStopIteration ?? null,
      ...(overlap !== undefined ? { overlap } : {}),
      partitionAccuracies: results.map((r) => r.accuracy),
      partitionUntrainedAccuracies: results.map((r) => r.untrainedAccuracy),
      samples: rewindSamples + results.reduce((a, r) => a + r.samples, 0),
      evaluationSamples: evaluation?.samples ?? 0,
      seconds: (clock() - started) / 1000,
      maskViolations: results.reduce((a, r) => a + r.maskViolations, 0) + (evaluation?.maskViolations ?? 0),
      evaluations: [...results.flatMap((r) => r.evaluations), ...(evaluation ? evaluationRecords('evaluate', evaluation) : [])],
    };
    rounds.push(record);
    ctx.sink.event(record);
    await ctx.sink.roundDone?.({
      record,
      ticket: { method: 'colt', seed, round, mask, init: ticketInit },
      pruneFrom: trained,
      ...(rewind ? { rewindParams: rewind.params, rewindBuffers: rewind.buffers } : {}),
      ...(!config.resetBatchNormOnRewind ? { partitionBuffers } : {}),
      final: last,
    });
    if (last) break;
  }
  return { method: 'colt', seed, rounds };
}

/** Refuses to continue a checkpoint that lacks state the config needs (stored before COLT honoured late rewinding or kept batch-norm statistics). */
function checkResumable(ctx: LabContext, resume: RoundCheckpoint | undefined): void {
  if (!resume) return;
  const { config } = ctx;
  if (config.rewind !== 'init' && !resume.rewindParams) {
    throw invalidInput(
      `config field 'rewind': this COLT run's rounds were made before COLT honoured late rewinding (they rewound to θ0); continuing with '${config.rewind}' would mix both: start a new experiment`,
      { field: 'rewind' },
    );
  }
  if (!config.resetBatchNormOnRewind && resume.partitionBuffers?.length !== config.colt.partitions && ctx.def.buffers.length > 0) {
    throw invalidInput(
      "config field 'resetBatchNormOnRewind': this COLT run's rounds were made before COLT kept batch-norm statistics across rounds; continuing would mix both: start a new experiment",
      { field: 'resetBatchNormOnRewind' },
    );
  }
}

/**
 * The rewind point θk of late rewinding for COLT: the dense network (θ0, full-class head) trained
 * k steps on the full training split with IMP's round-0 data order, so it equals IMP's θk.
 */
async function denseRewindPoint(ctx: LabContext, seed: number, theta0: WeightMap): Promise<RewindPoint & { samples: number }> {
  const { config, def } = ctx;
  const splits = makeSplits(ctx.dataset, config.data, seed);
  const k = iterationOf(config.training, config.rewind, splits.train.count);
  const state = new ModelState(def, theta0, initBuffers(def));
  try {
    const rewind = rewindCallback(k);
    const progress = progressCallback((p) => ctx.sink.event({ type: 'progress', method: 'colt', seed, round: 0, phase: 'rewind', ...p }), ctx.clock);
    const recipe = recipeOf(ctx);
    const loop = await trainLoop(
      { state, train: splits.train, normalization: recipe.normalization, augment: recipe.augment, training: { ...config.training, duration: `${k}it` }, seed, stream: 'round/0', signal: ctx.signal },
      [rewind, progress, yieldCallback()],
    );
    if (!rewind.params || !rewind.buffers) throw invalidInput(`config field 'rewind': step ${k} was not reached`, { field: 'rewind' });
    return { params: rewind.params, buffers: rewind.buffers, samples: loop.samples };
  } finally {
    state.dispose();
  }
}

/**
 * Trains a round's P partition models, in k order: through the context's runner, all started at
 * once, or here one after another. Each training is deterministic, so both give the same results.
 */
function partitionRound(
  ctx: LabContext,
  seed: number,
  theta0: WeightMap,
): (round: number, mask: Mask, starts: readonly PartitionStart[]) => Promise<PartitionResult[]> {
  const P = ctx.config.colt.partitions;
  const runner = ctx.partitionRunner;
  if (runner) return (round, mask, starts) => Promise.all(Array.from({ length: P }, (_, k) => runner(seed, round, k, mask, starts[k])));
  const local = localPartitionTrainer(ctx, seed, theta0);
  return async (round, mask, starts) => {
    const results: PartitionResult[] = [];
    for (let k = 0; k < P; k++) results.push(await local(round, k, mask, starts[k]));
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
): (round: number, k: number, mask: Mask, start: PartitionStart) => Promise<PartitionResult> {
  const partitions = makePartitions(ctx, seed, theta0);
  return (round, k, mask, start) => trainPartition(ctx, partitions[k], theta0, mask, seed, round, k, start);
}

/**
 * Splits one seed's data into the configured partitions, each with its model definition and head.
 * Heads are one draw shared by every partition (`colt.headInit: "shared"`, the authors': for random
 * partitions θ0's full-class head) or one draw each ("independent").
 */
function makePartitions(ctx: LabContext, seed: number, theta0: WeightMap): Partition[] {
  const { config, dataset } = ctx;
  const shared = coltHeadInit(config) === 'shared';
  return partitionData(config, dataset, seed).map((p, k) => {
    const def = p.classes === null ? ctx.def : buildModel(config, dataset.shape, p.classes.length, dataset.name);
    const head: WeightMap = new Map();
    for (const spec of def.params) {
      if (!spec.head) continue;
      const own = p.classes === null && shared ? theta0.get(spec.name) : undefined;
      head.set(spec.name, own ?? initParam(spec, seed, shared ? 'colt-head' : `colt-head/${k}`));
    }
    return { splits: p.splits, def, head };
  });
}

/** Trains one partition model from its start point ⊙ m with its own head on its own part of the data. */
async function trainPartition(
  ctx: LabContext,
  p: Partition,
  theta0: WeightMap,
  mask: Mask,
  seed: number,
  round: number,
  k: number,
  start: PartitionStart,
): Promise<PartitionResult> {
  const { config } = ctx;
  const body = start.params ?? theta0;
  const weights: WeightMap = new Map();
  for (const spec of p.def.params) {
    const v = spec.head ? p.head.get(spec.name) : body.get(spec.name);
    if (v) weights.set(spec.name, v);
  }
  const state = new ModelState(p.def, weights, start.buffers ?? initBuffers(p.def));
  const phase = `partition ${k + 1}/${config.colt.partitions}`;
  const fromSelected = prunesFromSelected(config.pruning.pruneFrom, 'colt', round);
  try {
    const result = await trainModel({
      state,
      mask,
      ...p.splits,
      ...recipeOf(ctx),
      seed,
      stream: `colt/round/${round}/partition/${k}`,
      keepSelectedParams: fromSelected,
      onProgress: (pr) => ctx.sink.event({ type: 'progress', method: 'colt', seed, round, phase, ...pr }),
    });
    const trained = fromSelected && result.selectedParams ? result.selectedParams : await state.readParams();
    return {
      weights: trained,
      accuracy: result.selected.testAccuracy ?? NaN,
      untrainedAccuracy: result.untrained.testAccuracy ?? NaN,
      samples: result.samples,
      evaluations: evaluationRecords(phase, result),
      maskViolations: result.maskViolations,
      buffers: await state.readBuffers(),
    };
  } finally {
    state.dispose();
  }
}
