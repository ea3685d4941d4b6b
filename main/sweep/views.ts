import { TASK_STATES, type TaskState } from '../contract/sweep-config.js';
import type { Db } from '../library/db.js';
import { listSweepTasks, runIdsOfTask, type SweepRow, type SweepTaskRow } from '../library/sweeps.js';

/** A sweep as lists show it: its axes, experiments, Slurm jobs and tasks counted by state. */
export interface SweepSummary {
  readonly id: number;
  readonly name: string;
  readonly key: string;
  readonly executor: SweepRow['executor'];
  readonly status: SweepRow['status'];
  readonly dir: string | null;
  readonly axes: { path: string; values: unknown[] }[];
  readonly points: number;
  readonly experimentIds: number[];
  readonly jobIds: string[];
  readonly tasks: number;
  readonly counts: Record<TaskState, number>;
  readonly created: string;
  readonly updated: string;
}

/** A task as `sweeps.get` and `colt sweep status` show it. */
export interface SweepTaskView extends Omit<SweepTaskRow, 'sweepId' | 'shard'> {
  readonly runIds: number[];
  /** Rounds of its runs the library holds. */
  readonly roundsMerged: number;
}

/** The summary of a sweep. */
export function sweepSummaryOf(db: Db, s: SweepRow, tasks: readonly SweepTaskRow[] = listSweepTasks(db, s.id)): SweepSummary {
  const counts = Object.fromEntries(TASK_STATES.map((state) => [state, 0])) as Record<TaskState, number>;
  for (const t of tasks) counts[t.state]++;
  return {
    id: s.id,
    name: s.name,
    key: s.key,
    executor: s.executor,
    status: s.status,
    dir: s.dir,
    axes: s.spec.axes.map((a) => ({ path: a.path, values: [...a.values] })),
    points: s.spec.points,
    experimentIds: [...new Set(tasks.map((t) => t.experimentId))],
    jobIds: [...new Set(tasks.map((t) => t.jobId).filter((j): j is string => j !== null))],
    tasks: tasks.length,
    counts,
    created: s.created,
    updated: s.updated,
  };
}

/** The tasks of a sweep with their runs and how many of their rounds are in the library. */
export function sweepTaskViews(db: Db, sweepId: number): SweepTaskView[] {
  const rounds = db.prepare('SELECT count(*) FROM rounds WHERE run_id = ?').pluck();
  return listSweepTasks(db, sweepId).map(({ sweepId: _s, shard: _f, ...t }) => {
    const runIds = runIdsOfTask(db, t);
    return { ...t, runIds, roundsMerged: runIds.reduce((n, id) => n + (rounds.get(id) as number), 0) };
  });
}
