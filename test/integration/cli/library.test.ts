// `colt library merge SHARD...` through the contract (one library.merge per shard): --json prints
// each shard's output as its schema shapes it; a refused shard stops the command, the ones before
// it stay merged. The shards are real libraries with an experiment recorded and its runs pending.
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../main/contract/api.js';
import { LabService } from '../../../main/service/lab-service.js';
import { colt, tempHome } from '../../helpers/cli.js';

const TINY = {
  arch: 'lenet-300-100',
  dataset: 'fashion-mnist-sample',
  methods: ['imp', 'colt'],
  data: { trainLimit: 600, testLimit: 200 },
  training: { duration: '20it' },
  stop: { maxRounds: 1 },
};

let home: string;
let shardA: string;
let shardB: string;

function runsIn(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT e.name, r.method, r.seed FROM runs r JOIN experiments e ON e.id = r.experiment_id ORDER BY r.id').all() as { name: string; method: string; seed: number }[]).map((r) => `${r.name} ${r.method} ${r.seed}`);
  } finally {
    db.close();
  }
}

describe('colt library merge', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    home = tempHome();
    shardA = path.join(home, 'a.sqlite');
    shardB = path.join(home, 'b.sqlite');
    for (const [file, name, seed] of [[shardA, 'a', 0], [shardB, 'b', 1]] as const) {
      const lab = new LabService({ dataDir: home, libraryPath: file, fileRoots: [home] });
      try {
        await lab.call('experiments.create', { config: { ...TINY, name, seeds: [seed] }, start: false });
      } finally {
        await lab.close();
      }
    }
  }, 120_000);

  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it("prints one line of library.merge's output per shard, into a library it makes; merging again changes nothing", async () => {
    const target = path.join(home, 'merged.sqlite');
    const r = await colt(['library', 'merge', shardA, shardB, '--json', '--library', target]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.lines).toHaveLength(2);
    for (const line of r.lines) expect(COMMANDS['library.merge'].output.parse(line)).toEqual(line);
    expect(r.lines.map((l) => l.shard)).toEqual([shardA, shardB]);
    expect(r.lines.flatMap((l) => (l.runs as { method: string; seed: number; action: string; rounds: number; status: string }[]).map((x) => `${x.method} ${x.seed} ${x.action} ${x.rounds} ${x.status}`))).toEqual([
      'imp 0 copied 0 pending',
      'colt 0 copied 0 pending',
      'imp 1 copied 0 pending',
      'colt 1 copied 0 pending',
    ]);
    expect(runsIn(target)).toEqual(['a imp 0', 'a colt 0', 'b imp 1', 'b colt 1']);
    const again = await colt(['library', 'merge', shardA, '--library', target]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr.trim().split('\n')).toEqual([`${shardA}: 2 runs, 0 changed`, '  run 1 (e1, imp, seed 0): unchanged; 0 rounds, pending', '  run 2 (e1, colt, seed 0): unchanged; 0 rounds, pending']);
  });

  it('stops at a refused shard, keeping the ones merged before it', async () => {
    const target = path.join(home, 'partial.sqlite');
    const bogus = path.join(home, 'not-a-library.sqlite');
    writeFileSync(bogus, 'SQLite format 3\0 but not really');
    const r = await colt(['library', 'merge', shardA, bogus, shardB, '--library', target]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`${shardA}: 2 runs, 2 changed`);
    expect(r.stderr).toMatch(new RegExp(`shard ${bogus.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*nothing was merged`));
    expect(r.stderr).not.toContain(shardB);
    expect(runsIn(target)).toEqual(['a imp 0', 'a colt 0']);
    const missing = await colt(['library', 'merge', path.join(home, 'nowhere.sqlite'), '--library', target]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`shard ${path.join(home, 'nowhere.sqlite')}: no such file; nothing was merged`);
  });
});
