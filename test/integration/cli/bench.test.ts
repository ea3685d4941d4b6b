import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { colt, tempHome } from '../../helpers/cli.js';

/** The parts of the `bench` JSON line these tests read. */
interface BenchLine {
  backend: string;
  backendDetails: { wasmThreads?: number };
  throughput: { model: string; imagesPerSecond: number }[];
  batchPrep: { msPerBatch: number };
  pytorch: { available: boolean; reason?: string; runs?: { threads: number }[] };
  ratio: Record<string, number>;
  quickColtRound: unknown;
  heatmap: { available: boolean; ms?: number; goalMs?: number; weights?: number; reason?: string } | null;
}

// One timed step per model keeps these quick; they check what is reported, never how fast.
const quick = ['--steps', '1', '--skip-round', '--skip-library', '--skip-jobs', '--skip-ui'];

/** A stand-in python3 that "has torch" and reports fixed PyTorch figures. */
function fakePython(dir: string): string {
  const file = path.join(dir, 'fake-python3');
  const reply = JSON.stringify({
    type: 'pytorch-bench',
    torch: '0.0-test',
    threads: 1,
    blas: 'test BLAS',
    throughput: [
      { model: 'lenet-300-100', inputShape: [28, 28, 1], batchSize: 60, iterations: 4, imagesPerSecond: 1000 },
      { model: 'conv2', inputShape: [32, 32, 3], batchSize: 60, iterations: 1, imagesPerSecond: 10 },
    ],
  });
  writeFileSync(file, `#!/bin/sh\nif [ "$1" = "-c" ]; then exit 0; fi\necho '${reply}'\n`);
  chmodSync(file, 0o755);
  return file;
}

describe('colt bench', () => {
  it('times the heatmap of a 2.4M-weight layer in Chromium (CI installs chromium)', async () => {
    const r = await colt(['bench', '--json', '--steps', '1', '--skip-round', '--skip-library', '--skip-jobs', '--no-pytorch'], { COLT_HOME: tempHome() });
    expect(r.code).toBe(0);
    const line = r.lines.find((l) => l.type === 'bench') as unknown as BenchLine;
    expect(line.heatmap, line.heatmap?.reason).toMatchObject({ available: true, goalMs: 150, weights: 2_359_296 });
    expect(line.heatmap?.ms).toBeGreaterThan(0);
  });

  it('reports both models, batch preparation, and says why there is no PyTorch figure', async () => {
    const r = await colt(['bench', '--json', ...quick, '--python', '/nonexistent/python3'], { COLT_HOME: tempHome() });
    expect(r.code, r.stderr).toBe(0);
    const bench = r.lines.find((l) => l.type === 'bench') as unknown as BenchLine;
    expect(bench.backend).toBe('wasm');
    expect(bench.throughput.map((t: { model: string }) => t.model)).toEqual(['lenet-300-100', 'conv2']);
    for (const t of bench.throughput) expect(t.imagesPerSecond).toBeGreaterThan(0);
    expect(bench.batchPrep).toMatchObject({ shape: [32, 32, 3], batchSize: 60, augmentation: 'crop 4 + flip' });
    expect(bench.batchPrep.msPerBatch).toBeGreaterThan(0);
    expect(bench.pytorch.available).toBe(false);
    expect(bench.pytorch.reason).toMatch(/python3 with torch not found/);
    expect(bench.ratio).toEqual({});
    expect(bench.quickColtRound).toBeNull();
    expect(typeof bench.backendDetails.wasmThreads).toBe('number');
  });

  it('runs the PyTorch script with 1 and with all cores and reports the ratio to the best figure', async () => {
    const home = tempHome();
    const r = await colt(['bench', '--json', ...quick, '--python', fakePython(home), '--torch-threads', '1,2'], { COLT_HOME: home });
    expect(r.code, r.stderr).toBe(0);
    const bench = r.lines.find((l) => l.type === 'bench') as unknown as BenchLine;
    expect(bench.pytorch).toMatchObject({ available: true, torch: '0.0-test', blas: 'test BLAS' });
    expect(bench.pytorch.runs?.map((x: { threads: number }) => x.threads)).toEqual([1, 2]);
    const [lenet, conv2] = bench.throughput;
    expect(bench.ratio['lenet-300-100']).toBeCloseTo(lenet!.imagesPerSecond / 1000, 6);
    expect(bench.ratio.conv2).toBeCloseTo(conv2!.imagesPerSecond / 10, 6);
  });

  it('keeps its plain-text lines', async () => {
    const r = await colt(['bench', ...quick, '--no-pytorch'], { COLT_HOME: tempHome() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^lenet-300-100 +28x28x1 +batch 60: \d+ images\/s$/m);
    expect(r.stdout).toMatch(/^conv2 +32x32x3 +batch 60: \d+ images\/s$/m);
    expect(r.stdout).toMatch(/^batch preparation 60 x 32x32x3, crop\+flip: [\d.]+ ms per batch$/m);
    expect(r.stdout).toMatch(/^pytorch: not measured: skipped/m);
    expect(r.stderr).toMatch(/^backend: wasm/m);
  });
});
