import { describe, expect, it } from 'vitest';
import { stat, statOfPresent } from '../../../main/analysis/stats.js';

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
