import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../main/contract/api.js';
import { colt, tempHome } from '../../helpers/cli.js';
import { workTimeout } from '../../helpers/work-timeout.js';

const tiny = ['--set', 'training.duration=30it', '--set', 'stop.maxRounds=1', '--set', 'data.trainLimit=1000', '--set', 'data.testLimit=300'];

// Up to ten CLI processes per test, each a few seconds on a loaded 2-core machine.
describe('colt run, runs, tickets and resume with a library', { timeout: workTimeout(10, 5_000) }, () => {
  let home: string;
  let lib: string;
  let start: Record<string, unknown>;

  beforeAll(async () => {
    home = tempHome();
    lib = path.join(home, 'lab.sqlite');
    const r = await colt(['run', '--preset', 'quick', '--json', '--library', lib, ...tiny], { COLT_HOME: home });
    expect(r.code, r.stderr).toBe(0);
    start = r.lines[0];
  }, workTimeout(1, 30_000));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('records the experiment and its runs, and says so on the start line', () => {
    expect(start).toMatchObject({ type: 'start', experimentId: 1, library: lib });
    expect((start.runs as { id: number; method: string; seed: number }[]).map(({ id, method, seed }) => ({ id, method, seed }))).toEqual([
      { id: 1, method: 'imp', seed: 0 },
      { id: 2, method: 'colt', seed: 0 },
      { id: 3, method: 'random', seed: 0 },
    ]);
    expect(existsSync(lib)).toBe(true);
  });

  it('lists runs with filters and shows one with its rounds and tickets', async () => {
    const env = { COLT_HOME: home };
    const all = await colt(['runs', 'list', '--json', '--library', lib], env);
    expect(all.code, all.stderr).toBe(0);
    expect(all.lines.map((r) => [r.id, r.method, r.status, r.roundsDone, r.backend])).toEqual([
      [3, 'random', 'finished', 2, 'wasm'],
      [2, 'colt', 'finished', 2, 'wasm'],
      [1, 'imp', 'finished', 2, 'wasm'],
    ]);
    const sparse = await colt(['runs', 'list', '--json', '--min-sparsity', '25%', '--library', lib], env);
    expect(sparse.lines.map((r) => r.method)).toEqual(['colt']);
    const byMethod = await colt(['runs', 'list', '--json', '--method', 'imp', '--dataset', 'fashion-mnist-sample', '--arch', 'lenet-300-100', '--library', lib], env);
    expect(byMethod.lines.map((r) => r.id)).toEqual([1]);
    expect((await colt(['runs', 'list', '--json', '--since', '2999-01-01', '--library', lib], env)).lines).toEqual([]);
    expect((await colt(['runs', 'list', '--json', '--arch', 'conv2', '--library', lib], env)).lines).toEqual([]);
    const text = await colt(['runs', 'list', '--library', lib], env);
    expect(text.stdout).toMatch(/\n\s+2\s+e1\s+colt\s+0\s+lenet-300-100\s+fashion-mnist-sample\s+finished\s+2\s+2\d\.\d%/);

    // --json prints runs.get's output, exactly the contract's shape.
    const show = await colt(['runs', 'show', '2', '--json', '--library', lib], env);
    const run = COMMANDS['runs.get'].output.parse(show.lines[0]);
    expect(run).toEqual(show.lines[0]);
    expect(run.run.arch).toBe('lenet-300-100');
    expect(run.run.datasetChecksum).toMatch(/^[0-9a-f]{64}$/);
    expect(run.rounds.map((r) => r.round)).toEqual([0, 1]);
    expect(run.rounds[1].overlap).toBeGreaterThan(0);
    expect(run.rounds[1].partitionAccuracies).toHaveLength(2);
    const showText = await colt(['runs', 'show', 'r2', '--library', lib], env);
    expect(showText.stdout).toMatch(/run 2: colt, seed 0 of experiment e1 'quick' \(preset quick\)/);
  });

  it('lists, shows, exports and imports tickets', async () => {
    const env = { COLT_HOME: home };
    const list = await colt(['tickets', 'list', '--json', '--method', 'colt', '--library', lib], env);
    expect(list.lines.map((t) => [t.runId, t.round, t.method, t.arch, t.dataset])).toEqual([
      [2, 1, 'colt', 'lenet-300-100', 'fashion-mnist-sample'],
      [2, 0, 'colt', 'lenet-300-100', 'fashion-mnist-sample'],
    ]);
    const id = String(list.lines[0].id);
    const show = await colt(['tickets', 'show', id, '--json', '--library', lib], env);
    const { layers } = COMMANDS['tickets.get'].output.parse(show.lines[0]);
    expect(layers.map((l) => [l.name, l.weights])).toEqual([
      ['fc1.weight', 235200],
      ['fc2.weight', 30000],
    ]);

    const file = path.join(home, 'colt ticket.safetensors');
    const exported = await colt(['tickets', 'export', id, file, '--library', lib], env);
    expect(exported.code, exported.stderr).toBe(0);
    expect(statSync(file).size).toBeGreaterThan(265200);
    const other = path.join(home, 'other.sqlite');
    const imported = await colt(['tickets', 'import', file, '--json', '--library', other], env);
    expect(imported.code, imported.stderr).toBe(0);
    expect(COMMANDS['tickets.import'].output.parse(imported.lines[0])).toMatchObject({ ticketId: 1, duplicate: false, format: 'colt-ticket/1', ticket: { arch: 'lenet-300-100' } });
    const importedList = await colt(['tickets', 'list', '--imported', '--json', '--library', other], env);
    expect(importedList.lines[0]).toMatchObject({ id: 1, runId: null, round: 1, method: 'colt', sourceFile: 'colt ticket.safetensors' });
    expect(importedList.lines[0].sparsity).toBe(list.lines[0].sparsity);

    const torch = path.join(home, 'torch.safetensors');
    expect((await colt(['tickets', 'export', id, torch, '--format', 'pytorch', '--library', lib], env)).code).toBe(0);
    const back = await colt(['tickets', 'import', torch, '--json', '--library', other], env);
    // The PyTorch file holds the same masks and θ0: it is the ticket already imported, not a new one.
    expect(back.lines[0]).toMatchObject({ ticketId: 1, duplicate: true, format: 'pytorch-prune/1' });
    expect((await colt(['tickets', 'list', '--json', '--min-sparsity', '0.2', '--library', other], env)).lines).toHaveLength(1);
  });

  it('has nothing to resume in a finished experiment', async () => {
    const r = await colt(['resume', 'e1', '--library', lib], { COLT_HOME: home });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('experiment e1 is finished; nothing to resume');
    const run = await colt(['resume', '1', '--library', lib], { COLT_HOME: home });
    expect(run.stderr).toContain('run 1 is finished; nothing to resume');
  });

  it.each([
    [['runs', 'list', '--library', '/no/such/dir/lib.sqlite'], /no library at \/no\/such\/dir\/lib.sqlite/],
    [['runs', 'show', '99'], /no run 99 in this library/],
    [['runs', 'list', '--min-sparsity', '2'], /--min-sparsity '2'/],
    [['runs', 'list', '--since', 'yesterday'], /--since 'yesterday'/],
    [['tickets', 'show', 'x1'], /'x1' is not a ticket id/],
    [['tickets', 'export', '999', 'out.safetensors'], /no ticket 999/],
    [['tickets', 'import', '/no/such/file.safetensors'], /\/no\/such\/file.safetensors: no such file or folder/],
    [['resume', 'e7'], /no experiment e7/],
    [['resume'], /give one run id/],
  ])('fails with one line naming what is wrong: %j', async (args, message) => {
    const r = await colt([...args, ...(args.includes('--library') ? [] : ['--library', lib])], { COLT_HOME: home });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses a ticket file that is not one, leaving the library unchanged', async () => {
    const bad = path.join(home, 'bad.safetensors');
    writeFileSync(bad, Buffer.from('{"not": "safetensors"}'));
    const r = await colt(['tickets', 'import', bad, '--library', lib], { COLT_HOME: home });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad.safetensors: header length \d+ \(bytes 0-7\) is over the 4194304-byte limit/);
  });

  it('refuses a library of a newer version and does not touch it', async () => {
    const newer = path.join(home, 'newer.sqlite');
    const db = new Database(newer);
    db.pragma('application_id = 1129270356');
    db.pragma('user_version = 999');
    db.close();
    const before = statSync(newer).mtimeMs;
    const r = await colt(['runs', 'list', '--library', newer], { COLT_HOME: home });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/written by a newer COLT Lab \(schema version 999/);
    expect(statSync(newer).mtimeMs).toBe(before);
  });
});
