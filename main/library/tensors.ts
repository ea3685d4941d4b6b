import { createHash } from 'node:crypto';
import { LabError } from '../contract/errors.js';
import type { Db } from './db.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The little-endian bytes of a float32 array (a view, no copy, on little-endian hosts). */
export function f32ToLeBytes(values: Float32Array): Uint8Array {
  const view = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (LITTLE_ENDIAN) return view;
  const out = new Uint8Array(view.length);
  for (let i = 0; i < view.length; i += 4) {
    out[i] = view[i + 3];
    out[i + 1] = view[i + 2];
    out[i + 2] = view[i + 1];
    out[i + 3] = view[i];
  }
  return out;
}

/** A float32 view of little-endian bytes without copying when the host is little-endian and the bytes are 4-byte aligned; else a copy. */
export function leBytesAsF32(bytes: Uint8Array): Float32Array {
  if (LITTLE_ENDIAN && bytes.byteOffset % 4 === 0 && bytes.length % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  return leBytesToF32(bytes);
}

/** Index of the first NaN or infinity, or -1 (tests the exponent bits: faster than Number.isFinite per element). */
export function firstNonFinite(values: Float32Array): number {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0; i < bits.length; i++) if ((bits[i] & 0x7f800000) === 0x7f800000) return i;
  return -1;
}

/** A float32 array read from little-endian bytes (always a copy, so the result is aligned and owned). */
export function leBytesToF32(bytes: Uint8Array): Float32Array {
  if (bytes.length % 4 !== 0) throw new LabError('storage', `float32 data of ${bytes.length} bytes is not a multiple of 4`);
  const out = new Float32Array(bytes.length / 4);
  const target = new Uint8Array(out.buffer);
  if (LITTLE_ENDIAN) target.set(bytes);
  else {
    for (let i = 0; i < bytes.length; i += 4) {
      target[i] = bytes[i + 3];
      target[i + 1] = bytes[i + 2];
      target[i + 2] = bytes[i + 1];
      target[i + 3] = bytes[i];
    }
  }
  return out;
}

/**
 * Stores a float32 tensor once per content and returns its row id: identical θ0 layers of every
 * round, and checkpoint state equal to a ticket's weights, share one row. Call inside a transaction.
 */
export function putTensor(db: Db, values: Float32Array): number {
  const bytes = f32ToLeBytes(values);
  const sha = createHash('sha256').update(bytes).digest();
  const found = db.prepare('SELECT id, length FROM tensors WHERE sha256 = ?').get(sha) as { id: number; length: number } | undefined;
  if (found) {
    if (found.length !== values.length) throw new LabError('storage', 'tensor store: sha256 collision between tensors of different sizes');
    return found.id;
  }
  return Number(db.prepare('INSERT INTO tensors (sha256, length, data) VALUES (?, ?, ?)').run(sha, values.length, bytes).lastInsertRowid);
}

/**
 * Reads a stored tensor, checking its element count when one is expected and its bytes against
 * the sha256 stored with them: a damaged library is refused (naming the tensor and, in `what`,
 * what uses it) instead of handing out other weights.
 */
export function getTensor(db: Db, id: number, expectedLength?: number, what?: string): Float32Array {
  const row = db.prepare('SELECT sha256, length, data FROM tensors WHERE id = ?').get(id) as { sha256: Buffer; length: number; data: Buffer } | undefined;
  const of = what !== undefined ? ` (${what})` : '';
  if (!row) throw new LabError('storage', `the library is damaged: tensor ${id}${of} is missing`, { table: 'tensors', tensor: id });
  if (expectedLength !== undefined && row.length !== expectedLength) {
    throw new LabError('storage', `the library is damaged: tensor ${id}${of} holds ${row.length} values, expected ${expectedLength}`, { table: 'tensors', tensor: id });
  }
  if (row.data.length !== 4 * row.length || !createHash('sha256').update(row.data).digest().equals(row.sha256)) {
    throw new LabError('storage', `the library is damaged: tensor ${id}${of} does not match its stored sha256`, { table: 'tensors', tensor: id });
  }
  // The row's buffer is ours alone: view it when aligned instead of copying.
  return leBytesAsF32(row.data);
}

/** Deletes those of the given tensors no ticket or checkpoint refers to any more. Call inside a transaction. */
export function deleteOrphanTensors(db: Db, ids: Iterable<number>): number {
  const del = db.prepare(
    `DELETE FROM tensors WHERE id = ?
       AND NOT EXISTS (SELECT 1 FROM ticket_weights WHERE tensor_id = ?)
       AND NOT EXISTS (SELECT 1 FROM checkpoint_tensors WHERE tensor_id = ?)`,
  );
  let n = 0;
  for (const id of new Set(ids)) n += del.run(id, id, id).changes;
  return n;
}
