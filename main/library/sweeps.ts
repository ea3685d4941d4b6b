import { LabError } from '../contract/errors.js';
import type { Executor, GridAxis, SlurmOptions, SweepState, TaskState } from '../contract/sweep-config.js';
import { isoNow, writeTransaction, type Db } from './db.js';
import { runState } from './runs.js';

/** What a sweep keeps of how it was asked for, so resubmissions and retries do the same. */
export interface SweepSpec {
  readonly axes: readonly GridAxis[];
  readonly points: number;
  /** The `--backend` request every task selects its backend with. */
  readonly backend: string;
  readonly dataDir: string;
  readonly slurm?: SlurmOptions;
}

/** A sweep as stored. */
export interface SweepRow {
  readonly id: number;
  readonly key: string;
  readonly name: string;
  readonly executor: Executor;
  readonly dir: string | null;
  readonly spec: SweepSpec;
  readonly status: SweepState;
  readonly created: string;
  readonly updated: string;
}

/** A task of a sweep: the runs of one point and seed (one method; IMP with its reinit control). */
export interface SweepTaskRow {
  readonly sweepId: number;
  readonly task: number;
  readonly experimentId: number;
  /** The point's label, `pruning.rate=0.1, colt.partitions=2`. */
  readonly point: string;
  readonly methods: string[];
  readonly seed: number;
  readonly shard: string | null;
  readonly jobId: string | null;
  readonly state: TaskState;
  readonly slurmState: string | null;
  readonly reason: string | null;
  readonly node: string | null;
  readonly attempts: number;
  readonly merged: string | null;
  readonly updated: string;
}

interface RawSweep {
  id: number;
  key: string;
  name: string;
  executor: Executor;
  dir: string | null;
  spec: string;
  status: SweepState;
  created: string;
  updated: string;
}

interface RawTask {
  sweep_id: number;
  task: number;
  experiment_id: number;
  point: string;
  methods: string;
  seed: number;
  shard: string | null;
  job_id: string | null;
  state: TaskState;
  slurm_state: string | null;
  reason: string | null;
  node: string | null;
  attempts: number;
  merged: string | null;
  updated: string;
}

/** What recording a sweep needs. */
export interface NewSweep {
  readonly key: string;
  readonly name: string;
  readonly executor: Executor;
  readonly dir: string | null;
  readonly spec: SweepSpec;
}

/** Inserts a sweep (running) and returns its id. Call inside a transaction. */
export function insertSweep(db: Db, s: NewSweep, now?: () => Date): number {
  const at = isoNow(now);
  return Number(
    db
      .prepare("INSERT INTO sweeps (key, name, executor, dir, spec, status, created, updated) VALUES (?, ?, ?, ?, ?, 'running', ?, ?)")
      .run(s.key, s.name, s.executor, s.dir, JSON.stringify(s.spec), at, at).lastInsertRowid,
  );
}

/** Updates how a resubmitted sweep runs (executor, folder, options) and marks it running again. Call inside a transaction. */
export function resubmitSweep(db: Db, id: number, s: Pick<NewSweep, 'executor' | 'dir' | 'spec'>, now?: () => Date): void {
  db.prepare("UPDATE sweeps SET executor = ?, dir = ?, spec = ?, status = 'running', updated = ? WHERE id = ?").run(s.executor, s.dir, JSON.stringify(s.spec), isoNow(now), id);
}

/** One sweep, or a not_found LabError. */
export function getSweep(db: Db, id: number): SweepRow {
  const r = db.prepare('SELECT * FROM sweeps WHERE id = ?').get(id) as RawSweep | undefined;
  if (!r) throw new LabError('not_found', `no sweep s${id} in this library`, { sweep: id, field: 'id' });
  return toSweep(r);
}

/** The sweep with these settings (its key), if recorded before. */
export function findSweep(db: Db, key: string): SweepRow | undefined {
  const r = db.prepare('SELECT * FROM sweeps WHERE key = ?').get(key) as RawSweep | undefined;
  return r && toSweep(r);
}

/** Every sweep, newest first. */
export function listSweeps(db: Db, limit = 1000): SweepRow[] {
  return (db.prepare('SELECT * FROM sweeps ORDER BY id DESC LIMIT ?').all(limit) as RawSweep[]).map(toSweep);
}

/** What recording a task needs. */
export type NewSweepTask = Pick<SweepTaskRow, 'task' | 'experimentId' | 'point' | 'methods' | 'seed'> & { readonly shard: string | null };

/** Inserts a task (pending), or leaves an existing one of the same number. Call inside a transaction. */
export function insertSweepTask(db: Db, sweepId: number, t: NewSweepTask, now?: () => Date): void {
  db.prepare(
    `INSERT INTO sweep_tasks (sweep_id, task, experiment_id, point, methods, seed, shard, state, updated) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)
     ON CONFLICT (sweep_id, task) DO NOTHING`,
  ).run(sweepId, t.task, t.experimentId, t.point, JSON.stringify(t.methods), t.seed, t.shard, isoNow(now));
}

/** The tasks of a sweep, in order. */
export function listSweepTasks(db: Db, sweepId: number): SweepTaskRow[] {
  return (db.prepare('SELECT * FROM sweep_tasks WHERE sweep_id = ? ORDER BY task').all(sweepId) as RawTask[]).map(toTask);
}

