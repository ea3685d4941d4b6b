import { describe, expect, it } from 'vitest';
import { Rng } from '../../../main/common/random.js';
import { countMask, onesMask } from '../../../main/lab/masks.js';
import { pruneByMagnitude, pruneCount, pruneRandomly, simulateKeptCounts, type PrunePlan } from '../../../main/lab/pruning.js';

function randomWeights(sizes: Record<string, number>, seed: number): Map<string, Float32Array> {
  const rng = new Rng(seed);
  return new Map(Object.entries(sizes).map(([k, n]) => [k, Float32Array.from({ length: n }, () => rng.normal())]));
}

describe('magnitude pruning', () => {
  const sizes = { a: 1000, b: 37, c: 5 };
  const sizeMap = new Map(Object.entries(sizes));

  it('removes each layer\'s rate of its remaining weights, off by at most one weight, round after round', () => {
    const rates = new Map([['a', 0.2], ['b', 0.1], ['c', 0.5]]);
    const plan: PrunePlan = { strategy: 'layerwise', rates };
    let mask = onesMask(sizeMap);
    for (let round = 0; round < 8; round++) {
      const before = countMask(mask);
      mask = pruneByMagnitude(randomWeights(sizes, round), mask, plan);
      for (const [name, after] of countMask(mask)) {
        const remaining = before.get(name)!.kept;
        const removed = remaining - after.kept;
        expect(Math.abs(removed - rates.get(name)! * remaining)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('removes the smallest magnitudes among the kept weights only', () => {
    const w = new Map([['x', Float32Array.from([0.5, -0.1, 3, 0.05, -2, 0.2, 0, 1])]]);
    const mask = new Map([['x', Uint8Array.from([1, 1, 1, 1, 1, 1, 0, 1])]]);
    const out = pruneByMagnitude(w, mask, { strategy: 'layerwise', rates: new Map([['x', 3 / 7]]) });
    // Kept 7; remove round(3) smallest |w| among kept: 0.05, -0.1, 0.2. Index 6 stays pruned.
    expect([...out.get('x')!]).toEqual([1, 0, 1, 0, 1, 0, 0, 1]);
  });

  it('prunes globally across layers by one threshold', () => {
    const w = new Map([
      ['a', Float32Array.from([1, 2, 3, 4])],
      ['b', Float32Array.from([0.1, 0.2, 5, 6])],
    ]);
    const out = pruneByMagnitude(w, onesMask(new Map([['a', 4], ['b', 4]])), { strategy: 'global', layers: ['a', 'b'], rate: 0.5 });
    expect([...out.get('a')!]).toEqual([0, 0, 1, 1]);
    expect([...out.get('b')!]).toEqual([0, 0, 1, 1]);
  });

  it('breaks ties by index so equal weights prune deterministically', () => {
    const w = new Map([['x', new Float32Array(10).fill(0.3)]]);
    const out = pruneByMagnitude(w, onesMask(new Map([['x', 10]])), { strategy: 'layerwise', rates: new Map([['x', 0.3]]) });
    expect([...out.get('x')!]).toEqual([0, 0, 0, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('random pruning removes the same counts as magnitude pruning, at positions the seed decides', () => {
    const plan: PrunePlan = { strategy: 'layerwise', rates: new Map([['a', 0.2], ['b', 0.2], ['c', 0.2]]) };
    const r1 = pruneRandomly(onesMask(sizeMap), plan, new Rng(1));
    const r2 = pruneRandomly(onesMask(sizeMap), plan, new Rng(1));
    const r3 = pruneRandomly(onesMask(sizeMap), plan, new Rng(2));
    const mag = pruneByMagnitude(randomWeights(sizes, 0), onesMask(sizeMap), plan);
    for (const name of Object.keys(sizes)) {
      expect(countMask(r1).get(name)).toEqual(countMask(mag).get(name));
      expect([...r1.get(name)!]).toEqual([...r2.get(name)!]);
    }
    expect([...r1.get('a')!]).not.toEqual([...r3.get('a')!]);
  });

  it('simulates the kept counts IMP reaches', () => {
    const plan: PrunePlan = { strategy: 'layerwise', rates: new Map([['a', 0.2]]) };
    expect(simulateKeptCounts(new Map([['a', 100]]), plan, 3)).toEqual([100, 80, 64, 51]);
    expect(pruneCount(2, 0.2)).toBe(0);
  });
});
