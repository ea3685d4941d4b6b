// The CLI against hostile files and arguments (issue 14, Low): escape sequences from an imported
// ticket are shown escaped, `--set` cannot reach Object.prototype, `--version` answers, and the
// browsing commands never turn a file into a library.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportTicketBytes } from '../../../main/library/ticket-file/ticket-io.js';
import { colt } from '../../helpers/cli.js';
import { workTimeout } from '../../helpers/work-timeout.js';
import { tempLibrary } from '../../unit/library/helpers.js';
import { makeTicket, storeTicket } from '../../unit/library/ticket-fixtures.js';

let base: string;

/** A valid ticket file whose metadata says `dataset` is the given text. */
function ticketWithDataset(dataset: string): Buffer {
  const fixture = tempLibrary();
  try {
    const bytes = Buffer.concat(exportTicketBytes(fixture.db, storeTicket(fixture.db, makeTicket('lenet-300-100', [28, 28, 1], 10)), { appVersion: 'test' }));
    const n = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as { __metadata__: Record<string, string> };
    header.__metadata__.dataset = dataset;
    const json = Buffer.from(JSON.stringify(header));
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(json.length));
    return Buffer.concat([length, json, bytes.subarray(8 + n)]);
  } finally {
    fixture.db.close();
    fixture.cleanup();
  }
}

// Up to four CLI processes per test.
describe('the CLI and hostile input', { timeout: workTimeout(4, 10_000) }, () => {
  beforeAll(() => {
    base = mkdtempSync(path.join(tmpdir(), 'colt-cli-hygiene-'));
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('prints what an imported file says with its control characters escaped', async () => {
    const lib = path.join(base, 'library.sqlite');
    // A file name and a metadata field that would clear the screen, retitle the window and reverse text.
    const file = path.join(base, 'evil\x1b[2J.safetensors');
    writeFileSync(file, ticketWithDataset('mnist\x1b]0;pwned\x07\u202egnp.exe\u009b31m'));
    const imported = await colt(['tickets', 'import', file, '--library', lib], { COLT_HOME: base });
    expect(imported.code, imported.stderr).toBe(0);
    for (const args of [['tickets', 'list'], ['tickets', 'show', '1']]) {
      const r = await colt([...args, '--library', lib], { COLT_HOME: base });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout + r.stderr, args.join(' ')).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]/);
      expect(r.stdout, args.join(' ')).toContain('\\u001b');
    }
    // JSON lines stay JSON, and decode to the text the file holds.
    const json = await colt(['tickets', 'list', '--json', '--library', lib], { COLT_HOME: base });
    expect(json.lines[0]).toMatchObject({ dataset: 'mnist\x1b]0;pwned\x07\u202egnp.exe\u009b31m', sourceFile: 'evil\x1b[2J.safetensors' });
  });

  it('exports over an existing file only with --force, and never over the library', async () => {
    const lib = path.join(base, 'library.sqlite');
    const notes = path.join(base, 'notes.txt');
    writeFileSync(notes, 'my notes\n');
    const refused = await colt(['tickets', 'export', '1', notes, '--library', lib], { COLT_HOME: base });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/notes\.txt exists; pass --force to overwrite it/);
    expect(readFileSync(notes, 'utf8')).toBe('my notes\n');
    const size = statSync(lib).size;
    const overLibrary = await colt(['tickets', 'export', '1', lib, '--force', '--library', lib], { COLT_HOME: base });
    expect(overLibrary.code).toBe(2);
    expect(overLibrary.stderr).toMatch(/is the library \(or its WAL\); a ticket is never written over it/);
    expect(statSync(lib).size).toBe(size);
    const forced = await colt(['tickets', 'export', '1', notes, '--force', '--library', lib], { COLT_HOME: base });
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(notes).length).toBeGreaterThan(1000);
  });

  it('refuses a --set path that reaches Object.prototype (every such path: test/unit/cli/config-overrides.test.ts)', async () => {
    const r = await colt(['run', '--preset', 'quick', '--set', '__proto__.polluted=1', '--library', path.join(base, 'never.sqlite')], { COLT_HOME: base });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--set '__proto__.polluted=1': '__proto__' is not a config field/);
    expect(readdirSync(base)).not.toContain('never.sqlite');
  });

  it('answers --version with the package version', async () => {
    const r = await colt(['--version']);
    expect(r.code, r.stderr).toBe(0);
    const pkg = JSON.parse(readFileSync(path.join(import.meta.dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('never makes a library out of an empty file or a refused import', async () => {
    const empty = path.join(base, 'empty.sqlite');
    writeFileSync(empty, '');
    for (const args of [['tickets', 'list'], ['resume', '--all']]) {
      const r = await colt([...args, '--library', empty], { COLT_HOME: base });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/empty file, not a COLT Lab library/);
    }
    expect(statSync(empty).size).toBe(0);
    expect(readdirSync(base).filter((f) => f.startsWith('empty.sqlite'))).toEqual(['empty.sqlite']);
    const bad = path.join(base, 'bad.safetensors');
    writeFileSync(bad, 'not a ticket at all');
    const refused = await colt(['tickets', 'import', bad, '--library', path.join(base, 'fresh.sqlite')], { COLT_HOME: base });
    expect(refused.code).toBe(2);
    expect(readdirSync(base).filter((f) => f.startsWith('fresh'))).toEqual([]);
  });
});
