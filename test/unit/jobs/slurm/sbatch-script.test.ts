import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSlurmOptions } from '../../../../main/contract/sweep-config.js';
import { arraySpec, sbatchOptions, sbatchScript, shellQuote } from '../../../../main/jobs/slurm/sbatch-script.js';
import { parseQueue, stateKind } from '../../../../main/jobs/slurm/slurm-client.js';

const plan = {
  name: "rate sweep (Jo's)",
  dir: "/shared/sweeps/it's here",
  node: '/opt/node 20/bin/node',
  colt: '/shared/colt-lab/bin/colt.js',
  slurm: parseSlurmOptions({ partition: 'gpu', gpusPerTask: '1', time: '2:00:00', extra: ['--account=lab'], prelude: ['module load nodejs/20'], requeue: true }),
};

describe('the sweep job script', () => {
  it('passes every option on the sbatch command line, one log per task appended to by every attempt', () => {
    expect(sbatchOptions(plan)).toEqual([
      '--job-name=colt-rate-sweep-Jo-s-',
      "--output=/shared/sweeps/it's here/logs/task-%a.log",
      '--open-mode=append',
      '--ntasks=1',
      '--requeue',
      '--partition=gpu',
      '--gpus-per-task=1',
      '--time=2:00:00',
      '--account=lab',
    ]);
    expect(sbatchOptions({ ...plan, slurm: parseSlurmOptions({}) })).toContain('--no-requeue');
  });

  it('runs the prelude, then the task, quoting paths for bash', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'colt-sbatch-'));
    try {
      const text = sbatchScript(plan, sbatchOptions(plan));
      expect(text.split('\n')[0]).toBe('#!/bin/bash');
      expect(text).toContain('\nmodule load nodejs/20\n');
      expect(text).toContain(`exec "\${COLT_NODE:-/opt/node 20/bin/node}" /shared/colt-lab/bin/colt.js sweep task '/shared/sweeps/it'\\''s here' "$SLURM_ARRAY_TASK_ID"`);
      // bash reads it, and the quoted folder comes back as written.
      const file = path.join(dir, 'submit.sh');
      writeFileSync(file, text);
      expect(spawnSync('bash', ['-n', file]).status).toBe(0);
      const echo = spawnSync('bash', ['-c', `printf %s ${shellQuote(plan.dir)}`], { encoding: 'utf8' });
      expect(echo.stdout).toBe(plan.dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes array indices compactly', () => {
    expect(arraySpec([0, 1, 2, 3])).toBe('0-3');
    expect(arraySpec([7, 0, 2, 3, 9, 10, 2])).toBe('0,2-3,7,9-10');
    expect(arraySpec([5])).toBe('5');
  });
});

describe("squeue's answer", () => {
  it('is read per array task, with its state, reason and node', () => {
    const q = parseQueue('12_0|RUNNING|None|node7\n12_1|PENDING|Resources|\n12_2|CANCELLED|None|node7\n13|COMPLETED|(null)|n1\n\n');
    expect([...q.keys()]).toEqual(['12_0', '12_1', '12_2', '13']);
    expect(q.get('12_0')).toEqual({ id: '12_0', state: 'RUNNING', reason: null, node: 'node7' });
    expect(q.get('12_1')).toEqual({ id: '12_1', state: 'PENDING', reason: 'Resources', node: null });
    expect(q.get('13')?.reason).toBeNull();
  });

  it('tells waiting, running and ended states apart', () => {
    expect(['PENDING', 'REQUEUED', 'SUSPENDED'].map(stateKind)).toEqual(['waiting', 'waiting', 'waiting']);
    expect(['RUNNING', 'COMPLETING'].map(stateKind)).toEqual(['running', 'running']);
    expect(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'PREEMPTED', 'NODE_FAIL', 'OUT_OF_MEMORY'].map(stateKind)).toEqual(Array(7).fill('ended'));
  });
});