/** Fields of a task that following it changes. */
export type SweepTaskPatch = Partial<Pick<SweepTaskRow, 'shard' | 'jobId' | 'state' | 'slurmState' | 'reason' | 'node' | 'attempts' | 'merged'>>;

const PATCH_COLUMNS: Record<keyof SweepTaskPatch, string> = {
  shard: 'shard',
  jobId: 'job_id',
  state: 'state',
  slurmState: 'slurm_state',
  reason: 'reason',
  node: 'node',
  attempts: 'attempts',
  merged: 'merged',
};

/** Updates a task's fields; writes nothing when none differs. Returns whether it wrote. */
export function updateSweepTask(db: Db, sweepId: number, task: number, patch: SweepTaskPatch, now?: () => Date): boolean {
  const current = db.prepare('SELECT * FROM sweep_tasks WHERE sweep_id = ? AND task = ?').get(sweepId, task) as RawTask | undefined;
  if (!current) throw new LabError('not_found', `sweep s${sweepId} has no task ${task}`);
  const sets: string[] = [];
  const args: unknown[] = [];
  for (const [key, value] of Object.entries(patch) as [keyof SweepTaskPatch, unknown][]) {
    if (value === undefined) continue;
    const column = PATCH_COLUMNS[key];
    if ((current as unknown as Record<string, unknown>)[column] === value) continue;
    sets.push(`${column} = ?`);
    args.push(value);
  }
  if (sets.length === 0) return false;
  db.prepare(`UPDATE sweep_tasks SET ${sets.join(', ')}, updated = ? WHERE sweep_id = ? AND task = ?`).run(...args, isoNow(now), sweepId, task);
  return true;
}

/**
 * Sets a sweep's status from its tasks: running while one is pending or running, cancelled when
 * `colt sweep cancel` stopped it, failed when a task failed, finished when every task did.
 */
export function refreshSweepStatus(db: Db, id: number, now?: () => Date): SweepState {
  const states = db.prepare('SELECT state FROM sweep_tasks WHERE sweep_id = ?').pluck().all(id) as TaskState[];
  const current = getSweep(db, id).status;
  let status: SweepState;
  if (states.some((s) => s === 'pending' || s === 'running')) status = 'running';
  else if (states.includes('cancelled')) status = 'cancelled';
  else if (states.includes('failed')) status = 'failed';
  else status = 'finished';
  if (status !== current) db.prepare('UPDATE sweeps SET status = ?, updated = ? WHERE id = ?').run(status, isoNow(now), id);
  return status;
}

/** The library ids of a task's runs (its experiment's runs of its methods and seed). */
export function runIdsOfTask(db: Db, t: Pick<SweepTaskRow, 'experimentId' | 'methods' | 'seed'>): number[] {
  const rows = db.prepare('SELECT id, method FROM runs WHERE experiment_id = ? AND seed = ? ORDER BY id').all(t.experimentId, t.seed) as { id: number; method: string }[];
  return rows.filter((r) => t.methods.includes(r.method)).map((r) => r.id);
}

/** Whether every run of a task is finished in the library. */
export function taskRunsFinished(db: Db, t: Pick<SweepTaskRow, 'experimentId' | 'methods' | 'seed'>): boolean {
  return runIdsOfTask(db, t).every((id) => runState(db, id)?.status === 'finished');
}

function toSweep(r: RawSweep): SweepRow {
  return { id: r.id, key: r.key, name: r.name, executor: r.executor, dir: r.dir, spec: JSON.parse(r.spec) as SweepSpec, status: r.status, created: r.created, updated: r.updated };
}

function toTask(r: RawTask): SweepTaskRow {
  return {
    sweepId: r.sweep_id,
    task: r.task,
    experimentId: r.experiment_id,
    point: r.point,
    methods: JSON.parse(r.methods) as string[],
    seed: r.seed,
    shard: r.shard,
    jobId: r.job_id,
    state: r.state,
    slurmState: r.slurm_state,
    reason: r.reason,
    node: r.node,
    attempts: r.attempts,
    merged: r.merged,
    updated: r.updated,
  };
}

/** A local task's state from its runs: the job pool of the lab that runs them is its executor. */
function localTaskState(statuses: readonly string[]): TaskState {
  if (statuses.every((s) => s === 'finished')) return 'finished';
  if (statuses.includes('failed')) return 'failed';
  if (statuses.includes('running')) return 'running';
  if (statuses.includes('cancelled')) return 'cancelled';
  return 'pending';
}

/**
 * Brings a local sweep's tasks and status up to date with its runs (a Slurm sweep's come from
 * squeue and its shards instead), in one transaction when something changed. Returns whether it wrote.
 */
export function refreshLocalSweep(db: Db, sweepId: number, now?: () => Date): boolean {
  const sweep = getSweep(db, sweepId);
  if (sweep.executor !== 'local') return false;
  const changes = listSweepTasks(db, sweepId)
    .map((t) => ({ task: t.task, from: t.state, to: localTaskState(runIdsOfTask(db, t).map((id) => runState(db, id)?.status ?? 'pending')) }))
    .filter((c) => c.from !== c.to);
  // A read-only library (a browsing command) shows what was last recorded.
  if (changes.length === 0 || db.readonly) return false;
  writeTransaction(db, `record the tasks of sweep s${sweepId}`, () => {
    for (const c of changes) updateSweepTask(db, sweepId, c.task, { state: c.to }, now);
    refreshSweepStatus(db, sweepId, now);
  });
  return true;
}
