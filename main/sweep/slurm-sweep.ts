import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { appVersion } from '../common/app-version.js';
import { packageRoot } from '../common/paths.js';
import { LabError } from '../contract/errors.js';
import type { SlurmOptions, TaskState } from '../contract/sweep-config.js';
import type { BackendRequest } from '../lab/backend/index.js';
import { writeTransaction, type Db } from '../library/db.js';
import { mergeShard, type MergeReport } from '../library/merge.js';
import { getSweep, listSweepTasks, refreshSweepStatus, runIdsOfTask, updateSweepTask, type SweepTaskRow } from '../library/sweeps.js';
import type { ExperimentData } from '../service/run-plans.js';
import { arraySpec, sbatchOptions, sbatchScript } from '../jobs/slurm/sbatch-script.js';
import { stateKind, type QueueEntry, type SlurmClient } from '../jobs/slurm/slurm-client.js';
import type { SweepPlan } from './grid.js';
import { MANIFEST_FORMAT, taskLogPath, writeManifest, type Manifest } from './manifest.js';
import type { RecordedSweep } from './record.js';

/** The job script's file in a sweep folder. */
const SCRIPT_FILE = 'submit.sh';

/** What submitting a sweep to Slurm did. */
export interface SlurmSubmission {
  /** The job array submitted now (null when nothing was left to submit). */
  readonly jobId: string | null;
  readonly submitted: number[];
  /** Tasks an earlier submission still has queued or running. */
  readonly inFlight: number[];
  /** Tasks whose runs were finished already (merged from their shards if need be). */
  readonly finished: number[];
  readonly merges: MergeReport[];
}

/** What submitting needs besides the recorded sweep. */
export interface SubmitOptions {
  readonly client: SlurmClient;
  readonly slurm: SlurmOptions;
  readonly backend: BackendRequest;
  readonly dataDir: string;
  readonly libraryPath: string;
}

function taskId(t: Pick<SweepTaskRow, 'jobId' | 'task'>): string {
  return `${t.jobId}_${t.task}`;
}

/**
 * What squeue says of a task. Array elements that never started are listed under the job's own
 * id once they end (cancelled while pending): that record stands for them.
 */
function entryOf(queue: ReadonlyMap<string, QueueEntry>, t: Pick<SweepTaskRow, 'jobId' | 'task'>): QueueEntry | undefined {
  return queue.get(taskId(t)) ?? (t.jobId !== null ? queue.get(t.jobId) : undefined);
}

/** Whether every run of a task is finished in the library. */
function taskFinished(db: Db, t: Pick<SweepTaskRow, 'experimentId' | 'methods' | 'seed'>): boolean {
  return runIdsOfTask(db, t).every((id) => db.prepare('SELECT status FROM runs WHERE id = ?').pluck().get(id) === 'finished');
}

/** Merges a task's shard when there is one; a task that ended left its `running` runs killed. */
function mergeTaskShard(db: Db, t: SweepTaskRow, ended: boolean): MergeReport | undefined {
  if (t.shard === null || !existsSync(t.shard)) return undefined;
  const report = mergeShard(db, t.shard, { experimentId: t.experimentId, ended });
  if (report.runs.some((r) => r.action !== 'unchanged')) writeTransaction(db, 'record a merge', () => updateSweepTask(db, t.sweepId, t.task, { merged: new Date().toISOString() }));
  return report;
}

/**
 * Submits a recorded sweep's unfinished tasks as one Slurm job array: writes the manifest and job
 * script into the sweep folder, then `sbatch --array=…`. Tasks an earlier submission still has in
 * Slurm are left there; ended ones have their shards merged first, so finished runs are skipped.
 */
