import type Database from 'better-sqlite3';

/**
 * The WebGPU adapter a run trained on (name, native API, vendor, architecture, device, driver
 * description, software or hardware, limits) as JSON; NULL for the other backends and older runs.
 */
export function up(db: Database.Database): void {
  db.exec(`ALTER TABLE runs ADD COLUMN backend_adapter TEXT CHECK (backend_adapter IS NULL OR json_valid(backend_adapter))`);
}
