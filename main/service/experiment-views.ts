import { jaccardMatrix } from '../analysis/index.js';
import { LabError } from '../contract/errors.js';
import type { Method } from '../contract/experiment-config.js';
import { getPreset } from '../lab/presets.js';
import type { Db } from '../library/db.js';
import { getExperiment } from '../library/experiments.js';
import { loadMasks } from './ticket-views.js';

// What the experiment screen shows beyond experiments.get: the overlap of all its tickets, and the
// preset it started from with every default filled in.

/** The most tickets one Jaccard matrix takes (n² pairs). */
export const MATRIX_LIMIT = 200;

/** The Jaccard matrix of an experiment's tickets (optionally only some rounds), each pair next to its random-chance value. */
export function experimentJaccard(db: Db, input: { id: number; rounds?: number[] }) {
  getExperiment(db, input.id);
  const rows = db
    .prepare(
      `SELECT t.id, t.run_id, r.method, r.seed, t.round, t.sparsity FROM tickets t JOIN runs r ON r.id = t.run_id
       WHERE r.experiment_id = ? ORDER BY t.round, r.method, r.seed, t.id`,
    )
    .raw()
    .all(input.id) as [number, number, Method, number, number, number][];
  const wanted = input.rounds ? new Set(input.rounds) : null;
  const tickets = rows.filter((r) => wanted === null || wanted.has(r[4])).map(([ticketId, runId, method, seed, round, sparsity]) => ({ ticketId, runId, method, seed, round, sparsity }));
  if (tickets.length > MATRIX_LIMIT) {
    throw new LabError('invalid_input', `field 'input.rounds': experiment e${input.id} has ${tickets.length} tickets in the chosen rounds; pick rounds with at most ${MATRIX_LIMIT}`, { field: 'rounds' });
  }
  const rounds = [...new Set(rows.map((r) => r[4]))].sort((a, b) => a - b);
  return { experimentId: input.id, rounds, tickets, ...jaccardMatrix(tickets.map((t) => loadMasks(db, t.ticketId))) };
}

/** A preset's config with every default filled in (what an experiment's config is compared with), or null. */
export function presetConfigOf(name: string | null): Record<string, unknown> | null {
  if (name === null) return null;
  try {
    return getPreset(name).config as unknown as Record<string, unknown>;
  } catch {
    // A preset renamed or removed since the experiment was made: nothing to compare with.
    return null;
  }
}
