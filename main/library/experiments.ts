import { LabError } from '../contract/errors.js';
import { parseExperimentConfig, type ExperimentConfig } from '../contract/experiment-config.js';
import { isoNow, type Db } from './db.js';

/** Where an experiment or run stands. `interrupted` runs resume; `pending` runs have not started. */
export type RunStatus = 'pending' | 'running' | 'finished' | 'failed' | 'cancelled' | 'interrupted';

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
