import { describe, expect, it } from 'vitest';
import { layerGrid } from '../../../main/analysis/heatmap.js';

// An HWIO conv kernel [kh=2, kw=1, in=2, out=3], viewed as out × (in·kh·kw) with column c·2 + h:
//        col: c0h0 c0h1 c1h0 c1h1
const expected = [
  [1, 0, 0, 1], // out 0
  [0, 1, 1, 0], // out 1
  [1, 1, 0, 0], // out 2
];
// Storage index ((h·kw + w)·in + c)·out + o, written out by hand from the table above.
const hwio = Uint8Array.from([1, 0, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0]);

describe('layerGrid', () => {
  it('transposes an HWIO conv mask into out × in·kh·kw', () => {
    const g = layerGrid('conv1', [2, 1, 2, 3], hwio, 100, 100);
    expect(g).toMatchObject({ rows: 3, cols: 4, rowsShown: 3, colsShown: 4, cellRows: 1, cellCols: 1, kept: 6, weights: 12 });
    expect(g.density).toEqual(expected.flat());
  });

  it('averages blocks, with smaller edge cells when the size does not divide', () => {
    // Cells of 2 rows × 2 cols: rows {0,1} and {2} (an edge cell of one row).
    const g = layerGrid('conv1', [2, 1, 2, 3], hwio, 2, 3);
    expect(g).toMatchObject({ rowsShown: 2, colsShown: 2, cellRows: 2, cellCols: 2 });
    expect(g.density).toEqual([0.5, 0.5, 1, 0]);
  });

  it('puts a dense kernel [in, out] as out rows × in columns', () => {
    // in 5, out 3; kept weights: (in 0, out 2), (in 4, out 0), (in 3, out 0).
    const m = new Uint8Array(15);
    m[0 * 3 + 2] = 1;
    m[4 * 3 + 0] = 1;
    m[3 * 3 + 0] = 1;
    const full = layerGrid('fc1', [5, 3], m, 10, 10);
    expect(full.density).toEqual([0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
    // Columns in blocks of 3: inputs {0,1,2} and {3,4} (the edge block is 2 wide).
    const coarse = layerGrid('fc1', [5, 3], m, 10, 2);
    expect(coarse).toMatchObject({ colsShown: 2, cellCols: 3 });
    expect(coarse.density).toEqual([0, 1, 0, 0, 1 / 3, 0]);
  });

  it('names the layer when the mask does not fit its shape', () => {
    expect(() => layerGrid('conv2', [3, 3, 2, 4], new Uint8Array(10), 8, 8)).toThrow(/layer 'conv2' has shape \[3, 3, 2, 4\] \(72 weights\) but its mask has 10/);
    expect(() => layerGrid('conv2', [3, 3, 2, 4], new Uint8Array(72), 0, 8)).toThrow(/maxRows/);
  });

  // How fast it is, is measured by the heatmap benchmark (bench/heatmap), not asserted here.
  it('reduces a 2.4M-weight conv layer to 256 × 256, keeping the kept fraction', () => {
    const shape = [3, 3, 512, 512];
    const mask = new Uint8Array(3 * 3 * 512 * 512);
    for (let i = 0; i < mask.length; i++) mask[i] = (i * 2654435761) % 7 < 3 ? 1 : 0;
    const grid = layerGrid('conv', shape, mask, 256, 256);
    expect(grid).toMatchObject({ rows: 512, cols: 4608, rowsShown: 256, colsShown: 256, cellRows: 2, cellCols: 18 });
    const kept = mask.reduce((a, v) => a + v, 0);
    expect(grid.kept).toBe(kept);
    const mean = grid.density.reduce((a, v) => a + v, 0) / grid.density.length;
    expect(mean).toBeCloseTo(kept / mask.length, 9);
  });
});
