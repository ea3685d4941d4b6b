import type Database from 'better-sqlite3';

/**
 * Sweeps and where runs were computed: a sweep (grid points × seeds × methods, run locally or as a
 * Slurm job array), its tasks (one per run; a reinit run shares its IMP run's task) with their
 * Slurm state, and each run's provenance (host, Slurm job and array task ids, every attempt,
 * backend, app version, dataset checksum, and the shard library it was merged from).
 */
export function up(db: Database.Database): void {
  db.exec(`
    CREATE TABLE sweeps (
      id INTEGER PRIMARY KEY,
      key TEXT NOT NULL UNIQUE,
      name TEXT NOT NULL,
      executor TEXT NOT NULL CHECK (executor IN ('local', 'slurm')),
      dir TEXT,
      spec TEXT NOT NULL CHECK (json_valid(spec)),
      status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'cancelled')),
      created TEXT NOT NULL,
      updated TEXT NOT NULL
    ) STRICT;

    CREATE TABLE sweep_tasks (
      sweep_id INTEGER NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
      task INTEGER NOT NULL CHECK (task >= 0),
      experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
      point TEXT NOT NULL,
      methods TEXT NOT NULL CHECK (json_valid(methods)),
      seed INTEGER NOT NULL,
      shard TEXT,
      job_id TEXT,
      state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'finished', 'failed', 'cancelled')),
      slurm_state TEXT,
      reason TEXT,
      node TEXT,
      attempts INTEGER NOT NULL DEFAULT 0,
      merged TEXT,
      updated TEXT NOT NULL,
      PRIMARY KEY (sweep_id, task)
    ) STRICT;
    CREATE INDEX sweep_tasks_experiment ON sweep_tasks(experiment_id);

    CREATE TABLE run_provenance (
      run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
      host TEXT,
      slurm_job_id TEXT,
      slurm_array_job_id TEXT,
      slurm_array_task_id INTEGER,
      attempts TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(attempts)),
      backend TEXT,
      app_version TEXT,
      dataset_checksum TEXT,
      shard TEXT,
      shard_run_id INTEGER,
      merged TEXT
    ) STRICT;
  `);
}
