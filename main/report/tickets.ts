import { layerGrid, type MaskGrid } from '../analysis/heatmap.js';
import { compareMasks } from '../analysis/overlap.js';
import { METHODS, type Method } from '../contract/experiment-config.js';
import type { Mask } from '../lab/masks.js';
import type { Db } from '../library/db.js';
import type { RoundRow } from '../library/rounds.js';
import type { RunRow } from '../library/runs.js';
import { loadTicket, ticketOfRound } from '../library/tickets.js';

/** One layer of a selected ticket. */
export interface TicketLayer {
  readonly layer: string;
  readonly shape: number[];
  readonly weights: number;
  readonly kept: number;
  readonly sparsity: number;
  readonly grid: MaskGrid;
}

/** The ticket the report shows for a method: the final round of its run with the report's seed. */
export interface SelectedTicket {
  readonly method: Method;
  readonly runId: number;
  readonly seed: number;
  readonly round: number;
  readonly ticketId: number;
  readonly sparsity: number;
  readonly testAccuracy: number | null;
  readonly layers: TicketLayer[];
}

/** Jaccard of two selected tickets' kept weights against two random masks of the same per-layer sparsities. */
export interface TicketOverlap {
  readonly a: Method;
  readonly b: Method;
  readonly seed: number;
  readonly jaccard: number;
  readonly expectedRandom: number;
}

/**
 * Per method, the ticket of its final stored round for one seed (the lowest seed every method
 * has, else each method's lowest), its per-layer sparsity and heatmap grids, and how much the
 * tickets of the same seed overlap (they share θ0, so the comparison is like for like).
 */
export function selectedTickets(
  db: Db,
  runs: readonly RunRow[],
  rounds: ReadonlyMap<number, readonly RoundRow[]>,
  heatmap: { readonly maxRows: number; readonly maxCols: number },
): { tickets: SelectedTicket[]; overlaps: TicketOverlap[] } {
  const withRounds = runs.filter((r) => (rounds.get(r.id)?.length ?? 0) > 0);
  const methods = METHODS.filter((m) => withRounds.some((r) => r.method === m));
  const common = [...new Set(withRounds.map((r) => r.seed))]
    .sort((a, b) => a - b)
    .find((seed) => methods.every((m) => withRounds.some((r) => r.method === m && r.seed === seed)));
  const tickets: SelectedTicket[] = [];
  const masks = new Map<Method, Mask>();
  for (const method of methods) {
    const mine = withRounds.filter((r) => r.method === method).sort((a, b) => a.seed - b.seed || a.id - b.id);
    const run = mine.find((r) => r.seed === common) ?? mine[0];
    const last = rounds.get(run.id)!.at(-1)!;
    const ticketId = ticketOfRound(db, run.id, last.round);
    if (ticketId === undefined) continue;
    const stored = loadTicket(db, ticketId, { final: false });
    masks.set(method, stored.mask);
    const layers: TicketLayer[] = [...stored.mask].map(([layer, m]) => {
      const shape = [...(stored.shapes.get(layer) ?? [m.length])];
      const grid = layerGrid(layer, shape, m, heatmap.maxRows, heatmap.maxCols);
      return { layer, shape, weights: grid.weights, kept: grid.kept, sparsity: grid.weights === 0 ? 0 : 1 - grid.kept / grid.weights, grid };
    });
    tickets.push({ method, runId: run.id, seed: run.seed, round: last.round, ticketId, sparsity: last.sparsity, testAccuracy: last.testAccuracy, layers });
  }
  const overlaps: TicketOverlap[] = [];
  for (let i = 0; i < tickets.length; i++) {
    for (let j = i + 1; j < tickets.length; j++) {
      const a = tickets[i];
      const b = tickets[j];
      if (a.seed !== b.seed) continue;
      const { overall } = compareMasks(masks.get(a.method)!, masks.get(b.method)!);
      overlaps.push({ a: a.method, b: b.method, seed: a.seed, jaccard: overall.jaccard, expectedRandom: overall.expectedRandom });
    }
  }
  return { tickets, overlaps };
}
