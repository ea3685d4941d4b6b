import path from 'node:path';
import { invalidInput, LabError } from '../contract/errors.js';
import type { Executor, SlurmOptions } from '../contract/sweep-config.js';
import { parseGridFlag, parseSlurmOptions, splitShellWords } from '../contract/sweep-config.js';
import { selectBackend, type BackendRequest } from '../lab/backend/index.js';
import { openLibrary, writeTransaction, type Db } from '../library/db.js';
import { listRounds } from '../library/rounds.js';
import { getRun, reconcileStaleRuns, runsOfExperiment } from '../library/runs.js';
import { getSweep, listSweepTasks, refreshSweepStatus, runIdsOfTask, updateSweepTask } from '../library/sweeps.js';
import { slurmClient, type SlurmClient } from '../jobs/slurm/slurm-client.js';
import { roundPayload } from '../jobs/event-payloads.js';
import { backendLabel } from '../service/experiment-runner.js';
import { planSweep, runCount, type SweepPlan } from '../sweep/grid.js';
import { loadSweepData, recordSweep, type RecordedSweep } from '../sweep/record.js';
import { refreshSlurmSweep, submitSlurmSweep, type TaskChange } from '../sweep/slurm-sweep.js';
import { libraryHint, libraryPath } from './library-options.js';
import { experimentSummary, followExperiment } from './follow-experiment.js';
import { withLab } from './lab-client.js';
import { describeRound, describeSummary, info, out, type ExperimentSummary } from './output.js';

/** Help lines of the sweep options of `colt run`. */
export const SWEEP_RUN_HELP = `  --grid PATH=V1,V2   a sweep axis: one experiment per value (repeatable; the cross product; a
                      config file's "sweep": {"grid": {PATH: [V1, V2]}} does the same)
  --executor E        local (default: this machine's job pool) or slurm (a job array, one task per run)
  --slurm-partition P, --slurm-gpus-per-task N, --slurm-time T, --slurm-extra "--account=lab …"
  --slurm-prelude "module load nodejs/20"   a shell line each task runs first (repeatable)
  --requeue           Slurm may requeue preempted tasks; tasks that end unfinished are requeued
  --retries N         requeues per task with --requeue (default 2)
  --no-wait           return once submitted (\`colt sweep status sN\` follows it later)
  --sweep-dir DIR     the sweep folder on the shared file system (default: next to the library)
  --poll S            seconds between squeue polls while waiting (default 10)`;

/** What `colt run` passes on for a sweep. */
export interface SweepRunOptions {
  readonly raw: Record<string, unknown>;
  readonly grid: readonly string[];
  readonly executor: Executor;
  readonly slurm: { partition?: string; gpusPerTask?: string; time?: string; extra?: string; prelude: readonly string[]; requeue: boolean; retries?: string };
  readonly wait: boolean;
  readonly json: boolean;
  readonly backend: BackendRequest;
  readonly dataDir: string;
  readonly library?: string;
  readonly concurrency?: number;
  readonly sweepDir?: string;
  readonly pollSeconds?: string;
}

/** Seconds between polls from `--poll`. */
export function parsePoll(text: string | undefined): number {
  if (text === undefined) return 10_000;
  const s = Number(text);
  if (!(s >= 0.2 && s <= 3600)) throw invalidInput(`--poll '${text}': expected seconds between 0.2 and 3600`);
  return Math.round(s * 1000);
}

function slurmOptionsOf(o: SweepRunOptions['slurm']): SlurmOptions {
  return parseSlurmOptions({
    ...(o.partition !== undefined ? { partition: o.partition } : {}),
    ...(o.gpusPerTask !== undefined ? { gpusPerTask: o.gpusPerTask } : {}),
    ...(o.time !== undefined ? { time: o.time } : {}),
    extra: o.extra !== undefined ? splitShellWords(o.extra) : [],
    prelude: [...o.prelude],
    requeue: o.requeue,
    ...(o.retries !== undefined ? { retries: /^\d+$/.test(o.retries) ? Number(o.retries) : NaN } : {}),
  });
}

/** A folder-name form of a sweep's name. */
function slug(name: string): string {
  return name.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'sweep';
}

