import { colorTable, heatmapPixels, type GridIn, type HeatmapColors } from './pixels.js';

const tables = new WeakMap<HeatmapColors, Uint32Array>();

/**
 * Draws a grid on a canvas at one device pixel per cell (ImageData, no per-cell fill calls); CSS
 * scales the canvas to its box with `image-rendering: pixelated`, so zoom costs nothing here.
 */
export function drawHeatmap(canvas: HTMLCanvasElement, grid: GridIn, colors: HeatmapColors, scale = 1): void {
  let lut = tables.get(colors);
  if (!lut) tables.set(colors, (lut = colorTable(colors)));
  if (canvas.width !== grid.colsShown) canvas.width = grid.colsShown;
  if (canvas.height !== grid.rowsShown) canvas.height = grid.rowsShown;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const image = ctx.createImageData(grid.colsShown, grid.rowsShown);
  heatmapPixels(grid, lut, image.data, scale);
  ctx.putImageData(image, 0, 0);
}

/** Puts ready RGBA pixels of a width × height image on a canvas (value and difference heatmaps). */
export function drawPixels(canvas: HTMLCanvasElement, width: number, height: number, pixels: Uint8ClampedArray): void {
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const image = ctx.createImageData(width, height);
  image.data.set(pixels);
  ctx.putImageData(image, 0, 0);
}
