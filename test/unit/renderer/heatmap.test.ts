import { describe, expect, it } from 'vitest';
import { cellAt, colorTable, HEATMAP_COLORS, heatmapPixels, requestSize } from '../../../renderer/src/heatmap/pixels.js';
import { layerGrid } from '../../../main/analysis/heatmap.js';

const lut = colorTable(HEATMAP_COLORS.light);

describe('heatmapPixels', () => {
  it('maps kept fraction 0 to the pruned colour and 1 to the kept colour, one opaque pixel per cell', () => {
    const px = heatmapPixels({ rows: 1, cols: 3, rowsShown: 1, colsShown: 3, cellRows: 1, cellCols: 1, density: [0, 1, 0.5] }, lut);
    expect([...px.subarray(0, 4)]).toEqual([...HEATMAP_COLORS.light.pruned, 255]);
    expect([...px.subarray(4, 8)]).toEqual([...HEATMAP_COLORS.light.kept, 255]);
    const mid = [...px.subarray(8, 11)];
    for (let c = 0; c < 3; c++) {
      const lo = Math.min(HEATMAP_COLORS.light.pruned[c], HEATMAP_COLORS.light.kept[c]);
      const hi = Math.max(HEATMAP_COLORS.light.pruned[c], HEATMAP_COLORS.light.kept[c]);
      expect(mid[c]).toBeGreaterThan(lo);
      expect(mid[c]).toBeLessThan(hi);
    }
  });

  it('clamps out-of-range and NaN fractions', () => {
    const px = heatmapPixels({ rows: 1, cols: 3, rowsShown: 1, colsShown: 3, cellRows: 1, cellCols: 1, density: [-1, 2, Number.NaN] }, lut);
    expect([...px.subarray(0, 3)]).toEqual([...HEATMAP_COLORS.light.pruned]);
    expect([...px.subarray(4, 7)]).toEqual([...HEATMAP_COLORS.light.kept]);
    expect([...px.subarray(8, 11)]).toEqual([...HEATMAP_COLORS.light.pruned]);
  });

  it('refuses a grid whose values do not match its size', () => {
    expect(() => heatmapPixels({ rows: 2, cols: 2, rowsShown: 2, colsShown: 2, cellRows: 1, cellCols: 1, density: [1] }, lut)).toThrow(/2×2/);
  });

  it('draws a server grid of a conv layer with rows = output channels', () => {
    // HWIO [1, 1, 2, 3]: 3 output channels × 2 inputs; keep only output channel 1.
    const mask = new Uint8Array([0, 1, 0, 0, 1, 0]);
    const grid = layerGrid('conv', [1, 1, 2, 3], mask, 16, 16);
    expect([grid.rowsShown, grid.colsShown]).toEqual([3, 2]);
    const px = heatmapPixels(grid, lut);
    const keptRow = [...px.subarray(2 * 4, 4 * 4)];
    expect(keptRow).toEqual([...HEATMAP_COLORS.light.kept, 255, ...HEATMAP_COLORS.light.kept, 255]);
    expect([...px.subarray(0, 3)]).toEqual([...HEATMAP_COLORS.light.pruned]);
  });
});

describe('cellAt', () => {
  const grid = { rows: 300, cols: 784, rowsShown: 150, colsShown: 392, cellRows: 2, cellCols: 2, density: new Array(150 * 392).fill(0.5) };

  it('names the rows and columns of weights a downsampled cell covers', () => {
    const c = cellAt(grid, 0, 0.999)!;
    expect(c.row).toBe(149);
    expect([c.rowFrom, c.rowTo]).toEqual([298, 299]);
    expect([c.colFrom, c.colTo]).toEqual([0, 1]);
    expect(c.kept).toBe(0.5);
  });

  it('clips the last cell to the layer when the size does not divide', () => {
    const g = { ...grid, rows: 5, rowsShown: 3, cellRows: 2, cols: 1, colsShown: 1, cellCols: 1, density: [1, 1, 1] };
    expect(cellAt(g, 0.5, 0.9)).toMatchObject({ rowFrom: 4, rowTo: 4 });
  });

  it('is null outside the grid', () => {
    expect(cellAt(grid, 1, 0.5)).toBeNull();
    expect(cellAt(grid, -0.1, 0.5)).toBeNull();
  });
});

describe('requestSize', () => {
  it('asks for the drawn size times the zoom, never more than the layer or 2048', () => {
    expect(requestSize(300, 784, 600, 240, 1)).toEqual({ maxRows: 240, maxCols: 600 });
    expect(requestSize(300, 784, 600, 240, 4)).toEqual({ maxRows: 300, maxCols: 784 });
    expect(requestSize(512, 4608, 900, 300, 8)).toEqual({ maxRows: 512, maxCols: 2048 });
  });
});
