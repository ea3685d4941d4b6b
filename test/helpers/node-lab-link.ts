// The lab process started as a plain Node child process instead of an Electron utilityProcess
// (Electron cannot start on the build machines): the same compiled entry
// (dist/main/lab-process/main.js), the same messages, carried by Node's IPC channel with the
// structured-clone serialisation Electron's postMessage uses. The only stand-in is this carrier.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { LabLink, SpawnLab } from '../../electron/lab-supervisor.js';
import { ROOT } from './cli.js';

/** The compiled lab-process entry (`npm run build` makes it). */
export const LAB_PROCESS_ENTRY = path.join(ROOT, 'dist', 'main', 'lab-process', 'main.js');

/** A spawner of Node lab processes; `children` lists every process it started, newest last, and `stderr` what they wrote there. */
export function nodeLabSpawner(env: Record<string, string>): SpawnLab & { readonly children: ChildProcess[]; stderr: string } {
  const children: ChildProcess[] = [];
  const spawner = Object.assign(
    (): LabLink => {
      const child = fork(LAB_PROCESS_ENTRY, [], { env: { ...process.env, ...env }, serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
      child.stderr?.on('data', (d: Buffer) => (spawner.stderr += d.toString()));
      // A send racing the child's death reports through 'error'; the exit is what the supervisor acts on.
      child.on('error', (e) => (spawner.stderr += `[link] ${e.message}\n`));
      children.push(child);
      return {
        get pid() {
          return child.pid;
        },
        send: (message) => {
          if (!child.connected) throw new Error('the lab process is gone');
          child.send(message);
        },
        onMessage: (listener) => void child.on('message', listener),
        onExit: (listener) => void child.once('exit', (code, signal) => listener({ code, signal })),
        kill: () => void child.kill('SIGKILL'),
      };
    },
    { children, stderr: '' },
  );
  return spawner;
}