export async function submitSlurmSweep(db: Db, rec: RecordedSweep, plan: SweepPlan, data: readonly ExperimentData[], o: SubmitOptions): Promise<SlurmSubmission> {
  const dir = rec.sweep.dir;
  if (dir === null) throw new LabError('internal', `sweep s${rec.sweep.id} has no folder for its shards`);
  await mkdir(path.join(dir, 'shards'), { recursive: true });
  await mkdir(path.join(dir, 'logs'), { recursive: true });

  const earlier = rec.tasks.filter((t) => t.jobId !== null && (t.state === 'pending' || t.state === 'running'));
  const queue = await o.client.queue([...new Set(earlier.map((t) => t.jobId as string))]);
  const inFlight = new Set(earlier.filter((t) => stateKind(entryOf(queue, t)?.state ?? 'GONE') !== 'ended').map((t) => t.task));
  const merges: MergeReport[] = [];
  const finished: number[] = [];
  const submit: number[] = [];
  for (const t of listSweepTasks(db, rec.sweep.id)) {
    if (inFlight.has(t.task)) continue;
    const merged = mergeTaskShard(db, t, true);
    if (merged) merges.push(merged);
    if (taskFinished(db, t)) {
      finished.push(t.task);
      writeTransaction(db, 'record a finished task', () => updateSweepTask(db, t.sweepId, t.task, { state: 'finished', reason: null }));
    } else submit.push(t.task);
  }

  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    key: plan.key,
    name: plan.name,
    created: rec.sweep.created,
    appVersion: appVersion(),
    library: o.libraryPath,
    dataDir: path.resolve(o.dataDir),
    backend: o.backend,
    tasks: plan.tasks.map((t) => ({
      task: t.task,
      point: plan.points[t.pointIndex].label,
      methods: t.methods,
      seed: t.seed,
      config: plan.points[t.pointIndex].config as unknown as Record<string, unknown>,
      datasetChecksum: data[t.pointIndex].dataset.checksum,
      evalDatasetChecksum: data[t.pointIndex].evalDataset.checksum,
    })),
  };
  await writeManifest(dir, manifest);
  const script = path.join(dir, SCRIPT_FILE);
  const sbatchPlan = { name: plan.name, dir, node: process.execPath, colt: path.join(packageRoot(), 'bin', 'colt.js'), slurm: o.slurm };
  const options = sbatchOptions(sbatchPlan);
  await writeFile(script, sbatchScript(sbatchPlan, options), { mode: 0o755 });

  let jobId: string | null = null;
  if (submit.length > 0) {
    try {
      jobId = await o.client.submit(script, [...options, `--array=${arraySpec(submit)}`]);
    } catch (e) {
      // Nothing was queued: the tasks say why, and submitting the sweep again (fixed) takes them up.
      const reason = `not submitted: ${(e as Error).message}`.slice(0, 1000);
      writeTransaction(db, 'record a refused submission', () => {
        for (const task of submit) updateSweepTask(db, rec.sweep.id, task, { state: 'failed', reason });
        refreshSweepStatus(db, rec.sweep.id);
      });
      throw e;
    }
    writeTransaction(db, 'record the submitted tasks', () => {
      for (const task of submit) {
        const t = listSweepTasks(db, rec.sweep.id).find((x) => x.task === task) as SweepTaskRow;
        updateSweepTask(db, rec.sweep.id, task, { jobId, state: 'pending', slurmState: 'PENDING', reason: null, node: null, attempts: t.attempts + 1 });
      }
    });
  }
  writeTransaction(db, 'record the sweep status', () => refreshSweepStatus(db, rec.sweep.id));
  return { jobId, submitted: submit, inFlight: [...inFlight], finished, merges };
}

/** A task's change seen by one refresh. */
export interface TaskChange {
  readonly task: SweepTaskRow;
  readonly from: TaskState;
  readonly to: TaskState;
  /** The merge of its shard, when it ended. */
  readonly merge?: MergeReport;
  readonly requeued?: boolean;
}

/** The last non-empty lines of a task's log (why it failed, in its own words). */
function logTail(dir: string | null, task: number, lines = 2): string | null {
  if (dir === null) return null;
  const file = taskLogPath(dir, task);
  try {
    const size = statSync(file).size;
    const text = readFileSync(file, 'utf8').slice(Math.max(0, size - 4096));
    const tail = text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
    return tail.length > 0 ? tail.slice(-lines).join(' | ') : null;
  } catch {
    return null;
  }
}

