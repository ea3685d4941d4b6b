import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { LabError } from '../contract/errors.js';
import { MIGRATIONS } from './migrations/index.js';

/** An open library connection (better-sqlite3). Repos receive it; there is no global connection. */
export type Db = Database.Database;

/** Schema version this build writes: the number of the last migration. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** `PRAGMA application_id` of a COLT Lab library ("COLT"), so other SQLite files are never migrated. */
export const APPLICATION_ID = 0x434f4c54;

/** How long a connection waits for another process's write lock before giving up (ms). */
export const BUSY_TIMEOUT_MS = 10_000;

/** Options of openLibrary. */
export interface OpenOptions {
  /** Refuse a path with no library yet (browsing commands) instead of creating one. */
  readonly mustExist?: boolean;
  /**
   * Only read (browsing commands; implies mustExist): an empty file or one without a library in
   * it is refused rather than turned into one. A library of an older schema is still migrated.
   */
  readonly readOnly?: boolean;
}

/**
 * Opens (creating when allowed) a library file: checks it is a COLT Lab library no newer than
 * this build, applies pending migrations one transaction each, then turns on WAL, foreign keys
 * and a busy timeout. A library written by a newer version is refused before anything is written.
 * A library whose last writer did not close it (a WAL file is left) is checked with
 * `PRAGMA quick_check` first, and a damaged one is refused naming the damaged table.
 */
export function openLibrary(file: string, options: OpenOptions = {}): Db {
  const resolved = path.resolve(file);
  if (options.readOnly && existsSync(resolved)) {
    const db = openReadOnly(resolved);
    if (db) return db;
  }
  if (!existsSync(resolved)) {
    if (options.mustExist || options.readOnly) {
      throw new LabError('not_found', `no library at ${resolved} (a library is created by \`colt run\`; pass --library PATH to use another)`, {
        library: resolved,
      });
    }
    try {
      mkdirSync(path.dirname(resolved), { recursive: true });
    } catch (e) {
      throw new LabError('storage', `cannot create the folder of library ${resolved} (${(e as NodeJS.ErrnoException).code ?? String(e)})`, {
        library: resolved,
      });
    }
  }
  if (options.mustExist && statSync(resolved).size === 0) {
    throw new LabError('not_found', `${resolved} is an empty file, not a COLT Lab library (a library is created by \`colt run\`; pass --library PATH to use another)`, { library: resolved });
  }
  const unclean = leftUnclean(resolved);
  let db: Db;
  try {
    db = connect(resolved, false);
  } catch (e) {
    throw openError(e, resolved);
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    const version = checkVersion(db, resolved);
    if (unclean) checkIntegrity(db, resolved);
    db.pragma('foreign_keys = ON');
    if (version < SCHEMA_VERSION) migrate(db, resolved);
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (String(mode).toLowerCase() !== 'wal') {
      throw new LabError('storage', `library ${resolved}: cannot switch to WAL journaling (got '${String(mode)}'); is the folder on a network or read-only file system?`);
    }
    // FULL syncs the WAL at every commit: a finished round survives a power cut, not only a kill.
    db.pragma('synchronous = FULL');
    return db;
  } catch (e) {
    db.close();
    throw openError(e, resolved);
  }
}

function connect(file: string, readonly: boolean): Db {
  // The desktop app points at a better-sqlite3 build for Electron's ABI (build/electron-native.mjs);
  // the CLI and tests use the Node build in node_modules.
  const binding = process.env.COLT_SQLITE_BINDING;
  return new Database(file, { ...(binding ? { nativeBinding: binding } : {}), ...(readonly ? { readonly: true, fileMustExist: true } : {}) });
}

/**
 * A read-only connection to an existing library at this build's schema, or undefined when the
 * library needs a migration first (the caller then opens it for writing, which migrates).
 */
function openReadOnly(file: string): Db | undefined {
  if (statSync(file).size === 0) {
    throw new LabError('not_found', `${file} is an empty file, not a COLT Lab library (a library is created by \`colt run\`; pass --library PATH to use another)`, { library: file });
  }
  const unclean = leftUnclean(file);
  let db: Db;
  try {
    db = connect(file, true);
  } catch (e) {
    throw openError(e, file);
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    const version = checkVersion(db, file);
    if (version === 0) throw new LabError('not_found', `${file} holds no COLT Lab library yet (a library is created by \`colt run\`)`, { library: file });
    if (unclean) checkIntegrity(db, file);
    if (version < SCHEMA_VERSION) {
      db.close();
      return undefined;
    }
    return db;
  } catch (e) {
    if (db.open) db.close();
    throw openError(e, file);
  }
}

