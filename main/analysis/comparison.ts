import { METHODS, type Method } from '../contract/experiment-config.js';
import { roundCosts } from '../lab/cost.js';
import type { RoundRecord } from '../lab/events.js';
import { stat, statOfPresent, type Stat } from './stats.js';

/** One run's rounds (method × seed), as the library stores them. */
export interface RunRounds {
  readonly runId: number;
  readonly method: Method;
  readonly seed: number;
  readonly rounds: readonly RoundRecord[];
}

/** One round of a method, each figure over its seeds. */
export interface SeriesPoint {
  readonly round: number;
  /** Pruned / prunable weights. */
  readonly sparsity: Stat;
  /** Fraction of prunable weights left: 1 − sparsity. */
  readonly remaining: Stat;
  readonly testAccuracy: Stat | null;
  readonly valAccuracy: Stat | null;
  /** Test accuracy of the untrained ticket (iteration 0 of the training testAccuracy comes from). */
  readonly untrainedAccuracy: Stat | null;
  /**
   * Cumulative training images spent to produce this round's ticket, rounds 0..this one
   * (COLT: its partition trainings). Excludes COLT's full-data evaluation, which measures a ticket
   * but is not needed to find the next one: see samplesWithEvaluation.
   */
  readonly samples: Stat;
  /** Cumulative training images including COLT's ticket evaluations (equal to samples for the other methods). */
  readonly samplesWithEvaluation: Stat;
  /** COLT: mean pairwise Jaccard of the partition masks pruned this round. */
  readonly overlap: Stat | null;
}

/** A method's per-round series over its seeds. */
export interface MethodSeries {
  readonly method: Method;
  readonly seeds: number[];
  readonly runIds: number[];
  readonly points: SeriesPoint[];
}

/** Runs grouped by method, in the order imp, colt, random, reinit; within a method by seed. */
export function groupByMethod(runs: readonly RunRounds[]): { method: Method; runs: RunRounds[] }[] {
  return METHODS.map((method) => ({
    method,
    runs: runs.filter((r) => r.method === method).sort((a, b) => a.seed - b.seed || a.runId - b.runId),
  })).filter((g) => g.runs.length > 0);
}

/**
 * Per method and round, mean ± std over seeds of sparsity, accuracies, cumulative samples and COLT
 * overlap. A round appears when at least one seed finished it; each Stat's n says how many did.
 */
export function comparisonSeries(runs: readonly RunRounds[]): MethodSeries[] {
  return groupByMethod(runs).map(({ method, runs: group }) => {
    const cumulative = group.map((r) => cumulativeSamples(r.rounds));
    const roundNumbers = [...new Set(group.flatMap((r) => r.rounds.map((x) => x.round)))].sort((a, b) => a - b);
    const points: SeriesPoint[] = roundNumbers.map((round) => {
      const hits = group.flatMap((r, i) => {
        const rec = r.rounds.find((x) => x.round === round);
        return rec ? [{ rec, cum: cumulative[i].get(round)! }] : [];
      });
      const sparsity = stat(hits.map((h) => h.rec.sparsity))!;
      return {
        round,
        sparsity,
        remaining: stat(hits.map((h) => 1 - h.rec.sparsity))!,
        testAccuracy: statOfPresent(hits.map((h) => h.rec.testAccuracy)),
        valAccuracy: statOfPresent(hits.map((h) => h.rec.valAccuracy)),
        untrainedAccuracy: statOfPresent(hits.map((h) => h.rec.untrainedAccuracy)),
        samples: stat(hits.map((h) => h.cum.samples))!,
        samplesWithEvaluation: stat(hits.map((h) => h.cum.withEvaluation))!,
        overlap: statOfPresent(hits.map((h) => h.rec.overlap)),
      };
    });
    return { method, seeds: group.map((r) => r.seed), runIds: group.map((r) => r.runId), points };
  });
}

/** How fast a method reached a sparsity target, over its seeds. */
export interface Reach {
  readonly method: Method;
  /** Target sparsity (pruned / prunable). */
  readonly target: number;
  /** Seeds (runs) of the method. */
  readonly seeds: number;
  /** Seeds that reached the target. */
  readonly reached: number;
  /** Round at which each reaching seed first had sparsity ≥ target. */
  readonly rounds: Stat | null;
  /** Cumulative training images (as SeriesPoint.samples: without COLT's evaluations) up to that round. */
  readonly samples: Stat | null;
  /** Test accuracy at that round. */
  readonly testAccuracy: Stat | null;
}

/** Sparsity comparisons tolerate float noise: 0.2 pruned of 10 weights is stored as 0.19999999. */
const EPS = 1e-9;

/** Per method and target, the first round whose sparsity ≥ target, with its cumulative training samples. */
export function roundsToReach(runs: readonly RunRounds[], targets: readonly number[]): Reach[] {
  const groups = groupByMethod(runs);
  return groups.flatMap(({ method, runs: group }) =>
    targets.map((target) => {
      const firsts = group.flatMap((r) => {
        const ordered = [...r.rounds].sort((a, b) => a.round - b.round);
        const hit = ordered.find((x) => x.sparsity >= target - EPS);
        return hit ? [{ hit, cum: cumulativeSamples(ordered).get(hit.round)! }] : [];
      });
      return {
        method,
        target,
        seeds: group.length,
        reached: firsts.length,
        rounds: stat(firsts.map((f) => f.hit.round)),
        samples: stat(firsts.map((f) => f.cum.samples)),
        testAccuracy: statOfPresent(firsts.map((f) => f.hit.testAccuracy)),
      };
    }),
  );
}

/**
 * Test accuracy of the dense network (round 0, nothing pruned) over seeds. Every method's round 0
 * trains the same θ0 unpruned, so each seed counts once, from the first method in the order
 * imp, colt, random, reinit that has it.
 */
export function denseBaseline(runs: readonly RunRounds[]): Stat | null {
  const bySeed = new Map<number, number>();
  for (const { runs: group } of groupByMethod(runs)) {
    for (const r of group) {
      if (bySeed.has(r.seed)) continue;
      const dense = r.rounds.find((x) => x.round === 0 && x.sparsity <= EPS);
      if (dense && dense.testAccuracy !== null && Number.isFinite(dense.testAccuracy)) bySeed.set(r.seed, dense.testAccuracy);
    }
  }
  return stat([...bySeed.values()]);
}

/** Cumulative cost per round by the one definition (lab/cost.ts): ticket-making images, and with evaluations. */
function cumulativeSamples(rounds: readonly RoundRecord[]): Map<number, { samples: number; withEvaluation: number }> {
  return new Map(roundCosts(rounds).map((c) => [c.round, { samples: c.cumulative.samples, withEvaluation: c.cumulative.total }]));
}
