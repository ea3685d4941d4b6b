import { Rng } from '../common/random.js';
import type { ExperimentConfig } from '../contract/experiment-config.js';
import { makeSplits, type LabContext } from './context.js';
import type { RoundCheckpoint, RoundRecord } from './lab-sink.js';
import { onesMask, sparsity, type Mask } from './masks.js';
import { planFromConfig, prunableSizes, pruneByMagnitude, pruneRandomly, prunesFromSelected } from './pruning.js';
import { shouldStop, trainedRoundRecord, type RunResult } from './run-result.js';
import { iterationOf } from './schedule.js';
import { evaluateTicket } from './ticket-eval.js';
import { trainRound } from './train-round.js';
import { initBuffers, initWeights, ModelState, type WeightMap } from './weights.js';

/**
 * Iterative magnitude pruning (LTH, Frankle & Carbin 2019, §2 and COLT-SPEC "IMP / LTH"): train,
 * prune `rate` of the remaining weights, rewind to θ0 (or step k), retrain; repeat. With
 * method "random" the same schedule removes weights at random instead (the random pruning control).
 * Given the checkpoint of a finished round, continues after it exactly as an uninterrupted run would.
 */
export async function runImp(ctx: LabContext, method: 'imp' | 'random', seed: number, resume?: RoundCheckpoint): Promise<RunResult> {
  const { config, def } = ctx;
  const clock = ctx.clock ?? performance.now.bind(performance);
  const rounds: RoundRecord[] = [];
  if (resume?.final) return { method, seed, rounds };
  const splits = makeSplits(ctx.dataset, config.data, seed);
  const theta0 = initWeights(def, seed);
  const buffers0 = initBuffers(def);
  const plan = planFromConfig(def, config.pruning, config.imp.rate ?? config.pruning.rate);
  let mask: Mask = resume?.ticket.mask ?? onesMask(prunableSizes(def, config.pruning.layers));
  let rewindParams: WeightMap = resume?.rewindParams ?? theta0;
  let rewindBuffers: WeightMap = resume?.rewindBuffers ?? buffers0;
  let pruneSource: WeightMap | undefined = resume?.pruneFrom[0];
  const state = new ModelState(def, rewindParams, resume?.buffers ?? buffers0);
  try {
    for (let round = resume ? resume.record.round + 1 : 0; ; round++) {
      const started = clock();
      if (round > 0 && pruneSource) {
        // Step 1: prune the trained weights; Step 2: rewind; Step 3 (below): retrain under the mask.
        mask = method === 'imp' ? pruneByMagnitude(pruneSource, mask, plan) : pruneRandomly(mask, plan, Rng.derive(seed, 'random-pruning', round));
        state.loadParams(rewindParams);
        if (config.resetBatchNormOnRewind) state.loadBuffers(rewindBuffers);
      }
      const fromSelected = prunesFromSelected(config.pruning.pruneFrom, method, round);
      const result = await trainRound(
        ctx,
        { method, seed, round },
        { state, mask, ...splits, keepSelectedParams: fromSelected, rewindIteration: round === 0 ? rewindIterationOf(config, splits.train.count) : undefined },
      );
      if (round === 0 && result.rewindParams && result.rewindBuffers) {
        rewindParams = result.rewindParams;
        rewindBuffers = result.rewindBuffers;
      }
      const final = await state.readParams();
      pruneSource = fromSelected && result.selectedParams ? result.selectedParams : final;
      const transferred = ctx.evalDataset !== ctx.dataset ? await evaluateTicket(ctx, mask, rewindParams, seed, { method, round }) : null;
      const s = sparsity(mask, ctx.totalWeights);
      const record = trainedRoundRecord({ method, seed, round }, s, result, transferred, (clock() - started) / 1000);
      const last = shouldStop(config, round, s);
      rounds.push(record);
      ctx.sink.event(record);
      await ctx.sink.roundDone?.({
        record,
        ticket: { method, seed, round, mask, init: rewindParams, final },
        pruneFrom: [pruneSource],
        rewindParams,
        rewindBuffers,
        buffers: await state.readBuffers(),
        final: last,
      });
      if (last) break;
    }
  } finally {
    state.dispose();
  }
  return { method, seed, rounds };
}

/** The iteration whose weights late rewinding returns to, or undefined when rewinding to θ0. */
export function rewindIterationOf(config: ExperimentConfig, trainCount: number): number | undefined {
  return config.rewind === 'init' ? undefined : iterationOf(config.training, config.rewind, trainCount);
}