/**
 * `colt run` with a grid or `--executor slurm`: expands and validates the whole sweep (every
 * point's config and data) before recording or submitting anything, records it, then runs it
 * here (local) or submits it as a Slurm job array and, unless `--no-wait`, follows it to the end.
 */
export async function runSweep(o: SweepRunOptions): Promise<number> {
  const plan = planSweep(o.raw, o.grid.map(parseGridFlag));
  const slurm = o.executor === 'slurm' ? slurmOptionsOf(o.slurm) : undefined;
  const pollMs = parsePoll(o.pollSeconds);
  const data = await loadSweepData(plan, o.dataDir);
  const file = libraryPath(o.library);
  const db = openLibrary(file);
  try {
    writeTransaction(db, 'check for interrupted runs', () => reconcileStaleRuns(db));
    const dir = o.executor === 'slurm' ? path.resolve(o.sweepDir ?? path.join(path.dirname(file), 'sweeps', `${slug(plan.name)}-${plan.key.slice(0, 8)}`)) : null;
    const rec = recordSweep(db, plan, data, {
      executor: o.executor,
      dir,
      spec: { axes: plan.axes, points: plan.points.length, backend: o.backend, dataDir: path.resolve(o.dataDir), ...(slurm ? { slurm } : {}) },
    });
    announce(db, rec, plan, o.json, file);
    if (o.executor === 'local') return await runLocalSweep(db, rec, plan, o);
    const client = slurmClient();
    const sub = await submitSlurmSweep(db, rec, plan, data, { client, slurm: slurm as SlurmOptions, backend: o.backend, dataDir: o.dataDir, libraryPath: file });
    if (o.json) out(JSON.stringify({ type: 'submitted', sweepId: rec.sweep.id, jobId: sub.jobId, submitted: sub.submitted, inFlight: sub.inFlight, finished: sub.finished }));
    else {
      if (sub.jobId !== null) info(`submitted tasks ${sub.submitted.join(', ')} as Slurm job array ${sub.jobId} (logs in ${path.join(dir as string, 'logs')})`);
      if (sub.inFlight.length > 0) info(`tasks ${sub.inFlight.join(', ')} are still in Slurm from an earlier submission`);
      if (sub.finished.length > 0) info(`tasks ${sub.finished.join(', ')} were finished already; skipped`);
    }
    if (!o.wait) {
      if (!o.json) info(`not waiting: \`colt sweep status s${rec.sweep.id}${libraryHint(o.library)} --wait\` follows it, \`colt sweep cancel s${rec.sweep.id}${libraryHint(o.library)}\` stops it`);
      return 0;
    }
    return await followSweep(db, rec.sweep.id, { client, json: o.json, pollMs, libraryHint: libraryHint(o.library) });
  } finally {
    db.close();
  }
}

/** The first line of a sweep: its points, experiments and tasks. */
function announce(db: Db, rec: RecordedSweep, plan: SweepPlan, json: boolean, library: string): void {
  const tasks = rec.tasks.map((t) => ({ task: t.task, experimentId: t.experimentId, point: t.point, methods: t.methods, seed: t.seed, runIds: runIdsOfTask(db, t), state: t.state }));
  if (json) {
    out(
      JSON.stringify({
        type: 'sweep',
        sweepId: rec.sweep.id,
        key: rec.sweep.key,
        name: plan.name,
        executor: rec.sweep.executor,
        dir: rec.sweep.dir,
        library,
        resubmitted: rec.resubmitted,
        points: plan.points.map((p) => ({ point: p.label, experimentId: rec.experimentIds[p.index] })),
        tasks,
      }),
    );
    return;
  }
  const axes = plan.axes.map((a) => `${a.path} × ${a.values.length}`).join(', ') || 'no grid';
  info(
    `sweep s${rec.sweep.id}${rec.resubmitted ? ' (taken up again)' : ''}: ${plan.name}: ${plan.points.length} point${plan.points.length === 1 ? '' : 's'} (${axes}), ${runCount(plan)} runs in ${plan.tasks.length} tasks, experiments ${[...new Set(rec.experimentIds)].map((e) => `e${e}`).join(', ')}; executor ${rec.sweep.executor}; library ${library}`,
  );
}

