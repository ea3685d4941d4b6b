import path from 'node:path';
import type { CommandInput, CommandOutput } from '../contract/api.js';
import { invalidInput, LabError } from '../contract/errors.js';
import type { Executor, SlurmOptions } from '../contract/sweep-config.js';
import { parseGridFlag, parseSlurmOptions, splitShellWords } from '../contract/sweep-config.js';
import { selectBackend, type BackendChoice, type BackendRequest } from '../lab/backend/index.js';
import { backendLabel } from '../service/experiment-runner.js';
import { libraryHint } from './library-options.js';
import { experimentSummary, followExperiment } from './follow-experiment.js';
import { withLab, type CliLab } from './lab-client.js';
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

/** What sweeps.create answered. */
type CreatedSweep = CommandOutput<'sweeps.create'>;

/**
 * `colt run` with a grid or `--executor slurm`, through the contract's sweeps.create: the lab
 * expands and checks the whole sweep (every point's config and data) before recording anything,
 * records it and, for Slurm, submits it as a job array; then this runs a local sweep's points
 * here one after another, or follows a Slurm sweep to the end (unless `--no-wait`).
 */
export async function runSweep(o: SweepRunOptions): Promise<number> {
  const axes = o.grid.map(parseGridFlag);
  const slurm = o.executor === 'slurm' ? slurmOptionsOf(o.slurm) : undefined;
  const pollMs = parsePoll(o.pollSeconds);
  // A local sweep trains here; a Slurm sweep's tasks select their backend on their nodes.
  const backend = o.executor === 'local' ? await selectBackend(o.backend) : undefined;
  return withLab({ library: o.library, dataDir: o.dataDir, ...(backend ? { backend } : {}), concurrency: o.concurrency }, async (lab) => {
    const created = await lab.call('sweeps.create', {
      config: o.raw,
      // --grid values are parsed JSON (or strings): the contract's grid values.
      axes: axes as CommandInput<'sweeps.create'>['axes'],
      executor: o.executor,
      ...(slurm ? { slurm } : {}),
      backend: o.backend,
      ...(o.sweepDir !== undefined ? { dir: path.resolve(o.sweepDir) } : {}),
      start: o.executor === 'slurm',
    });
    announce(created, o.json, lab.libraryPath);
    if (backend) return runLocalSweep(lab, created, backend, o);
    const sub = created.submission as NonNullable<CreatedSweep['submission']>;
    const sweepId = created.sweep.id;
    if (o.json) out(JSON.stringify({ type: 'submitted', sweepId, ...sub }));
    else {
      if (sub.jobId !== null) info(`submitted tasks ${sub.submitted.join(', ')} as Slurm job array ${sub.jobId} (logs in ${path.join(created.sweep.dir as string, 'logs')})`);
      if (sub.inFlight.length > 0) info(`tasks ${sub.inFlight.join(', ')} are still in Slurm from an earlier submission`);
      if (sub.finished.length > 0) info(`tasks ${sub.finished.join(', ')} were finished already; skipped`);
    }
    if (!o.wait) {
      if (!o.json) info(`not waiting: \`colt sweep status s${sweepId}${libraryHint(o.library)} --wait\` follows it, \`colt sweep cancel s${sweepId}${libraryHint(o.library)}\` stops it`);
      return 0;
    }
    return followSweep(lab, sweepId, { json: o.json, pollMs, libraryHint: libraryHint(o.library) }, created);
  });
}

/** The first line of a sweep: sweeps.create's answer (`--json`), or its points, experiments and tasks. */
function announce(created: CreatedSweep, json: boolean, library: string): void {
  const { submission: _submission, ...shown } = created;
  const s = created.sweep;
  if (json) {
    out(JSON.stringify({ type: 'sweep', sweepId: s.id, library, ...shown }));
    return;
  }
  const axes = s.axes.map((a) => `${a.path} × ${a.values.length}`).join(', ') || 'no grid';
  const runs = created.tasks.reduce((n, t) => n + t.runIds.length, 0);
  info(
    `sweep s${s.id}${created.resubmitted ? ' (taken up again)' : ''}: ${s.name}: ${s.points} point${s.points === 1 ? '' : 's'} (${axes}), ${runs} runs in ${s.tasks} tasks, experiments ${s.experimentIds.map((e) => `e${e}`).join(', ')}; executor ${s.executor}; library ${library}`,
  );
  for (const note of created.notes) info(`note: ${note}`);
}

