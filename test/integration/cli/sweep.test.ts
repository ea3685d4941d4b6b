// `colt sweep status|cancel|merge` through the contract (sweeps.get, sweeps.cancel, sweeps.merge):
// their --json is the command's output, parsed with its schema; their messages are the CLI's. A
// Slurm sweep is asked about now, and the command fails when Slurm cannot be asked: here squeue is
// kept off PATH, as on a machine without Slurm (test/integration/slurm runs them on a real one).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../main/contract/api.js';
import { openLibrary } from '../../../main/library/db.js';
import { updateSweepTask } from '../../../main/library/sweeps.js';
import { LabService } from '../../../main/service/lab-service.js';
import { planSweep } from '../../../main/sweep/grid.js';
import { loadSweepData, recordSweep } from '../../../main/sweep/record.js';
import { colt, tempHome } from '../../helpers/cli.js';

const TINY = {
  arch: 'lenet-300-100',
  dataset: 'fashion-mnist-sample',
  methods: ['imp'],
  seeds: [0],
  data: { trainLimit: 600, testLimit: 200 },
  training: { duration: '20it' },
  stop: { maxRounds: 1 },
};

let home: string;
let library: string;
/** A folder with no Slurm command in it, for PATH. */
let noSlurm: string;

/** The --json line parsed with the command's output schema, strictly: nothing the schema does not name. */
function contractLine(command: 'sweeps.get' | 'sweeps.merge', line: Record<string, unknown> | undefined): unknown {
  const parsed = COMMANDS[command].output.parse(line);
  expect(parsed).toEqual(line);
  return parsed;
}

describe('colt sweep status, cancel and merge', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    home = tempHome();
    library = path.join(home, 'library.sqlite');
    noSlurm = mkdtempSync(path.join(home, 'bin-'));
    const db = openLibrary(library);
    try {
      // s1: a local sweep of two points; s2: a Slurm sweep whose task 0 was submitted as job 999999.
      const local = planSweep({ ...TINY, name: 'grid', sweep: { grid: { 'pruning.rate': [0.2, 0.3] } } });
      recordSweep(db, local, await loadSweepData(local, home), { executor: 'local', dir: null, spec: { axes: local.axes, points: 2, backend: 'auto', dataDir: home } });
      const remote = planSweep({ ...TINY, name: 'remote', sweep: { grid: { 'pruning.rate': [0.4] } } });
      const dir = path.join(home, 'remote');
      mkdirSync(dir);
      recordSweep(db, remote, await loadSweepData(remote, home), { executor: 'slurm', dir, spec: { axes: remote.axes, points: 1, backend: 'auto', dataDir: home } });
      updateSweepTask(db, 2, 0, { jobId: '999999', state: 'pending' });
    } finally {
      db.close();
    }
  }, 120_000);

  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it("prints sweeps.get's output with --json, and the table without", async () => {
    const json = await colt(['sweep', 'status', 's1', '--json', '--library', library]);
    expect(json.code, json.stderr).toBe(0);
    expect(json.lines).toHaveLength(1);
    const status = contractLine('sweeps.get', json.lines[0]) as { sweep: { id: number; executor: string }; tasks: { state: string }[]; runs: unknown[]; notes: string[] };
    expect(status.sweep).toMatchObject({ id: 1, executor: 'local' });
    expect(status.tasks.map((t) => t.state)).toEqual(['pending', 'pending']);
    expect(status.runs).toHaveLength(2);
    expect(status.notes).toEqual([]);
    const table = await colt(['sweep', 'status', '1', '--library', library]);
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^sweep s1 grid: running, local, 2 tasks \(2 pending\)$/);
    expect(lines[1]).toMatch(/^task +point +methods +seed +runs +state +slurm +job +tries +rounds +reason \/ node$/);
    expect(lines.slice(2).map((l) => l.split(/\s+/).slice(0, 6))).toEqual([
      ['0', 'pruning.rate=0.2', 'imp', '0', '1', 'pending'],
      ['1', 'pruning.rate=0.3', 'imp', '0', '2', 'pending'],
    ]);
  });

  it("merges with sweeps.merge's output, and names the shards merged", async () => {
    const json = await colt(['sweep', 'merge', 's1', '--json', '--library', library]);
    expect(json.code, json.stderr).toBe(0);
    expect(contractLine('sweeps.merge', json.lines[0])).toEqual({ sweepId: 1, shards: [], runs: [], running: [] });
    const said = await colt(['sweep', 'merge', 's1', '--library', library]);
    expect(said.code, said.stderr).toBe(0);
    expect(said.stderr.trim()).toBe('sweep s1: 0 shards merged: 0 of 0 runs changed, 0 rounds added');
  });

  it('refuses to cancel a local sweep, and a sweep the library does not have', async () => {
    const local = await colt(['sweep', 'cancel', 's1', '--library', library]);
    expect(local.code).toBe(2);
    expect(local.stderr).toContain('sweep s1 runs locally: stop it with Ctrl-C in its `colt run`');
    const missing = await colt(['sweep', 'status', 's9', '--library', library]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no sweep s9 in this library');
  });

  it('fails when Slurm cannot be asked about a Slurm sweep, where sweeps.get answers with a note', async () => {
    const r = await colt(['sweep', 'status', 's2', '--json', '--library', library], { PATH: noSlurm });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/squeue is not installed here/);
    expect(r.stdout).toBe('');
    // The UI's poll (refresh auto) gets what the library knows, and why Slurm was not asked.
    const path0 = process.env.PATH;
    process.env.PATH = noSlurm;
    const service = new LabService({ dataDir: home, libraryPath: library, fileRoots: [home] });
    try {
      const shown = (await service.call('sweeps.get', { id: 2 })) as { tasks: { jobId: string | null; state: string }[]; notes: string[] };
      expect(shown.tasks).toMatchObject([{ jobId: '999999', state: 'pending' }]);
      expect(shown.notes).toEqual([expect.stringMatching(/^Slurm was not asked: squeue is not installed here/)]);
      await expect(service.call('sweeps.get', { id: 2, refresh: 'now' })).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/squeue is not installed here/) });
    } finally {
      process.env.PATH = path0;
      await service.close();
    }
  });
});