/** Why a task ended unfinished: Slurm's state and reason, its runs' errors, or its log's last lines. */
function endReason(db: Db, t: SweepTaskRow, entry: QueueEntry | undefined, dir: string | null): string {
  const slurm = entry ? `${entry.state}${entry.reason ? ` (${entry.reason})` : ''}` : 'no longer known to Slurm';
  const errors = runIdsOfTask(db, t)
    .map((id) => db.prepare('SELECT error FROM runs WHERE id = ?').pluck().get(id) as string | null)
    .filter((e): e is string => e !== null);
  const why = errors[0] ?? logTail(dir, t.task);
  return `ended unfinished: ${slurm}${why ? `; ${why}` : ''}`.slice(0, 1000);
}

/**
 * Brings a Slurm sweep's tasks up to date: asks squeue where each queued or running task is,
 * merges the shards of tasks that ended, and requeues those that ended unfinished while their
 * retries last (`--requeue`); the others fail with Slurm's reason. Returns what changed.
 */
export async function refreshSlurmSweep(db: Db, sweepId: number, client: SlurmClient): Promise<TaskChange[]> {
  const sweep = getSweep(db, sweepId);
  const slurm = sweep.spec.slurm;
  const active = listSweepTasks(db, sweepId).filter((t) => (t.state === 'pending' || t.state === 'running') && t.jobId !== null);
  if (active.length === 0) {
    writeTransaction(db, 'record the sweep status', () => refreshSweepStatus(db, sweepId));
    return [];
  }
  const queue = await client.queue([...new Set(active.map((t) => t.jobId as string))]);
  const changes: TaskChange[] = [];
  for (const t of active) {
    const entry = entryOf(queue, t);
    const kind = entry ? stateKind(entry.state) : 'ended';
    if (kind !== 'ended') {
      const to: TaskState = kind === 'running' ? 'running' : 'pending';
      const wrote = writeTransaction(db, 'record a task state', () =>
        updateSweepTask(db, sweepId, t.task, { state: to, slurmState: entry?.state ?? null, reason: entry?.reason ?? null, node: kind === 'running' ? (entry?.node ?? null) : undefined }),
      );
      if (wrote && to !== t.state) changes.push({ task: { ...t, state: to, node: kind === 'running' ? (entry?.node ?? null) : t.node }, from: t.state, to });
      continue;
    }
    let merge: MergeReport | undefined;
    try {
      merge = mergeTaskShard(db, t, true);
    } catch (e) {
      // A shard that cannot be merged is kept as it is; the task fails with the reason.
      const reason = `its shard was not merged: ${(e as Error).message}`.slice(0, 1000);
      writeTransaction(db, 'record a task state', () => updateSweepTask(db, sweepId, t.task, { state: 'failed', slurmState: entry?.state ?? null, reason }));
      changes.push({ task: { ...t, state: 'failed', reason }, from: t.state, to: 'failed' });
      continue;
    }
    if (taskFinished(db, t)) {
      writeTransaction(db, 'record a task state', () => updateSweepTask(db, sweepId, t.task, { state: 'finished', slurmState: entry?.state ?? null, reason: null }));
      changes.push({ task: { ...t, state: 'finished' }, from: t.state, to: 'finished', ...(merge ? { merge } : {}) });
      continue;
    }
    const reason = endReason(db, t, entry, sweep.dir);
    if (slurm?.requeue && t.attempts - 1 < slurm.retries) {
      // Re-read under the write lock: `colt sweep cancel` or another follower may have acted meanwhile.
      const now = listSweepTasks(db, sweepId).find((x) => x.task === t.task);
      if (!now || now.state !== t.state || now.attempts !== t.attempts) continue;
      let jobId = t.jobId as string;
      try {
        await client.requeue(taskId(t));
      } catch (e) {
        // Anything but "Slurm forgot it" (past MinJobAge) or "not requeueable": try again at the next poll.
        if (!(e instanceof LabError) || !/invalid job id|presently disabled|not.*requeue/i.test(e.message)) continue;
        // Submitted again on its own; its shard makes it continue where it stopped.
        jobId = await client.submit(path.join(sweep.dir as string, SCRIPT_FILE), [...sbatchOptions({ name: sweep.name, dir: sweep.dir as string, node: process.execPath, colt: path.join(packageRoot(), 'bin', 'colt.js'), slurm }), `--array=${t.task}`]);
      }
      const why = `requeued (attempt ${t.attempts + 1} of ${slurm.retries + 1}) after it ${reason}`.slice(0, 1000);
      const kept = writeTransaction(db, 'record a requeued task', () => {
        const latest = listSweepTasks(db, sweepId).find((x) => x.task === t.task);
        if (!latest || latest.state === 'cancelled') return false;
        updateSweepTask(db, sweepId, t.task, { state: 'pending', jobId, slurmState: 'PENDING', reason: why, node: null, attempts: t.attempts + 1 });
        return true;
      });
      if (!kept) await client.cancel([`${jobId}_${t.task}`]);
      else changes.push({ task: { ...t, state: 'pending', attempts: t.attempts + 1, jobId, reason: why }, from: t.state, to: 'pending', requeued: true, ...(merge ? { merge } : {}) });
      continue;
    }
    writeTransaction(db, 'record a task state', () => updateSweepTask(db, sweepId, t.task, { state: 'failed', slurmState: entry?.state ?? null, reason }));
    changes.push({ task: { ...t, state: 'failed', reason }, from: t.state, to: 'failed', ...(merge ? { merge } : {}) });
  }
  writeTransaction(db, 'record the sweep status', () => refreshSweepStatus(db, sweepId));
  return changes;
}