/** Runs a sweep's points one after another in this lab's job pool (each point's runs at once), through the contract's runs.resume. */
async function runLocalSweep(lab: CliLab, created: CreatedSweep, backend: BackendChoice, o: SweepRunOptions): Promise<number> {
  if (!o.json) info(`backend: ${backend.name} (${backend.reason})`);
  const sweepId = created.sweep.id;
  const started = performance.now();
  let code = 0;
  for (const [index, { point, experimentId }] of created.points.entries()) {
    const runs = created.runs.filter((r) => r.experimentId === experimentId && r.status !== 'finished');
    if (o.json) out(JSON.stringify({ type: 'point', sweepId, point, experimentId, runs: runs.map((r) => r.id) }));
    else info(`point ${index + 1}/${created.points.length}${point ? ` (${point})` : ''}: experiment e${experimentId}${runs.length === 0 ? ', finished before; skipped' : ''}`);
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
    if (o.json) out(JSON.stringify({ ...summary, point }));
    else out(describeSummary(summary));
    if (code === 130) break;
  }
  // sweeps.get records the tasks' states from their runs.
  const { sweep } = await lab.call('sweeps.get', { id: sweepId });
  const seconds = (performance.now() - started) / 1000;
  if (o.json) out(JSON.stringify({ type: 'sweep-summary', sweepId, status: sweep.status, seconds }));
  else info(`sweep s${sweepId} ${sweep.status} in ${seconds.toFixed(0)} s`);
  return code;
}

/** Polls in a row that may fail before following gives up. */
const MAX_POLL_FAILURES = 30;

/** What following a Slurm sweep needs. */
export interface FollowOptions {
  readonly json: boolean;
  readonly pollMs: number;
  readonly libraryHint: string;
}

type SweepView = CommandOutput<'sweeps.get'>;
type TaskView = SweepView['tasks'][number];

/** A task's change between two looks at its sweep; requeued when Slurm was given it again. */
interface TaskChange {
  readonly task: TaskView;
  readonly from: TaskView['state'];
  readonly requeued: boolean;
}

/** What changed between two looks at a sweep's tasks. */
function changesOf(before: readonly TaskView[], after: readonly TaskView[]): TaskChange[] {
  const was = new Map(before.map((t) => [t.task, t]));
  const changes: TaskChange[] = [];
  for (const t of after) {
    const b = was.get(t.task);
    if (!b) continue;
    const requeued = t.attempts > b.attempts;
    if (b.state !== t.state || requeued) changes.push({ task: t, from: b.state, requeued });
  }
  return changes;
}

function describeChange(c: TaskChange): string {
  const t = c.task;
  const what = `task ${t.task} (${t.point ? `${t.point}; ` : ''}${t.methods.join(' + ')}, seed ${t.seed})`;
  if (c.requeued) return `${what}: ${t.reason ?? 'requeued'}`;
  if (t.state === 'running') return `${what}: running${t.node ? ` on ${t.node}` : ''} (Slurm job ${t.jobId}_${t.task})`;
  if (t.state === 'finished') return `${what}: finished and merged`;
  if (t.state === 'failed') return `${what}: failed: ${t.reason ?? ''}`;
  return `${what}: ${t.state}${t.reason ? ` (${t.reason})` : ''}`;
}

/**
 * Follows a Slurm sweep until no task is queued or running, through the contract: each poll is a
 * sweeps.get that asks Slurm now (the lab merges the shards of tasks as they end and requeues the
 * unfinished ones while their retries last); prints each task's change and each merged round (the
 * same lines as a local run), then a summary per point. Ctrl-C stops following only: the tasks go
 * on in Slurm. Returns the exit code (0; 1 when a task failed; 130 when stopped).
 */
