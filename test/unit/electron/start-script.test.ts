// `npm start` for real on this machine, where Electron's runtime is not installed: it must say so
// and start `colt serve`, whose printed URL answers. Needs the built CLI (`npm run build`).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { electronRuntimePath } from '../../../build/electron-native.mjs';

let child: ChildProcess | undefined;
let home: string | undefined;
afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('scripts/start.mjs', () => {
  it.skipIf(electronRuntimePath() !== null || !existsSync('dist/main/cli/colt.js'))('explains the missing Electron runtime and serves the workbench to a browser instead', async () => {
    home = mkdtempSync(path.join(os.tmpdir(), 'colt-start-'));
    child = spawn(process.execPath, ['scripts/start.mjs', '--port', '0'], { env: { ...process.env, COLT_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL within 60 s; stderr: ${stderr}`)), 60_000);
      child!.stdout!.on('data', (d: Buffer) => {
        stdout += d.toString();
        const m = /open: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(stdout);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child!.on('exit', (code) => reject(new Error(`start.mjs exited ${code}; stderr: ${stderr}`)));
    });
    expect(stderr).toContain("Electron's runtime is not installed");
    expect(stderr).toContain('npm rebuild electron');
    const token = new URL(url).searchParams.get('token');
    const res = await fetch(new URL('/api/system.info', url), { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: '{"input":{}}' });
    const body = (await res.json()) as { ok: boolean; output: { libraryPath: string } };
    expect(body.ok).toBe(true);
    // Over HTTP the library is named, not located (system.info gives the full path only to the desktop app).
    expect(body.output.libraryPath).toBe('library.sqlite');
    const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
