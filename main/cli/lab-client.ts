import path from 'node:path';
import { appDataDir } from '../common/paths.js';
import type { CommandInput, CommandName, CommandOutput } from '../contract/api.js';
import type { RunEventMessage } from '../contract/run-events.js';
import type { BackendChoice } from '../lab/backend/index.js';
import { LabService } from '../service/lab-service.js';
import { libraryPath } from './library-options.js';

/** What a `colt` command opens the lab with. */
export interface CliLabOptions {
  /** The `--library` argument (default: the app-data folder's library). */
  readonly library?: string | undefined;
  /** The `--data-dir` argument (default: the app-data folder). */
  readonly dataDir?: string | undefined;
  /** `existing` for commands that only browse or change what is there: a missing library is refused, never created. */
  readonly access?: 'create' | 'existing' | 'read-only';
  /** Commands that train pass the backend they selected. */
  readonly backend?: BackendChoice;
  readonly concurrency?: number | undefined;
}

/** The CLI's in-process client of the lab: every command goes through the contract, typed. */
export interface CliLab {
  /** The library file this lab uses. */
  readonly libraryPath: string;
  /** One contract command; the answer is its output schema's shape (LabService.call checks it). */
  call<C extends CommandName>(command: C, input: CommandInput<C>): Promise<CommandOutput<C>>;
  /** The contract's run events. */
  onEvent(listener: (e: RunEventMessage) => void): () => void;
  close(): Promise<void>;
}

/**
 * Opens a LabService on the command's library, the same class `colt serve` and the desktop app's
 * lab process host. The user at a terminal may name any file they can reach, so every folder is
 * allowed and none is protected (and Slurm job-script lines are theirs to give); the commands keep
 * their own guard of the library's own files.
 */
export function openLab(o: CliLabOptions): CliLab {
  const file = libraryPath(o.library);
  const service = new LabService({
    libraryPath: file,
    dataDir: o.dataDir ?? appDataDir(),
    fileRoots: [path.parse(path.resolve('.')).root],
    protectedFolders: [],
    slurmScriptLines: true,
    libraryAccess: o.access ?? 'create',
    ...(o.backend ? { backend: o.backend } : {}),
    ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
  });
  return {
    libraryPath: file,
    call: async (command, input) => (await service.call(command, input)) as CommandOutput<typeof command>,
    onEvent: (listener) => service.onEvent(listener),
    close: () => service.close(),
  };
}

/** Opens the lab, runs `use` with it, and closes it whatever happens. */
export async function withLab<T>(o: CliLabOptions, use: (lab: CliLab) => Promise<T>): Promise<T> {
  const lab = openLab(o);
  try {
    return await use(lab);
  } finally {
    await lab.close();
  }
}
