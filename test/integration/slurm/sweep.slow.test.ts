// Sweeps on a real Slurm cluster: the one-node cluster of scripts/slurm-cluster.sh (.ci/run starts
// it and sets COLT_TEST_SLURM=1). A 2 seeds × 2 rates quick-preset sweep (COLT only, shrunk) runs as
// a job array; one task is scancelled mid-run, requeued and continues; the merged library must hold
// exactly the runs a local run of the same sweep makes, with bit-identical masks and equal metrics.
import { execFile, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { colt, ROOT, tempHome, type CliResult } from '../../helpers/cli.js';
import { checkCluster, START_HINT } from './cluster.js';
import { libraryDigest, roundCount, runsView } from '../../helpers/library-state.js';

const cluster = checkCluster();
if (!cluster.reachable && !cluster.expected) console.warn(`test/integration/slurm: skipped, no Slurm cluster is reachable (${cluster.why}); ${START_HINT}`);

const SWEEP = [
  'run',
  '--preset',
  'quick',
  '--set',
  'methods=["colt"]',
  '--set',
  'training.duration=20it',
  '--set',
  'stop.maxRounds=2',
  '--set',
  'data.trainLimit=600',
  '--set',
  'data.testLimit=200',
  '--seeds',
  '0,1',
  '--grid',
  'pruning.rate=0.2,0.3',
  '--json',
];
/** Rounds per run: round 0 (dense) and 2 pruning rounds. */
const ROUNDS = 3;
/** The task the test kills once it has stored a round. */
const KILLED = 1;

/** Runs the CLI, calling `onLine` with each JSON line of stdout as it comes. */
function coltLive(args: string[], env: Record<string, string>, onLine: (line: Record<string, unknown>) => void): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'colt.js'), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let partial = '';
    const lines: Record<string, unknown>[] = [];
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      partial += d.toString();
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      for (const p of parts) {
        try {
          const line = JSON.parse(p) as Record<string, unknown>;
          lines.push(line);
          onLine(line);
        } catch {
          // not a JSON line
        }
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, lines }));
  });
}

/** Slurm's state of an array task (asked without blocking the test worker's event loop). */
async function squeueState(id: string): Promise<string | undefined> {
  const stdout = await new Promise<string>((resolve) => {
    execFile('squeue', ['--noheader', '--array', '--states=all', `--jobs=${id.split('_')[0]}`, '--format=%i|%T'], { encoding: 'utf8' }, (_e, out) => resolve(out ?? ''));
  });
  const rows = stdout.split('\n').map((l) => l.trim().split('|'));
  // Elements cancelled before they started are listed under the job's own id.
  return (rows.find(([i]) => i === id) ?? rows.find(([i]) => i === id.split('_')[0]))?.[1];
}

describe.runIf(!cluster.reachable && cluster.expected)('the Slurm cluster .ci/run starts', () => {
  it('is reachable (COLT_TEST_SLURM=1 says a cluster is expected)', () => {
    throw new Error(`COLT_TEST_SLURM=1 but no Slurm cluster answers: ${cluster.why}. .ci/run starts one with scripts/slurm-cluster.sh; check its logs under $COLT_SLURM_DIR/log`);
  });
});

