import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT, type CliResult } from '../../helpers/cli.js';

/** The arguments of a short real experiment: IMP on 600 images of the bundled sample, `rounds` rounds of 20 iterations. */
export function tinyRun(library: string, rounds: number): string[] {
  return [
    'run',
    '--preset',
    'quick',
    '--json',
    '--library',
    library,
    '--set',
    'methods=["imp"]',
    '--set',
    'training.duration=20it',
    '--set',
    `stop.maxRounds=${rounds}`,
    '--set',
    'data.trainLimit=600',
    '--set',
    'data.testLimit=200',
  ];
}

/**
 * Runs `colt …` and calls `onRound` with each stored round's JSON line as it is printed (the round
 * is in the library by then), so a test can act between rounds: pause the run, fill the disk.
 */
export function coltWatching(args: string[], env: Record<string, string>, onRound: (round: number, child: { kill(signal: NodeJS.Signals): void }) => void): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'colt.js'), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        try {
          const j = JSON.parse(line) as { type?: string; round?: number };
          if (j.type === 'round' && typeof j.round === 'number') onRound(j.round, child);
        } catch {
          // not a JSON line
        }
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const lines: Record<string, unknown>[] = [];
      for (const line of stdout.split('\n')) {
        try {
          lines.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // not a JSON line
        }
      }
      resolve({ code, stdout, stderr, lines });
    });
  });
}