/** True when a non-empty WAL file sits beside the library: its last writer did not close it (or one has it open now). */
function leftUnclean(file: string): boolean {
  return existsSync(file) && (statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0) > 0;
}

/**
 * `PRAGMA quick_check` (every page and index of the file, not the cross-checks integrity_check
 * adds; about half a second per GB here), refusing a damaged library with the table at fault.
 */
function checkIntegrity(db: Db, file: string): void {
  let found: string[];
  try {
    found = (db.pragma('quick_check(5)') as { quick_check: string }[]).map((r) => r.quick_check);
  } catch (e) {
    // So damaged that the check itself stops: find the tables that cannot be read.
    found = [`${(e as Error).message}`];
  }
  if (found.length === 1 && found[0] === 'ok') return;
  const text = found.join('; ');
  const tree = /Tree (\d+) page/.exec(text);
  const table = tree ? (db.prepare('SELECT name FROM sqlite_schema WHERE rootpage = ?').pluck().get(Number(tree[1])) as string | undefined) : unreadableTables(db).join(', ') || undefined;
  throw new LabError(
    'storage',
    `library ${file} is damaged${table ? ` (${table.includes(',') ? 'tables' : 'table'} ${table})` : ''}: ${text.slice(0, 300)}. Nothing was changed; restore it from a backup, or rescue what is readable with \`sqlite3 ${path.basename(file)} .recover\``,
    { library: file, ...(table ? { table } : {}) },
  );
}

/** The tables whose pages cannot be walked (each counted on its own). */
function unreadableTables(db: Db): string[] {
  const names = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all() as string[];
  return names.filter((name) => {
    try {
      // NOT INDEXED: walk the table itself, not a smaller index that would count its rows.
      db.prepare(`SELECT count(*) FROM "${name.replace(/"/g, '""')}" NOT INDEXED`).pluck().get();
      return false;
    } catch {
      return true;
    }
  });
}

/** An error while opening, with a plain message; a read-only file system is said to be one. */
function openError(e: unknown, file: string): LabError {
  if (e instanceof LabError) return e;
  const code = typeof (e as { code?: unknown })?.code === 'string' ? (e as { code: string }).code : '';
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_IOERR')) {
    try {
      accessSync(path.dirname(file), constants.W_OK);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EROFS') {
        return new LabError('storage', `library ${file} is on a read-only file system: SQLite writes a -shm file beside a library even to read it; copy the library to a writable folder and pass --library`, { library: file, reason: 'read-only' });
      }
    }
  }
  return storageError(e, `open library ${file}`);
}

