import { isoNow, type Db } from './db.js';

/** Where an imported ticket came from, as its file said: the run, round and experiment that made it, and their figures. */
export interface TicketOrigin {
  readonly testAccuracy: number | null;
  readonly valAccuracy: number | null;
  /** The file's provenance metadata (run, round, experiment, experiment name, dataset, … as strings). */
  readonly provenance: Record<string, string>;
}

/** Records an imported ticket's origin. Call inside a transaction. */
export function putTicketOrigin(db: Db, ticketId: number, o: TicketOrigin): void {
  db.prepare('INSERT OR REPLACE INTO ticket_origins (ticket_id, test_accuracy, val_accuracy, provenance) VALUES (?, ?, ?, ?)').run(ticketId, o.testAccuracy, o.valAccuracy, JSON.stringify(o.provenance));
}

/** An imported ticket's origin, if its file stated one. */
export function getTicketOrigin(db: Db, ticketId: number): TicketOrigin | null {
  const r = db.prepare('SELECT test_accuracy, val_accuracy, provenance FROM ticket_origins WHERE ticket_id = ?').get(ticketId) as { test_accuracy: number | null; val_accuracy: number | null; provenance: string } | undefined;
  return r ? { testAccuracy: r.test_accuracy, valAccuracy: r.val_accuracy, provenance: JSON.parse(r.provenance) as Record<string, string> } : null;
}

/** The stated test accuracy of imported tickets, by id. */
export function originAccuracies(db: Db, ids: readonly number[]): Map<number, number | null> {
  const out = new Map<number, number | null>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const rows = db.prepare(`SELECT ticket_id, test_accuracy FROM ticket_origins WHERE ticket_id IN (${chunk.map(() => '?').join(',')})`).raw().all(...chunk) as [number, number | null][];
    for (const [id, acc] of rows) out.set(id, acc);
  }
  return out;
}

/** Where an evaluation stands. */
export type EvaluationStatus = 'queued' | 'running' | 'finished' | 'failed' | 'cancelled';

/** One training of a ticket on a dataset (tickets.evaluate). */
export interface TicketEvaluation {
  readonly id: number;
  readonly ticketId: number;
  readonly dataset: string;
  readonly config: Record<string, unknown>;
  readonly status: EvaluationStatus;
  readonly testAccuracy: number | null;
  readonly valAccuracy: number | null;
  readonly samples: number | null;
  readonly seconds: number | null;
  readonly backend: string | null;
  readonly error: string | null;
  readonly created: string;
  readonly finished: string | null;
}

/** Records a queued evaluation; answers its id. Call inside a transaction. */
export function insertEvaluation(db: Db, e: { ticketId: number; dataset: string; config: Record<string, unknown>; backend: string }, now?: () => Date): number {
  return Number(
    db.prepare("INSERT INTO ticket_evaluations (ticket_id, dataset, config, status, backend, created) VALUES (?, ?, ?, 'queued', ?, ?)").run(e.ticketId, e.dataset, JSON.stringify(e.config), e.backend, isoNow(now)).lastInsertRowid,
  );
}

/** Moves an evaluation on: running, or ended with its figures or error. Call inside a transaction. */
export function updateEvaluation(
  db: Db,
  id: number,
  u: { status: EvaluationStatus; testAccuracy?: number | null; valAccuracy?: number | null; samples?: number; seconds?: number; error?: string },
  now?: () => Date,
): void {
  const ended = u.status !== 'queued' && u.status !== 'running';
  db.prepare(
    `UPDATE ticket_evaluations SET status = ?, test_accuracy = coalesce(?, test_accuracy), val_accuracy = coalesce(?, val_accuracy),
       samples = coalesce(?, samples), seconds = coalesce(?, seconds), error = coalesce(?, error), finished = ? WHERE id = ?`,
  ).run(u.status, u.testAccuracy ?? null, u.valAccuracy ?? null, u.samples ?? null, u.seconds ?? null, u.error ?? null, ended ? isoNow(now) : null, id);
}

/** A ticket's evaluations, newest first. */
export function listEvaluations(db: Db, ticketId: number): TicketEvaluation[] {
  const rows = db.prepare('SELECT * FROM ticket_evaluations WHERE ticket_id = ? ORDER BY id DESC').all(ticketId) as {
    id: number;
    ticket_id: number;
    dataset: string;
    config: string;
    status: EvaluationStatus;
    test_accuracy: number | null;
    val_accuracy: number | null;
    samples: number | null;
    seconds: number | null;
    backend: string | null;
    error: string | null;
    created: string;
    finished: string | null;
  }[];
  return rows.map((r) => ({
    id: r.id,
    ticketId: r.ticket_id,
    dataset: r.dataset,
    config: JSON.parse(r.config) as Record<string, unknown>,
    status: r.status,
    testAccuracy: r.test_accuracy,
    valAccuracy: r.val_accuracy,
    samples: r.samples,
    seconds: r.seconds,
    backend: r.backend,
    error: r.error,
    created: r.created,
    finished: r.finished,
  }));
}

/** Evaluations a stopped process left queued or running are marked failed (their job is gone). Call inside a transaction. */
export function reconcileStaleEvaluations(db: Db, now?: () => Date): number {
  return db.prepare("UPDATE ticket_evaluations SET status = 'failed', error = 'the lab stopped before the evaluation finished; start it again', finished = ? WHERE status IN ('queued', 'running')").run(isoNow(now)).changes;
}
