import { describe, expect, it } from 'vitest';
import { diffGrid, diffMasks } from '../../../main/analysis/mask-diff.js';
import { LabError } from '../../../main/contract/errors.js';

const u8 = (v: number[]): Uint8Array => Uint8Array.from(v);

describe('diffMasks', () => {
  it('counts per layer the weights kept by both, only A, only B and neither, and sums them', () => {
    const a = new Map([
      ['fc1.weight', u8([1, 1, 0, 0, 1, 0])],
      ['fc2.weight', u8([1, 0, 1])],
    ]);
    const b = new Map([
      ['fc1.weight', u8([1, 0, 1, 0, 1, 1])],
      ['fc2.weight', u8([0, 0, 1])],
    ]);
    const d = diffMasks(a, b);
    expect(d.layers[0]).toEqual({ layer: 'fc1.weight', weights: 6, both: 2, onlyA: 1, onlyB: 2, neither: 1, jaccard: 2 / 5 });
    expect(d.layers[1]).toEqual({ layer: 'fc2.weight', weights: 3, both: 1, onlyA: 1, onlyB: 0, neither: 1, jaccard: 1 / 2 });
    expect(d.total).toEqual({ weights: 9, both: 3, onlyA: 2, onlyB: 2, neither: 2, jaccard: 3 / 7 });
    // Every weight is in exactly one of the four sets.
    for (const l of d.layers) expect(l.both + l.onlyA + l.onlyB + l.neither).toBe(l.weights);
  });

  it('gives Jaccard 1 for identical masks and when neither keeps anything', () => {
    const m = new Map([['w', u8([1, 0, 1])]]);
    expect(diffMasks(m, m).total.jaccard).toBe(1);
    const none = new Map([['w', u8([0, 0])]]);
    expect(diffMasks(none, none).layers[0]).toMatchObject({ both: 0, onlyA: 0, onlyB: 0, neither: 2, jaccard: 1 });
  });

  it('refuses masks over different layers or sizes, naming the layer', () => {
    expect(() => diffMasks(new Map([['a', u8([1])]]), new Map([['b', u8([1])]]))).toThrow(/layer 'b' is in the second mask only/);
    expect(() => diffMasks(new Map([['a', u8([1]), ], ['b', u8([1])]]), new Map([['a', u8([1])]]))).toThrow(/layer 'b' is in the first mask only/);
    expect(() => diffMasks(new Map([['a', u8([1, 0])]]), new Map([['a', u8([1])]]))).toThrow(LabError);
  });
});

describe('diffGrid', () => {
  it('lays the difference out as the heatmap (rows = outputs) with per-cell fractions', () => {
    // A dense [in=2, out=2] kernel, storage index in·2 + out. A keeps (0,0),(0,1),(1,0); B keeps (0,0),(1,1).
    const a = u8([1, 1, 1, 0]);
    const b = u8([1, 0, 0, 1]);
    const g = diffGrid('fc', [2, 2], a, b, 8, 8);
    expect([g.rows, g.cols, g.rowsShown, g.colsShown]).toEqual([2, 2, 2, 2]);
    expect(g.shape).toEqual([2, 2]);
    // Cell (row = out, col = in): out 0/in 0 both; out 1/in 0 only A; out 0/in 1 only A; out 1/in 1 only B.
    expect(g.both).toEqual([1, 0, 0, 0]);
    expect(g.onlyA).toEqual([0, 1, 1, 0]);
    expect(g.onlyB).toEqual([0, 0, 0, 1]);
  });

  it('averages cells when downsampled, the three fractions and the neither share summing to 1', () => {
    const n = 4 * 6;
    const a = Uint8Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const b = Uint8Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : 0));
    const g = diffGrid('fc', [4, 6], a, b, 2, 2);
    expect([g.rowsShown, g.colsShown, g.cellRows, g.cellCols]).toEqual([2, 2, 3, 2]);
    for (let c = 0; c < 4; c++) expect(g.both[c] + g.onlyA[c] + g.onlyB[c]).toBeLessThanOrEqual(1 + 1e-12);
    const keptBoth = a.reduce((s, v, i) => s + (v & b[i]), 0);
    expect(g.both.reduce((s, v) => s + v * 6, 0)).toBeCloseTo(keptBoth, 10);
  });
});
