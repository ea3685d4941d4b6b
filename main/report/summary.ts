import type { MethodSeries, Reach, SeriesPoint } from '../analysis/comparison.js';
import type { Stat } from '../analysis/stats.js';
import { count, METHOD_LABEL, pct, pctStat } from './format.js';

/** IMP against random pruning on the same schedule, round by round. */
export interface RandomControl {
  readonly rounds: {
    readonly round: number;
    readonly sparsity: number;
    readonly imp: Stat | null;
    readonly random: Stat | null;
    /** IMP minus random mean test accuracy. */
    readonly difference: number | null;
  }[];
  /** Pruned rounds (≥ 1) where both have accuracies, and how many of them IMP won. */
  readonly compared: number;
  readonly impBetter: number;
}

/** "Within one point of dense": the tolerance of the summary's headline, in accuracy (fraction). */
export const TOLERANCE = 0.01;

/** What the summary is computed from. */
export interface SummaryInput {
  readonly series: readonly MethodSeries[];
  readonly dense: Stat | null;
  readonly reach: readonly Reach[];
  readonly overlapBaseline: { readonly rate: number; readonly expected: number } | null;
}

/** The sparsest round of a method whose mean test accuracy is within TOLERANCE of dense, if any pruned round is. */
export function sparsestWithinDense(series: MethodSeries, dense: Stat): SeriesPoint | undefined {
  return series.points
    .filter((p) => p.round > 0 && p.testAccuracy !== null && p.testAccuracy.mean >= dense.mean - TOLERANCE)
    .sort((a, b) => b.sparsity.mean - a.sparsity.mean)[0];
}

/** Plain-language findings, every number computed from the runs (nothing is assumed about which method wins). */
export function summarise(input: SummaryInput): { sentences: string[]; randomControl: RandomControl | null } {
  const { series, dense } = input;
  const sentences: string[] = [];
  const seeds = Math.max(0, ...series.map((s) => s.seeds.length));
  const label = (m: string): string => METHOD_LABEL[m] ?? m;
  const seedWords = seeds === 1 ? 'one seed' : `means over ${seeds} seeds (± sample standard deviation)`;

  if (dense) {
    sentences.push(`The dense network (round 0, nothing pruned) reached ${pctStat(dense)} test accuracy (${dense.n === 1 ? 'one seed' : `${dense.n} seeds`}).`);
  } else {
    sentences.push('No dense (round 0) test accuracy is recorded, so tickets cannot be compared with the dense network.');
  }

  const best = new Map<string, SeriesPoint | undefined>();
  for (const s of series) {
    const last = s.points.at(-1);
    if (!last) continue;
    const lastText = `its last round (${last.round}) pruned ${pct(last.sparsity.mean)} of the prunable weights at ${pctStat(last.testAccuracy)} test accuracy`;
    if (!dense) {
      sentences.push(`${cap(label(s.method))}: ${lastText}.`);
      continue;
    }
    const p = sparsestWithinDense(s, dense);
    best.set(s.method, p);
    if (!p) {
      sentences.push(`${cap(label(s.method))}: no pruned round stayed within 1 point of dense accuracy; ${lastText}.`);
      continue;
    }
    const isLast = p.round === last.round;
    sentences.push(
      `${cap(label(s.method))}: the sparsest ticket within 1 point of dense accuracy has ${pct(p.sparsity.mean)} of the prunable weights pruned ` +
        `(${pct(p.remaining.mean)} remaining) at ${pctStat(p.testAccuracy)}, reached in round ${p.round} after ${count(p.samples.mean)} training images` +
        (p.sparsity.n < s.seeds.length ? ` (${p.sparsity.n} of ${s.seeds.length} seeds got that far)` : '') +
        (isLast ? '; that was its last round, so sparser tickets were not tried.' : `; ${lastText}.`),
    );
  }

  const colt = series.find((s) => s.method === 'colt');
  const imp = series.find((s) => s.method === 'imp');
  const impBest = best.get('imp');
  if (colt && imp && impBest) {
    const target = impBest.sparsity.mean;
    const match = colt.points.find((p) => p.sparsity.mean >= target - 1e-9);
    if (match) {
      const within = dense && match.testAccuracy ? match.testAccuracy.mean >= dense.mean - TOLERANCE : false;
      sentences.push(
        `At IMP's best sparsity (${pct(target)}), COLT got there in round ${match.round} after ${count(match.samples.mean)} training images, ` +
          `against IMP's round ${impBest.round} and ${count(impBest.samples.mean)} images; ` +
          `that COLT ticket (${pct(match.sparsity.mean)} pruned) scored ${pctStat(match.testAccuracy)}, ${within ? 'also' : 'not'} within 1 point of dense.`,
      );
    } else {
      sentences.push(`COLT never reached IMP's best sparsity (${pct(target)}) in the rounds run.`);
    }
  }

  if (colt && input.overlapBaseline) {
    const overlaps = colt.points.filter((p) => p.overlap !== null);
    if (overlaps.length > 0) {
      const first = overlaps[0];
      const lastO = overlaps.at(-1)!;
      const above = overlaps.filter((p) => p.overlap!.mean > input.overlapBaseline!.expected).length;
      sentences.push(
        `COLT's partition models agreed on ${first.overlap!.mean.toFixed(2)} (Jaccard) of their kept weights in round ${first.round} and ` +
          `${lastO.overlap!.mean.toFixed(2)} in round ${lastO.round}; two independent random prunings at the same ${pct(input.overlapBaseline.rate, 0)} rate ` +
          `would give ${input.overlapBaseline.expected.toFixed(2)}. The overlap was above that chance level in ${above} of ${overlaps.length} rounds.`,
      );
    }
  }

  const randomControl = randomControlOf(series);
  if (randomControl && randomControl.compared > 0) {
    const lastR = randomControl.rounds.filter((r) => r.round > 0 && r.difference !== null).at(-1)!;
    sentences.push(
      `Random control: on IMP's schedule, IMP tickets were more accurate than random pruning in ${randomControl.impBetter} of ${randomControl.compared} pruned rounds; ` +
        `at round ${lastR.round} (${pct(lastR.sparsity)} pruned) IMP scored ${pctStat(lastR.imp)} against ${pctStat(lastR.random)}.`,
    );
  }

  sentences.push(
    seeds <= 1
      ? 'Only one seed: no spread is measured, so read differences of a point or so as anecdotal.'
      : `Figures are ${seedWords}; differences smaller than that spread are not resolved by this study.`,
  );
  return { sentences, randomControl };
}

function randomControlOf(series: readonly MethodSeries[]): RandomControl | null {
  const imp = series.find((s) => s.method === 'imp');
  const random = series.find((s) => s.method === 'random');
  if (!imp || !random) return null;
  const rounds = imp.points.flatMap((p) => {
    const q = random.points.find((x) => x.round === p.round);
    if (!q) return [];
    const difference = p.testAccuracy && q.testAccuracy ? p.testAccuracy.mean - q.testAccuracy.mean : null;
    return [{ round: p.round, sparsity: p.sparsity.mean, imp: p.testAccuracy, random: q.testAccuracy, difference }];
  });
  const pruned = rounds.filter((r) => r.round > 0 && r.difference !== null);
  return { rounds, compared: pruned.length, impBetter: pruned.filter((r) => r.difference! > 0).length };
}

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
