import { jaccardMatrix } from '../analysis/index.js';
import { LabError } from '../contract/errors.js';
import { getPreset } from '../presets/presets.js';
import type { Db } from '../library/db.js';
import { getExperiment } from '../library/experiments.js';
import { ticketMasks } from '../library/ticket-layers.js';
import { experimentTickets } from '../library/tickets.js';

// What the experiment screen shows beyond experiments.get: the overlap of all its tickets, and the
// preset it started from with every default filled in.

/** The most tickets one Jaccard matrix takes (n² pairs). */
export const MATRIX_LIMIT = 200;

/** The Jaccard matrix of an experiment's tickets (optionally only some rounds), each pair next to its random-chance value. */
export function experimentJaccard(db: Db, input: { id: number; rounds?: number[] }) {
  getExperiment(db, input.id);
  const all = experimentTickets(db, input.id);
  const wanted = input.rounds ? new Set(input.rounds) : null;
  const tickets = all.filter((t) => wanted === null || wanted.has(t.round));
  if (tickets.length > MATRIX_LIMIT) {
    throw new LabError('invalid_input', `field 'input.rounds': experiment e${input.id} has ${tickets.length} tickets in the chosen rounds; pick rounds with at most ${MATRIX_LIMIT}`, { field: 'rounds' });
  }
  const rounds = [...new Set(all.map((t) => t.round))].sort((a, b) => a - b);
  return { experimentId: input.id, rounds, tickets, ...jaccardMatrix(tickets.map((t) => ticketMasks(db, t.ticketId))) };
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
