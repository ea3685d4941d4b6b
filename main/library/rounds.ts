import type { RoundRecord } from '../lab/events.js';
import { isoNow, type Db } from './db.js';

/** A stored round: the lab's record plus whether it was the run's last. */
export interface RoundRow extends RoundRecord {
  readonly runId: number;
  readonly final: boolean;
  readonly created: string;
}

interface RawRound {
  run_id: number;
  method: RoundRecord['method'];
  seed: number;
  round: number;
  sparsity: number;
  sparsity_all: number;
  layer_sparsity: string;
  test_accuracy: number | null;
  val_accuracy: number | null;
  early_stop_iteration: number | null;
  overlap: number | null;
  partition_accuracies: string | null;
  samples: number;
  evaluation_samples: number;
  seconds: number;
  final: number;
  created: string;
}

const SELECT_ROUND = `SELECT x.*, r.method AS method, r.seed AS seed FROM rounds x JOIN runs r ON r.id = x.run_id`;

/**
 * Inserts a finished round and updates the run's summary columns. UNIQUE(run, round) makes a
 * duplicate a storage error rather than a second row. Call inside the round's transaction.
 */
export function insertRound(db: Db, runId: number, rec: RoundRecord, final: boolean, now?: () => Date): void {
  const at = isoNow(now);
  db.prepare(
    `INSERT INTO rounds (run_id, round, sparsity, sparsity_all, layer_sparsity, test_accuracy, val_accuracy, early_stop_iteration,
       overlap, partition_accuracies, samples, evaluation_samples, seconds, final, created)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    runId,
    rec.round,
    rec.sparsity,
    rec.sparsityAll,
    JSON.stringify(rec.layerSparsity),
    finiteOrNull(rec.testAccuracy),
    finiteOrNull(rec.valAccuracy),
    rec.earlyStopIteration,
    rec.overlap ?? null,
    rec.partitionAccuracies ? JSON.stringify(rec.partitionAccuracies) : null,
    rec.samples,
    rec.evaluationSamples,
    rec.seconds,
    final ? 1 : 0,
    at,
  );
  db.prepare(
    `UPDATE runs SET rounds_done = (SELECT count(*) FROM rounds WHERE run_id = ?), last_round = ?, sparsity = ?, test_accuracy = ?, updated = ?
     WHERE id = ?`,
  ).run(runId, rec.round, rec.sparsity, finiteOrNull(rec.testAccuracy), at, runId);
}

/** The rounds of a run in order. */
export function listRounds(db: Db, runId: number): RoundRow[] {
  return (db.prepare(`${SELECT_ROUND} WHERE x.run_id = ? ORDER BY x.round`).all(runId) as RawRound[]).map(toRow);
}

/** One round of a run, or undefined. */
export function getRound(db: Db, runId: number, round: number): RoundRow | undefined {
  const r = db.prepare(`${SELECT_ROUND} WHERE x.run_id = ? AND x.round = ?`).get(runId, round) as RawRound | undefined;
  return r && toRow(r);
}

function finiteOrNull(x: number | null): number | null {
  return x !== null && Number.isFinite(x) ? x : null;
}

function toRow(r: RawRound): RoundRow {
  return {
    type: 'round',
    runId: r.run_id,
    method: r.method,
    seed: r.seed,
    round: r.round,
    sparsity: r.sparsity,
    sparsityAll: r.sparsity_all,
    layerSparsity: JSON.parse(r.layer_sparsity) as Record<string, number>,
    testAccuracy: r.test_accuracy,
    valAccuracy: r.val_accuracy,
    earlyStopIteration: r.early_stop_iteration,
    ...(r.overlap !== null ? { overlap: r.overlap } : {}),
    ...(r.partition_accuracies !== null ? { partitionAccuracies: JSON.parse(r.partition_accuracies) as number[] } : {}),
    samples: r.samples,
    evaluationSamples: r.evaluation_samples,
    seconds: r.seconds,
    final: r.final === 1,
    created: r.created,
  };
}

/** A point of a run's training curve (the sampled batch loss the recorder keeps per round and phase). */
export interface CurvePoint {
  readonly round: number;
  readonly phase: string;
  readonly iteration: number;
  readonly loss: number | null;
}

/** A run's stored training curve, in round, phase and iteration order. */
export function listCurve(db: Db, runId: number): CurvePoint[] {
  return db
    .prepare("SELECT round, phase, iteration, value AS loss FROM metrics WHERE run_id = ? AND name = 'batch_loss' ORDER BY round, phase, iteration")
    .all(runId) as CurvePoint[];
}
