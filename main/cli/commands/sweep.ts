import { parseArgs } from 'node:util';
import { invalidInput } from '../../contract/errors.js';
import type { CommandOutput } from '../../contract/api.js';
import { withLab } from '../lab-client.js';
import { COMMON_OPTIONS, LIBRARY_HELP, libraryHint, MAX_LIST, parseId, subcommandOf } from '../library-options.js';
import { info, out } from '../output.js';
import { runSweepTask } from '../sweep-task.js';
import { followSweep, parsePoll } from '../sweep-run.js';

/** Help text of `colt sweep`. */
export const SWEEP_HELP = `colt sweep list [--json]                 the library's sweeps (\`colt run --grid …\` makes them)
colt sweep status SWEEP [--wait] [--json]  a sweep's tasks: state, Slurm's state and reason, node,
                                         attempts, rounds merged; asks Slurm first, merges the
                                         shards of tasks that ended and requeues unfinished ones
                                         (--requeue); --wait follows it to the end
colt sweep cancel SWEEP                  scancel its tasks (their finished rounds are merged)
colt sweep merge SWEEP                   merge the shards of its tasks that are not running
colt sweep task DIR INDEX                one Slurm array task (the job script runs it)
  SWEEP is a sweep id: 3 or s3.  --poll S: seconds between polls with --wait (default 10)
${LIBRARY_HELP}`;

/** `colt sweep list|status|cancel|merge|task`. */
export async function sweepCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      wait: { type: 'boolean', default: false },
      poll: { type: 'string' },
      ...COMMON_OPTIONS,
    },
    strict: true,
    allowPositionals: true,
  });
  const parsed = subcommandOf('sweep', positionals, { help: values.help, text: SWEEP_HELP, known: ['list', 'status', 'cancel', 'merge', 'task'] });
  if (typeof parsed === 'number') return parsed;
  const { sub, rest } = parsed;
  const json = values.json ?? false;
  if (sub === 'task') {
    if (rest.length !== 2 || !/^\d+$/.test(rest[1])) throw invalidInput('colt sweep task: expected DIR INDEX (the job script passes $SLURM_ARRAY_TASK_ID)');
    return runSweepTask(rest[0], Number(rest[1]), json);
  }
  if (sub === 'list' ? rest.length > 0 : rest.length !== 1) throw invalidInput(sub === 'list' ? `colt sweep list: unexpected argument '${rest[0]}'` : `colt sweep ${sub}: expected one sweep id (3 or s3)`);
  const pollMs = parsePoll(values.poll);
  if (sub === 'list') {
    const sweeps = await withLab({ library: values.library, access: 'existing' }, (lab) => lab.call('sweeps.list', { limit: MAX_LIST }));
    if (json) for (const s of sweeps) out(JSON.stringify(s));
    else if (sweeps.length === 0) info('no sweeps in this library (`colt run --grid PATH=V1,V2 …` makes one)');
    else {
      for (const s of sweeps) {
        const counts = Object.entries(s.counts).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(', ');
        out(`s${s.id}  ${s.status.padEnd(9)} ${s.executor.padEnd(6)} ${s.name}: ${s.points} points, ${s.tasks} tasks (${counts})${s.jobIds.length ? `, Slurm job ${s.jobIds.join(', ')}` : ''}  ${s.created}`);
      }
    }
    return 0;
  }
  const sweepId = parseId(rest[0], 'sweep', 's');
  return withLab({ library: values.library, access: 'existing' }, async (lab) => {
    if (sub === 'status' && values.wait) {
      const view = await lab.call('sweeps.get', { id: sweepId });
      if (view.sweep.executor === 'slurm') return followSweep(lab, sweepId, { json, pollMs, libraryHint: libraryHint(values.library) }, view);
    }
    if (sub === 'cancel') {
      // Slurm's SIGTERM pauses the runs within a batch; a minute covers a slow node before the merge.
      const r = await lab.call('sweeps.cancel', { id: sweepId, waitSeconds: 60 });
      if (json) out(JSON.stringify(r));
      else info(r.cancelled.length === 0 ? `sweep s${sweepId} has no queued or running tasks` : `cancelled tasks ${r.cancelled.join(', ')} of sweep s${sweepId}; ${describeMerges(r)}`);
      return 0;
    }
    if (sub === 'merge') {
      const r = await lab.call('sweeps.merge', { id: sweepId });
      if (json) out(JSON.stringify(r));
      else info(`sweep s${sweepId}: ${describeMerges(r)}${r.running.length ? `; tasks ${r.running.join(', ')} are running (merged when they end)` : ''}`);
      return 0;
    }
    // `now`: a Slurm sweep in any state is asked about, and a Slurm that cannot be asked fails the command.
    printStatus(await lab.call('sweeps.get', { id: sweepId, refresh: 'now' }), json);
    return 0;
  });
}

/** One line on what a sweep's merges did. */
export function describeMerges(m: Pick<CommandOutput<'sweeps.merge'>, 'shards' | 'runs'>): string {
  const changed = m.runs.filter((r) => r.action !== 'unchanged');
  const rounds = m.runs.reduce((n, r) => n + r.roundsAdded, 0);
  return `${m.shards.length} shard${m.shards.length === 1 ? '' : 's'} merged: ${changed.length} of ${m.runs.length} runs changed, ${rounds} rounds added`;
}

/** The table of a sweep's tasks (`--json`: sweeps.get's output). */
function printStatus(r: CommandOutput<'sweeps.get'>, json: boolean): void {
  if (json) {
    out(JSON.stringify(r));
    return;
  }
  const { sweep: summary, tasks } = r;
  for (const note of r.notes) info(note);
  const counts = Object.entries(summary.counts).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(', ');
  out(`sweep s${summary.id} ${summary.name}: ${summary.status}, ${summary.executor}, ${summary.tasks} tasks (${counts})${summary.dir ? `, folder ${summary.dir}` : ''}`);
  out(`${'task'.padEnd(5)} ${'point'.padEnd(28)} ${'methods'.padEnd(12)} ${'seed'.padEnd(5)} ${'runs'.padEnd(8)} ${'state'.padEnd(9)} ${'slurm'.padEnd(11)} ${'job'.padEnd(10)} ${'tries'.padEnd(5)} ${'rounds'.padEnd(6)} reason / node`);
  for (const t of tasks) {
    out(
      `${String(t.task).padEnd(5)} ${(t.point || '—').slice(0, 28).padEnd(28)} ${t.methods.join('+').padEnd(12)} ${String(t.seed).padEnd(5)} ${t.runIds.join(',').padEnd(8)} ${t.state.padEnd(9)} ${(t.slurmState ?? '—').padEnd(11)} ${(t.jobId ? `${t.jobId}_${t.task}` : '—').padEnd(10)} ${String(t.attempts).padEnd(5)} ${String(t.roundsMerged).padEnd(6)} ${t.reason ?? t.node ?? ''}`,
    );
  }
}
