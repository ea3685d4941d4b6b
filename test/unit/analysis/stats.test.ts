import { describe, expect, it } from 'vitest';
import { methodSummaries, stat, statOfPresent } from '../../../main/analysis/stats.js';
import type { RoundRecord } from '../../../main/lab/events.js';

describe('stat', () => {
  it('gives the mean and the sample standard deviation (n − 1)', () => {
    // mean 5; squared deviations 9+1+1+9 = 20; 20/3 → std √(20/3).
    const s = stat([2, 4, 6, 8])!;
    expect(s.n).toBe(4);
    expect(s.mean).toBe(5);
    expect(s.std).toBeCloseTo(Math.sqrt(20 / 3), 12);
  });

  it('gives std 0 for one value and null for none', () => {
    expect(stat([0.86])).toEqual({ mean: 0.86, std: 0, n: 1 });
    expect(stat([])).toBeNull();
  });

  it('matches a hand computation on accuracies over three seeds', () => {
    // 0.85, 0.87, 0.86: mean 0.86, deviations ±0.01 and 0 → std √(0.0002/2) = 0.01.
    const s = stat([0.85, 0.87, 0.86])!;
    expect(s.mean).toBeCloseTo(0.86, 12);
    expect(s.std).toBeCloseTo(0.01, 12);
  });

  it('skips missing values when asked to', () => {
    expect(statOfPresent([null, 1, undefined, 3])).toEqual({ mean: 2, std: Math.SQRT2, n: 2 });
    expect(statOfPresent([null, null])).toBeNull();
  });
});

function round(method: RoundRecord['method'], seed: number, r: number, sparsity: number, testAccuracy: number | null, samples: number, evaluationSamples = 0): RoundRecord {
  return {
    type: 'round',
    method,
    seed,
    round: r,
    sparsity,
    sparsityAll: sparsity,
    layerSparsity: {},
    testAccuracy,
    valAccuracy: null,
    untrainedAccuracy: null,
    earlyStopIteration: null,
    samples,
    evaluationSamples,
    seconds: 1,
    maskViolations: 0,
    evaluations: [],
  };
}

describe('methodSummaries (the colt run summary)', () => {
  it('uses the same sample std and n as comparisons, and counts images by the one definition of cost', () => {
    const runs = [
      { method: 'imp' as const, rounds: [round('imp', 0, 0, 0, 0.86, 100), round('imp', 0, 1, 0.2, 0.85, 100)] },
      { method: 'imp' as const, rounds: [round('imp', 1, 1, 0.2, 0.87, 100), round('imp', 1, 0, 0, 0.88, 100)] },
      { method: 'colt' as const, rounds: [round('colt', 0, 0, 0, 0.86, 90, 100), round('colt', 0, 1, 0.3, null, 90, 0)] },
    ];
    const s = methodSummaries(runs);
    expect(s.imp).toEqual({
      runs: 2,
      rounds: 1,
      denseAccuracy: stat([0.86, 0.88]),
      finalAccuracy: stat([0.85, 0.87]),
      finalSparsity: stat([0.2, 0.2]),
      samples: 400,
      evaluationSamples: 0,
      totalSamples: 400,
    });
    expect(s.imp?.finalAccuracy?.std).toBeCloseTo(Math.SQRT2 * 0.01, 12);
    expect(s.colt).toMatchObject({ runs: 1, finalAccuracy: null, samples: 180, evaluationSamples: 100, totalSamples: 280 });
    expect(s.random).toBeUndefined();
  });
});
