import type { Method } from '../contract/experiment-config.js';
import type { LabContext } from '../lab/context.js';
import { sparsity, type Mask } from '../lab/masks.js';
import { countParams } from '../lab/models/registry.js';
import { evaluationRecords } from '../lab/run-result.js';
import { evaluateTicket } from '../lab/ticket-eval.js';
import type { WeightMap } from '../lab/weights.js';

/**
 * A ticket evaluation job (tickets.evaluate): trains θ0 ⊙ mask once on the context's dataset with
 * its recipe (lab/ticket-eval.ts, as COLT's full-data evaluation does) and hands the result to the
 * sink as round 0 of the job, so it is stored and acknowledged like any round before the job ends.
 */
export async function evaluateJob(ctx: LabContext, method: Method, seed: number, ticket: { mask: Mask; init: WeightMap }): Promise<void> {
  const started = performance.now();
  const result = await evaluateTicket(ctx, ticket.mask, ticket.init, seed, { method, round: 0 });
  const s = sparsity(ticket.mask, countParams(ctx.evalDef));
  await ctx.sink.roundDone?.({
    record: {
      type: 'round',
      method,
      seed,
      round: 0,
      sparsity: s.overall,
      sparsityAll: s.overAll,
      layerSparsity: s.perLayer,
      testAccuracy: result.selected.testAccuracy,
      valAccuracy: result.selected.valAccuracy,
      untrainedAccuracy: result.untrained.testAccuracy,
      earlyStopIteration: result.earlyStopIteration,
      samples: 0,
      evaluationSamples: result.samples,
      seconds: (performance.now() - started) / 1000,
      maskViolations: result.maskViolations,
      evaluations: evaluationRecords('evaluate', result),
    },
    ticket: { method, seed, round: 0, mask: ticket.mask, init: ticket.init },
    pruneFrom: [],
    final: true,
  });
}
