import { LabError } from '../contract/errors.js';
import type { RoundCheckpoint } from '../lab/events.js';
import type { WeightMap } from '../lab/weights.js';
import { isoNow, type Db } from './db.js';
import { deleteOrphanTensors, getTensor, putTensor } from './tensors.js';

/** The state a run continues from, besides its last round's record and ticket. */
export interface CheckpointState {
  readonly round: number;
  readonly ticketId: number;
  readonly final: boolean;
  readonly pruneFrom: WeightMap[];
  readonly rewindParams?: WeightMap;
  readonly rewindBuffers?: WeightMap;
  readonly buffers?: WeightMap;
  readonly partitionBuffers?: WeightMap[];
}

type Slot = 'pruneFrom' | 'rewindParams' | 'rewindBuffers' | 'buffers';

/**
 * Which optional maps a checkpoint has (an empty map and an absent one differ). COLT's
 * per-partition buffers are stored in the 'buffers' slot, one part per partition (a run has
 * either those or IMP's single buffers map); older checkpoints have no `partitionBuffers` count.
 */
interface Slots {
  pruneFrom: number;
  rewindParams: boolean;
  rewindBuffers: boolean;
  buffers: boolean;
  partitionBuffers?: number;
}

/**
 * Replaces a run's checkpoint with this round's state and deletes the previous state's tensors
 * that nothing else uses. A final round keeps no state: nothing continues after it. Call inside
 * the round's transaction.
 */
export function saveCheckpointState(db: Db, runId: number, ticketId: number, c: RoundCheckpoint, now?: () => Date): void {
  const old = db.prepare('SELECT tensor_id FROM checkpoint_tensors WHERE run_id = ?').pluck().all(runId) as number[];
  db.prepare('DELETE FROM checkpoint_tensors WHERE run_id = ?').run(runId);
  const keep = !c.final;
  const slots: Slots = {
    pruneFrom: keep ? c.pruneFrom.length : 0,
    rewindParams: keep && c.rewindParams !== undefined,
    rewindBuffers: keep && c.rewindBuffers !== undefined,
    buffers: keep && c.buffers !== undefined,
    partitionBuffers: keep ? (c.partitionBuffers?.length ?? 0) : 0,
  };
  db.prepare(
    `INSERT INTO checkpoints (run_id, round, ticket_id, final, slots, updated) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (run_id) DO UPDATE SET round = excluded.round, ticket_id = excluded.ticket_id, final = excluded.final,
       slots = excluded.slots, updated = excluded.updated`,
  ).run(runId, c.record.round, ticketId, c.final ? 1 : 0, JSON.stringify(slots), isoNow(now));
  if (keep) {
    const ins = db.prepare('INSERT INTO checkpoint_tensors (run_id, slot, part, name, position, tensor_id) VALUES (?, ?, ?, ?, ?, ?)');
    const write = (slot: Slot, part: number, map: WeightMap): void => {
      let position = 0;
      for (const [name, values] of map) ins.run(runId, slot, part, name, position++, putTensor(db, values));
    };
    c.pruneFrom.forEach((m, k) => write('pruneFrom', k, m));
    if (c.rewindParams) write('rewindParams', 0, c.rewindParams);
    if (c.rewindBuffers) write('rewindBuffers', 0, c.rewindBuffers);
    if (c.buffers) write('buffers', 0, c.buffers);
    else c.partitionBuffers?.forEach((m, k) => write('buffers', k, m));
  }
  deleteOrphanTensors(db, old);
}

/** True when a run's latest checkpoint is its last round (nothing left to compute). */
export function hasFinalCheckpoint(db: Db, runId: number): boolean {
  return db.prepare('SELECT final FROM checkpoints WHERE run_id = ?').pluck().get(runId) === 1;
}

/** A run's latest checkpoint state, or undefined when no round has finished. */
export function loadCheckpointState(db: Db, runId: number): CheckpointState | undefined {
  const row = db.prepare('SELECT round, ticket_id, final, slots FROM checkpoints WHERE run_id = ?').get(runId) as
    | { round: number; ticket_id: number; final: number; slots: string }
    | undefined;
  if (!row) return undefined;
  let slots: Slots;
  try {
    slots = JSON.parse(row.slots) as Slots;
  } catch {
    throw new LabError('storage', `the library is damaged: the checkpoint of run ${runId} is unreadable`, { table: 'checkpoints', run: runId });
  }
  const rows = db.prepare('SELECT slot, part, name, tensor_id FROM checkpoint_tensors WHERE run_id = ? ORDER BY slot, part, position').all(runId) as {
    slot: Slot;
    part: number;
    name: string;
    tensor_id: number;
  }[];
  const pruneFrom: WeightMap[] = Array.from({ length: slots.pruneFrom }, () => new Map());
  const partitionBuffers: WeightMap[] = Array.from({ length: slots.partitionBuffers ?? 0 }, () => new Map());
  const maps: Record<Exclude<Slot, 'pruneFrom'>, WeightMap> = { rewindParams: new Map(), rewindBuffers: new Map(), buffers: new Map() };
  for (const r of rows) {
    const target = r.slot === 'pruneFrom' ? pruneFrom[r.part] : r.slot === 'buffers' && partitionBuffers.length > 0 ? partitionBuffers[r.part] : maps[r.slot];
    if (!target) throw new LabError('storage', `run ${runId}: checkpoint tensor ${r.slot}[${r.part}] ${r.name} has no slot`);
    target.set(r.name, getTensor(db, r.tensor_id, undefined, `run ${runId} checkpoint ${r.slot}[${r.part}] ${r.name}`));
  }
  return {
    round: row.round,
    ticketId: row.ticket_id,
    final: row.final === 1,
    pruneFrom,
    ...(slots.rewindParams ? { rewindParams: maps.rewindParams } : {}),
    ...(slots.rewindBuffers ? { rewindBuffers: maps.rewindBuffers } : {}),
    ...(slots.buffers ? { buffers: maps.buffers } : {}),
    ...(partitionBuffers.length > 0 ? { partitionBuffers } : {}),
  };
}
