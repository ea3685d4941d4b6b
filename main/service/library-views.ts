import type { z } from 'zod';
import type { ticketSummarySchema } from '../contract/api.js';
import type { RunStatus } from '../library/experiments.js';
import type { Db } from '../library/db.js';
import type { RunRow, RunSummary } from '../library/runs.js';
import type { TicketRow } from '../library/tickets.js';

// Library rows as the contract shapes them (main/contract/api.ts): plain JSON, nothing internal.

/** A run in lists, from a full row. */
export function runSummaryOf(r: RunRow | RunSummary): RunSummary {
  return {
    id: r.id,
    experimentId: r.experimentId,
    experiment: r.experiment,
    arch: r.arch,
    dataset: r.dataset,
    method: r.method,
    seed: r.seed,
    backend: r.backend,
    status: r.status as RunStatus,
    roundsDone: r.roundsDone,
    sparsity: finiteOrNull(r.sparsity),
    testAccuracy: finiteOrNull(r.testAccuracy),
    created: r.created,
    finished: r.finished,
  };
}

/** A ticket in lists: its row and the test accuracy of the round that made it. */
export function ticketSummaryOf(db: Db, t: TicketRow): z.output<typeof ticketSummarySchema> {
  const accuracy =
    t.runId !== null && t.round !== null ? (db.prepare('SELECT test_accuracy FROM rounds WHERE run_id = ? AND round = ?').pluck().get(t.runId, t.round) as number | null | undefined) : null;
  return {
    id: t.id,
    source: t.runId !== null ? 'run' : 'file',
    runId: t.runId,
    experimentId: t.experimentId,
    round: t.round,
    method: t.method,
    arch: t.arch,
    dataset: t.dataset,
    seed: t.seed,
    sparsity: t.sparsity,
    sparsityAll: t.sparsityAll,
    kept: t.kept,
    prunable: t.prunableCount,
    testAccuracy: finiteOrNull(accuracy),
    sourceFile: t.sourceFile,
    hasFinal: t.hasFinal,
    created: t.created,
  };
}

/** A finite number or null (JSON has no NaN). */
export function finiteOrNull(x: number | null | undefined): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}
