#!/usr/bin/env node
// `npm start`: the desktop app where Electron's runtime is installed; otherwise says why and starts
// the same workbench for a browser (`colt serve`, printing the URL to open). Arguments after
// `npm start --` go to the app (Electron) or to `colt serve` (e.g. `npm start -- --port 0`).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronRuntimePath } from '../build/electron-native.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const say = (line) => process.stderr.write(line + '\n');

/** Runs a build step, exiting on failure. */
function build(what, command, commandArgs) {
  say(`npm start: building ${what}…`);
  const r = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    say(`npm start: building ${what} failed`);
    process.exit(r.status ?? 1);
  }
}

/** The newest modification time under a folder (TypeScript sources only). */
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Runs the child with our stdio, passes Ctrl+C / SIGTERM on, and exits with its status. */
function runChild(command, commandArgs, env) {
  const child = spawn(command, commandArgs, { cwd: root, stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const built = ['dist/main/cli/colt.js', 'dist/main/lab-process/main.js', 'renderer/dist/index.html'];
if (built.some((f) => !existsSync(path.join(root, f)))) {
  build('the lab and the UI', npm, ['run', '--silent', 'build']);
}

const electron = electronRuntimePath(root);
if (electron) {
  const entry = path.join(root, 'dist', 'electron', 'main.js');
  if (!existsSync(entry) || statSync(entry).mtimeMs < newestSource(path.join(root, 'electron'))) {
    build('the desktop shell', process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'electron', 'tsconfig.build.json')]);
  }
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  runChild(electron, [entry, ...args], env);
} else {
  say("npm start: Electron's runtime is not installed (node_modules/electron has no downloaded binary: the install skipped it or could not reach the internet), so the desktop window cannot open.");
  say('  To get it, with internet access: unset ELECTRON_SKIP_BINARY_DOWNLOAD, run `npm rebuild electron`, then `node build/electron-native.mjs`.');
  say('  Starting the same workbench for your browser instead (colt serve): open the URL below.');
  runChild(process.execPath, [path.join(root, 'bin', 'colt.js'), 'serve', ...args], process.env);
}
