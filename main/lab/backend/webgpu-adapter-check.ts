import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { compiledEntry } from '../../common/paths.js';
import { platformObstacle } from './webgpu-adapter.js';

/** How long the child may take to ask Dawn (a first Vulkan driver load can take seconds). */
const PROBE_TIMEOUT_MS = 60_000;

/**
 * Whether auto-selection would find a hardware adapter, asked in a child process: Dawn and the
 * Vulkan drivers it loads write warnings to the process's own stderr, which a CLI's output must
 * not carry when no GPU is there to use. Answers why there is none, or undefined when the caller
 * should activate one in this process: there is one, or the child's compiled entry is missing.
 */
export function hardwareAdapterProblem(): Promise<string | undefined> {
  // No Vulkan driver at all: nothing to ask Dawn (and nothing it would print).
  const obstacle = platformObstacle();
  if (obstacle !== undefined) return Promise.resolve(obstacle);
  const entry = compiledEntry(import.meta.url, 'main/lab/backend', 'webgpu-adapter-probe');
  if (!existsSync(entry)) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    // Electron's binary runs the entry as plain Node with ELECTRON_RUN_AS_NODE.
    execFile(process.execPath, [entry], { timeout: PROBE_TIMEOUT_MS, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, maxBuffer: 1 << 20 }, (err, stdout) => {
      const line = stdout.trim().split('\n').at(-1) ?? '';
      try {
        const answer = JSON.parse(line) as { adapter?: string; why?: string };
        resolve(answer.adapter !== undefined ? undefined : (answer.why ?? 'no answer'));
      } catch {
        // No answer: a child that crashed or hung in Dawn would do the same here, so there is no adapter to use.
        resolve(`the adapter probe gave no answer (${err ? (err.message.split('\n')[0] ?? '') : 'no output'})`);
      }
    });
  });
}
