import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { LabError } from '../../../main/contract/errors.js';
import { APPLICATION_ID, openLibrary, SCHEMA_VERSION, schemaVersion, storageError } from '../../../main/library/db.js';
import { MIGRATIONS } from '../../../main/library/migrations/index.js';
import { rowCounts, TABLES, tempDir } from './helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function folder(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

function caught(fn: () => unknown): LabError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LabError);
    return e as LabError;
  }
  throw new Error('expected a LabError');
}

describe('library file', () => {
  it('creates a library at the latest schema version with WAL, foreign keys and STRICT tables', () => {
    const file = path.join(folder(), 'sub', 'library.sqlite');
    const db = openLibrary(file);
    try {
      expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
      expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
      expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(Number(db.pragma('busy_timeout', { simple: true }))).toBeGreaterThan(0);
      const strict = db.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'table'").all() as { name: string; sql: string }[];
      expect(strict.map((t) => t.name).sort()).toEqual([...TABLES].sort());
      for (const t of strict) expect(t.sql, t.name).toMatch(/\)\s*STRICT/);
      expect(rowCounts(db).runs).toBe(0);
    } finally {
      db.close();
    }
  });

  it('opens an existing library again without re-running migrations', () => {
    const file = path.join(folder(), 'library.sqlite');
    openLibrary(file).close();
    const db = openLibrary(file);
    db.prepare("INSERT INTO datasets (name, checksum, shape, classes, train_count, test_count, created) VALUES ('d', 'c', '[1,1,1]', 2, 1, 1, 'now')").run();
    db.close();
    const again = openLibrary(file);
    expect(rowCounts(again).datasets).toBe(1);
    again.close();
  });

  it('applies each pending migration in its own transaction and records user_version', () => {
    const file = path.join(folder(), 'library.sqlite');
    // A library at version 0 with the application id: what an interrupted first open leaves.
    const raw = new Database(file);
    raw.pragma(`application_id = ${APPLICATION_ID}`);
    raw.close();
    const db = openLibrary(file);
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('refuses a library written by a newer version with a clear message and leaves the file unchanged', () => {
    const file = path.join(folder(), 'library.sqlite');
    openLibrary(file).close();
    const raw = new Database(file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.pragma('journal_mode = DELETE');
    raw.close();
    const before = readFileSync(file);
    const mtime = statSync(file).mtimeMs;
    const e = caught(() => openLibrary(file));
    expect(e.code).toBe('storage');
    expect(e.message).toMatch(new RegExp(`written by a newer COLT Lab \\(schema version ${SCHEMA_VERSION + 1}; this version knows up to ${SCHEMA_VERSION}\\)`));
    expect(e.message).toContain('was not changed');
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(statSync(file).mtimeMs).toBe(mtime);
  });

  it('refuses SQLite files of other applications and files that are not SQLite, without changing them', () => {
    const dir = folder();
    const other = path.join(dir, 'other.sqlite');
    const raw = new Database(other);
    raw.exec('CREATE TABLE notes (x TEXT)');
    raw.close();
    const before = readFileSync(other);
    expect(caught(() => openLibrary(other)).message).toMatch(/not a COLT Lab library/);
    expect(readFileSync(other).equals(before)).toBe(true);

    const text = path.join(dir, 'text.sqlite');
    writeFileSync(text, 'this is not a database at all, just some text that is long enough to fill a header.'.repeat(20));
    const e = caught(() => openLibrary(text));
    expect(e.code).toBe('storage');
    expect(e.message).toMatch(/not an SQLite database/);
  });

  it('says when a browsing command finds no library instead of creating one', () => {
    const file = path.join(folder(), 'missing.sqlite');
    const e = caught(() => openLibrary(file, { mustExist: true }));
    expect(e.code).toBe('not_found');
    expect(e.message).toContain(file);
  });

  it('classifies SQLite errors instead of leaking them raw', () => {
    const busy = storageError(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }), 'write round 3');
    expect(busy.code).toBe('busy');
    expect(busy.message).toMatch(/^write round 3: the library is locked/);
    const full = storageError(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }), 'write round 3');
    expect(full).toMatchObject({ code: 'storage', message: 'write round 3: the disk is full' });
    const unique = storageError(Object.assign(new Error('UNIQUE constraint failed: rounds.run_id, rounds.round'), { code: 'SQLITE_CONSTRAINT_UNIQUE' }), 'x');
    expect(unique.message).toBe('x: the write breaks a library rule (a row with the same key exists already)');
    expect(unique.details?.cause).toContain('UNIQUE');
  });
});
