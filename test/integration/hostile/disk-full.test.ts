// A full disk and a read-only file system under a real library (issue 14): the library lives on a
// small tmpfs of its own. When the disk fills between two rounds the run stops `interrupted` (not
// `failed`) with a plain message, `colt resume --all` continues it once there is room, and a
// read-only file system is named as such. Mounting needs root (CAP_SYS_ADMIN): elsewhere the test
// is skipped, saying so; CI runs as root.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, rmSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { colt } from '../../helpers/cli.js';
import { workTimeout } from '../../helpers/work-timeout.js';
import { coltWatching, tinyRun } from './library-run.js';

function canMount(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const probe = mkdtempSync(path.join(tmpdir(), 'colt-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'none', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

const MOUNTABLE = canMount();

/** Fills the file system holding `dir` until the next write fails with ENOSPC. */
function fill(file: string): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024, 7);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
}

describe.skipIf(!MOUNTABLE)('a library on a full or read-only disk (needs root to mount a tmpfs)', () => {
  let base: string;
  let mnt: string;
  beforeAll(() => {
    base = mkdtempSync(path.join(tmpdir(), 'colt-disk-'));
    mnt = path.join(base, 'mnt');
    mkdirSync(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'none', mnt]);
  });
  afterAll(() => {
    try {
      execFileSync('umount', [mnt]);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it(
    'stops a run interrupted when the disk fills, resumes it with colt resume --all, and names a read-only file system',
    async () => {
      const lib = path.join(mnt, 'library.sqlite');
      const filler = path.join(mnt, 'filler');
      const env = { COLT_HOME: base };
      const r = await coltWatching(tinyRun(lib, 2), env, (round) => {
        if (round === 0) fill(filler);
      });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/record round 1 of run 1: the disk is full; the runs stopped after their last stored round and continue with colt resume/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      rmSync(filler);
      const listed = await colt(['runs', 'list', '--json', '--library', lib], env);
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.lines.map((x) => x.status)).toEqual(['interrupted']);
      expect(listed.lines[0].roundsDone).toBe(1);

      execFileSync('mount', ['-o', 'remount,ro', mnt]);
      try {
        const ro = await colt(['runs', 'list', '--library', lib], env);
        expect(ro.code).toBe(1);
        expect(ro.stderr).toMatch(/on a read-only file system/);
        expect(ro.stderr.trim().split('\n')).toHaveLength(1);
      } finally {
        execFileSync('mount', ['-o', 'remount,rw', mnt]);
      }

      const resumed = await colt(['resume', '--all', '--json', '--library', lib], env);
      expect(resumed.code, resumed.stderr).toBe(0);
      const after = await colt(['runs', 'list', '--json', '--library', lib], env);
      expect(after.lines.map((x) => [x.status, x.roundsDone])).toEqual([['finished', 3]]);
    },
    // Four CLI processes and three rounds of 20 iterations.
    workTimeout(4, 10_000) + workTimeout(60, 50, 0),
  );
});
