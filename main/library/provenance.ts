import { isoNow, type Db } from './db.js';

/** One start of a run's task: where and under which Slurm ids it ran, and the round it continued after. */
export interface Attempt {
  readonly host: string;
  readonly jobId: string | null;
  readonly arrayJobId: string | null;
  readonly arrayTaskId: number | null;
  /** Slurm's restart count of the job (requeues), when Slurm ran it. */
  readonly restarts: number | null;
  readonly started: string;
  /** The last stored round it continued after; null when it started from round 0. */
  readonly fromRound: number | null;
}

/** Where a run was computed: its latest attempt's host and Slurm ids, every attempt, and the shard it was merged from. */
export interface Provenance {
  readonly runId: number;
  readonly host: string | null;
  readonly slurmJobId: string | null;
  readonly slurmArrayJobId: string | null;
  readonly slurmArrayTaskId: number | null;
  readonly attempts: Attempt[];
  readonly backend: string | null;
  readonly appVersion: string | null;
  readonly datasetChecksum: string | null;
  readonly shard: string | null;
  readonly shardRunId: number | null;
  readonly merged: string | null;
}

interface RawProvenance {
  run_id: number;
  host: string | null;
  slurm_job_id: string | null;
  slurm_array_job_id: string | null;
  slurm_array_task_id: number | null;
  attempts: string;
  backend: string | null;
  app_version: string | null;
  dataset_checksum: string | null;
  shard: string | null;
  shard_run_id: number | null;
  merged: string | null;
}

/** What a task knows of the run it starts. */
export interface RunOrigin {
  readonly backend: string;
  readonly appVersion: string;
  readonly datasetChecksum: string;
}

/** Records one more attempt of a run (the latest one's host and ids become the run's). Call inside a transaction. */
export function recordAttempt(db: Db, runId: number, attempt: Omit<Attempt, 'started'>, origin: RunOrigin, now?: () => Date): void {
  const previous = getProvenance(db, runId);
  const attempts = [...(previous?.attempts ?? []), { ...attempt, started: isoNow(now) }];
  db.prepare(
    `INSERT INTO run_provenance (run_id, host, slurm_job_id, slurm_array_job_id, slurm_array_task_id, attempts, backend, app_version, dataset_checksum)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (run_id) DO UPDATE SET host = excluded.host, slurm_job_id = excluded.slurm_job_id, slurm_array_job_id = excluded.slurm_array_job_id,
       slurm_array_task_id = excluded.slurm_array_task_id, attempts = excluded.attempts, backend = excluded.backend, app_version = excluded.app_version,
       dataset_checksum = excluded.dataset_checksum`,
  ).run(runId, attempt.host, attempt.jobId, attempt.arrayJobId, attempt.arrayTaskId, JSON.stringify(attempts), origin.backend, origin.appVersion, origin.datasetChecksum);
}

/** A run's provenance, if recorded (runs trained by `colt run` in this library have none). */
export function getProvenance(db: Db, runId: number): Provenance | undefined {
  const r = db.prepare('SELECT * FROM run_provenance WHERE run_id = ?').get(runId) as RawProvenance | undefined;
  if (!r) return undefined;
  return {
    runId: r.run_id,
    host: r.host,
    slurmJobId: r.slurm_job_id,
    slurmArrayJobId: r.slurm_array_job_id,
    slurmArrayTaskId: r.slurm_array_task_id,
    attempts: JSON.parse(r.attempts) as Attempt[],
    backend: r.backend,
    appVersion: r.app_version,
    datasetChecksum: r.dataset_checksum,
    shard: r.shard,
    shardRunId: r.shard_run_id,
    merged: r.merged,
  };
}