/** Runs a sweep's points one after another in this machine's job pool (each point's runs at once), through the contract's runs.resume. */
async function runLocalSweep(db: Db, rec: RecordedSweep, plan: SweepPlan, o: SweepRunOptions): Promise<number> {
  const backend = await selectBackend(o.backend);
  if (!o.json) info(`backend: ${backend.name} (${backend.reason})`);
  const started = performance.now();
  let code = 0;
  await withLab({ library: db.name, dataDir: o.dataDir, backend, access: 'existing', concurrency: o.concurrency }, async (lab) => {
    for (const p of plan.points) {
      const experimentId = rec.experimentIds[p.index];
      const runs = runsOfExperiment(db, experimentId).filter((r) => r.status !== 'finished');
      if (o.json) out(JSON.stringify({ type: 'point', sweepId: rec.sweep.id, point: p.label, experimentId, runs: runs.map((r) => r.id) }));
      else info(`point ${p.index + 1}/${plan.points.length}${p.label ? ` (${p.label})` : ''}: experiment e${experimentId}${runs.length === 0 ? ', finished before; skipped' : ''}`);
      let summary: ExperimentSummary;
      if (runs.length > 0) {
        const result = await followExperiment(
          lab,
          async () => {
            await lab.call('runs.resume', { experimentId });
            return experimentId;
          },
          { json: o.json, libraryHint: libraryHint(o.library), backend: backendLabel(backend) },
        );
        summary = result.summary;
        if (result.code !== 0) code = code === 130 ? code : result.code;
      } else summary = await experimentSummary(lab, experimentId, undefined, 0);
      if (o.json) out(JSON.stringify({ ...summary, point: p.label }));
      else out(describeSummary(summary));
      writeTransaction(db, 'record the tasks of a point', () => {
        for (const t of listSweepTasks(db, rec.sweep.id).filter((x) => x.experimentId === experimentId)) {
          const statuses = runIdsOfTask(db, t).map((id) => getRun(db, id).status);
          const state = statuses.every((s) => s === 'finished') ? 'finished' : statuses.some((s) => s === 'failed') ? 'failed' : 'pending';
          updateSweepTask(db, rec.sweep.id, t.task, { state });
        }
        refreshSweepStatus(db, rec.sweep.id);
      });
      if (code === 130) break;
    }
  });
  const sweep = getSweep(db, rec.sweep.id);
  const seconds = (performance.now() - started) / 1000;
  if (o.json) out(JSON.stringify({ type: 'sweep-summary', sweepId: sweep.id, status: sweep.status, seconds }));
  else info(`sweep s${sweep.id} ${sweep.status} in ${seconds.toFixed(0)} s`);
  return code;
}

/** Polls in a row that may fail before following gives up. */
const MAX_POLL_FAILURES = 30;

/** What following a Slurm sweep needs. */
export interface FollowOptions {
  readonly client?: SlurmClient;
  readonly json: boolean;
  readonly pollMs: number;
  readonly libraryHint: string;
}

function describeChange(c: TaskChange): string {
  const t = c.task;
  const what = `task ${t.task} (${t.point ? `${t.point}; ` : ''}${t.methods.join(' + ')}, seed ${t.seed})`;
  if (c.to === 'running') return `${what}: running${t.node ? ` on ${t.node}` : ''} (Slurm job ${t.jobId}_${t.task})`;
  if (c.to === 'finished') return `${what}: finished and merged`;
  if (c.requeued) return `${what}: ${t.reason ?? 'requeued'}`;
  if (c.to === 'failed') return `${what}: failed: ${t.reason ?? ''}`;
  return `${what}: ${c.to}${t.reason ? ` (${t.reason})` : ''}`;
}

/**
 * Follows a Slurm sweep until no task is queued or running: polls squeue, merges the shards of
 * tasks as they end, requeues the unfinished ones while their retries last, and prints each
 * merged round (the same lines as a local run), then a summary per point. Ctrl-C stops following
 * only: the tasks go on in Slurm. Returns the exit code (0; 1 when a task failed; 130 when stopped).
 */
