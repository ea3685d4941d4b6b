import { invalidInput } from '../../contract/errors.js';
import type { Db } from '../db.js';
import { getTicketOrigin, type TicketOrigin } from '../ticket-records.js';
import type { TicketRow } from '../tickets.js';

/** The metadata keys that say where a ticket came from (kept through export and re-import). */
export const PROVENANCE_KEYS = ['origin', 'run', 'round', 'experiment', 'experiment_name', 'method', 'dataset', 'dataset_checksum', 'seed', 'created', 'ticket_app_version', 'source_file'] as const;

/**
 * What an exported file says about its ticket beyond the tensors: its accuracy (the round's test and
 * validation accuracy for a run's ticket; what its own file stated for an imported one) and where it
 * came from (run, round, experiment and its name; an imported ticket passes on its file's origin).
 */
export function exportProvenance(db: Db, row: TicketRow): Record<string, string> {
  const out: Record<string, string> = {};
  if (row.runId !== null) {
    const r = db
      .prepare('SELECT x.test_accuracy, x.val_accuracy, e.id, e.name FROM runs r JOIN experiments e ON e.id = r.experiment_id LEFT JOIN rounds x ON x.run_id = r.id AND x.round = ? WHERE r.id = ?')
      .raw()
      .get(row.round, row.runId) as [number | null, number | null, number, string] | undefined;
    out.origin = 'run';
    if (r) {
      if (r[0] !== null && Number.isFinite(r[0])) out.test_accuracy = String(r[0]);
      if (r[1] !== null && Number.isFinite(r[1])) out.val_accuracy = String(r[1]);
      out.experiment = String(r[2]);
      out.experiment_name = r[3];
    }
    return out;
  }
  const origin = getTicketOrigin(db, row.id);
  if (origin) {
    Object.assign(out, origin.provenance);
    if (origin.testAccuracy !== null) out.test_accuracy = String(origin.testAccuracy);
    if (origin.valAccuracy !== null) out.val_accuracy = String(origin.valAccuracy);
  }
  out.origin ??= 'file';
  if (row.sourceFile !== null) out.source_file ??= row.sourceFile;
  return out;
}

function accuracy(meta: Readonly<Record<string, string>>, key: 'test_accuracy' | 'val_accuracy'): number | null {
  const v = meta[key];
  if (v === undefined) return null;
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || x < 0 || x > 1) throw invalidInput(`__metadata__.${key} '${v.slice(0, 40)}': expected a fraction between 0 and 1`, { tensor: '__metadata__' });
  return x;
}

/** An imported file's stated origin and accuracy (refusing accuracies that are not fractions, naming the key). */
export function readOrigin(meta: Readonly<Record<string, string>>): TicketOrigin {
  const provenance: Record<string, string> = {};
  for (const k of PROVENANCE_KEYS) if (typeof meta[k] === 'string' && meta[k].length <= 500) provenance[k] = meta[k];
  return { testAccuracy: accuracy(meta, 'test_accuracy'), valAccuracy: accuracy(meta, 'val_accuracy'), provenance };
}
