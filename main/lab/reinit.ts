import { makeSplits, type LabContext } from './context.js';
import type { RoundCheckpoint, RoundRecord } from './lab-sink.js';
import { sparsity, type Mask } from './masks.js';
import { shouldStop, trainedRoundRecord, type RunResult } from './run-result.js';
import { evaluateTicket } from './ticket-eval.js';
import { trainRound } from './train-round.js';
import { initBuffers, initWeights, ModelState } from './weights.js';

/**
 * The random-reinitialisation control (LTH, Frankle & Carbin 2019, §2, "randomly reinitialized"):
 * IMP's mask of each round applied to a fresh random initialisation instead of θ0, trained with
 * the same recipe and data order. It shows whether a ticket's initial values matter or only its structure.
 * `impMasks[r]` is IMP's mask of round r for the same seed.
 */
export async function runReinit(ctx: LabContext, seed: number, impMasks: readonly Mask[], resume?: RoundCheckpoint): Promise<RunResult> {
  const { config, def } = ctx;
  const clock = ctx.clock ?? performance.now.bind(performance);
  const rounds: RoundRecord[] = [];
  if (resume?.final) return { method: 'reinit', seed, rounds };
  const splits = makeSplits(ctx.dataset, config.data, seed);
  for (let round = resume ? resume.record.round + 1 : 0; round < impMasks.length; round++) {
    const started = clock();
    const mask = impMasks[round];
    const init = initWeights(def, seed, `reinit/${round}`);
    const state = new ModelState(def, init, initBuffers(def));
    try {
      const result = await trainRound(ctx, { method: 'reinit', seed, round }, { state, mask, ...splits });
      const transferred = ctx.evalDataset !== ctx.dataset ? await evaluateTicket(ctx, mask, init, seed, { method: 'reinit', round }) : null;
      const s = sparsity(mask, ctx.totalWeights);
      const record = trainedRoundRecord({ method: 'reinit', seed, round }, s, result, transferred, (clock() - started) / 1000);
      const last = round === impMasks.length - 1 || shouldStop(config, round, s);
      rounds.push(record);
      ctx.sink.event(record);
      await ctx.sink.roundDone?.({ record, ticket: { method: 'reinit', seed, round, mask, init, final: await state.readParams() }, pruneFrom: [], final: last });
      if (last) break;
    } finally {
      state.dispose();
    }
  }
  return { method: 'reinit', seed, rounds };
}
