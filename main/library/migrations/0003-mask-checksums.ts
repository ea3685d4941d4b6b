import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';

/**
 * A sha256 for every stored mask (tensors have had one from the start), so a damaged mask is
 * refused when read instead of exported as another ticket. Existing masks get theirs here.
 */
export function up(db: Database.Database): void {
  db.exec('ALTER TABLE ticket_masks ADD COLUMN sha256 BLOB');
  const set = db.prepare('UPDATE ticket_masks SET sha256 = ? WHERE ticket_id = ? AND layer = ?');
  for (const row of db.prepare('SELECT ticket_id, layer, bits FROM ticket_masks').iterate() as IterableIterator<{ ticket_id: number; layer: string; bits: Buffer }>) {
    set.run(createHash('sha256').update(row.bits).digest(), row.ticket_id, row.layer);
  }
}
