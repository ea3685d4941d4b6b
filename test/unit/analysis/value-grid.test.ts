import { describe, expect, it } from 'vitest';
import { valueGrid } from '../../../main/analysis/value-grid.js';

describe('valueGrid', () => {
  it('lays values out as the mask heatmap, one cell per weight when small', () => {
    // Dense [in=3, out=2], index in·2 + out: cell (row = out, col = in).
    const g = valueGrid('fc', [3, 2], Float32Array.from([1, 2, 3, 4, 5, -6]), 16, 16);
    expect([g.rows, g.cols, g.rowsShown, g.colsShown]).toEqual([2, 3, 2, 3]);
    expect(g.mean).toEqual([1, 3, 5, 2, 4, -6]);
    expect(g.maxAbs).toBe(6);
  });

  it('averages blocks when downsampled, and draws a bias as one column', () => {
    const g = valueGrid('fc', [4, 2], Float32Array.from([1, 1, 3, 3, 5, 5, 7, 7]), 1, 2);
    expect([g.rowsShown, g.colsShown, g.cellRows, g.cellCols]).toEqual([1, 2, 2, 2]);
    expect(g.mean).toEqual([2, 6]);
    const bias = valueGrid('head.bias', [3], Float32Array.from([0.5, -0.5, 1]), 8, 8);
    expect([bias.rows, bias.cols]).toEqual([3, 1]);
    expect(bias.mean).toEqual([0.5, -0.5, 1]);
  });

  it('refuses values that do not fit the shape', () => {
    expect(() => valueGrid('fc', [2, 2], new Float32Array(3), 4, 4)).toThrow(/fc/);
  });
});
