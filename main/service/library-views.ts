import type { z } from 'zod';
import type { ticketSummarySchema } from '../contract/api.js';
import type { RunStatus } from '../library/experiments.js';
import type { Db } from '../library/db.js';
import type { RunRow, RunSummary } from '../library/runs.js';
import { originAccuracies } from '../library/ticket-records.js';
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
  return ticketSummariesOf(db, [t])[0];
}

/** Tickets in lists, with their rounds' test accuracies read in one query. */
export function ticketSummariesOf(db: Db, tickets: readonly TicketRow[]): z.output<typeof ticketSummarySchema>[] {
  const ids = tickets.filter((t) => t.runId !== null).map((t) => t.id);
  const accuracies = new Map<number, number | null>();
  // In chunks: SQLite limits the number of bound parameters.
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const rows = db
      .prepare(`SELECT t.id, x.test_accuracy FROM tickets t JOIN rounds x ON x.run_id = t.run_id AND x.round = t.round WHERE t.id IN (${chunk.map(() => '?').join(',')})`)
      .raw()
      .all(...chunk) as [number, number | null][];
    for (const [id, acc] of rows) accuracies.set(id, acc);
  }
  // An imported ticket's accuracy is what its file stated (its origin), when it stated one.
  for (const [id, acc] of originAccuracies(db, tickets.filter((t) => t.runId === null).map((t) => t.id))) accuracies.set(id, acc);
  return tickets.map((t) => summary(t, accuracies.get(t.id) ?? null));
}

function summary(t: TicketRow, accuracy: number | null): z.output<typeof ticketSummarySchema> {
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
    maskViolations: t.maskViolations,
    created: t.created,
  };
}

/** A finite number or null (JSON has no NaN). */
export function finiteOrNull(x: number | null | undefined): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}
