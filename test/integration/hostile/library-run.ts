import { colt, type CliResult } from '../../helpers/cli.js';

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
 * Runs `colt …` and calls `onRound` with each stored round's number as its JSON line is printed
 * (the round is in the library by then), so a test can act between rounds: pause the run, fill the disk.
 */
export function coltWatching(args: string[], env: Record<string, string>, onRound: (round: number, child: { kill(signal: NodeJS.Signals): void }) => void): Promise<CliResult> {
  return colt(args, env, (line, child) => {
    if (line.type === 'round' && typeof line.round === 'number') onRound(line.round, child);
  });
}
