import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { LabError } from '../../../main/contract/errors.js';
import { APPLICATION_ID, openLibrary, SCHEMA_VERSION } from '../../../main/library/db.js';
import { up as initial } from '../../../main/library/migrations/0001-initial.js';
import { MIGRATIONS } from '../../../main/library/migrations/index.js';
import { loadTicket } from '../../../main/library/tickets.js';
import { tempDir, tempLibrary } from './helpers.js';
import { makeTicket, storeTicket } from './ticket-fixtures.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function caught(fn: () => unknown): LabError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LabError);
    return e as LabError;
  }
  throw new Error('expected a LabError');
}

function libraryWithTicket(): { file: string; id: number } {
  const t = tempLibrary();
  cleanups.push(t.cleanup);
  const id = storeTicket(t.db, makeTicket('lenet-300-100', [28, 28, 1], 10));
  t.db.close();
  return { file: t.file, id };
}

describe('library integrity', () => {
  it('refuses a ticket whose stored tensor or mask no longer matches its sha256, naming it', () => {
    const { file, id } = libraryWithTicket();
    const raw = new Database(file);
    raw.prepare("UPDATE tensors SET data = zeroblob(length(data)) WHERE id = (SELECT tensor_id FROM ticket_weights WHERE ticket_id = ? AND layer = 'fc2.weight' AND role = 'init')").run(id);
    raw.close();
    const db = openLibrary(file);
    try {
      const e = caught(() => loadTicket(db, id));
      expect(e.code).toBe('storage');
      expect(e.message).toMatch(new RegExp(`the library is damaged: tensor \\d+ \\(ticket t${id} init fc2.weight\\) does not match its stored sha256`));
      expect(e.details).toMatchObject({ table: 'tensors' });
    } finally {
      db.close();
    }
    const raw2 = new Database(file);
    // Same popcount, other bits: only the checksum can tell.
    const bits = raw2.prepare("SELECT bits FROM ticket_masks WHERE ticket_id = ? AND layer = 'fc1.weight'").pluck().get(id) as Buffer;
    const swapped = Buffer.from(bits);
    const k = swapped.findIndex((b, i) => b !== swapped[i + 1]);
    [swapped[k], swapped[k + 1]] = [swapped[k + 1], swapped[k]];
    raw2.prepare("UPDATE ticket_masks SET bits = ? WHERE ticket_id = ? AND layer = 'fc1.weight'").run(swapped, id);
    raw2.prepare('UPDATE tensors SET data = data').run();
    raw2.close();
    const db2 = openLibrary(file);
    try {
      expect(caught(() => loadTicket(db2, id, { final: false })).message).toMatch(/mask fc1.weight does not match its stored sha256/);
    } finally {
      db2.close();
    }
  });

  it('gives masks stored before checksums existed a sha256 when it migrates (0003)', () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const file = path.join(dir, 'old.sqlite');
    // A library at schema version 1, as the first release wrote it, with a ticket.
    const current = openLibrary(path.join(dir, 'source.sqlite'));
    const id = storeTicket(current, makeTicket('lenet-300-100', [28, 28, 1], 10));
    const raw = new Database(file);
    raw.pragma(`application_id = ${APPLICATION_ID}`);
    raw.transaction(() => initial(raw))();
    raw.pragma('user_version = 1');
    raw.exec(`ATTACH '${path.join(dir, 'source.sqlite')}' AS src`);
    // Only the columns version 1 has (later migrations add some to these tables).
    for (const t of ['datasets', 'tensors', 'tickets', 'ticket_weights', 'ticket_masks']) {
      const cols = (raw.prepare(`PRAGMA main.table_info(${t})`).all() as { name: string }[]).map((c) => c.name).join(', ');
      raw.exec(`INSERT INTO main.${t} (${cols}) SELECT ${cols} FROM src.${t}`);
    }
    raw.exec('DETACH src');
    raw.close();
    current.close();
    expect(MIGRATIONS.map((m) => m.name)).toContain('mask-checksums');
    const db = openLibrary(file);
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(db.prepare('SELECT count(*) FROM ticket_masks WHERE sha256 IS NULL').pluck().get()).toBe(0);
      expect(loadTicket(db, id).mask.size).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });

  it('checks a library left with a WAL file by a dead writer, and refuses a damaged one naming the table', () => {
    const { file, id } = libraryWithTicket();
    expect(id).toBe(1);
    const raw = new Database(file);
    const root = raw.prepare("SELECT rootpage FROM sqlite_schema WHERE name = 'tickets'").pluck().get() as number;
    const pageSize = raw.pragma('page_size', { simple: true }) as number;
    raw.close();
    // The page's body overwritten (its first bytes kept), then the WAL file a killed writer leaves.
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(pageSize - 8, 0x33), 0, pageSize - 8, (root - 1) * pageSize + 8);
    closeSync(fd);
    writeFileSync(`${file}-wal`, Buffer.alloc(100, 1));
    const e = caught(() => openLibrary(file));
    expect(e.code).toBe('storage');
    expect(e.message).toMatch(/is damaged \(table tickets\)/);
  });

  it('refuses a library whose tables lost their schema version, changing nothing', () => {
    const { file } = libraryWithTicket();
    const raw = new Database(file);
    raw.pragma('user_version = 0');
    raw.close();
    expect(caught(() => openLibrary(file)).message).toMatch(/has tables but schema version 0/);
  });

  it('refuses an empty file for browsing instead of making it a library', () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const file = path.join(dir, 'empty.sqlite');
    writeFileSync(file, '');
    for (const options of [{ readOnly: true }, { mustExist: true }]) {
      const e = caught(() => openLibrary(file, options));
      expect(e.code).toBe('not_found');
      expect(e.message).toMatch(/empty file, not a COLT Lab library/);
    }
  });
});
