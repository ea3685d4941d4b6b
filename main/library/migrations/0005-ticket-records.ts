import type Database from 'better-sqlite3';

/**
 * What the library knows about a ticket beyond its tensors: where an imported ticket came from and
 * the accuracy its file stated (ticket_origins), and evaluations that trained a ticket on a
 * dataset (ticket_evaluations, tickets.evaluate). Both go with their ticket.
 */
export function up(db: Database.Database): void {
  db.exec(`
    CREATE TABLE ticket_origins (
      ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
      test_accuracy REAL,
      val_accuracy REAL,
      provenance TEXT NOT NULL CHECK (json_valid(provenance))
    ) STRICT;

    CREATE TABLE ticket_evaluations (
      id INTEGER PRIMARY KEY,
      ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
      dataset TEXT NOT NULL,
      config TEXT NOT NULL CHECK (json_valid(config)),
      status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'finished', 'failed', 'cancelled')),
      test_accuracy REAL,
      val_accuracy REAL,
      samples INTEGER,
      seconds REAL,
      backend TEXT,
      error TEXT,
      created TEXT NOT NULL,
      finished TEXT
    ) STRICT;
    CREATE INDEX ticket_evaluations_ticket ON ticket_evaluations(ticket_id);
  `);
}
