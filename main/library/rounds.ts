import type { EvaluationRecord, RoundRecord } from '../lab/events.js';
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
  untrained_accuracy: number | null;
  partition_untrained_accuracies: string | null;
  mask_violations: number | null;
  samples: number;
  evaluation_samples: number;
  seconds: number;
  final: number;
  created: string;
}

const SELECT_ROUND = `SELECT x.*, r.method AS method, r.seed AS seed FROM rounds x JOIN runs r ON r.id = x.run_id`;

interface RawEvaluation {
  round: number;
  phase: string;
  iteration: number;
  epoch: number;
  train_loss: number | null;
  val_loss: number | null;
  val_accuracy: number | null;
  test_loss: number | null;
  test_accuracy: number | null;
  candidate: number;
  selected: number;
}

/**
 * Inserts a finished round with its evaluated points and updates the run's summary columns.
 * UNIQUE(run, round) makes a duplicate a storage error rather than a second row. Call inside
 * the round's transaction.
 */
export function insertRound(db: Db, runId: number, rec: RoundRecord, final: boolean, now?: () => Date): void {
  const at = isoNow(now);
  db.prepare(
    `INSERT INTO rounds (run_id, round, sparsity, sparsity_all, layer_sparsity, test_accuracy, val_accuracy, early_stop_iteration,
       overlap, partition_accuracies, untrained_accuracy, partition_untrained_accuracies, mask_violations, samples, evaluation_samples, seconds, final, created)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
    rec.partitionAccuracies ? JSON.stringify(rec.partitionAccuracies.map(finiteOrNull)) : null,
    finiteOrNull(rec.untrainedAccuracy),
    rec.partitionUntrainedAccuracies ? JSON.stringify(rec.partitionUntrainedAccuracies.map(finiteOrNull)) : null,
    rec.maskViolations,
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
  const insertPoint = db.prepare(
    `INSERT INTO evaluations (run_id, round, phase, iteration, position, epoch, train_loss, val_loss, val_accuracy, test_loss, test_accuracy, candidate, selected)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  rec.evaluations.forEach((e, position) => {
    insertPoint.run(
      runId,
      rec.round,
      e.phase,
      e.iteration,
      position,
      e.epoch,
      finiteOrNull(e.trainLoss),
      finiteOrNull(e.valLoss),
      finiteOrNull(e.valAccuracy),
      finiteOrNull(e.testLoss),
      finiteOrNull(e.testAccuracy),
      e.candidate ? 1 : 0,
      e.selected ? 1 : 0,
    );
  });
}

/** The rounds of a run in order, each with its evaluated points (empty for rounds stored before they were kept). */
export function listRounds(db: Db, runId: number): RoundRow[] {
  const points = evaluationsOf(db, runId);
  return (db.prepare(`${SELECT_ROUND} WHERE x.run_id = ? ORDER BY x.round`).all(runId) as RawRound[]).map((r) => toRow(r, points.get(r.round) ?? []));
}

/** One round of a run, or undefined. */
export function getRound(db: Db, runId: number, round: number): RoundRow | undefined {
  const r = db.prepare(`${SELECT_ROUND} WHERE x.run_id = ? AND x.round = ?`).get(runId, round) as RawRound | undefined;
  return r && toRow(r, evaluationsOf(db, runId, round).get(round) ?? []);
}

/** A run's evaluated points (one round's, if given) by round, in the order the round recorded them. */
function evaluationsOf(db: Db, runId: number, round?: number): Map<number, EvaluationRecord[]> {
  const rows = db
    .prepare(
      `SELECT round, phase, iteration, epoch, train_loss, val_loss, val_accuracy, test_loss, test_accuracy, candidate, selected FROM evaluations
       WHERE run_id = ? ${round !== undefined ? 'AND round = ?' : ''}
       ORDER BY round, position`,
    )
    .all(...(round !== undefined ? [runId, round] : [runId])) as RawEvaluation[];
  const out = new Map<number, EvaluationRecord[]>();
  for (const e of rows) {
    let list = out.get(e.round);
    if (!list) out.set(e.round, (list = []));
    list.push({
      phase: e.phase,
      iteration: e.iteration,
      epoch: e.epoch,
      trainLoss: e.train_loss,
      valLoss: e.val_loss,
      valAccuracy: e.val_accuracy,
      testLoss: e.test_loss,
      testAccuracy: e.test_accuracy,
      candidate: e.candidate === 1,
      selected: e.selected === 1,
    });
  }
  return out;
}

function finiteOrNull(x: number | null): number | null {
  return x !== null && Number.isFinite(x) ? x : null;
}

function toRow(r: RawRound, evaluations: EvaluationRecord[]): RoundRow {
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
    untrainedAccuracy: r.untrained_accuracy,
    ...(r.partition_untrained_accuracies !== null ? { partitionUntrainedAccuracies: JSON.parse(r.partition_untrained_accuracies) as number[] } : {}),
    samples: r.samples,
    evaluationSamples: r.evaluation_samples,
    seconds: r.seconds,
    maskViolations: r.mask_violations,
    evaluations,
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

/** Training speed stored rounds of an architecture had on a backend: their images (made and evaluated) and seconds. */
export interface StoredSpeed {
  readonly images: number;
  readonly seconds: number;
  readonly rounds: number;
}

/** The images and seconds of every stored round of `arch` on `backend` (the estimate's basis). */
export function storedSpeed(db: Db, arch: string, backend: string): StoredSpeed {
  const r = db
    .prepare(
      `SELECT coalesce(sum(x.samples + x.evaluation_samples), 0) AS images, coalesce(sum(x.seconds), 0) AS seconds, count(*) AS rounds
       FROM rounds x JOIN runs r ON r.id = x.run_id JOIN experiments e ON e.id = r.experiment_id
       WHERE e.arch = ? AND r.backend = ?`,
    )
    .get(arch, backend) as StoredSpeed;
  return r;
}
