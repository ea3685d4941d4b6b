import type Database from 'better-sqlite3';

/**
 * The first schema: datasets, experiments, runs, rounds, metrics, tickets (bit-packed masks,
 * weights in a content-addressed tensor store) and each run's latest checkpoint state.
 * Every table is STRICT; times are ISO-8601 UTC text; JSON columns are checked with json_valid.
 */
export function up(db: Database.Database): void {
  db.exec(`
    CREATE TABLE datasets (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      checksum TEXT NOT NULL,
      shape TEXT NOT NULL CHECK (json_valid(shape)),
      classes INTEGER NOT NULL CHECK (classes > 0),
      train_count INTEGER NOT NULL,
      test_count INTEGER NOT NULL,
      source TEXT,
      created TEXT NOT NULL,
      UNIQUE (name, checksum)
    ) STRICT;

    CREATE TABLE experiments (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      preset TEXT,
      config TEXT NOT NULL CHECK (json_valid(config)),
      arch TEXT NOT NULL,
      dataset_id INTEGER NOT NULL REFERENCES datasets(id),
      eval_dataset_id INTEGER NOT NULL REFERENCES datasets(id),
      status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'finished', 'failed', 'cancelled', 'interrupted')),
      created TEXT NOT NULL,
      updated TEXT NOT NULL
    ) STRICT;
    CREATE INDEX experiments_created ON experiments(created);

    CREATE TABLE runs (
      id INTEGER PRIMARY KEY,
      experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
      method TEXT NOT NULL,
      seed INTEGER NOT NULL,
      backend TEXT,
      backend_package TEXT,
      backend_reason TEXT,
      app_version TEXT NOT NULL,
      dataset_checksum TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'finished', 'failed', 'cancelled', 'interrupted')),
      error TEXT,
      pid INTEGER,
      host TEXT,
      rounds_done INTEGER NOT NULL DEFAULT 0,
      last_round INTEGER,
      sparsity REAL,
      test_accuracy REAL,
      created TEXT NOT NULL,
      started TEXT,
      updated TEXT NOT NULL,
      finished TEXT,
      UNIQUE (experiment_id, method, seed)
    ) STRICT;
    CREATE INDEX runs_status ON runs(status);
    CREATE INDEX runs_created ON runs(created);

    CREATE TABLE rounds (
      id INTEGER PRIMARY KEY,
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      round INTEGER NOT NULL CHECK (round >= 0),
      sparsity REAL NOT NULL,
      sparsity_all REAL NOT NULL,
      layer_sparsity TEXT NOT NULL CHECK (json_valid(layer_sparsity)),
      test_accuracy REAL,
      val_accuracy REAL,
      early_stop_iteration INTEGER,
      overlap REAL,
      partition_accuracies TEXT CHECK (partition_accuracies IS NULL OR json_valid(partition_accuracies)),
      samples INTEGER NOT NULL,
      evaluation_samples INTEGER NOT NULL,
      seconds REAL NOT NULL,
      final INTEGER NOT NULL CHECK (final IN (0, 1)),
      created TEXT NOT NULL,
      UNIQUE (run_id, round)
    ) STRICT;

    -- Per-round training curves: one row per sampled point (the lab's progress events).
    CREATE TABLE metrics (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      round INTEGER NOT NULL,
      phase TEXT NOT NULL,
      name TEXT NOT NULL,
      iteration INTEGER NOT NULL,
      value REAL,
      PRIMARY KEY (run_id, round, phase, name, iteration)
    ) STRICT, WITHOUT ROWID;

    -- Float32 tensors, little-endian, stored once per content (sha256), shared by tickets and checkpoints.
    CREATE TABLE tensors (
      id INTEGER PRIMARY KEY,
      sha256 BLOB NOT NULL UNIQUE,
      length INTEGER NOT NULL CHECK (length >= 0),
      data BLOB NOT NULL CHECK (length(data) = 4 * length)
    ) STRICT;

    CREATE TABLE tickets (
      id INTEGER PRIMARY KEY,
      run_id INTEGER REFERENCES runs(id) ON DELETE CASCADE,
      round INTEGER,
      source_file TEXT,
      source_sha256 TEXT,
      source_format TEXT,
      arch TEXT NOT NULL,
      input_shape TEXT NOT NULL CHECK (json_valid(input_shape)),
      classes INTEGER NOT NULL CHECK (classes > 0),
      method TEXT,
      dataset TEXT,
      dataset_checksum TEXT,
      seed INTEGER,
      prunable TEXT NOT NULL CHECK (prunable IN ('conv', 'conv+dense', 'all')),
      sparsity REAL NOT NULL,
      sparsity_all REAL NOT NULL,
      kept INTEGER NOT NULL,
      prunable_count INTEGER NOT NULL,
      layer_sparsity TEXT NOT NULL CHECK (json_valid(layer_sparsity)),
      has_final INTEGER NOT NULL CHECK (has_final IN (0, 1)),
      app_version TEXT NOT NULL,
      created TEXT NOT NULL,
      CHECK ((run_id IS NOT NULL AND round IS NOT NULL AND source_sha256 IS NULL)
          OR (run_id IS NULL AND source_sha256 IS NOT NULL)),
      UNIQUE (run_id, round)
    ) STRICT;
    CREATE INDEX tickets_created ON tickets(created);
    CREATE UNIQUE INDEX tickets_source ON tickets(source_sha256) WHERE source_sha256 IS NOT NULL;

    -- Masks: 1 bit per weight, least significant bit first, in the layer's row-major order.
    CREATE TABLE ticket_masks (
      ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
      layer TEXT NOT NULL,
      position INTEGER NOT NULL,
      shape TEXT NOT NULL CHECK (json_valid(shape)),
      kept INTEGER NOT NULL,
      total INTEGER NOT NULL,
      bits BLOB NOT NULL CHECK (length(bits) = (total + 7) / 8),
      PRIMARY KEY (ticket_id, layer)
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE ticket_weights (
      ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
      role TEXT NOT NULL CHECK (role IN ('init', 'final')),
      layer TEXT NOT NULL,
      position INTEGER NOT NULL,
      shape TEXT NOT NULL CHECK (json_valid(shape)),
      tensor_id INTEGER NOT NULL REFERENCES tensors(id),
      PRIMARY KEY (ticket_id, role, layer)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX ticket_weights_tensor ON ticket_weights(tensor_id);

    -- The latest finished round's state of each run (older states are deleted as new ones arrive).
    CREATE TABLE checkpoints (
      run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
      round INTEGER NOT NULL,
      ticket_id INTEGER NOT NULL REFERENCES tickets(id),
      final INTEGER NOT NULL CHECK (final IN (0, 1)),
      slots TEXT NOT NULL CHECK (json_valid(slots)),
      updated TEXT NOT NULL,
      FOREIGN KEY (run_id, round) REFERENCES rounds(run_id, round)
    ) STRICT;

    CREATE TABLE checkpoint_tensors (
      run_id INTEGER NOT NULL REFERENCES checkpoints(run_id) ON DELETE CASCADE,
      slot TEXT NOT NULL CHECK (slot IN ('pruneFrom', 'rewindParams', 'rewindBuffers', 'buffers')),
      part INTEGER NOT NULL,
      name TEXT NOT NULL,
      position INTEGER NOT NULL,
      tensor_id INTEGER NOT NULL REFERENCES tensors(id),
      PRIMARY KEY (run_id, slot, part, name)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX checkpoint_tensors_tensor ON checkpoint_tensors(tensor_id);
  `);
}
