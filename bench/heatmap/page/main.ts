// The heatmap bench page: the server's downsampling (main/analysis/heatmap.ts layerGrid), the wire
// (JSON out and back, as tickets.masks travels), and the renderer's canvas drawing
// (renderer/src/heatmap/draw.ts), timed together with performance.now() in Chromium.
import { layerGrid } from '../../../main/analysis/heatmap.js';
import { drawHeatmap } from '../../../renderer/src/heatmap/draw.js';
import { HEATMAP_COLORS } from '../../../renderer/src/heatmap/pixels.js';

/** One timed pass. */
interface Pass {
  grid: number;
  wire: number;
  draw: number;
  total: number;
  frame: number;
}

/** A dense layer of `inputs` × `outputs` weights in our [in, out] layout, `kept` of them 1, from a fixed LCG. */
function makeMask(inputs: number, outputs: number, kept: number): Uint8Array {
  const mask = new Uint8Array(inputs * outputs);
  let s = 12345;
  for (let i = 0; i < mask.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    mask[i] = s / 2 ** 32 < kept ? 1 : 0;
  }
  return mask;
}

const nextFrame = (): Promise<void> => new Promise((resolve) => requestAnimationFrame(() => resolve()));

async function run(o: { inputs: number; outputs: number; kept: number; maxRows: number; maxCols: number; repeats: number }): Promise<{ passes: Pass[]; rowsShown: number; colsShown: number; weights: number }> {
  const canvas = document.getElementById('heatmap') as HTMLCanvasElement;
  const mask = makeMask(o.inputs, o.outputs, o.kept);
  const passes: Pass[] = [];
  let rowsShown = 0;
  let colsShown = 0;
  for (let i = 0; i < o.repeats + 1; i++) {
    const t0 = performance.now();
    const grid = layerGrid('fc', [o.inputs, o.outputs], mask, o.maxRows, o.maxCols);
    const t1 = performance.now();
    const received = JSON.parse(JSON.stringify({ ticketId: 1, grids: [grid] })) as { grids: (typeof grid)[] };
    const t2 = performance.now();
    drawHeatmap(canvas, received.grids[0], HEATMAP_COLORS.light);
    // Reading one pixel back makes sure the ImageData reached the canvas before the clock stops.
    canvas.getContext('2d')?.getImageData(0, 0, 1, 1);
    const t3 = performance.now();
    await nextFrame();
    const t4 = performance.now();
    rowsShown = grid.rowsShown;
    colsShown = grid.colsShown;
    // The first pass warms the JIT and allocations up; it is not counted.
    if (i > 0) passes.push({ grid: t1 - t0, wire: t2 - t1, draw: t3 - t2, total: t3 - t0, frame: t4 - t0 });
  }
  return { passes, rowsShown, colsShown, weights: o.inputs * o.outputs };
}

(window as unknown as { runHeatmapBench: typeof run }).runHeatmapBench = run;
document.title = 'ready';
