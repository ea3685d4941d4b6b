import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../main/common/random.js';
import { openLibrary } from '../../../main/library/db.js';
import { colt, ROOT, tempHome } from '../../helpers/cli.js';
import { workTimeout } from '../../helpers/work-timeout.js';

const RUN = ['run', '--preset', 'quick', '--set', 'training.duration=50it', '--set', 'stop.maxRounds=3', '--set', 'data.trainLimit=2000', '--json'];
// The issue asks for 10 kills; CI runs 4 (COLT_KILLS=10 for the full version).
const KILLS = Number(process.env.COLT_KILLS ?? 4);

/** Starts the built CLI and SIGKILLs it after `ms` (unless it ended first); resolves with its exit. */
function runAndKill(args: string[], env: Record<string, string>, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'colt.js'), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('error', reject);
    // 'close' comes after the process is reaped, so its pid is gone when the next command checks it.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

interface LibraryState {
  /** sha256 of every stored mask, by "method/round". */
  masks: Map<string, string>;
  /** Stored round numbers per method. */
  rounds: Map<string, number[]>;
  integrity: string;
  problems: string[];
}

/** Reads a library the way a fresh process would and checks its invariants. */
function inspect(file: string): LibraryState | undefined {
  if (!existsSync(file)) return undefined;
  const db = openLibrary(file);
  try {
    const problems: string[] = [];
    const masks = new Map<string, string>();
    const rounds = new Map<string, number[]>();
    const runs = db.prepare('SELECT id, method FROM runs').all() as { id: number; method: string }[];
    for (const run of runs) {
      const rs = db.prepare('SELECT round FROM rounds WHERE run_id = ? ORDER BY round').pluck().all(run.id) as number[];
      rounds.set(run.method, rs);
      if (rs.some((r, i) => r !== i)) problems.push(`${run.method}: rounds ${rs.join(',')} are not 0..n`);
      const tickets = db.prepare('SELECT id, round FROM tickets WHERE run_id = ? ORDER BY round').all(run.id) as { id: number; round: number }[];
      if (tickets.map((t) => t.round).join() !== rs.join()) problems.push(`${run.method}: tickets of rounds ${tickets.map((t) => t.round).join(',')} vs rounds ${rs.join(',')}`);
      const checkpoint = db.prepare('SELECT round FROM checkpoints WHERE run_id = ?').pluck().get(run.id) as number | undefined;
      if ((checkpoint ?? -1) !== (rs.length ? rs[rs.length - 1] : -1)) problems.push(`${run.method}: checkpoint of round ${checkpoint} but last round ${rs[rs.length - 1]}`);
      for (const t of tickets) {
        const hash = createHash('sha256');
        for (const m of db.prepare('SELECT layer, bits FROM ticket_masks WHERE ticket_id = ? ORDER BY position').all(t.id) as { layer: string; bits: Buffer }[]) {
          hash.update(m.layer).update(m.bits);
        }
        masks.set(`${run.method}/${t.round}`, hash.digest('hex'));
      }
    }
    return { masks, rounds, integrity: String(db.pragma('integrity_check', { simple: true })), problems };
  } finally {
    db.close();
  }
}

describe('kill -9 at random moments, then colt resume', () => {
  const home = tempHome();
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it(`resumes ${KILLS} times to exactly the masks of an uninterrupted run, with a consistent library throughout`, async () => {
    const env = { COLT_HOME: home };
    const reference = path.join(home, 'reference.sqlite');
    const t0 = performance.now();
    const whole = await colt([...RUN, '--library', reference], env);
    const duration = performance.now() - t0;
    expect(whole.code, whole.stderr).toBe(0);
    const expected = inspect(reference)!;
    expect(expected.problems).toEqual([]);
    expect([...expected.rounds.values()]).toEqual([
      [0, 1, 2, 3],
      [0, 1, 2, 3],
      [0, 1, 2, 3],
    ]);

    // Seconds each round took in the reference run, to aim kills at what is left to do.
    const refDb = openLibrary(reference);
    const cost = new Map(
      (refDb.prepare('SELECT r.method, x.round, x.seconds FROM rounds x JOIN runs r ON r.id = x.run_id').all() as { method: string; round: number; seconds: number }[]).map(
        (x) => [`${x.method}/${x.round}`, x.seconds * 1000],
      ),
    );
    refDb.close();

    const rng = new Rng('kill-moments');
    const log: string[] = [];
    let kills = 0;
    let generation = 0;
    let lib = '';
    const finish = async (): Promise<void> => {
      const args = inspect(lib)?.rounds.size ? ['resume', 'e1', '--json', '--library', lib] : [...RUN, '--library', lib];
      const last = await colt(args, env);
      expect(last.code, `${last.stderr}\n${log.join('\n')}`).toBe(0);
      const final = inspect(lib)!;
      expect(final.integrity).toBe('ok');
      expect(final.problems).toEqual([]);
      expect(final.rounds).toEqual(expected.rounds);
      expect(final.masks).toEqual(expected.masks);
      const runs = await colt(['runs', 'list', '--json', '--library', lib], env);
      expect(runs.lines.map((r) => r.status)).toEqual(['finished', 'finished', 'finished']);
    };
    for (let attempt = 0; kills < KILLS && attempt < 4 * KILLS; attempt++) {
      if (lib === '' || inspect(lib)?.masks.size === 12) {
        // A run that got to its end before the kill: check it, then start another for the remaining kills.
        if (lib !== '') await finish();
        lib = path.join(home, `killed-${generation++}.sqlite`);
      }
      const before = inspect(lib);
      const args = before?.rounds.size ? ['resume', 'e1', '--json', '--library', lib] : [...RUN, '--library', lib];
      const left = [...cost].filter(([key]) => !before?.masks.has(key)).reduce((a, [, ms]) => a + ms, 0);
      // Anywhere from process start-up to near the end of what is left of the experiment.
      const ms = 300 + rng.next() * (2500 + left) * 0.85;
      const r = await runAndKill(args, env, ms);
      if (r.signal === 'SIGKILL') kills++;
      const state = inspect(lib);
      log.push(`${args[0]} killed after ${Math.round(ms)} ms (${r.signal ?? `exit ${r.code}`}): ${state ? [...state.rounds].map(([m, rs]) => `${m} ${rs.length}`).join(', ') : 'no library yet'}`);
      if (state) {
        expect(state.integrity, log.join('\n')).toBe('ok');
        expect(state.problems, log.join('\n')).toEqual([]);
        // Every mask stored so far is the uninterrupted run's.
        for (const [key, hash] of state.masks) expect(hash, `${key}\n${log.join('\n')}`).toBe(expected.masks.get(key));
      }
    }
    expect(kills, log.join('\n')).toBe(KILLS);
    await finish();
    process.stderr.write(`kill test (reference run ${(duration / 1000).toFixed(1)} s):\n  ${log.join('\n  ')}\n`);
    // The reference run, up to four attempts per kill and the final resume, each a short experiment in a CLI process.
  }, workTimeout(4 * KILLS + 2, 15_000));
});
