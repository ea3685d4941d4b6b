import { PNG } from 'pngjs';
import type { MaskGrid } from '../analysis/heatmap.js';

// Pale (pruned) to dark blue (kept): readable in print and for red-green colour blindness.
const LOW = [247, 251, 255];
const HIGH = [8, 48, 107];

/** The kept fraction the darkest colour stands for: the densest cell, so sparse layers still show their structure. */
export function colourScale(grid: MaskGrid): number {
  let max = 0;
  for (const d of grid.density) if (d > max) max = d;
  return max > 0 ? max : 1;
}

/** A heatmap grid as a PNG data URI, one pixel per cell (scaled up in the page with pixelated rendering), 0 … colourScale. */
export function gridToPngDataUri(grid: MaskGrid): string {
  const png = new PNG({ width: grid.colsShown, height: grid.rowsShown });
  const top = colourScale(grid);
  for (let i = 0; i < grid.density.length; i++) {
    const d = Math.min(1, Math.max(0, grid.density[i] / top));
    for (let c = 0; c < 3; c++) png.data[i * 4 + c] = Math.round(LOW[c] + (HIGH[c] - LOW[c]) * d);
    png.data[i * 4 + 3] = 255;
  }
  return `data:image/png;base64,${PNG.sync.write(png).toString('base64')}`;
}
