import { colorTable, heatmapPixels, type GridIn, type HeatmapColors } from './pixels.js';

const tables = new WeakMap<HeatmapColors, Uint32Array>();

/**
 * Draws a grid on a canvas at one device pixel per cell (ImageData, no per-cell fill calls); CSS
 * scales the canvas to its box with `image-rendering: pixelated`, so zoom costs nothing here.
 */
export function drawHeatmap(canvas: HTMLCanvasElement, grid: GridIn, colors: HeatmapColors): void {
  let lut = tables.get(colors);
  if (!lut) tables.set(colors, (lut = colorTable(colors)));
  if (canvas.width !== grid.colsShown) canvas.width = grid.colsShown;
  if (canvas.height !== grid.rowsShown) canvas.height = grid.rowsShown;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const image = ctx.createImageData(grid.colsShown, grid.rowsShown);
  heatmapPixels(grid, lut, image.data);
  ctx.putImageData(image, 0, 0);
}
