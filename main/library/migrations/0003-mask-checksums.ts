import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';

/**
 * A sha256 for every stored mask (tensors have had one from the start), so a damaged mask is
 * refused when read instead of exported as another ticket. Existing masks get theirs here.
 */
export function up(db: Database.Database): void {
  db.exec('ALTER TABLE ticket_masks ADD COLUMN sha256 BLOB');
  const get = db.prepare('SELECT bits FROM ticket_masks WHERE ticket_id = ? AND layer = ?').pluck();
  const set = db.prepare('UPDATE ticket_masks SET sha256 = ? WHERE ticket_id = ? AND layer = ?');
  // Keys first, then one mask at a time: a statement cannot write while another iterates, and all the bits at once could be gigabytes.
  const keys = db.prepare('SELECT ticket_id, layer FROM ticket_masks').all() as { ticket_id: number; layer: string }[];
  for (const k of keys) set.run(createHash('sha256').update(get.get(k.ticket_id, k.layer) as Buffer).digest(), k.ticket_id, k.layer);
}