export async function followSweep(lab: CliLab, sweepId: number, o: FollowOptions, first?: Pick<SweepView, 'tasks' | 'runs'>): Promise<number> {
  const started = performance.now();
  let last = first ?? (await lab.call('sweeps.get', { id: sweepId }));
  const printed = new Map(last.runs.map((r) => [r.id, r.roundsDone]));
  let stop: (() => void) | undefined;
  let stopped = false;
  const onSigint = (): void => {
    stopped = true;
    stop?.();
  };
  process.on('SIGINT', onSigint);
  let view: SweepView | undefined;
  try {
    let failures = 0;
    for (;;) {
      try {
        view = await lab.call('sweeps.get', { id: sweepId, refresh: 'now' });
        failures = 0;
      } catch (e) {
        // A controller that does not answer for a while (restarting, overloaded) is waited for; the tasks go on.
        if (!(e instanceof LabError) || e.code !== 'internal' || ++failures > MAX_POLL_FAILURES) throw e;
        info(`squeue did not answer (${e.message}); asking again in ${(o.pollMs / 1000).toFixed(0)} s (${failures} of ${MAX_POLL_FAILURES})`);
      }
      if (view) {
        for (const c of changesOf(last.tasks, view.tasks)) {
          const t = c.task;
          if (o.json) out(JSON.stringify({ type: 'task', sweepId, task: t.task, from: c.from, state: t.state, requeued: c.requeued, jobId: t.jobId, node: t.node, attempts: t.attempts, reason: t.reason, point: t.point }));
          else info(describeChange(c));
        }
        await printRounds(lab, view, printed, o.json);
        last = view;
        const waiting = view.tasks.filter((t) => t.state === 'pending' || t.state === 'running');
        if (view.sweep.status !== 'running' || waiting.length === 0 || waiting.every((t) => t.jobId === null)) break;
      }
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
  const { sweep, tasks } = view as SweepView;
  for (const experimentId of sweep.experimentIds) {
    const summary = await experimentSummary(lab, experimentId, undefined, seconds);
    if (o.json) out(JSON.stringify({ ...summary, point: tasks.find((t) => t.experimentId === experimentId)?.point ?? '' }));
    else out(describeSummary(summary));
  }
  const counts = Object.fromEntries(['finished', 'failed', 'cancelled', 'pending', 'running'].map((s) => [s, tasks.filter((t) => t.state === s).length]));
  if (o.json) out(JSON.stringify({ type: 'sweep-summary', sweepId, status: sweep.status, counts, seconds }));
  else {
    info(`sweep s${sweepId} ${sweep.status}: ${Object.entries(counts).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`).join(', ')} in ${seconds.toFixed(0)} s`);
    for (const t of tasks.filter((x) => x.state === 'failed')) info(`  task ${t.task} (${t.point}; ${t.methods.join(' + ')}, seed ${t.seed}) failed: ${t.reason ?? ''}`);
  }
  return sweep.status === 'finished' ? 0 : 1;
}

/** Prints the rounds the sweep's runs gained since they were last printed (runs.get's rounds). */
async function printRounds(lab: CliLab, view: SweepView, printed: Map<number, number>, json: boolean): Promise<void> {
  for (const run of view.runs) {
    const from = printed.get(run.id) ?? 0;
    if (run.roundsDone <= from) continue;
    const task = view.tasks.find((t) => t.runIds.includes(run.id));
    const { rounds } = await lab.call('runs.get', { id: run.id });
    if (!json) info(`— ${run.method}, seed ${run.seed} (run ${run.id}${task?.point ? `; ${task.point}` : ''})`);
    for (const { final: _f, ticketId: _t, created: _c, cost: _cost, ...record } of rounds.slice(from)) {
      if (json) out(JSON.stringify({ ...record, experimentId: run.experimentId, task: task?.task ?? null }));
      else info(describeRound(record));
    }
    printed.set(run.id, rounds.length);
  }
}
