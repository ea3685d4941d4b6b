import { describe, expect, it } from 'vitest';
import { compareMasks, expectedRandomJaccard, jaccard } from '../../../main/analysis/overlap.js';
import { Rng } from '../../../main/common/random.js';
import { LabError } from '../../../main/contract/errors.js';

const u8 = (v: number[]): Uint8Array => Uint8Array.from(v);

/** A mask keeping exactly round(keep·n) weights chosen uniformly at random (Fisher–Yates). */
function randomMask(n: number, keep: number, rng: Rng): Uint8Array {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const m = new Uint8Array(n);
  for (let i = 0; i < Math.round(keep * n); i++) m[order[i]] = 1;
  return m;
}

describe('jaccard', () => {
  it('is |a∧b| / |a∨b| of the kept sets', () => {
    // kept a = {0,1,3,5}, b = {1,2,3}: ∧ = {1,3}, ∨ = {0,1,2,3,5} → 2/5.
    expect(jaccard(u8([1, 1, 0, 1, 0, 1]), u8([0, 1, 1, 1, 0, 0]))).toBe(0.4);
  });

  it('is 1 for identical masks and when both keep nothing, 0 for disjoint ones', () => {
    expect(jaccard(u8([1, 0, 1]), u8([1, 0, 1]))).toBe(1);
    expect(jaccard(u8([0, 0, 0]), u8([0, 0, 0]))).toBe(1);
    expect(jaccard(u8([1, 0, 0]), u8([0, 1, 1]))).toBe(0);
  });
});

describe('expectedRandomJaccard', () => {
  it('follows kA·kB / (kA + kB − kA·kB)', () => {
    // COLT-SPEC: two models each keep 85% → 0.7225 / 0.9775.
    expect(expectedRandomJaccard(0.85, 0.85)).toBeCloseTo(0.7225 / 0.9775, 12);
    expect(expectedRandomJaccard(1, 0.3)).toBeCloseTo(0.3, 12);
    expect(expectedRandomJaccard(0, 0)).toBe(1);
  });

  it('agrees with a Monte-Carlo of seeded random masks', () => {
    const rng = Rng.derive(7, 'overlap-test', 0);
    for (const [ka, kb] of [
      [0.8, 0.8],
      [0.5, 0.2],
      [0.1, 0.9],
    ]) {
      const trials = 40;
      let sum = 0;
      for (let t = 0; t < trials; t++) sum += jaccard(randomMask(5000, ka, rng), randomMask(5000, kb, rng));
      expect(Math.abs(sum / trials - expectedRandomJaccard(ka, kb))).toBeLessThan(0.005);
    }
  });

  it('refuses a kept fraction outside [0, 1], naming it', () => {
    expect(() => expectedRandomJaccard(1.2, 0.5)).toThrow(/keptA/);
  });
});

describe('compareMasks', () => {
  it('reports each layer with its sparsities and the pooled overlap', () => {
    const a = new Map([
      ['fc1', u8([1, 1, 0, 1])],
      ['fc2', u8([1, 0])],
    ]);
    const b = new Map([
      ['fc1', u8([1, 0, 0, 1])],
      ['fc2', u8([0, 1])],
    ]);
    const { layers, overall } = compareMasks(a, b);
    expect(layers.map((l) => l.layer)).toEqual(['fc1', 'fc2']);
    expect(layers[0]).toMatchObject({ weights: 4, sparsityA: 0.25, sparsityB: 0.5, jaccard: 2 / 3 });
    expect(layers[0].expectedRandom).toBeCloseTo(expectedRandomJaccard(0.75, 0.5), 12);
    expect(layers[1]).toMatchObject({ weights: 2, jaccard: 0 });
    // Pooled: ∧ = 2, ∨ = 3 + 2 = 5.
    expect(overall.weights).toBe(6);
    expect(overall.jaccard).toBeCloseTo(2 / 5, 12);
    // Pooled baseline: expected intersections / unions, 4·0.375 + 2·0.25 = 2 over 4·0.875 + 2·0.75 = 5.
    expect(overall.expectedRandom).toBeCloseTo(2 / 5, 12);
  });

  it('names the layer when the masks do not match', () => {
    const a = new Map([['conv1', u8([1, 0, 1])]]);
    const short = new Map([['conv1', u8([1, 0])]]);
    const other = new Map([['conv2', u8([1, 0, 1])]]);
    expect(() => compareMasks(a, short)).toThrow(LabError);
    expect(() => compareMasks(a, short)).toThrow(/layer 'conv1' has 3 weights in the first mask and 2/);
    expect(() => compareMasks(a, other)).toThrow(/layer 'conv2' is in the second mask only/);
    try {
      compareMasks(new Map([...a, ['fc', u8([1])]]), a);
    } catch (e) {
      expect((e as LabError).code).toBe('invalid_input');
      expect((e as LabError).message).toMatch(/'fc' is in the first mask only/);
    }
  });
});
