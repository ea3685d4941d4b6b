// A damaged library (issue 14, Must show): bytes of a real library file are overwritten, as a bad
// disk or a stray write would, and every command that reads what was hit refuses with an error
// naming it (ticket, layer, tensor, table) instead of exporting, evaluating or resuming from garbage.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabService } from '../../../main/service/lab-service.js';
import { colt } from '../../helpers/cli.js';
import { workTimeout } from '../../helpers/work-timeout.js';
import { coltWatching, tinyRun } from './library-run.js';

let base: string;
/** An experiment paused after its first rounds: a finished ticket, and checkpoint state to resume from. */
let pristine: string;

/** A copy of the pristine library to damage, with its WAL folded into the file (nothing outside it). */
function copy(name: string): string {
  const file = path.join(base, `${name}.sqlite`);
  copyFileSync(pristine, file);
  return file;
}

/** Overwrites `length` bytes in the middle of a blob chosen by `sql` (which selects one BLOB), found where it lies in the file. */
function damageBlob(file: string, sql: string, length = 64): void {
  const db = new Database(file, { readonly: true });
  const blob = db.prepare(sql).pluck().get() as Buffer;
  db.close();
  const bytes = readFileSync(file);
  // A run of the blob's bytes that occurs once in the file marks where to write.
  const probe = blob.subarray(Math.floor(blob.length / 2), Math.floor(blob.length / 2) + 48);
  const at = bytes.indexOf(probe);
  expect(at, 'the probe is in the file').toBeGreaterThan(0);
  expect(bytes.indexOf(probe, at + 1), 'the probe is unique').toBe(-1);
  for (let i = 0; i < length; i++) bytes[at + i] ^= 0x5a;
  writeFileSync(file, bytes);
}

// Up to two CLI processes per test.
describe('a damaged library', { timeout: workTimeout(2, 10_000) }, () => {
  beforeAll(async () => {
    base = mkdtempSync(path.join(tmpdir(), 'colt-damaged-'));
    pristine = path.join(base, 'pristine.sqlite');
    const env = { COLT_HOME: base };
    // Paused (Ctrl-C) once round 1 is stored: rounds 0 and 1 with their tickets, and round 1's state.
    const r = await coltWatching(tinyRun(pristine, 6), env, (round, child) => {
      if (round === 1) child.kill('SIGINT');
    });
    expect(r.code, r.stderr).toBe(130);
    const db = new Database(pristine);
    db.pragma('wal_checkpoint(TRUNCATE)');
    expect(db.prepare("SELECT status FROM runs WHERE id = 1").pluck().get()).toBe('interrupted');
    expect(db.prepare('SELECT count(*) FROM checkpoint_tensors').pluck().get()).toBeGreaterThan(0);
    db.close();
    // One CLI process (~10 s to start and load the data under load) and two rounds of 20 iterations.
  }, workTimeout(1, 10_000) + workTimeout(40, 50, 0));

  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('refuses to export, compare or report a ticket whose mask was overwritten, naming the ticket and layer', async () => {
    const lib = copy('mask');
    damageBlob(lib, "SELECT bits FROM ticket_masks WHERE ticket_id = 2 AND layer = 'fc1.weight'");
    const out = path.join(base, 'out.safetensors');
    const exported = await colt(['tickets', 'export', '2', out, '--library', lib], { COLT_HOME: base });
    expect(exported.code).toBe(1);
    expect(exported.stderr).toMatch(/the library is damaged: ticket t2 mask fc1\.weight does not match its stored sha256/);
    expect(existsSync(out)).toBe(false);
    const report = await colt(['report', '1', '--out', path.join(base, 'r.html'), '--library', lib], { COLT_HOME: base });
    expect(report.code).toBe(1);
    expect(report.stderr).toMatch(/the library is damaged: ticket t2 mask fc1\.weight/);
    const service = new LabService({ dataDir: base, libraryPath: lib, fileRoots: [base] });
    try {
      for (const [command, input] of [
        ['tickets.masks', { id: 2 }],
        ['tickets.compare', { a: 1, b: 2 }],
        ['tickets.export', { id: 2 }],
      ] as const) {
        await expect(service.call(command, input), command).rejects.toMatchObject({ code: 'storage', message: expect.stringMatching(/the library is damaged: ticket t2 mask fc1\.weight/) });
      }
      // The undamaged ticket still exports.
      expect(await service.call('tickets.export', { id: 1 })).toMatchObject({ size: expect.any(Number) });
    } finally {
      await service.close();
    }
  });

  it('refuses to export weights that do not match their sha256, naming the tensor and what uses it', async () => {
    const lib = copy('weights');
    damageBlob(lib, "SELECT t.data FROM tensors t JOIN ticket_weights w ON w.tensor_id = t.id WHERE w.ticket_id = 1 AND w.role = 'init' AND w.layer = 'fc2.weight'");
    const exported = await colt(['tickets', 'export', '1', path.join(base, 'w.safetensors'), '--library', lib], { COLT_HOME: base });
    expect(exported.code).toBe(1);
    expect(exported.stderr).toMatch(/the library is damaged: tensor \d+ \(ticket t1 init fc2\.weight\) does not match its stored sha256/);
    expect(existsSync(path.join(base, 'w.safetensors'))).toBe(false);
  });

  it('refuses to resume from checkpoint state that was overwritten, and leaves the run interrupted', async () => {
    const lib = copy('checkpoint');
    // The largest tensor of the state the run continues from (the trained weights it prunes from next).
    damageBlob(lib, "SELECT t.data FROM tensors t JOIN checkpoint_tensors c ON c.tensor_id = t.id WHERE c.run_id = 1 ORDER BY length(t.data) DESC LIMIT 1");
    const r = await colt(['resume', '--all', '--library', lib], { COLT_HOME: base });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the library is damaged: tensor \d+ \(run 1 checkpoint \w+\[\d\] [\w.]+\) does not match its stored sha256/);
    const runs = await colt(['runs', 'list', '--json', '--library', lib], { COLT_HOME: base });
    expect(runs.lines.map((x) => x.status)).toEqual(['interrupted']);
  });

  it('checks a library that was not closed cleanly, and refuses it naming the damaged table', async () => {
    const lib = copy('pages');
    const db = new Database(lib, { readonly: true });
    const root = db.prepare("SELECT rootpage FROM sqlite_schema WHERE name = 'rounds'").pluck().get() as number;
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.close();
    const bytes = readFileSync(lib);
    const garbage = createHash('sha512').update('garbage').digest();
    for (let i = 0; i < pageSize; i++) bytes[(root - 1) * pageSize + i] = garbage[i % garbage.length];
    writeFileSync(lib, bytes);
    // What a killed writer leaves beside the file.
    writeFileSync(`${lib}-wal`, Buffer.alloc(4096, 1));
    const before = readFileSync(lib);
    const r = await colt(['runs', 'list', '--library', lib], { COLT_HOME: base });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/library .*pages\.sqlite is damaged \(table rounds\)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readFileSync(lib).equals(before)).toBe(true);
  });
});