export async function followSweep(db: Db, sweepId: number, o: FollowOptions): Promise<number> {
  const client = o.client ?? slurmClient();
  const started = performance.now();
  const printed = new Map<number, number>();
  for (const t of listSweepTasks(db, sweepId)) for (const id of runIdsOfTask(db, t)) printed.set(id, listRounds(db, id).length);
  let stop: (() => void) | undefined;
  let stopped = false;
  const onSigint = (): void => {
    stopped = true;
    stop?.();
  };
  process.on('SIGINT', onSigint);
  try {
    let failures = 0;
    for (;;) {
      let changes: TaskChange[] = [];
      try {
        changes = await refreshSlurmSweep(db, sweepId, client);
        failures = 0;
      } catch (e) {
        // A controller that does not answer for a while (restarting, overloaded) is waited for; the tasks go on.
        if (!(e instanceof LabError) || e.code !== 'internal' || ++failures > MAX_POLL_FAILURES) throw e;
        info(`squeue did not answer (${e.message}); asking again in ${(o.pollMs / 1000).toFixed(0)} s (${failures} of ${MAX_POLL_FAILURES})`);
      }
      for (const c of changes) {
        const t = c.task;
        if (o.json) out(JSON.stringify({ type: 'task', sweepId, task: t.task, from: c.from, state: c.to, requeued: c.requeued ?? false, jobId: t.jobId, node: t.node, attempts: t.attempts, reason: t.reason, point: t.point }));
        else info(describeChange(c));
        printRounds(db, sweepId, t.task, printed, o.json);
      }
      const sweep = getSweep(db, sweepId);
      const tasks = listSweepTasks(db, sweepId);
      const waiting = tasks.filter((t) => t.state === 'pending' || t.state === 'running');
      if (sweep.status !== 'running' || waiting.length === 0 || waiting.every((t) => t.jobId === null)) break;
      if (stopped) {
        info(`stopped following: the tasks go on in Slurm (\`colt sweep status s${sweepId}${o.libraryHint} --wait\` follows again, \`colt sweep cancel s${sweepId}${o.libraryHint}\` stops them)`);
        return 130;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, o.pollMs);
        stop = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
  const seconds = (performance.now() - started) / 1000;
  const tasks = listSweepTasks(db, sweepId);
  await withLab({ library: db.name, access: 'existing' }, async (lab) => {
    for (const experimentId of [...new Set(tasks.map((t) => t.experimentId))]) {
      const summary = await experimentSummary(lab, experimentId, undefined, seconds);
      if (o.json) out(JSON.stringify({ ...summary, point: tasks.find((t) => t.experimentId === experimentId)?.point ?? '' }));
      else out(describeSummary(summary));
    }
  });
  const sweep = getSweep(db, sweepId);
  const counts = Object.fromEntries(['finished', 'failed', 'cancelled', 'pending', 'running'].map((s) => [s, tasks.filter((t) => t.state === s).length]));
  if (o.json) out(JSON.stringify({ type: 'sweep-summary', sweepId, status: sweep.status, counts, seconds }));
  else {
    info(`sweep s${sweepId} ${sweep.status}: ${Object.entries(counts).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`).join(', ')} in ${seconds.toFixed(0)} s`);
    for (const t of tasks.filter((x) => x.state === 'failed')) info(`  task ${t.task} (${t.point}; ${t.methods.join(' + ')}, seed ${t.seed}) failed: ${t.reason ?? ''}`);
  }
  return sweep.status === 'finished' ? 0 : 1;
}

/** Prints the rounds of a task's runs the library gained since they were last printed. */
function printRounds(db: Db, sweepId: number, task: number, printed: Map<number, number>, json: boolean): void {
  const t = listSweepTasks(db, sweepId).find((x) => x.task === task);
  if (!t) return;
  for (const runId of runIdsOfTask(db, t)) {
    const rounds = listRounds(db, runId);
    const from = printed.get(runId) ?? 0;
    if (rounds.length <= from) continue;
    if (!json) info(`— ${rounds[0].method}, seed ${rounds[0].seed} (run ${runId}${t.point ? `; ${t.point}` : ''})`);
    for (const { runId: _r, final: _f, created: _c, ...record } of rounds.slice(from)) {
      const shown = roundPayload(record);
      if (json) out(JSON.stringify({ ...shown, experimentId: t.experimentId, task }));
      else info(describeRound(shown));
    }
    printed.set(runId, rounds.length);
  }
}
