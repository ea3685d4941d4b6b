import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** What a finished `colt` process printed. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as JSON lines (non-JSON lines skipped). */
  readonly lines: Record<string, unknown>[];
}

/** A fresh COLT_HOME so a test never touches the user's library or dataset registry. */
export function tempHome(): string {
  return mkdtempSync(path.join(tmpdir(), 'colt-home-'));
}

/** Each JSON line of stdout as it is printed, with the process (to signal it between lines). */
export type OnJsonLine = (line: Record<string, unknown>, child: { kill(signal: NodeJS.Signals): void }) => void;

/** The JSON lines of a text (other lines skipped). */
function jsonLines(text: string): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not a JSON line
    }
  }
  return lines;
}

/**
 * Runs the built CLI (`bin/colt.js`, which runs dist/; `npm test` builds first) and collects its
 * output; `onLine` sees each JSON line as it is printed, so a test can act between rounds.
 */
export function colt(args: string[], env: Record<string, string> = {}, onLine?: OnJsonLine): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'colt.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!onLine) return;
      pending += d.toString();
      const complete = pending.slice(0, pending.lastIndexOf('\n') + 1);
      pending = pending.slice(complete.length);
      for (const line of jsonLines(complete)) onLine(line, child);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, lines: jsonLines(stdout) }));
  });
}
