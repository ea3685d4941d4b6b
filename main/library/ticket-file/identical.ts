import { createHash } from 'node:crypto';
import type { Mask } from '../../lab/masks.js';
import type { ModelDef } from '../../lab/models/types.js';
import type { WeightMap } from '../../lab/weights.js';
import { packBits } from '../bit-pack.js';
import type { Db } from '../db.js';
import { f32ToLeBytes } from '../tensors.js';

/**
 * The stored ticket with exactly these masks and this θ0 on the same architecture and input, if
 * any: a file exported from this library (or anyone's copy of the same ticket) is the ticket it was
 * exported from, not a new one. θ0 layers are found by content (the tensor store keeps each once,
 * by sha256); masks compare bit for bit. A run's ticket is preferred to an imported copy.
 */
export function findIdenticalTicket(db: Db, def: ModelDef, mask: Mask, init: WeightMap): number | undefined {
  const tensorOf = db.prepare('SELECT id FROM tensors WHERE sha256 = ?').pluck();
  const ids = new Map<string, number>();
  for (const [layer, values] of init) {
    const id = tensorOf.get(createHash('sha256').update(f32ToLeBytes(values)).digest()) as number | undefined;
    if (id === undefined) return undefined;
    ids.set(layer, id);
  }
  const [firstLayer, firstId] = [...ids][0] ?? [];
  if (firstLayer === undefined) return undefined;
  const candidates = db
    .prepare(
      `SELECT t.id FROM ticket_weights w JOIN tickets t ON t.id = w.ticket_id
       WHERE w.role = 'init' AND w.layer = ? AND w.tensor_id = ? AND t.arch = ? AND t.input_shape = ? AND t.classes = ?
       ORDER BY t.run_id IS NULL, t.id`,
    )
    .pluck()
    .all(firstLayer, firstId, def.arch, JSON.stringify(def.inputShape), def.classes) as number[];
  const weightsOf = db.prepare("SELECT layer, tensor_id FROM ticket_weights WHERE ticket_id = ? AND role = 'init'").raw();
  const masksOf = db.prepare('SELECT layer, bits FROM ticket_masks WHERE ticket_id = ?').raw();
  const packed = new Map([...mask].map(([layer, m]) => [layer, Buffer.from(packBits(m))]));
  for (const id of candidates) {
    const weights = weightsOf.all(id) as [string, number][];
    if (weights.length !== ids.size || weights.some(([layer, t]) => ids.get(layer) !== t)) continue;
    const masks = masksOf.all(id) as [string, Buffer][];
    if (masks.length !== packed.size || masks.some(([layer, bits]) => !packed.get(layer)?.equals(bits))) continue;
    return id;
  }
  return undefined;
}
