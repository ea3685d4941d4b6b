import { describe, expect, it } from 'vitest';
import { comparisonSeries, denseBaseline, roundsToReach, type RunRounds } from '../../../main/analysis/comparison.js';
import type { Method } from '../../../main/contract/experiment-config.js';
import type { RoundRecord } from '../../../main/lab/events.js';

type Row = { sparsity: number; acc: number | null; samples: number; evaluation?: number; overlap?: number };

function run(runId: number, method: Method, seed: number, rows: Row[]): RunRounds {
  const rounds: RoundRecord[] = rows.map((r, round) => ({
    type: 'round',
    method,
    seed,
    round,
    sparsity: r.sparsity,
    sparsityAll: r.sparsity,
    layerSparsity: {},
    testAccuracy: r.acc,
    valAccuracy: null,
    earlyStopIteration: null,
    ...(r.overlap !== undefined ? { overlap: r.overlap } : {}),
    samples: r.samples,
    evaluationSamples: r.evaluation ?? 0,
    seconds: 1,
    untrainedAccuracy: null,
    maskViolations: 0,
    evaluations: [],
  }));
  return { runId, method, seed, rounds };
}

const runs: RunRounds[] = [
  run(5, 'random', 0, [{ sparsity: 0, acc: 0.8, samples: 100 }]),
  run(2, 'colt', 0, [
    { sparsity: 0, acc: 0.8, samples: 100, evaluation: 100 },
    { sparsity: 0.36, acc: 0.79, samples: 100, evaluation: 100, overlap: 0.7 },
  ]),
  run(1, 'imp', 0, [
    { sparsity: 0, acc: 0.8, samples: 100 },
    { sparsity: 0.2, acc: 0.82, samples: 100 },
    { sparsity: 0.36, acc: 0.81, samples: 100 },
  ]),
  run(3, 'imp', 1, [
    { sparsity: 0, acc: 0.84, samples: 120 },
    { sparsity: 0.2, acc: 0.8, samples: 120 },
  ]),
  run(4, 'colt', 1, [
    { sparsity: 0, acc: 0.82, samples: 120, evaluation: 120 },
    { sparsity: 0.38, acc: null, samples: 120, evaluation: 0, overlap: 0.8 },
  ]),
];

describe('comparisonSeries', () => {
  const series = comparisonSeries(runs);

  it('orders methods imp, colt, random and lists their seeds and runs', () => {
    expect(series.map((s) => s.method)).toEqual(['imp', 'colt', 'random']);
    expect(series[0]).toMatchObject({ seeds: [0, 1], runIds: [1, 3] });
  });

  it('averages each round over the seeds that finished it', () => {
    const imp = series[0].points;
    expect(imp.map((p) => p.round)).toEqual([0, 1, 2]);
    expect(imp[0].testAccuracy!.mean).toBeCloseTo(0.82, 12);
    expect(imp[0].testAccuracy!.std).toBeCloseTo(Math.SQRT2 * 0.02, 12);
    expect(imp[1].remaining).toEqual({ mean: 0.8, std: 0, n: 2 });
    // Only seed 0 reached round 2.
    expect(imp[2].sparsity).toEqual({ mean: 0.36, std: 0, n: 1 });
    // Cumulative samples: seed 0 100+100, seed 1 120+120.
    expect(imp[1].samples).toMatchObject({ mean: 220, n: 2 });
  });

  it('keeps COLT evaluations out of samples, counts them in samplesWithEvaluation, and averages overlap', () => {
    const colt = series[1].points;
    expect(colt[1].samples.mean).toBe(220);
    expect(colt[1].samplesWithEvaluation.mean).toBe(((100 + 100 + 100 + 100) + (120 + 120 + 120 + 0)) / 2);
    expect(colt[1].overlap!.mean).toBeCloseTo(0.75, 12);
    expect(colt[0].overlap).toBeNull();
    // A missing accuracy is skipped, not counted as 0.
    expect(colt[1].testAccuracy).toEqual({ mean: 0.79, std: 0, n: 1 });
  });
});

describe('roundsToReach', () => {
  it('finds the first round at or above each target per seed, with cumulative samples', () => {
    const reach = roundsToReach(runs, [0.2, 0.36]);
    const imp20 = reach.find((r) => r.method === 'imp' && r.target === 0.2)!;
    expect(imp20).toMatchObject({ seeds: 2, reached: 2, rounds: { mean: 1, std: 0, n: 2 } });
    expect(imp20.samples!.mean).toBe(220);
    const imp36 = reach.find((r) => r.method === 'imp' && r.target === 0.36)!;
    expect(imp36).toMatchObject({ reached: 1, rounds: { mean: 2, n: 1 }, samples: { mean: 300 } });
    const colt36 = reach.find((r) => r.method === 'colt' && r.target === 0.36)!;
    expect(colt36).toMatchObject({ reached: 2, rounds: { mean: 1 } });
    const random = reach.find((r) => r.method === 'random' && r.target === 0.2)!;
    expect(random).toMatchObject({ reached: 0, rounds: null, samples: null });
  });

  it('tolerates float noise at the target', () => {
    const r = roundsToReach([run(1, 'imp', 0, [{ sparsity: 0, acc: 1, samples: 1 }, { sparsity: 0.19999999999999998, acc: 1, samples: 1 }])], [0.2]);
    expect(r[0].reached).toBe(1);
  });
});

describe('denseBaseline', () => {
  it('takes round 0 once per seed, preferring IMP', () => {
    const dense = denseBaseline(runs)!;
    expect(dense.n).toBe(2);
    expect(dense.mean).toBeCloseTo(0.82, 12);
  });

  it('is null without a dense round', () => {
    expect(denseBaseline([])).toBeNull();
  });
});