describe.skipIf(!cluster.reachable)(`sweeps on Slurm${cluster.reachable ? '' : ` (skipped: no cluster reachable: ${cluster.why})`}`, () => {
  const home = tempHome();
  const env = { COLT_HOME: home };
  const local = path.join(home, 'local.sqlite');
  const slurm = path.join(home, 'slurm.sqlite');
  const dir = path.join(home, 'sweep');
  let run: CliResult;
  let killedAt = -1;
  let localSeconds = 0;
  let slurmSeconds = 0;

  beforeAll(async () => {
    const t0 = performance.now();
    const l = await colt([...SWEEP, '--executor', 'local', '--library', local], env);
    localSeconds = (performance.now() - t0) / 1000;
    expect(l.code, l.stderr).toBe(0);

    let jobId: string | undefined;
    let watching = true;
    // Kill the watched task once it has stored a round and is still running: mid-run, between rounds or inside one.
    const watch = (async (): Promise<void> => {
      const shard = path.join(dir, 'shards', `task-${KILLED}.sqlite`);
      while (watching) {
        const n = jobId !== undefined ? roundCount(shard) : 0;
        if (n >= 1 && n < ROUNDS && (await squeueState(`${jobId}_${KILLED}`)) === 'RUNNING') {
          killedAt = n;
          await new Promise((r) => execFile('scancel', [`${jobId}_${KILLED}`], r));
          return;
        }
        await new Promise((r) => setTimeout(r, 150));
      }
    })();
    const t1 = performance.now();
    run = await coltLive([...SWEEP, '--executor', 'slurm', '--requeue', '--poll', '1', '--library', slurm, '--sweep-dir', dir], env, (line) => {
      if (line.type === 'submitted') jobId = String(line.jobId);
    });
    slurmSeconds = (performance.now() - t1) / 1000;
    watching = false;
    await watch;
  }, 600_000);

  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('runs the sweep as one job array and merges exactly the runs, masks and metrics of a local run of it', () => {
    expect(run.code, run.stderr).toBe(0);
    const summary = run.lines.find((l) => l.type === 'sweep-summary');
    expect(summary, run.stderr).toMatchObject({ status: 'finished', counts: { finished: 4, failed: 0 } });
    console.info(`4-run sweep: local ${localSeconds.toFixed(1)} s, one-node Slurm ${slurmSeconds.toFixed(1)} s (with one task killed and requeued)`);
    const a = runsView(local);
    const b = runsView(slurm);
    expect([...b.configs.keys()].sort()).toEqual(['quick (pruning.rate=0.2)', 'quick (pruning.rate=0.3)']);
    expect(b.configs).toEqual(a.configs);
    expect([...b.status.values()]).toEqual(['finished', 'finished', 'finished', 'finished']);
    expect(b.status).toEqual(a.status);
    expect(b.rounds.size).toBe(4 * ROUNDS);
    expect(b.rounds).toEqual(a.rounds);
    expect(b.masks.size).toBe(a.masks.size);
    expect(b.masks).toEqual(a.masks);
    // The same round lines as a local run, printed as the shards merged (each round once, the killed task's too).
    const lines = (r: CliResult): string[] =>
      r.lines
        .filter((l) => l.type === 'round')
        .map((l) => `${String(l.sparsity)}/${String(l.testAccuracy)}/${String(l.seed)}/${String(l.round)}`)
        .sort();
    expect(lines(run)).toHaveLength(4 * ROUNDS);
  });

  it('requeues the task killed mid-run (scancel), which continues from its last stored round', () => {
    expect(killedAt, 'the watched task was never caught mid-run').toBeGreaterThanOrEqual(1);
    const requeued = run.lines.find((l) => l.type === 'task' && l.task === KILLED && l.requeued === true);
    expect(requeued, run.stderr).toMatchObject({ state: 'pending', attempts: 2 });
    expect(String(requeued?.reason)).toMatch(/CANCELLED/);
    const db = new Database(slurm, { readonly: true });
    try {
      const tasks = db.prepare('SELECT task, attempts, state FROM sweep_tasks ORDER BY task').all() as { task: number; attempts: number; state: string }[];
      expect(tasks.map((t) => t.state)).toEqual(['finished', 'finished', 'finished', 'finished']);
      expect(tasks.map((t) => t.attempts)).toEqual([1, 2, 1, 1]);
      const prov = db
        .prepare("SELECT p.attempts, p.slurm_array_task_id, p.host, p.shard FROM run_provenance p JOIN runs r ON r.id = p.run_id JOIN sweep_tasks t ON t.experiment_id = r.experiment_id AND t.seed = r.seed WHERE t.task = ?")
        .get(KILLED) as { attempts: string; slurm_array_task_id: number; host: string; shard: string };
      const attempts = JSON.parse(prov.attempts) as { fromRound: number | null; jobId: string | null; arrayTaskId: number | null }[];
      expect(attempts).toHaveLength(2);
      expect(attempts[0].fromRound).toBeNull();
      // The second attempt continued after a stored round: what the kill left, not a restart from scratch.
      expect(attempts[1].fromRound).toBeGreaterThanOrEqual(killedAt - 1);
      expect(attempts[1].arrayTaskId).toBe(KILLED);
      expect(prov.slurm_array_task_id).toBe(KILLED);
      expect(prov.shard).toBe(path.join(dir, 'shards', `task-${KILLED}.sqlite`));
      const provenance = db.prepare('SELECT count(*) FROM run_provenance WHERE host IS NOT NULL AND slurm_job_id IS NOT NULL AND backend = ? AND app_version IS NOT NULL AND dataset_checksum IS NOT NULL').pluck().get('wasm');
      expect(provenance).toBe(4);
    } finally {
      db.close();
    }
    const log = readFileSync(path.join(dir, 'logs', `task-${KILLED}.log`), 'utf8');
    expect(log).toMatch(/CANCELLED/);
    expect(log).toMatch(/continuing after round \d/);
  });

  it('skips the finished runs when the same sweep is submitted again', async () => {
    const again = await colt([...SWEEP, '--executor', 'slurm', '--poll', '1', '--library', slurm, '--sweep-dir', dir], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.lines.find((l) => l.type === 'sweep')).toMatchObject({ sweepId: 1, resubmitted: true });
    expect(again.lines.find((l) => l.type === 'submitted')).toMatchObject({ jobId: null, submitted: [], finished: [0, 1, 2, 3] });
    const status = await colt(['sweep', 'status', 's1', '--json', '--library', slurm], env);
    expect(status.code, status.stderr).toBe(0);
    const shown = status.lines[0] as { sweep: { status: string; counts: Record<string, number> }; tasks: { state: string; roundsMerged: number; slurmState: string }[] };
    expect(shown.sweep).toMatchObject({ status: 'finished', counts: { finished: 4 } });
    expect(shown.tasks.map((t) => t.roundsMerged)).toEqual([ROUNDS, ROUNDS, ROUNDS, ROUNDS]);
  });

  it('changes nothing when a shard is merged twice', async () => {
    const before = libraryDigest(slurm);
    const shard = path.join(dir, 'shards', 'task-0.sqlite');
    const twice = await colt(['library', 'merge', shard, '--json', '--library', slurm], env);
    expect(twice.code, twice.stderr).toBe(0);
    expect((twice.lines[0].runs as { action: string }[]).map((r) => r.action)).toEqual(['unchanged']);
    const sweepMerge = await colt(['sweep', 'merge', 's1', '--json', '--library', slurm], env);
    expect(sweepMerge.code, sweepMerge.stderr).toBe(0);
    // sweeps.merge's output: the shards of the four tasks, each run with the shard it came from.
    expect(sweepMerge.lines[0].shards).toEqual([0, 1, 2, 3].map((t) => path.join(dir, 'shards', `task-${t}.sqlite`)));
    expect((sweepMerge.lines[0].runs as { action: string; shard: string }[]).every((r) => r.action === 'unchanged' && (sweepMerge.lines[0].shards as string[]).includes(r.shard))).toBe(true);
    expect(libraryDigest(slurm)).toBe(before);
  });

  it('refuses a damaged shard and one from a newer schema, merging nothing', async () => {
    const target = slurm;
    const before = libraryDigest(target);
    const source = path.join(dir, 'shards', 'task-3.sqlite');
    // Standalone copies of the shard (VACUUM INTO keeps its schema version and application id).
    const copy = (to: string): void => {
      const db = new Database(source, { readonly: true });
      db.prepare('VACUUM INTO ?').run(to);
      db.close();
    };

    const damaged = path.join(home, 'damaged.sqlite');
    copy(damaged);
    // Garbage over the root page of the rounds table.
    const raw = new Database(damaged, { readonly: true });
    const root = raw.prepare("SELECT rootpage FROM sqlite_schema WHERE name = 'rounds'").pluck().get() as number;
    const pageSize = Number(raw.pragma('page_size', { simple: true }));
    raw.close();
    const fd = openSync(damaged, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (root - 1) * pageSize);
    closeSync(fd);
    const refused = await colt(['library', 'merge', damaged, '--library', target], env);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/shard .*damaged.sqlite: .*(damaged|malformed).*nothing was merged/);

    const newer = path.join(home, 'newer.sqlite');
    copy(newer);
    const db = new Database(newer);
    db.pragma('user_version = 99');
    db.close();
    const refusedNewer = await colt(['library', 'merge', newer, '--library', target], env);
    expect(refusedNewer.code).not.toBe(0);
    expect(refusedNewer.stderr).toMatch(/written by a newer COLT Lab \(schema version 99; .*nothing was merged/);

    expect(libraryDigest(target)).toBe(before);
  });
  it('cancels a sweep: its tasks stop and stay cancelled (never requeued), their finished rounds merged', async () => {
    const lib = path.join(home, 'cancel.sqlite');
    const args = [...SWEEP, '--set', 'training.duration=200it', '--executor', 'slurm', '--requeue', '--no-wait', '--library', lib, '--sweep-dir', path.join(home, 'cancel')];
    const submitted = await colt(args, env);
    expect(submitted.code, submitted.stderr).toBe(0);
    const jobId = String(submitted.lines.find((l) => l.type === 'submitted')?.jobId);
    for (let i = 0; i < 200 && (await squeueState(`${jobId}_0`)) !== 'RUNNING'; i++) await new Promise((r) => setTimeout(r, 150));
    const cancelled = await colt(['sweep', 'cancel', 's1', '--json', '--library', lib], env);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.lines[0]).toMatchObject({ sweepId: 1, cancelled: [0, 1, 2, 3], shards: expect.any(Array), runs: expect.any(Array) });
    expect(['CANCELLED', 'COMPLETED', 'FAILED']).toContain(await squeueState(`${jobId}_0`));
    expect(await squeueState(`${jobId}_3`)).toBe('CANCELLED');
    // Looking at it again asks Slurm, which says CANCELLED: a cancelled task is not requeued.
    const status = await colt(['sweep', 'status', 's1', '--json', '--library', lib], env);
    const shown = status.lines[0] as { sweep: { status: string }; tasks: { state: string; attempts: number }[] };
    expect(shown.sweep.status).toBe('cancelled');
    expect(shown.tasks.map((t) => [t.state, t.attempts])).toEqual([
      ['cancelled', 1],
      ['cancelled', 1],
      ['cancelled', 1],
      ['cancelled', 1],
    ]);
  });
});
