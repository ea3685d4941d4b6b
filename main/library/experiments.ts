import type { z } from 'zod';
import type { experimentSummarySchema, runStatusSchema } from '../contract/api.js';
import { LabError } from '../contract/errors.js';
import { parseExperimentConfig, type ExperimentConfig } from '../contract/experiment-config.js';
import { isoNow, type Db } from './db.js';
import { deleteOrphanTensors } from './tensors.js';

/** Where an experiment or run stands (the contract's run status). `interrupted` runs resume; `pending` runs have not started. */
export type RunStatus = z.output<typeof runStatusSchema>;

/** An experiment: one config, its dataset(s) and the runs (method × seed) it made. */
export interface ExperimentRow {
  readonly id: number;
  readonly name: string;
  readonly preset: string | null;
  readonly config: ExperimentConfig;
  readonly arch: string;
  readonly datasetId: number;
  readonly evalDatasetId: number;
  readonly status: RunStatus;
  readonly created: string;
  readonly updated: string;
}

interface RawExperiment {
  id: number;
  name: string;
  preset: string | null;
  config: string;
  arch: string;
  dataset_id: number;
  eval_dataset_id: number;
  status: RunStatus;
  created: string;
  updated: string;
}

/** What creating an experiment needs. */
export interface NewExperiment {
  readonly config: ExperimentConfig;
  readonly preset?: string;
  readonly datasetId: number;
  readonly evalDatasetId: number;
}

/** Inserts an experiment (status pending) and returns its id. Call inside a transaction. */
export function insertExperiment(db: Db, e: NewExperiment, now?: () => Date): number {
  const at = isoNow(now);
  return Number(
    db
      .prepare(
        `INSERT INTO experiments (name, preset, config, arch, dataset_id, eval_dataset_id, status, created, updated)
         VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
      )
      .run(e.config.name, e.preset ?? null, JSON.stringify(e.config), e.config.arch, e.datasetId, e.evalDatasetId, at, at).lastInsertRowid,
  );
}

/** One experiment (its config re-validated), or a not_found LabError. */
export function getExperiment(db: Db, id: number): ExperimentRow {
  const r = db.prepare('SELECT * FROM experiments WHERE id = ?').get(id) as RawExperiment | undefined;
  if (!r) throw new LabError('not_found', `no experiment e${id} in this library`, { experiment: id });
  let config: ExperimentConfig;
  try {
    config = parseExperimentConfig(JSON.parse(r.config));
  } catch (e) {
    throw new LabError('storage', `experiment e${id}: its stored config no longer validates (${(e as Error).message})`, { experiment: id });
  }
  return {
    id: r.id,
    name: r.name,
    preset: r.preset,
    config,
    arch: r.arch,
    datasetId: r.dataset_id,
    evalDatasetId: r.eval_dataset_id,
    status: r.status,
    created: r.created,
    updated: r.updated,
  };
}

/**
 * Sets an experiment's status from its runs: running while one runs, finished when all did,
 * failed if one failed, interrupted when some are left to do, pending before any started.
 */
export function refreshExperimentStatus(db: Db, id: number, now?: () => Date): RunStatus {
  const statuses = db.prepare('SELECT status FROM runs WHERE experiment_id = ?').pluck().all(id) as RunStatus[];
  let status: RunStatus;
  if (statuses.includes('running')) status = 'running';
  else if (statuses.length > 0 && statuses.every((s) => s === 'finished')) status = 'finished';
  else if (statuses.includes('failed')) status = 'failed';
  else if (statuses.every((s) => s === 'pending')) status = 'pending';
  else if (statuses.includes('interrupted') || statuses.includes('pending')) status = 'interrupted';
  else status = 'cancelled';
  db.prepare('UPDATE experiments SET status = ?, updated = ? WHERE id = ?').run(status, isoNow(now), id);
  return status;
}

/** An experiment as lists show it, with its runs counted (the contract's experiment summary). */
export type ExperimentListRow = z.output<typeof experimentSummarySchema>;

/** Experiments newest first; `search` matches name, arch, dataset or preset (case-insensitive substring). */
export function listExperiments(db: Db, f: { readonly id?: number; readonly search?: string; readonly limit?: number } = {}): ExperimentListRow[] {
  const where: string[] = [];
  const args: unknown[] = [];
  if (f.id !== undefined) {
    where.push('e.id = ?');
    args.push(f.id);
  }
  if (f.search !== undefined && f.search.trim() !== '') {
    where.push("(instr(lower(e.name), ?) > 0 OR instr(lower(e.arch), ?) > 0 OR instr(lower(d.name), ?) > 0 OR instr(lower(coalesce(e.preset, '')), ?) > 0)");
    const q = f.search.trim().toLowerCase();
    args.push(q, q, q, q);
  }
  if (f.limit !== undefined) args.push(f.limit);
  const rows = db
    .prepare(
      `SELECT e.id, e.name, e.preset, e.arch, d.name AS dataset, json_extract(e.config, '$.methods') AS methods, json_extract(e.config, '$.seeds') AS seeds,
         e.status, e.created, e.updated,
         (SELECT count(*) FROM runs r WHERE r.experiment_id = e.id) AS runs,
         (SELECT count(*) FROM runs r WHERE r.experiment_id = e.id AND r.status = 'finished') AS finished
       FROM experiments e JOIN datasets d ON d.id = e.dataset_id
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY e.id DESC${f.limit !== undefined ? ' LIMIT ?' : ''}`,
    )
    .all(...args) as (Omit<RawExperiment, 'config' | 'dataset_id' | 'eval_dataset_id'> & { dataset: string; methods: string; seeds: string; runs: number; finished: number })[];
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    preset: r.preset,
    arch: r.arch,
    dataset: r.dataset,
    methods: JSON.parse(r.methods) as ExperimentConfig['methods'],
    seeds: JSON.parse(r.seeds) as number[],
    status: r.status,
    runs: r.runs,
    runsFinished: r.finished,
    created: r.created,
    updated: r.updated,
  }));
}

/**
 * Deletes an experiment with its runs, rounds, curves, tickets and checkpoints (the schema
 * cascades), then the stored tensors nothing refers to any more. Call inside a transaction.
 */
export function deleteExperiment(db: Db, id: number): { runs: number; tickets: number } {
  getExperiment(db, id);
  const tensors = db
    .prepare(
      `SELECT w.tensor_id FROM ticket_weights w JOIN tickets t ON t.id = w.ticket_id JOIN runs r ON r.id = t.run_id WHERE r.experiment_id = ?
       UNION SELECT c.tensor_id FROM checkpoint_tensors c JOIN runs r ON r.id = c.run_id WHERE r.experiment_id = ?`,
    )
    .pluck()
    .all(id, id) as number[];
  const runs = db.prepare('SELECT count(*) FROM runs WHERE experiment_id = ?').pluck().get(id) as number;
  const tickets = db.prepare('SELECT count(*) FROM tickets t JOIN runs r ON r.id = t.run_id WHERE r.experiment_id = ?').pluck().get(id) as number;
  db.prepare('DELETE FROM experiments WHERE id = ?').run(id);
  deleteOrphanTensors(db, tensors);
  return { runs, tickets };
}
