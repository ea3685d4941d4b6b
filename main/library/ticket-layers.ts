import type { Mask } from '../lab/masks.js';
import { unpackBits } from './bit-pack.js';
import type { Db } from './db.js';
import { getTensor } from './tensors.js';
import { getTicketRow } from './tickets.js';

// One ticket's layers read by name, never the whole ticket per request: a ResNet-18 ticket holds
// 45 MB of θ0, and the screens ask for masks or one layer at a time.

/** A stored mask's shape and counts, by layer, in the model's parameter order. */
export interface MaskShape {
  readonly layer: string;
  readonly shape: number[];
  readonly kept: number;
  readonly total: number;
}

/** A ticket's masks (unpacked), without its weights; not_found for an unknown ticket. */
export function ticketMasks(db: Db, id: number): Mask {
  getTicketRow(db, id);
  const rows = db.prepare('SELECT layer, total, bits FROM ticket_masks WHERE ticket_id = ? ORDER BY position').all(id) as { layer: string; total: number; bits: Buffer }[];
  return new Map(rows.map((r) => [r.layer, unpackBits(r.bits, r.total, `ticket ${id} mask ${r.layer}`)]));
}

/** A ticket's mask shapes and kept counts, without the bits. */
export function ticketMaskShapes(db: Db, id: number): MaskShape[] {
  const rows = db.prepare('SELECT layer, shape, kept, total FROM ticket_masks WHERE ticket_id = ? ORDER BY position').all(id) as { layer: string; shape: string; kept: number; total: number }[];
  return rows.map((r) => ({ layer: r.layer, shape: JSON.parse(r.shape) as number[], kept: r.kept, total: r.total }));
}

/** One layer's mask, or undefined for a parameter the ticket does not prune. */
export function ticketLayerMask(db: Db, id: number, layer: string): Uint8Array | undefined {
  const r = db.prepare('SELECT total, bits FROM ticket_masks WHERE ticket_id = ? AND layer = ?').get(id, layer) as { total: number; bits: Buffer } | undefined;
  return r ? unpackBits(r.bits, r.total, `ticket ${id} mask ${layer}`) : undefined;
}

/** One parameter's stored values (θ0 or final), or undefined when the ticket has none. */
export function ticketLayerValues(db: Db, id: number, layer: string, role: 'init' | 'final'): Float32Array | undefined {
  const r = db.prepare('SELECT shape, tensor_id FROM ticket_weights WHERE ticket_id = ? AND layer = ? AND role = ?').get(id, layer, role) as { shape: string; tensor_id: number } | undefined;
  if (!r) return undefined;
  const shape = JSON.parse(r.shape) as number[];
  return getTensor(db, r.tensor_id, shape.reduce((a, d) => a * d, 1));
}

/** The parameters whose trained (final) values a ticket stores. */
export function ticketFinalLayers(db: Db, id: number): Set<string> {
  return new Set(db.prepare("SELECT layer FROM ticket_weights WHERE ticket_id = ? AND role = 'final'").pluck().all(id) as string[]);
}
