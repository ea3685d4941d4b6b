// `colt bench` figure: the render time of a mask heatmap for a 2.4M-weight layer in Chromium.
//
// Builds bench/heatmap/page with Vite (it bundles the server's layerGrid and the renderer's canvas
// drawing, the same modules the app uses), serves it on 127.0.0.1, opens it in Debian's Chromium
// through playwright-core and times, in the page with performance.now(), each pass of: downsampling a
// 512 × 4608 mask (2,359,296 weights, 20 % kept) to the grid the ticket view asks for, the JSON round
// trip tickets.masks makes, and drawing the grid on a <canvas> with ImageData. Median of the passes.
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

/**
 * @typedef {object} HeatmapBenchResult
 * @property {string} name what was measured
 * @property {number} ms median milliseconds for grid + wire + draw at the ticket view's default grid (the goal: ≤ 150)
 * @property {number} goalMs 150
 * @property {number} weights weights in the layer
 * @property {string} grid the grid drawn (rows × cols cells)
 * @property {number} gridMs median of the server-side downsampling (layerGrid)
 * @property {number} wireMs median of the JSON round trip
 * @property {number} drawMs median of the canvas drawing
 * @property {number} frameMs median until the next animation frame after the pass started
 * @property {number} repeats passes timed (after one warm-up)
 * @property {{ grid: string, ms: number, gridMs: number, wireMs: number, drawMs: number }} finest the same at the finest grid (zoom 8×: 512 × 2048 cells)
 * @property {string} browser Chromium's version
 */

/**
 * Measures the heatmap render time in Chromium (median over `repeats` passes).
 * @param {{ repeats?: number, executablePath?: string }} [options]
 * @returns {Promise<HeatmapBenchResult>}
 */
export async function benchHeatmap(options = {}) {
  const repeats = options.repeats ?? 9;
  const { build } = await import('vite');
  const { chromium } = await import('playwright-core');
  const out = mkdtempSync(path.join(tmpdir(), 'colt-heatmap-bench-'));
  let server;
  let browser;
  try {
    await build({ root: path.join(HERE, 'page'), base: './', logLevel: 'warn', configFile: false, build: { outDir: out, emptyOutDir: true } });
    server = http.createServer((req, res) => {
      const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      const file = path.resolve(out, '.' + (rel === '/' ? '/index.html' : rel));
      if (!file.startsWith(out + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
      createReadStream(file).pipe(res);
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = server.address().port;
    browser = await chromium.launch({ executablePath: options.executablePath ?? process.env.COLT_CHROMIUM ?? '/usr/bin/chromium', args: ARGS });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => document.title === 'ready');
    const layer = { inputs: 4608, outputs: 512, kept: 0.2 };
    // The ticket view's first request: its 560 × 320 px box at device pixel ratio 1 (TicketView.vue BASE).
    const view = await page.evaluate((o) => window.runHeatmapBench(o), { ...layer, maxRows: 320, maxCols: 560, repeats });
    const finest = await page.evaluate((o) => window.runHeatmapBench(o), { ...layer, maxRows: 2048, maxCols: 2048, repeats: Math.max(3, Math.ceil(repeats / 3)) });
    const med = (passes, key) => median(passes.map((p) => p[key]));
    return {
      name: 'heatmap render, 512 × 4608 dense layer (2.4M weights), Chromium',
      ms: round(med(view.passes, 'total')),
      goalMs: 150,
      weights: view.weights,
      grid: `${view.rowsShown} × ${view.colsShown}`,
      gridMs: round(med(view.passes, 'grid')),
      wireMs: round(med(view.passes, 'wire')),
      drawMs: round(med(view.passes, 'draw')),
      frameMs: round(med(view.passes, 'frame')),
      repeats,
      finest: {
        grid: `${finest.rowsShown} × ${finest.colsShown}`,
        ms: round(med(finest.passes, 'total')),
        gridMs: round(med(finest.passes, 'grid')),
        wireMs: round(med(finest.passes, 'wire')),
        drawMs: round(med(finest.passes, 'draw')),
      },
      browser: browser.version(),
    };
  } finally {
    await browser?.close();
    if (server) await new Promise((resolve) => server.close(resolve));
    rmSync(out, { recursive: true, force: true });
  }
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function round(x) {
  return Math.round(x * 10) / 10;
}

// `node bench/heatmap/bench-heatmap.mjs` prints the result as JSON.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  benchHeatmap().then(
    (r) => process.stdout.write(JSON.stringify(r, null, 2) + '\n'),
    (e) => {
      process.stderr.write(`heatmap bench: ${e instanceof Error ? e.stack : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
