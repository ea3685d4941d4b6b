// Electron's utilityProcess as a LabLink (electron/lab-supervisor.ts): the lab process is forked
// from dist/main/lab-process/main.js and spoken to with child.postMessage / its 'message' events;
// inside, main/lab-process/channel.ts reads process.parentPort. Electron is injected (types only).
import type { ForkOptions, UtilityProcess } from 'electron';
import type { LabLink, SpawnLab } from './lab-supervisor.js';

/** The part of Electron's utilityProcess module the link uses. */
export type ForkUtility = (modulePath: string, args?: string[], options?: ForkOptions) => Pick<UtilityProcess, 'on' | 'postMessage' | 'kill' | 'pid'>;

/** Settings of the lab's utility process. */
export interface UtilityLabOptions {
  /** dist/main/lab-process/main.js. */
  readonly entry: string;
  /** Its environment: COLT_SQLITE_BINDING (the Electron-ABI better-sqlite3), COLT_HOME, COLT_RESOURCES_DIR, … */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Sends SIGKILL when kill() must not wait (default: process.kill). */
  readonly killProcess?: (pid: number, signal: NodeJS.Signals) => void;
}

/** The environment of the lab process: the given one without unset keys. */
export function labEnvironment(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

/** A SpawnLab that forks the lab as an Electron utility process. */
export function utilityLabSpawner(fork: ForkUtility, options: UtilityLabOptions): SpawnLab {
  return (): LabLink => {
    const child = fork(options.entry, [], { serviceName: 'COLT Lab lab', stdio: 'inherit', env: labEnvironment(options.env) });
    return {
      get pid() {
        return child.pid;
      },
      send: (message) => child.postMessage(message),
      onMessage: (listener) => void child.on('message', listener),
      // Electron reports only the exit code of a utility process (no signal name).
      onExit: (listener) => void child.on('exit', (code: number) => listener({ code, signal: null })),
      kill: () => {
        const pid = child.pid;
        if (pid === undefined) return;
        try {
          (options.killProcess ?? ((p, s) => process.kill(p, s)))(pid, 'SIGKILL');
        } catch {
          // It already ended; Electron's kill() reaps what is left.
          child.kill();
        }
      },
    };
  };
}
