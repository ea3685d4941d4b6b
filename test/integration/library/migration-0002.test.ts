// A library written before migration 2 (schema version 1, rows as that version stored them)
// opens, migrates and still serves its experiments: new columns read as "not measured", the
// all-weights sparsity is recounted without biases, and configs that held a setting now refused
// as ignored get the value their runs used, so they validate and resume.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createContext } from '../../../main/lab/context.js';
import { countWeights, getModel } from '../../../main/lab/models/registry.js';
import { APPLICATION_ID, SCHEMA_VERSION, openLibrary, schemaVersion } from '../../../main/library/db.js';
import { getExperiment } from '../../../main/library/experiments.js';
import { up as initial } from '../../../main/library/migrations/0001-initial.js';
import { listRounds } from '../../../main/library/rounds.js';
import { getTicketRow } from '../../../main/library/tickets.js';
import { stripeDataset } from '../../helpers/toy-dataset.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A schema-1 library with one experiment, run, round and ticket, as version 1 wrote them. */
function versionOneLibrary(config: Record<string, unknown>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'colt-migrate-'));
  dirs.push(dir);
  const file = path.join(dir, 'library.sqlite');
  const db = new Database(file);
  initial(db);
  db.pragma(`application_id = ${APPLICATION_ID}`);
  db.pragma('user_version = 1');
  const at = '2025-01-01T00:00:00.000Z';
  db.prepare("INSERT INTO datasets (id, name, checksum, shape, classes, train_count, test_count, source, created) VALUES (1, 'stripes', 'c', '[8,8,1]', 4, 400, 100, 'x', ?)").run(at);
  db.prepare("INSERT INTO experiments (id, name, preset, config, arch, dataset_id, eval_dataset_id, status, created, updated) VALUES (1, 'old', NULL, ?, 'lenet-300-100', 1, 1, 'interrupted', ?, ?)").run(
    JSON.stringify(config),
    at,
    at,
  );
  db.prepare("INSERT INTO runs (id, experiment_id, method, seed, app_version, dataset_checksum, status, created, updated) VALUES (1, 1, 'imp', 0, '0.1.0', 'c', 'interrupted', ?, ?)").run(at, at);
  // LeNet on 8x8x1 with 4 classes: 49,200 prunable weights; version 1 divided 14,760 pruned by all 50,004 parameters.
  db.prepare(
    `INSERT INTO rounds (run_id, round, sparsity, sparsity_all, layer_sparsity, test_accuracy, val_accuracy, early_stop_iteration, overlap, partition_accuracies, samples, evaluation_samples, seconds, final, created)
     VALUES (1, 1, 0.3, ?, '{}', 0.9, 0.9, 10, NULL, NULL, 360, 0, 1.5, 0, ?)`,
  ).run(14760 / 50004, at);
  db.prepare(
    `INSERT INTO tickets (id, run_id, round, arch, input_shape, classes, method, dataset, dataset_checksum, seed, prunable, sparsity, sparsity_all, kept, prunable_count, layer_sparsity, has_final, app_version, created)
     VALUES (1, 1, 1, 'lenet-300-100', '[8,8,1]', 4, 'imp', 'stripes', 'c', 0, 'conv+dense', 0.3, ?, 34440, 49200, '{}', 1, '0.1.0', ?)`,
  ).run(14760 / 50004, at);
  db.close();
  return file;
}

describe('migration 2 on a version-1 library', () => {
  it('adds the curves, untrained accuracy and mask check as not measured, and recounts sparsity over all weights without biases', () => {
    const file = versionOneLibrary({ arch: 'lenet-300-100', dataset: 'stripes', methods: ['imp'] });
    const db = openLibrary(file);
    try {
      expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
      const weights = countWeights(getModel('lenet-300-100').build([8, 8, 1], 4));
      expect(weights).toBe(49600);
      const [round] = listRounds(db, 1);
      expect(round).toMatchObject({ round: 1, untrainedAccuracy: null, maskViolations: null, evaluations: [] });
      expect(round.sparsityAll).toBeCloseTo(14760 / 49600, 12);
      expect(getTicketRow(db, 1)).toMatchObject({ maskViolations: null, sparsityAll: 14760 / 49600 });
    } finally {
      db.close();
    }
  });

  it('gives stored configs the values their runs used where the setting is now refused as ignored, so they still validate', () => {
    const file = versionOneLibrary({
      arch: 'lenet-300-100',
      dataset: 'stripes',
      methods: ['imp'],
      data: { validationFraction: 0 },
      training: { duration: '2ep', gamma: 0.5 },
      pruning: { strategy: 'global', denseRate: 0.3 },
      colt: { partitions: 4, rate: 0.5 },
      stop: { maxRounds: 1, sparsityOver: 'all' },
    });
    const db = openLibrary(file);
    try {
      const { config } = getExperiment(db, 1);
      expect(config.training.selection).toBe('best-test');
      expect(config.training.gamma).toBe(0.1);
      expect(config.pruning.denseRate).toBeUndefined();
      expect(config.colt).toMatchObject({ partitions: 2, partitioning: 'contiguous-classes' });
      expect(config.colt.rate).toBeUndefined();
      expect(config.stop.sparsityOver).toBe('prunable');
      const data = stripeDataset();
      expect(() => createContext(config, data, data, { event: () => undefined })).not.toThrow();
    } finally {
      db.close();
    }
  });
});
