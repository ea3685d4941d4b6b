import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openLibrary, type Db } from '../../../main/library/db.js';

/** Tables whose row counts must not change when something is refused. */
export const TABLES = [
  'datasets',
  'experiments',
  'runs',
  'rounds',
  'metrics',
  'evaluations',
  'tensors',
  'tickets',
  'ticket_masks',
  'ticket_weights',
  'checkpoints',
  'checkpoint_tensors',
  'sweeps',
  'sweep_tasks',
  'run_provenance',
  'ticket_origins',
  'ticket_evaluations',
] as const;

/** Row counts of every table. */
export function rowCounts(db: Db): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of TABLES) out[t] = db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number;
  return out;
}

/** A temporary folder removed by `cleanup`. */
export function tempDir(prefix = 'colt-library-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A fresh library file in a temporary folder. */
export function tempLibrary(): { db: Db; file: string; dir: string; cleanup: () => void } {
  const { dir, cleanup } = tempDir();
  const file = path.join(dir, 'library.sqlite');
  const db = openLibrary(file);
  return {
    db,
    file,
    dir,
    cleanup: () => {
      if (db.open) db.close();
      cleanup();
    },
  };
}
