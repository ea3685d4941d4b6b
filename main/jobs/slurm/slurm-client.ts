import { execFile } from 'node:child_process';
import { LabError } from '../../contract/errors.js';

/** What squeue says of one array task (or job). */
export interface QueueEntry {
  /** `12_3` for array task 3 of job 12; `12` for a plain job. */
  readonly id: string;
  /** Slurm's state name: PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, PREEMPTED, NODE_FAIL, … */
  readonly state: string;
  /** Why it waits or ended (`Resources`, `Priority`, `BeginTime`, `None`, …). */
  readonly reason: string | null;
  readonly node: string | null;
}

/** The Slurm commands a sweep uses (the real ones in production and tests; there is no stand-in). */
export interface SlurmClient {
  /** Submits a job script with sbatch options; returns the job id. */
  submit(script: string, options: readonly string[]): Promise<string>;
  /** The tasks of these jobs Slurm still knows (running, queued, or ended within its MinJobAge). */
  queue(jobIds: readonly string[]): Promise<Map<string, QueueEntry>>;
  /** Puts an ended or running array task (`12_3`) back in the queue, to start as soon as it can. */
  requeue(id: string): Promise<void>;
  /** Cancels jobs or array tasks. */
  cancel(ids: readonly string[]): Promise<void>;
}

/** How long one Slurm command may take before it counts as failed (a busy controller answers within seconds). */
const COMMAND_TIMEOUT_MS = 60_000;

/** Runs one Slurm command; a missing command or a failure becomes a LabError quoting Slurm. */
function run(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: COMMAND_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        return reject(
          new LabError('invalid_input', `${command} is not installed here: submit from a Slurm login node (or start the one-node cluster: eval "$(scripts/slurm-cluster.sh start)")`, {
            command,
          }),
        );
      }
      const said = (stderr || stdout || error.message).trim().split('\n').slice(-3).join(' ');
      reject(new LabError(command === 'sbatch' ? 'invalid_input' : 'internal', `${command} failed: ${said}`, { command, args: [...args] }));
    });
  });
}

/** Parses `squeue --format=%i|%T|%r|%N` lines. */
export function parseQueue(text: string): Map<string, QueueEntry> {
  const out = new Map<string, QueueEntry>();
  for (const line of text.split('\n')) {
    const [id, state, reason, node] = line.trim().split('|');
    if (!id || !state) continue;
    out.set(id, { id, state, reason: reason && reason !== 'None' && reason !== '(null)' ? reason : null, node: node ? node : null });
  }
  return out;
}

/** The Slurm client of this machine's `sbatch`, `squeue`, `scontrol` and `scancel` (configured by $SLURM_CONF as usual). */
export function slurmClient(): SlurmClient {
  const queueOf = async (ids: readonly string[]): Promise<Map<string, QueueEntry>> => {
    const text = await run('squeue', ['--noheader', '--array', '--states=all', `--jobs=${ids.join(',')}`, '--format=%i|%T|%r|%N']);
    return parseQueue(text);
  };
  return {
    async submit(script, options) {
      const text = await run('sbatch', ['--parsable', ...options, script]);
      const id = text.trim().split(';')[0];
      if (!/^\d+$/.test(id)) throw new LabError('internal', `sbatch answered '${text.trim()}', not a job id`);
      return id;
    },
    async queue(jobIds) {
      if (jobIds.length === 0) return new Map();
      try {
        return await queueOf(jobIds);
      } catch (e) {
        // squeue refuses the whole list when one job is gone from the controller: ask one by one.
        if (!(e instanceof LabError) || !/Invalid job id/i.test(e.message)) throw e;
        const out = new Map<string, QueueEntry>();
        for (const id of jobIds) {
          try {
            for (const [k, v] of await queueOf([id])) out.set(k, v);
          } catch (err) {
            if (!(err instanceof LabError) || !/Invalid job id/i.test(err.message)) throw err;
          }
        }
        return out;
      }
    },
    async requeue(id) {
      await run('scontrol', ['requeue', id]);
      // Slurm holds a requeued job back for a while (BeginTime); a retry should start when it can.
      try {
        await run('scontrol', ['update', `JobId=${id}`, 'StartTime=now']);
      } catch {
        // Not allowed on some clusters: the task then starts after Slurm's hold.
      }
    },
    async cancel(ids) {
      if (ids.length > 0) await run('scancel', [...ids]);
    },
  };
}

/** Slurm states in which a task waits to start (or to resume). */
const WAITING = new Set(['PENDING', 'REQUEUED', 'REQUEUE_FED', 'REQUEUE_HOLD', 'CONFIGURING', 'RESIZING', 'SUSPENDED', 'STOPPED']);
/** Slurm states in which a task's process is alive. */
const ALIVE = new Set(['RUNNING', 'COMPLETING', 'SIGNALING', 'STAGE_OUT']);

/** Whether a Slurm state is waiting, running or ended (anything else: COMPLETED, FAILED, CANCELLED, TIMEOUT, …). */
export function stateKind(state: string): 'waiting' | 'running' | 'ended' {
  if (WAITING.has(state)) return 'waiting';
  if (ALIVE.has(state)) return 'running';
  return 'ended';
}