/** Reads user_version and application_id; refuses newer schemas and foreign files without writing. */
function checkVersion(db: Db, file: string): number {
  const version = Number(db.pragma('user_version', { simple: true }));
  const appId = Number(db.pragma('application_id', { simple: true }));
  const tables = Number(db.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").pluck().get());
  if (appId !== APPLICATION_ID && (appId !== 0 || tables > 0 || version !== 0)) {
    throw new LabError('storage', `${file} is an SQLite file but not a COLT Lab library (application_id ${appId}); refusing to change it`, {
      library: file,
    });
  }
  if (version === 0 && tables > 0) {
    throw new LabError('storage', `library ${file} has tables but schema version 0 (its PRAGMA user_version was reset?); refusing to migrate it over them. The file was not changed.`, { library: file });
  }
  if (version > SCHEMA_VERSION) {
    throw new LabError(
      'storage',
      `library ${file} was written by a newer COLT Lab (schema version ${version}; this version knows up to ${SCHEMA_VERSION}); update COLT Lab or use another --library. The file was not changed.`,
      { library: file, version, supported: SCHEMA_VERSION },
    );
  }
  return version;
}

/** Applies every migration above the file's version, each in its own IMMEDIATE transaction. */
function migrate(db: Db, file: string): void {
  for (let n = 1; n <= MIGRATIONS.length; n++) {
    const migration = MIGRATIONS[n - 1];
    const apply = db.transaction(() => {
      // Re-read inside the write lock: another process may have migrated meanwhile.
      const current = Number(db.pragma('user_version', { simple: true }));
      if (current >= n) return;
      if (current !== n - 1) throw new LabError('storage', `library ${file}: schema version ${current} cannot take migration ${n}`);
      migration.up(db);
      if (n === 1) db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${n}`);
    });
    try {
      apply.immediate();
    } catch (e) {
      throw e instanceof LabError ? e : storageError(e, `migrate library ${file} to schema version ${n} (${migration.name})`);
    }
  }
}

/** The schema version of an open library. */
export function schemaVersion(db: Db): number {
  return Number(db.pragma('user_version', { simple: true }));
}

/** Runs a write transaction (IMMEDIATE, so concurrent writers queue instead of failing to upgrade) and classifies SQLite errors. */
export function writeTransaction<T>(db: Db, action: string, fn: () => T): T {
  try {
    return db.transaction(fn).immediate();
  } catch (e) {
    throw e instanceof LabError ? e : storageError(e, action);
  }
}

/** Runs a read (or single-statement) operation and classifies SQLite errors. */
export function guard<T>(action: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw e instanceof LabError ? e : storageError(e, action);
  }
}

/** Turns a SQLite (or file system) error into a LabError naming what failed; the raw text goes to details only. */
export function storageError(e: unknown, action: string): LabError {
  if (e instanceof LabError) return e;
  const code = typeof (e as { code?: unknown })?.code === 'string' ? (e as { code: string }).code : '';
  const raw = e instanceof Error ? e.message : String(e);
  const details = { action, sqlite: code, cause: raw };
  if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED' || code.startsWith('SQLITE_LOCKED_')) {
    return new LabError('busy', `${action}: the library is locked by another process (waited ${BUSY_TIMEOUT_MS / 1000} s); try again`, details);
  }
  if (code === 'SQLITE_NOTADB') return new LabError('storage', `${action}: the file is not an SQLite database`, details);
  if (code === 'SQLITE_CORRUPT' || code.startsWith('SQLITE_CORRUPT_')) {
    return new LabError('storage', `${action}: the library file is damaged (run \`sqlite3 FILE "PRAGMA integrity_check"\`)`, details);
  }
  if (code === 'SQLITE_FULL') return new LabError('storage', `${action}: the disk is full`, details);
  if (code === 'SQLITE_READONLY' || code.startsWith('SQLITE_READONLY_') || code === 'SQLITE_PERM') {
    return new LabError('storage', `${action}: the library is read-only (check the file's permissions)`, details);
  }
  if (code === 'SQLITE_CANTOPEN' || code.startsWith('SQLITE_CANTOPEN_')) {
    return new LabError('storage', `${action}: cannot open the file (missing folder or no permission)`, details);
  }
  if (code.startsWith('SQLITE_IOERR')) return new LabError('storage', `${action}: a disk read or write failed (${code})`, details);
  if (code.startsWith('SQLITE_CONSTRAINT')) {
    return new LabError('storage', `${action}: the write breaks a library rule (${constraintKind(code)})`, details);
  }
  if (code.startsWith('SQLITE_')) return new LabError('storage', `${action}: SQLite error ${code}`, details);
  return new LabError('internal', `${action}: ${raw}`, details);
}

function constraintKind(code: string): string {
  switch (code) {
    case 'SQLITE_CONSTRAINT_UNIQUE':
    case 'SQLITE_CONSTRAINT_PRIMARYKEY':
      return 'a row with the same key exists already';
    case 'SQLITE_CONSTRAINT_FOREIGNKEY':
      return 'it refers to a row that does not exist';
    case 'SQLITE_CONSTRAINT_CHECK':
      return 'a value is out of its allowed range';
    case 'SQLITE_CONSTRAINT_NOTNULL':
      return 'a required value is missing';
    default:
      return code;
  }
}

/** The current time as an ISO-8601 UTC string (what every `created`/`updated` column holds). */
export function isoNow(now: () => Date = () => new Date()): string {
  return now().toISOString();
}
