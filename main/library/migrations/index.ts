import type Database from 'better-sqlite3';
import { up as initial } from './0001-initial.js';
import { up as evaluations } from './0002-evaluations.js';
import { up as maskChecksums } from './0003-mask-checksums.js';
import { up as sweepsProvenance } from './0004-sweeps-provenance.js';
import { up as ticketRecords } from './0005-ticket-records.js';
import { up as runAdapter } from './0006-run-adapter.js';

/** One forward migration: its number is its position in MIGRATIONS (1-based), stored in `PRAGMA user_version`. */
export interface Migration {
  readonly name: string;
  up(db: Database.Database): void;
}

/** Every migration in order; append new ones, never edit or reorder old ones. */
export const MIGRATIONS: readonly Migration[] = [
  { name: 'initial', up: initial },
  { name: 'evaluations', up: evaluations },
  { name: 'mask-checksums', up: maskChecksums },
  { name: 'sweeps-provenance', up: sweepsProvenance },
  { name: 'ticket-records', up: ticketRecords },
  { name: 'run-adapter', up: runAdapter },
];
