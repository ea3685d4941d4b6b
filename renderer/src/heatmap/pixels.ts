import type { CommandOutput } from '../../../main/contract/api.js';

/** The contract's mask grid (tickets.masks grids[]); density may be any array of kept fractions. */
export type MaskGrid = CommandOutput<'tickets.masks'>['grids'][number];

/** What drawing needs of a grid. */
export type GridIn = Pick<MaskGrid, 'rows' | 'cols' | 'rowsShown' | 'colsShown' | 'cellRows' | 'cellCols'> & { readonly density: ArrayLike<number> };

/** Two RGB end colours: pruned (kept fraction 0) and kept (1). */
export interface HeatmapColors {
  readonly pruned: readonly [number, number, number];
  readonly kept: readonly [number, number, number];
}

/**
 * Light theme: pale blue-white for pruned, deep blue for kept, the same two colours as the report's
 * heatmaps (main/report/heatmap-image.ts; a unit test keeps them equal). Dark: near-black to bright teal.
 */
export const HEATMAP_COLORS: Readonly<Record<'light' | 'dark', HeatmapColors>> = {
  light: { pruned: [247, 251, 255], kept: [8, 48, 107] },
  dark: { pruned: [22, 26, 32], kept: [94, 230, 200] },
};

/** A 256-entry RGBA lookup table (packed little-endian uint32, as ImageData's bytes read on x86/ARM) from pruned to kept. */
export function colorTable(colors: HeatmapColors): Uint32Array {
  const lut = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    const t = i / 255;
    const r = Math.round(colors.pruned[0] + (colors.kept[0] - colors.pruned[0]) * t);
    const g = Math.round(colors.pruned[1] + (colors.kept[1] - colors.pruned[1]) * t);
    const b = Math.round(colors.pruned[2] + (colors.kept[2] - colors.pruned[2]) * t);
    lut[i] = ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0;
  }
  return lut;
}

/**
 * RGBA pixels (one per cell, row-major) of a grid: kept fraction / scale → colour through the table
 * (scale 1: absolute, 0 … 100 % kept; the densest cell: the report's relative scale). One pass, one
 * 32-bit store per pixel; values outside 0..1 or NaN are clamped (NaN → pruned).
 */
export function heatmapPixels(grid: GridIn, lut: Uint32Array, out?: Uint8ClampedArray, scale = 1): Uint8ClampedArray {
  const n = grid.rowsShown * grid.colsShown;
  if (grid.density.length !== n) throw new Error(`heatmap: ${grid.rowsShown}×${grid.colsShown} grid has ${grid.density.length} values`);
  const bytes = out && out.length === n * 4 ? out : new Uint8ClampedArray(n * 4);
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, n);
  const d = grid.density;
  const inv = scale > 0 ? 1 / scale : 1;
  for (let i = 0; i < n; i++) {
    const v = d[i] * inv;
    const k = v > 0 ? (v < 1 ? (v * 255 + 0.5) | 0 : 255) : 0;
    words[i] = lut[k];
  }
  return bytes;
}

/** Which weights a cell covers and how many of them survived. */
export interface CellInfo {
  readonly row: number;
  readonly col: number;
  /** First and last output unit / channel (inclusive). */
  readonly rowFrom: number;
  readonly rowTo: number;
  /** First and last input (· kernel position) (inclusive). */
  readonly colFrom: number;
  readonly colTo: number;
  readonly kept: number;
}

/** The cell under a point given as fractions (0..1) of the drawn grid's width and height; null outside. */
export function cellAt(grid: GridIn, fx: number, fy: number): CellInfo | null {
  if (!(fx >= 0 && fx < 1 && fy >= 0 && fy < 1)) return null;
  const col = Math.floor(fx * grid.colsShown);
  const row = Math.floor(fy * grid.rowsShown);
  return {
    row,
    col,
    rowFrom: row * grid.cellRows,
    rowTo: Math.min(grid.rows, (row + 1) * grid.cellRows) - 1,
    colFrom: col * grid.cellCols,
    colTo: Math.min(grid.cols, (col + 1) * grid.cellCols) - 1,
    kept: grid.density[row * grid.colsShown + col],
  };
}

/** The grid size to ask the server for: the drawn size in device pixels times the zoom, capped by the layer and the contract's 2048. */
export function requestSize(rows: number, cols: number, widthPx: number, heightPx: number, zoom: number): { maxRows: number; maxCols: number } {
  const cap = (v: number, limit: number): number => Math.max(1, Math.min(limit, 2048, Math.round(v)));
  return { maxRows: cap(heightPx * zoom, rows), maxCols: cap(widthPx * zoom, cols) };
}

/** The densest cell's kept fraction (what the report's heatmaps use as their darkest colour), 1 when all are empty. */
export function densestCell(density: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < density.length; i++) if (density[i] > max) max = density[i];
  return max > 0 ? max : 1;
}
