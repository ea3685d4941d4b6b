import { Rng } from '../common/random.js';
import type { ExperimentConfig } from '../contract/experiment-config.js';
import { parseDuration } from '../contract/experiment-config.js';
import { AUGMENTATIONS, makeSplits, type LabContext } from './context.js';
import type { RoundRecord } from './events.js';
import { onesMask, sparsity, type Mask } from './masks.js';
import { planFromConfig, prunableSizes, pruneByMagnitude, pruneRandomly } from './pruning.js';
import { shouldStop, type RunResult } from './run-result.js';
import { evaluateTicket } from './ticket-eval.js';
import { trainModel, type TrainResult } from './train.js';
import { initBuffers, initWeights, ModelState, type WeightMap } from './weights.js';

/**
 * Iterative magnitude pruning (LTH, Frankle & Carbin 2019, §2 and COLT-SPEC "IMP / LTH"): train,
 * prune `rate` of the remaining weights, rewind to θ0 (or step k), retrain; repeat. With
 * method "random" the same schedule removes weights at random instead (the random pruning control).
 */
export async function runImp(ctx: LabContext, method: 'imp' | 'random', seed: number): Promise<RunResult> {
  const { config, def } = ctx;
  const splits = makeSplits(ctx.dataset, config.data, seed);
  const theta0 = initWeights(def, seed);
  const buffers0 = initBuffers(def);
  const plan = planFromConfig(def, config.pruning, config.imp.rate ?? config.pruning.rate);
  const randomRng = Rng.derive(seed, 'random-pruning');
  const state = new ModelState(def, theta0, buffers0);
  const rounds: RoundRecord[] = [];
  let mask: Mask = onesMask(prunableSizes(def, config.pruning.layers));
  let rewindParams: WeightMap = theta0;
  let rewindBuffers: WeightMap = buffers0;
  let last: TrainResult | undefined;
  try {
    for (let round = 0; ; round++) {
      const started = (ctx.clock ?? performance.now.bind(performance))();
      if (round > 0) {
        // Step 1: prune the trained weights; Step 2: rewind; Step 3 (below): retrain under the mask.
        const trained = config.pruning.pruneFrom === 'best' && last?.selectedParams ? last.selectedParams : await state.readParams();
        mask = method === 'imp' ? pruneByMagnitude(trained, mask, plan) : pruneRandomly(mask, plan, randomRng);
        state.loadParams(rewindParams);
        if (config.resetBatchNormOnRewind) state.loadBuffers(rewindBuffers);
      }
      const result = await trainModel({
        state,
        mask,
        ...splits,
        normalization: ctx.dataset.normalization,
        augment: AUGMENTATIONS[config.data.augment],
        training: config.training,
        seed,
        stream: `round/${round}`,
        keepSelectedParams: config.pruning.pruneFrom === 'best',
        rewindIteration: round === 0 ? rewindIterationOf(config, splits.train.count) : undefined,
        signal: ctx.signal,
        clock: ctx.clock,
        onProgress: (p) => ctx.sink.event({ type: 'progress', method, seed, round, phase: 'train', ...p }),
      });
      last = result;
      if (round === 0 && result.rewindParams && result.rewindBuffers) {
        rewindParams = result.rewindParams;
        rewindBuffers = result.rewindBuffers;
      }
      const transferred = ctx.evalDataset !== ctx.dataset ? await evaluateTicket(ctx, mask, rewindParams, seed, { method, round }) : null;
      const s = sparsity(mask, ctx.totalParams);
      const shown = transferred ?? result;
      const record: RoundRecord = {
        type: 'round',
        method,
        seed,
        round,
        sparsity: s.overall,
        sparsityAll: s.overAll,
        layerSparsity: s.perLayer,
        testAccuracy: shown.selected.testAccuracy,
        valAccuracy: shown.selected.valAccuracy,
        earlyStopIteration: shown.earlyStopIteration,
        samples: result.samples,
        evaluationSamples: transferred?.samples ?? 0,
        seconds: ((ctx.clock ?? performance.now.bind(performance))() - started) / 1000,
      };
      rounds.push(record);
      ctx.sink.event(record);
      ctx.sink.ticket?.({ method, seed, round, mask, init: rewindParams, final: await state.readParams() }, record);
      if (shouldStop(config, round, s)) break;
    }
  } finally {
    state.dispose();
  }
  return { method, seed, rounds };
}

/** The iteration whose weights late rewinding returns to, or undefined when rewinding to θ0. */
export function rewindIterationOf(config: ExperimentConfig, trainCount: number): number | undefined {
  if (config.rewind === 'init') return undefined;
  const d = parseDuration(config.rewind);
  const perEpoch = Math.max(1, Math.floor(trainCount / Math.min(config.training.batchSize, trainCount)));
  return d.unit === 'ep' ? d.amount * perEpoch : d.amount;
}
