/**
 * Library figures for `colt bench` (issue 5 goals: list 10,000 runs in ≤ 50 ms; export and import
 * an 11M-weight ResNet-18 ticket in ≤ 1 s). Each works in a temporary folder it removes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Rng } from '../common/random.js';
import type { ExperimentConfig } from '../contract/experiment-config.js';
import { parseExperimentConfig } from '../contract/experiment-config.js';
import type { Mask } from '../lab/masks.js';
import { getModel } from '../lab/models/registry.js';
import { prunableSizes } from '../lab/pruning.js';
import { initWeights, type WeightMap } from '../lab/weights.js';
import { openLibrary, writeTransaction, type Db } from '../library/db.js';
import { exportTicketFile, importTicketFile } from '../library/ticket-file/ticket-io.js';
import { insertTicket } from '../library/tickets.js';
import { listRuns } from '../library/runs.js';

/** One measured figure. */
export interface LibraryBenchFigure {
  readonly name: string;
  /** Median milliseconds over the repeats. */
  readonly ms: number;
  readonly goalMs: number;
  readonly detail: string;
}

const APP_VERSION = 'bench';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function withTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'colt-bench-library-'));
  return body(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

/** Fills a library with `runs` finished runs (100 per experiment, 5 rounds' summary each). */
export function seedRuns(db: Db, runs: number): void {
  const config: ExperimentConfig = parseExperimentConfig({ arch: 'conv2', dataset: 'cifar10', methods: ['imp', 'colt'] });
  writeTransaction(db, 'seed bench runs', () => {
    const dataset = Number(
      db
        .prepare("INSERT INTO datasets (name, checksum, shape, classes, train_count, test_count, created) VALUES ('cifar10', ?, '[32,32,3]', 10, 50000, 10000, ?)")
        .run('0'.repeat(64), new Date().toISOString()).lastInsertRowid,
    );
    const exp = db.prepare(
      "INSERT INTO experiments (name, config, arch, dataset_id, eval_dataset_id, status, created, updated) VALUES (?, ?, 'conv2', ?, ?, 'finished', ?, ?)",
    );
    const run = db.prepare(
      `INSERT INTO runs (experiment_id, method, seed, backend, backend_package, backend_reason, app_version, dataset_checksum, status,
         rounds_done, last_round, sparsity, test_accuracy, created, started, updated, finished)
       VALUES (?, ?, ?, 'wasm', '@tensorflow/tfjs-backend-wasm', 'bench', ?, ?, 'finished', 5, 4, ?, ?, ?, ?, ?, ?)`,
    );
    let experiment = 0;
    const t0 = Date.UTC(2025, 0, 1);
    for (let i = 0; i < runs; i++) {
      const at = new Date(t0 + i * 60_000).toISOString();
      if (i % 100 === 0) experiment = Number(exp.run(`bench ${i / 100}`, JSON.stringify(config), dataset, dataset, at, at).lastInsertRowid);
      run.run(experiment, i % 2 === 0 ? 'imp' : 'colt', Math.floor((i % 100) / 2), APP_VERSION, '0'.repeat(64), 1 - 0.8 ** (1 + (i % 20)), 0.5 + (i % 37) / 100, at, at, at, at);
    }
  });
}

/** Median time of `colt runs list` over a library of `runs` runs (all rows, newest first). */
export async function benchListRuns(runs = 10_000, repeats = 7): Promise<LibraryBenchFigure> {
  return withTempDir(async (dir) => {
    const db = openLibrary(path.join(dir, 'library.sqlite'));
    try {
      seedRuns(db, runs);
      listRuns(db);
      const times: number[] = [];
      let rows = 0;
      for (let k = 0; k < repeats; k++) {
        const t = performance.now();
        rows = listRuns(db).length;
        times.push(performance.now() - t);
      }
      return { name: `list ${runs} runs`, ms: median(times), goalMs: 50, detail: `${rows} rows, median of ${repeats}` };
    } finally {
      db.close();
    }
  });
}

/** A ResNet-18 (CIFAR, 10 classes) ticket: θ0 from seed 0, conv masks keeping ~20%, optional trained weights. */
export function resnet18Ticket(final: boolean): { def: ReturnType<ReturnType<typeof getModel>['build']>; mask: Mask; init: WeightMap; final?: WeightMap; weights: number } {
  const def = getModel('resnet18').build([32, 32, 3], 10);
  const init = initWeights(def, 0);
  const rng = new Rng(1);
  const mask: Mask = new Map();
  for (const [name, size] of prunableSizes(def, 'conv')) {
    const m = new Uint8Array(size);
    for (let i = 0; i < size; i++) m[i] = rng.next() < 0.2 ? 1 : 0;
    mask.set(name, m);
  }
  const trained: WeightMap = new Map();
  if (final) for (const [name, v] of init) trained.set(name, v.map((x, i) => x * 0.9 + (i % 7) * 1e-3));
  const weights = def.params.reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
  return { def, mask, init, ...(final ? { final: trained } : {}), weights };
}

/** Median export and import times of a ResNet-18 ticket file (import into a second, empty library). */
export async function benchTicketRoundTrip(withFinal = false, repeats = 3): Promise<LibraryBenchFigure[]> {
  return withTempDir(async (dir) => {
    const t = resnet18Ticket(withFinal);
    const source = openLibrary(path.join(dir, 'source.sqlite'));
    const exports: number[] = [];
    const imports: number[] = [];
    let bytes = 0;
    try {
      const id = writeTransaction(source, 'store bench ticket', () =>
        insertTicket(source, {
          provenance: { kind: 'file', file: 'bench', sha256: 'bench', format: 'bench', round: null },
          def: t.def,
          method: 'imp',
          dataset: 'cifar10',
          datasetChecksum: null,
          seed: 0,
          mask: t.mask,
          init: t.init,
          ...(t.final ? { final: t.final } : {}),
          appVersion: APP_VERSION,
        }),
      );
      for (let k = 0; k < repeats; k++) {
        const file = path.join(dir, `ticket-${k}.safetensors`);
        let s = performance.now();
        bytes = await exportTicketFile(source, id, file, { appVersion: APP_VERSION });
        exports.push(performance.now() - s);
        const target = openLibrary(path.join(dir, `target-${k}.sqlite`));
        try {
          s = performance.now();
          await importTicketFile(target, file, { appVersion: APP_VERSION });
          imports.push(performance.now() - s);
        } finally {
          target.close();
        }
      }
    } finally {
      source.close();
    }
    const what = `ResNet-18 ticket, ${(t.weights / 1e6).toFixed(1)}M weights${withFinal ? ' with final weights' : ''}, ${(bytes / 1e6).toFixed(0)} MB`;
    return [
      { name: `export ${what}`, ms: median(exports), goalMs: 1000, detail: `median of ${repeats}, includes fsync` },
      { name: `import ${what}`, ms: median(imports), goalMs: 1000, detail: `median of ${repeats}, validation + one transaction into an empty library` },
    ];
  });
}

/** Every library figure, for `colt bench`. */
export async function benchLibrary(): Promise<LibraryBenchFigure[]> {
  return [await benchListRuns(), ...(await benchTicketRoundTrip(false)), ...(await benchTicketRoundTrip(true))];
}
