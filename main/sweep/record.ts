import { cacheDir } from '../common/paths.js';
import { invalidInput, LabError } from '../contract/errors.js';
import type { Executor } from '../contract/sweep-config.js';
import { loadDataset } from '../data/registry.js';
import type { Dataset } from '../data/types.js';
import { createContext } from '../lab/context.js';
import { writeTransaction, type Db } from '../library/db.js';
import { findSweep, insertSweep, insertSweepTask, listSweepTasks, refreshSweepStatus, resubmitSweep, runIdsOfTask, updateSweepTask, type SweepRow, type SweepSpec, type SweepTaskRow } from '../library/sweeps.js';
import { recordExperiment, type ExperimentData } from '../service/run-plans.js';
import type { SweepPlan } from './grid.js';
import { shardPath } from './manifest.js';

/**
 * Loads the data of every point (each dataset once) and checks each point can run on it, before
 * anything is recorded or submitted; the error names the point.
 */
export async function loadSweepData(plan: SweepPlan, dataDir: string): Promise<ExperimentData[]> {
  const loaded = new Map<string, Promise<Dataset>>();
  const load = (name: string): Promise<Dataset> => {
    let p = loaded.get(name);
    if (!p) loaded.set(name, (p = loadDataset(name, { dataDir, cacheDir: cacheDir() })));
    return p;
  };
  const out: ExperimentData[] = [];
  for (const p of plan.points) {
    try {
      const dataset = await load(p.config.dataset);
      const evalDataset = p.config.evaluationDataset && p.config.evaluationDataset !== p.config.dataset ? await load(p.config.evaluationDataset) : dataset;
      createContext(p.config, dataset, evalDataset, { event: () => undefined });
      out.push({ dataset, evalDataset });
    } catch (e) {
      if (e instanceof LabError && p.label !== '' && (e.code === 'invalid_input' || e.code === 'not_found')) {
        throw new LabError(e.code, `sweep point ${p.index + 1} (${p.label}): ${e.message}`, { ...e.details, point: p.index });
      }
      throw e;
    }
  }
  return out;
}

/** A sweep as recorded in the library: its row and tasks, and whether it had been recorded before. */
export interface RecordedSweep {
  readonly sweep: SweepRow;
  readonly tasks: SweepTaskRow[];
  /** The library experiment of each point, by point index. */
  readonly experimentIds: number[];
  readonly resubmitted: boolean;
}

/** How a sweep is recorded. */
export interface RecordOptions {
  readonly executor: Executor;
  /** The sweep folder (Slurm: manifest, shards, logs). */
  readonly dir: string | null;
  readonly spec: SweepSpec;
}

/**
 * Records a sweep in one transaction: the sweep, an experiment per point with its runs (method ×
 * seed, pending), and its tasks. A sweep with the same settings (its key) recorded before is
 * taken up again: its experiments and finished runs are kept, its unfinished tasks pending again.
 */
export function recordSweep(db: Db, plan: SweepPlan, data: readonly ExperimentData[], o: RecordOptions): RecordedSweep {
  if (data.length !== plan.points.length) throw invalidInput('recordSweep: one ExperimentData per point is needed');
  return writeTransaction(db, `record sweep ${plan.name}`, () => {
    const existing = findSweep(db, plan.key);
    let sweepId: number;
    if (existing) {
      if (existing.status === 'running' && existing.executor === 'slurm' && o.executor === 'local') {
        throw new LabError('busy', `sweep s${existing.id} (the same settings) is running on Slurm; follow it with \`colt sweep status s${existing.id} --wait\` or stop it with \`colt sweep cancel s${existing.id}\``);
      }
      sweepId = existing.id;
      resubmitSweep(db, sweepId, o);
    } else {
      sweepId = insertSweep(db, { key: plan.key, name: plan.name, executor: o.executor, dir: o.dir, spec: o.spec });
    }
    const before = new Map(listSweepTasks(db, sweepId).map((t) => [t.task, t]));
    const experimentIds: number[] = [];
    for (const p of plan.points) {
      // A point's experiment: the one its tasks were recorded with, unless it was deleted since.
      const task = plan.tasks.find((t) => t.pointIndex === p.index);
      const known = task !== undefined ? before.get(task.task)?.experimentId : undefined;
      experimentIds[p.index] = known ?? recordExperiment(db, { config: p.config, ...data[p.index] }).experimentId;
    }
    for (const t of plan.tasks) {
      const point = plan.points[t.pointIndex];
      const shard = o.dir !== null ? shardPath(o.dir, t.task) : null;
      insertSweepTask(db, sweepId, { task: t.task, experimentId: experimentIds[t.pointIndex], point: point.label, methods: t.methods, seed: t.seed, shard });
      const row = { experimentId: experimentIds[t.pointIndex], methods: t.methods, seed: t.seed };
      const finished = runIdsOfTask(db, row).every((id) => db.prepare('SELECT status FROM runs WHERE id = ?').pluck().get(id) === 'finished');
      const previous = before.get(t.task);
      // Taken up again: what is not finished waits for its executor; what is in flight on Slurm stays as it is.
      if (!previous || previous.state === 'failed' || previous.state === 'cancelled' || finished || o.executor === 'local') {
        updateSweepTask(db, sweepId, t.task, { state: finished ? 'finished' : 'pending', shard: shard ?? undefined, reason: finished ? null : undefined });
      }
    }
    refreshSweepStatus(db, sweepId);
    return { sweep: findSweep(db, plan.key) as SweepRow, tasks: listSweepTasks(db, sweepId), experimentIds, resubmitted: existing !== undefined };
  });
}
