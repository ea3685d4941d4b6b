import type Database from 'better-sqlite3';
import { up as initial } from './0001-initial.js';
import { up as runAdapter } from './0005-run-adapter.js';

/** One forward migration: its number is its position in MIGRATIONS (1-based), stored in `PRAGMA user_version`. */
export interface Migration {
  readonly name: string;
  up(db: Database.Database): void;
}

/** Every migration in order; append new ones, never edit or reorder old ones. */
export const MIGRATIONS: readonly Migration[] = [
  { name: 'initial', up: initial },
  { name: 'run-adapter', up: runAdapter },
];
