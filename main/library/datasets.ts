import type { Dataset } from '../data/types.js';
import { isoNow, type Db } from './db.js';

/** A dataset as the library knows it: name and content checksum (one row per distinct content). */
export interface DatasetRow {
  readonly id: number;
  readonly name: string;
  readonly checksum: string;
  readonly shape: readonly [number, number, number];
  readonly classes: number;
  readonly trainCount: number;
  readonly testCount: number;
  readonly source: string | null;
  readonly created: string;
}

interface RawDataset {
  id: number;
  name: string;
  checksum: string;
  shape: string;
  classes: number;
  train_count: number;
  test_count: number;
  source: string | null;
  created: string;
}

/** The row of this dataset's name and checksum, created on first use. Call inside a transaction. */
export function ensureDataset(db: Db, dataset: Dataset, now?: () => Date): number {
  const found = db.prepare('SELECT id FROM datasets WHERE name = ? AND checksum = ?').pluck().get(dataset.name, dataset.checksum) as number | undefined;
  if (found !== undefined) return found;
  return Number(
    db
      .prepare('INSERT INTO datasets (name, checksum, shape, classes, train_count, test_count, source, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(
        dataset.name,
        dataset.checksum,
        JSON.stringify(dataset.shape),
        dataset.classes,
        dataset.train.count,
        dataset.test.count,
        dataset.source,
        isoNow(now),
      ).lastInsertRowid,
  );
}

/** One dataset row, or undefined. */
export function getDataset(db: Db, id: number): DatasetRow | undefined {
  const r = db.prepare('SELECT * FROM datasets WHERE id = ?').get(id) as RawDataset | undefined;
  return r && toRow(r);
}

function toRow(r: RawDataset): DatasetRow {
  return {
    id: r.id,
    name: r.name,
    checksum: r.checksum,
    shape: JSON.parse(r.shape) as [number, number, number],
    classes: r.classes,
    trainCount: r.train_count,
    testCount: r.test_count,
    source: r.source,
    created: r.created,
  };
}