/**
 * Cancels a sweep: its queued and running tasks become cancelled (so no follower requeues them),
 * then scancel stops them; Slurm's SIGTERM pauses their runs within a batch, and the rounds they
 * finished are merged once Slurm has ended them (up to `waitMs`).
 */
export async function cancelSlurmSweep(db: Db, sweepId: number, client: SlurmClient, waitMs = 60_000): Promise<{ cancelled: number[]; merges: MergeReport[] }> {
  const targets = writeTransaction(db, `cancel sweep s${sweepId}`, () => {
    const active = listSweepTasks(db, sweepId).filter((t) => t.state === 'pending' || t.state === 'running');
    for (const t of active) updateSweepTask(db, sweepId, t.task, { state: 'cancelled', reason: 'cancelled by colt sweep cancel' });
    refreshSweepStatus(db, sweepId);
    return active;
  });
  const submitted = targets.filter((t) => t.jobId !== null);
  await client.cancel(submitted.map(taskId));
  const deadline = Date.now() + waitMs;
  for (;;) {
    const queue = await client.queue([...new Set(submitted.map((t) => t.jobId as string))]);
    if (submitted.every((t) => stateKind(entryOf(queue, t)?.state ?? 'GONE') === 'ended') || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const merges: MergeReport[] = [];
  for (const t of targets) {
    const m = mergeTaskShard(db, t, true);
    if (m) merges.push(m);
  }
  return { cancelled: targets.map((t) => t.task), merges };
}

/**
 * Merges the shards of a sweep's tasks that are not running (finished, failed, cancelled, or
 * queued again): what they finished so far. A running task's shard is left to its task: SQLite
 * must not be read across hosts while another host writes it.
 */
export function mergeSweepShards(db: Db, sweepId: number): { merges: MergeReport[]; skipped: number[] } {
  const merges: MergeReport[] = [];
  const skipped: number[] = [];
  for (const t of listSweepTasks(db, sweepId)) {
    if (t.state === 'running') {
      skipped.push(t.task);
      continue;
    }
    const m = mergeTaskShard(db, t, true);
    if (!m) continue;
    merges.push(m);
    if (taskFinished(db, t) && t.state !== 'finished') writeTransaction(db, 'record a finished task', () => updateSweepTask(db, sweepId, t.task, { state: 'finished', reason: null }));
  }
  writeTransaction(db, 'record the sweep status', () => refreshSweepStatus(db, sweepId));
  return { merges, skipped };
}
