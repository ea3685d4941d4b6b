import type { Method } from '../contract/experiment-config.js';
import { makeSplits, recipeOf, type LabContext } from './context.js';
import type { Mask } from './masks.js';
import { trainModel, type TrainResult } from './train.js';
import { initBuffers, initParam, ModelState, type WeightMap } from './weights.js';

/**
 * Evaluates a ticket the way the COLT authors' transfer script does (COLT-SPEC, Evaluating a COLT
 * ticket): θ0 ⊙ m for the body and a full-class head, trained on the evaluation dataset with the
 * experiment's recipe. On the ticket's own dataset the head is θ0's head, the one the IMP baseline
 * starts from; on another dataset (transfer) it is a fresh head fitted to that dataset's classes.
 * Batch-norm buffers start from `buffers` (the rewind point's, with late rewinding) or fresh.
 */
export async function evaluateTicket(
  ctx: LabContext,
  mask: Mask,
  init: WeightMap,
  seed: number,
  label: { method: Method; round: number },
  buffers?: WeightMap,
): Promise<TrainResult> {
  const { config, evalDef } = ctx;
  const weights: WeightMap = new Map();
  const transfer = ctx.evalDataset !== ctx.dataset;
  for (const spec of evalDef.params) {
    const own = init.get(spec.name);
    const fits = own !== undefined && own.length === spec.shape.reduce((a, b) => a * b, 1);
    weights.set(spec.name, spec.head && (transfer || !fits) ? initParam(spec, seed, 'transfer-head') : fits ? own : initParam(spec, seed, 'transfer-head'));
  }
  const splits = makeSplits(ctx.evalDataset, config.data, seed);
  const startBuffers = buffers && !transfer ? buffers : initBuffers(evalDef);
  const state = new ModelState(evalDef, weights, startBuffers);
  try {
    return await trainModel({
      state,
      mask,
      train: splits.train,
      val: splits.val,
      test: splits.test,
      ...recipeOf(ctx, ctx.evalDataset),
      seed,
      // The same data order as IMP's round, so COLT and IMP tickets are compared on equal terms.
      stream: `round/${label.round}`,
      onProgress: (p) =>
        ctx.sink.event({ type: 'progress', method: label.method, seed, round: label.round, phase: 'evaluate', ...p }),
    });
  } finally {
    state.dispose();
  }
}
