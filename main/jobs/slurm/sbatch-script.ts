import type { SlurmOptions } from '../../contract/sweep-config.js';

/** What a sweep's job script and its sbatch command need. */
export interface SbatchPlan {
  /** The sweep's name (the job name is `colt-<name>`). */
  readonly name: string;
  /** The sweep folder on the shared file system: manifest, shards, logs. */
  readonly dir: string;
  /** The Node.js executable the nodes run (overridable on the node with $COLT_NODE). */
  readonly node: string;
  /** `bin/colt.js` of this installation (it must be on the shared file system too). */
  readonly colt: string;
  readonly slurm: SlurmOptions;
}

/** A word quoted for bash: single quotes, with embedded ones closed, escaped and reopened. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The sbatch options of a sweep submission, array indices aside. They go on sbatch's command
 * line, not in `#SBATCH` lines, so paths with spaces need no second quoting scheme.
 */
export function sbatchOptions(p: SbatchPlan): string[] {
  const s = p.slurm;
  return [
    `--job-name=colt-${p.name.replace(/[^\w.-]+/g, '-').slice(0, 60)}`,
    // One log per task; a requeued task appends to it, so every attempt's lines stay.
    `--output=${p.dir}/logs/task-%a.log`,
    '--open-mode=append',
    '--ntasks=1',
    s.requeue ? '--requeue' : '--no-requeue',
    ...(s.partition !== undefined ? [`--partition=${s.partition}`] : []),
    ...(s.gpusPerTask !== undefined ? [`--gpus-per-task=${s.gpusPerTask}`] : []),
    ...(s.time !== undefined ? [`--time=${s.time}`] : []),
    ...s.extra,
  ];
}

/** The job script every array task runs: the prelude lines, then `colt sweep task DIR $SLURM_ARRAY_TASK_ID`. */
export function sbatchScript(p: SbatchPlan, options: readonly string[]): string {
  return [
    '#!/bin/bash',
    `# COLT Lab sweep '${p.name.replace(/[\r\n]/g, ' ')}': one array task per run, each training into its own shard library.`,
    `# Submitted as: sbatch ${options.map(shellQuote).join(' ')} --array=… ${shellQuote(`${p.dir}/submit.sh`)}`,
    ...p.slurm.prelude,
    `exec "\${COLT_NODE:-${p.node.replace(/["\\$`]/g, '\\$&')}}" ${shellQuote(p.colt)} sweep task ${shellQuote(p.dir)} "$SLURM_ARRAY_TASK_ID"`,
    '',
  ].join('\n');
}

/** Slurm's compact array list (`0-3,7,9-10`) of task indices. */
export function arraySpec(indices: readonly number[]): string {
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
