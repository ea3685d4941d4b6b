import type Database from 'better-sqlite3';
import { countWeights, getModel } from '../../lab/models/registry.js';

/**
 * Per-evaluation-point curves and the mask check. Adds the `evaluations` table (validation and
 * test loss and accuracy at every evaluated point of every training of a round, the untrained
 * point at iteration 0 included), the untrained-ticket accuracies and the mask-violation count of
 * a round, and the mask check of a ticket's final weights. Rows stored before keep NULL there
 * (not measured). It also brings stored data to this version's definitions:
 * - `sparsity_all` of rounds and tickets is recomputed as pruned / all weights without biases
 *   (the authors' count; earlier versions counted biases and batch-norm shifts too);
 * - stored configs get the values their runs effectively used where a setting they held is now
 *   refused as ignored (e.g. 'best-val' without a validation split selected on test), so old
 *   experiments still validate and resume with the same results.
 */
export function up(db: Database.Database): void {
  db.exec(`
    ALTER TABLE rounds ADD COLUMN untrained_accuracy REAL;
    ALTER TABLE rounds ADD COLUMN partition_untrained_accuracies TEXT
      CHECK (partition_untrained_accuracies IS NULL OR json_valid(partition_untrained_accuracies));
    ALTER TABLE rounds ADD COLUMN mask_violations INTEGER CHECK (mask_violations IS NULL OR mask_violations >= 0);
    ALTER TABLE tickets ADD COLUMN mask_violations INTEGER CHECK (mask_violations IS NULL OR mask_violations >= 0);

    -- One row per evaluated point of one training (phase) of a round; position is its place in the round's training order.
    CREATE TABLE evaluations (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      round INTEGER NOT NULL CHECK (round >= 0),
      phase TEXT NOT NULL,
      iteration INTEGER NOT NULL CHECK (iteration >= 0),
      position INTEGER NOT NULL,
      epoch REAL NOT NULL,
      train_loss REAL,
      val_loss REAL,
      val_accuracy REAL,
      test_loss REAL,
      test_accuracy REAL,
      candidate INTEGER NOT NULL CHECK (candidate IN (0, 1)),
      selected INTEGER NOT NULL CHECK (selected IN (0, 1)),
      PRIMARY KEY (run_id, round, phase, iteration)
    ) STRICT, WITHOUT ROWID;
  `);
  recountSparsityAll(db);
  settleConfigs(db);
}

/** Weights of each (arch, input shape, classes), as models/registry countWeights counts them; null when it cannot be built. */
function weightCounter(): (arch: string, shape: string, classes: number) => number | null {
  const cache = new Map<string, number | null>();
  return (arch, shape, classes) => {
    const key = `${arch}/${shape}/${classes}`;
    if (!cache.has(key)) {
      let n: number | null = null;
      try {
        n = countWeights(getModel(arch).build(JSON.parse(shape) as [number, number, number], classes));
      } catch {
        n = null;
      }
      cache.set(key, n);
    }
    return cache.get(key) ?? null;
  };
}

function recountSparsityAll(db: Database.Database): void {
  const weights = weightCounter();
  const tickets = db.prepare('SELECT id, run_id, round, arch, input_shape, classes, kept, prunable_count FROM tickets').all() as {
    id: number;
    run_id: number | null;
    round: number | null;
    arch: string;
    input_shape: string;
    classes: number;
    kept: number;
    prunable_count: number;
  }[];
  const setTicket = db.prepare('UPDATE tickets SET sparsity_all = ? WHERE id = ?');
  const setRound = db.prepare('UPDATE rounds SET sparsity_all = ? WHERE run_id = ? AND round = ?');
  for (const t of tickets) {
    const total = weights(t.arch, t.input_shape, t.classes);
    if (total === null || total === 0) continue;
    const all = (t.prunable_count - t.kept) / total;
    setTicket.run(all, t.id);
    if (t.run_id !== null && t.round !== null) setRound.run(all, t.run_id, t.round);
  }
}

type Json = Record<string, unknown>;

const obj = (x: unknown): Json => (typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Json) : {});

/** Rewrites each stored config to the values its runs used where the setting it held had no effect. */
function settleConfigs(db: Database.Database): void {
  const rows = db.prepare('SELECT id, config FROM experiments').all() as { id: number; config: string }[];
  const update = db.prepare('UPDATE experiments SET config = ? WHERE id = ?');
  for (const row of rows) {
    let config: Json;
    try {
      config = obj(JSON.parse(row.config));
    } catch {
      continue;
    }
    const before = JSON.stringify(config);
    settle(config);
    const after = JSON.stringify(config);
    if (after !== before) update.run(after, row.id);
  }
}

function settle(c: Json): void {
  const methods = Array.isArray(c.methods) ? (c.methods as string[]) : ['imp', 'colt'];
  const training = obj(c.training);
  const data = obj(c.data);
  const pruning = obj(c.pruning);
  const imp = obj(c.imp);
  const colt = obj(c.colt);
  const stop = obj(c.stop);
  // Selection on validation without a validation split selected on test.
  if ((training.selection ?? 'best-val') === 'best-val' && data.validationFraction === 0) training.selection = 'best-test';
  // Milestones at or after the end of an epoch-long round were never reached; gamma without milestones never applied.
  const duration = /^([1-9][0-9]*)ep$/.exec(String(training.duration ?? '1ep'));
  if (duration && Array.isArray(training.milestones)) training.milestones = (training.milestones as number[]).filter((m) => m < Number(duration[1]));
  if ((!Array.isArray(training.milestones) || training.milestones.length === 0) && training.gamma !== undefined) delete training.gamma;
  // Layer-wise rates global pruning or the prunable set never used.
  const layers = String(pruning.layers ?? 'conv+dense');
  if (pruning.strategy === 'global') for (const f of ['convRate', 'denseRate', 'headRate']) delete pruning[f];
  if (layers !== 'all') delete pruning.headRate;
  if (layers === 'conv') delete pruning.denseRate;
  if (c.arch === 'lenet-300-100') delete pruning.convRate;
  // Method settings for methods the experiment does not run.
  if (!methods.some((m) => m === 'imp' || m === 'random' || m === 'reinit')) delete imp.rate;
  if (!methods.includes('colt')) c.colt = {};
  else if (colt.evaluate === 'none' && c.evaluationDataset !== undefined && methods.length === 1) delete c.evaluationDataset;
  // A stop denominator without a stop target.
  if (stop.targetSparsity === undefined) delete stop.sparsityOver;
  // A base rate every method overrode.
  const everyMethodOwn = (!methods.some((m) => m !== 'colt') || imp.rate !== undefined) && (!methods.includes('colt') || colt.rate !== undefined);
  if (everyMethodOwn) delete pruning.rate;
  for (const [k, v] of [['training', training], ['data', data], ['pruning', pruning], ['imp', imp], ['stop', stop]] as const) {
    if (c[k] !== undefined || Object.keys(v).length > 0) c[k] = v;
  }
}
