import { describe, expect, it } from 'vitest';
import { assertMaskLike, intersectMasks, maskJaccard, meanPairwiseJaccard, onesMask, sparsity, type Mask } from '../../../main/lab/masks.js';

const m = (entries: Record<string, number[]>): Mask => new Map(Object.entries(entries).map(([k, v]) => [k, Uint8Array.from(v)]));

describe('masks', () => {
  it('intersects masks elementwise as a logical AND', () => {
    const a = m({ l1: [1, 1, 0, 0, 1], l2: [1, 0] });
    const b = m({ l1: [1, 0, 1, 0, 1], l2: [1, 1] });
    const c = m({ l1: [1, 1, 1, 1, 0], l2: [1, 1] });
    const and = intersectMasks([a, b, c]);
    expect([...and.get('l1')!]).toEqual([1, 0, 0, 0, 0]);
    expect([...and.get('l2')!]).toEqual([1, 0]);
    // Inputs are untouched.
    expect([...a.get('l1')!]).toEqual([1, 1, 0, 0, 1]);
  });

  it('checks every truth-table row of the AND over random masks', () => {
    const n = 1000;
    const a = new Uint8Array(n).map((_, i) => (i * 7) % 3 === 0 ? 1 : 0);
    const b = new Uint8Array(n).map((_, i) => (i * 5) % 2);
    const and = intersectMasks([new Map([['x', a]]), new Map([['x', b]])]).get('x')!;
    for (let i = 0; i < n; i++) expect(and[i]).toBe(a[i] === 1 && b[i] === 1 ? 1 : 0);
  });

  it('reports sparsity per layer, over prunable weights and over all weights', () => {
    const s = sparsity(m({ a: [1, 0, 0, 0], b: [1, 1, 1, 1, 0, 0] }), 20);
    expect(s.perLayer).toEqual({ a: 0.75, b: 2 / 6 });
    expect(s.overall).toBeCloseTo(5 / 10);
    expect(s.overAll).toBeCloseTo(5 / 20);
    expect(s.kept).toBe(5);
  });

  it('computes the Jaccard overlap of kept weights', () => {
    const a = m({ x: [1, 1, 0, 0] });
    const b = m({ x: [1, 0, 1, 0] });
    expect(maskJaccard(a, b).overall).toBeCloseTo(1 / 3);
    expect(maskJaccard(a, a).overall).toBe(1);
    expect(meanPairwiseJaccard([a, b, a])).toBeCloseTo((1 / 3 + 1 + 1 / 3) / 3);
  });

  it('refuses masks with values other than 0 and 1 or the wrong layers', () => {
    const sizes = new Map([['x', 3]]);
    expect(() => assertMaskLike(m({ x: [1, 2, 0] }), sizes)).toThrow(/'x' holds 2 at index 1/);
    expect(() => assertMaskLike(m({ x: [1, 0] }), sizes)).toThrow(/2 values, expected 3/);
    expect(() => assertMaskLike(m({ y: [1, 0, 1] }), sizes)).toThrow(/'x' is missing/);
    expect(() => assertMaskLike(onesMask(sizes), sizes)).not.toThrow();
  });
});
