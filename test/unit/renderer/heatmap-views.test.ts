import { describe, expect, it } from 'vitest';
import { colorTable, densestCell, HEATMAP_COLORS, heatmapPixels } from '../../../renderer/src/heatmap/pixels.js';
import { axisTicks } from '../../../renderer/src/heatmap/ticks.js';
import { filterTiles, tileAt, tilePixels } from '../../../renderer/src/heatmap/tiles.js';
import { DIFF_COLORS, diffPixels, VALUE_COLORS, valuePixels } from '../../../renderer/src/heatmap/values.js';

const lut = colorTable(HEATMAP_COLORS.light);
const rgb = (px: Uint8ClampedArray, i: number): number[] => [...px.subarray(i * 4, i * 4 + 3)];

describe('heatmap colour scales', () => {
  it("scales kept fractions to the densest cell, as the report's heatmaps do", () => {
    const grid = { rows: 1, cols: 2, rowsShown: 1, colsShown: 2, cellRows: 1, cellCols: 1, density: [0.25, 0.5] };
    expect(densestCell(grid.density)).toBe(0.5);
    expect(densestCell([0, 0])).toBe(1);
    const relative = heatmapPixels(grid, lut, undefined, 0.5);
    expect(rgb(relative, 1)).toEqual([...HEATMAP_COLORS.light.kept]);
    const absolute = heatmapPixels(grid, lut);
    expect(rgb(absolute, 1)).not.toEqual([...HEATMAP_COLORS.light.kept]);
  });

  it('draws values on a symmetric blue–white–red scale', () => {
    const px = valuePixels([-2, 0, 1, 2, Number.NaN], 2, VALUE_COLORS.light);
    expect(rgb(px, 0)).toEqual([...VALUE_COLORS.light.negative]);
    expect(rgb(px, 1)).toEqual([...VALUE_COLORS.light.zero]);
    expect(rgb(px, 3)).toEqual([...VALUE_COLORS.light.positive]);
    expect(rgb(px, 4)).toEqual([...VALUE_COLORS.light.zero]);
    // Half way to the positive end.
    expect(rgb(px, 2)[1]).toBe(Math.round(247 + (24 - 247) * 0.5));
  });

  it('mixes the difference colours by the shares of a cell', () => {
    const c = DIFF_COLORS.light;
    const px = diffPixels({ both: [1, 0, 0, 0.5], onlyA: [0, 1, 0, 0], onlyB: [0, 0, 1, 0] }, c);
    expect(rgb(px, 0)).toEqual([...c.both]);
    expect(rgb(px, 1)).toEqual([...c.onlyA]);
    expect(rgb(px, 2)).toEqual([...c.onlyB]);
    expect(rgb(px, 3)).toEqual(c.both.map((v, i) => Math.round(v * 0.5 + c.neither[i] * 0.5)));
    expect(() => diffPixels({ both: [1], onlyA: [], onlyB: [1] }, c)).toThrow(/difference grid/);
  });
});

describe('axisTicks', () => {
  it('puts a few round index ticks along an axis, starting at 0', () => {
    expect(axisTicks(300).map((t) => t.value)).toEqual([0, 100, 200]);
    expect(axisTicks(784).map((t) => t.value)).toEqual([0, 200, 400, 600]);
    expect(axisTicks(10).map((t) => t.value)).toEqual([0, 2, 4, 6, 8]);
    expect(axisTicks(1)).toEqual([{ value: 0, at: 0 }]);
    expect(axisTicks(300)[1].at).toBeCloseTo(1 / 3, 12);
    expect(axisTicks(0)).toEqual([]);
  });
});

describe('filterTiles', () => {
  // 5 filters of 2 × 3 kernels, density = filter index / 10 everywhere.
  const map = { filters: 5, kh: 2, kw: 3, density: Array.from({ length: 30 }, (_, i) => Math.floor(i / 6) / 10) };

  it('lays filters out in rows of tiles with one-pixel gaps', () => {
    const t = filterTiles(map, 3);
    expect([t.columns, t.rows, t.width, t.height]).toEqual([3, 2, 3 * 4 - 1, 2 * 3 - 1]);
    expect(t.values[0]).toBe(0);
    expect(Number.isNaN(t.values[3])).toBe(true); // the gap after filter 0
    expect(t.values[4]).toBe(0.1); // filter 1 starts after it
    expect(t.values[3 * t.width + 0]).toBe(0.3); // second row of tiles: filter 3
    expect(filterTiles(map).columns).toBe(3);
  });

  it('finds the filter and position under a point, and nothing in gaps or past the last filter', () => {
    const t = filterTiles(map, 3);
    expect(tileAt(map, t, (4 + 0.5) / t.width, 0.5 / t.height)).toEqual({ filter: 1, y: 0, x: 0, kept: 0.1 });
    expect(tileAt(map, t, 3.5 / t.width, 0.5 / t.height)).toBeNull();
    expect(tileAt(map, t, (8 + 0.5) / t.width, 3.5 / t.height)).toBeNull(); // filter 5 does not exist
    expect(tileAt(map, t, 1.2, 0)).toBeNull();
  });

  it('colours tiles through the table and gaps in the gap colour', () => {
    const t = filterTiles({ filters: 2, kh: 1, kw: 1, density: [0, 1] }, 2);
    const px = tilePixels(t, lut, [1, 2, 3]);
    expect(rgb(px, 0)).toEqual([...HEATMAP_COLORS.light.pruned]);
    expect(rgb(px, 1)).toEqual([1, 2, 3]);
    expect(rgb(px, 2)).toEqual([...HEATMAP_COLORS.light.kept]);
  });
});

describe('describeWeight', () => {
  it("names a weight by the layer's own axes", async () => {
    const { describeWeight, signed } = await import('../../../renderer/src/heatmap/describe.js');
    expect(describeWeight([784, 300], 12, 345)).toBe('output unit 12, input 345');
    // Conv [3, 3, 16, 32]: col = channel · 9 + kernel position (row-major 3 × 3).
    expect(describeWeight([3, 3, 16, 32], 5, 2 * 9 + 7)).toBe('filter 5, input channel 2, kernel (2, 1)');
    expect(describeWeight([10], 3, 0)).toBe('element 3');
    expect(signed(-0.0412)).toBe('−0.04120');
    expect(signed(0.00001234)).toBe('1.234e-5');
    expect(signed(null)).toBe('—');
  });
});
