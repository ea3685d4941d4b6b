import path from 'node:path';
import type { CommandOutput, ParsedInput } from '../contract/api.js';
import { invalidInput, LabError } from '../contract/errors.js';
import { parseSlurmOptions } from '../contract/sweep-config.js';
import type { BackendChoice } from '../lab/backend/index.js';
import type { Db } from '../library/db.js';
import { listRuns, runsOfExperiment, type RunRow } from '../library/runs.js';
import { getSweep, listSweeps, refreshLocalSweep } from '../library/sweeps.js';
import { slurmClient, type SlurmClient } from '../jobs/slurm/slurm-client.js';
import { planSweep, runCount } from '../sweep/grid.js';
import { loadSweepData, recordSweep } from '../sweep/record.js';
import { cancelSlurmSweep, mergeSweepShards, refreshSlurmSweep, submitSlurmSweep } from '../sweep/slurm-sweep.js';
import type { MergeReport } from '../library/merge.js';
import type { RunStatus } from '../library/experiments.js';
import { sweepSummaryOf, sweepTaskViews } from '../sweep/views.js';
import { estimateCost, type CostEstimate } from './estimate.js';
import type { FileAccess } from './file-access.js';
import { runSummaryOf } from './library-views.js';

/** What the sweep commands need of the service that hosts them. */
export interface SweepHost {
  /** The library, opened on first use. */
  readonly db: () => Db;
  readonly libraryPath: string;
  readonly dataDir: string;
  /** The folders clients may name (a Slurm sweep's folder). */
  readonly files: FileAccess;
  /** Queues runs of an experiment in the service's job pool (runs.resume's path). */
  readonly resume: (experimentId: number, runs: readonly RunRow[]) => Promise<{ runIds: number[]; notes: string[] }>;
  /** Whether the service's job pool has runs of the experiment queued or training. */
  readonly isActive: (experimentId: number) => boolean;
  /** Whether clients may give lines for the job script (LabServiceOptions.slurmScriptLines). */
  readonly slurmScriptLines: boolean;
}

/** A folder-name form of a sweep's name. */
function slug(name: string): string {
  return name.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'sweep';
}

/** How often `sweeps.get` asks Slurm about one sweep at most (the UI polls it). */
const REFRESH_EVERY_MS = 2_000;

/**
 * The `sweeps.*` commands and the sweep half of `experiments.validate`, over the service's
 * library: a Slurm sweep is brought up to date (squeue, merges, requeues) when it is looked at.
 */
export class SweepCommands {
  private readonly refreshed = new Map<number, number>();
  private readonly inFlight = new Map<number, Promise<unknown>>();

  private readonly db: () => Db;

  constructor(
    private readonly host: SweepHost,
    private readonly client: SlurmClient = slurmClient(),
  ) {
    this.db = host.db;
  }

  /**
   * `sweeps.create`: plans the grid, loads and checks every point's data, then records the sweep
   * (nothing is recorded when a point fails) and, with `start`, queues or submits what is unfinished.
   */
  async create(input: ParsedInput<'sweeps.create'>): Promise<CommandOutput<'sweeps.create'>> {
    const { executor, backend, start } = input;
    if (input.config === null || typeof input.config !== 'object' || Array.isArray(input.config)) throw invalidInput("field 'config': expected an object (an experiment config, with or without a sweep section)", { field: 'config' });
    if (executor === 'local' && input.slurm !== undefined) throw invalidInput("field 'slurm': Slurm options need executor slurm", { field: 'slurm' });
    if (executor === 'local' && input.dir !== undefined) throw invalidInput("field 'dir': a sweep folder is for executor slurm (its manifest, shards and logs)", { field: 'dir' });
    const plan = planSweep(input.config as Record<string, unknown>, input.axes);
    const slurm = executor === 'slurm' ? (input.slurm ?? parseSlurmOptions({})) : undefined;
    for (const field of ['prelude', 'extra'] as const) {
      if (!this.host.slurmScriptLines && (slurm?.[field].length ?? 0) > 0) {
        throw invalidInput(`field 'slurm.${field}': lines for the Slurm job script run on the cluster as this lab's user, so this lab takes them only from its own machine (\`colt run --slurm-${field}\` there), not over this connection`, { field: `slurm.${field}` });
      }
    }
    const dir =
      executor !== 'slurm' ? null : input.dir !== undefined ? this.host.files.creatableFolder(input.dir, 'dir') : path.join(path.dirname(path.resolve(this.host.libraryPath)), 'sweeps', `${slug(plan.name)}-${plan.key.slice(0, 8)}`);
    const data = await loadSweepData(plan, this.host.dataDir);
    const db = this.db();
    const rec = recordSweep(db, plan, data, { executor, dir, spec: { axes: plan.axes, points: plan.points.length, backend, dataDir: path.resolve(this.host.dataDir), ...(slurm ? { slurm } : {}) } });
    const notes: string[] = [];
    let submission: CommandOutput<'sweeps.create'>['submission'] = null;
    if (start && executor === 'local') {
      for (const experimentId of rec.experimentIds) {
        if (this.host.isActive(experimentId)) {
          notes.push(`experiment e${experimentId} has runs queued or training already; left as they are`);
          continue;
        }
        const runs = runsOfExperiment(db, experimentId).filter((r) => r.status === 'pending' || r.status === 'interrupted' || r.status === 'running');
        if (runs.length > 0) notes.push(...(await this.host.resume(experimentId, runs)).notes);
      }
      refreshLocalSweep(db, rec.sweep.id);
    } else if (start && slurm) {
      const sub = await submitSlurmSweep(db, rec, plan, data, { client: this.client, slurm, backend, dataDir: this.host.dataDir, libraryPath: path.resolve(this.host.libraryPath) });
      submission = { jobId: sub.jobId, submitted: sub.submitted, inFlight: sub.inFlight, finished: sub.finished };
    }
    return {
      ...this.view(rec.sweep.id, notes),
      points: plan.points.map((p) => ({ point: p.label, experimentId: rec.experimentIds[p.index] })),
      resubmitted: rec.resubmitted,
      submission,
    };
  }

  /** A sweep as sweeps.get shows it. */
  private view(id: number, notes: string[]): CommandOutput<'sweeps.get'> {
    const db = this.db();
    const summary = sweepSummaryOf(db, getSweep(db, id));
    const runs = summary.experimentIds.flatMap((experimentId) => listRuns(db, { experimentId }).map(runSummaryOf));
    return { sweep: summary, tasks: sweepTaskViews(db, id), runs, notes };
  }

  /** `sweeps.list`. */
  list(limit = 1000): CommandOutput<'sweeps.list'> {
    const db = this.db();
    return listSweeps(db, limit).map((s) => {
      if (refreshLocalSweep(db, s.id)) return sweepSummaryOf(db, getSweep(db, s.id));
      return sweepSummaryOf(db, s);
    });
  }

  /**
   * `sweeps.get`. `auto` refreshes a running Slurm sweep first (at most every 2 s) and notes an
   * unreachable Slurm; `now` asks Slurm about a Slurm sweep in any state and fails when it cannot.
   */
  async get(id: number, refresh: 'auto' | 'now' = 'auto'): Promise<CommandOutput<'sweeps.get'>> {
    const db = this.db();
    const sweep = getSweep(db, id);
    const notes: string[] = [];
    if (sweep.executor === 'slurm' && refresh === 'now') {
      const failure = await this.refresh(id, true);
      if (failure !== null) throw failure;
    } else if (sweep.executor === 'slurm' && sweep.status === 'running' && Date.now() - (this.refreshed.get(id) ?? 0) >= REFRESH_EVERY_MS) {
      const failure = await this.refresh(id, false);
      // Slurm unreachable from here: answer with what the library knows, and say so.
      if (failure !== null) notes.push(`Slurm was not asked: ${failure instanceof LabError ? failure.message : String(failure)}`);
    }
    refreshLocalSweep(db, id);
    return this.view(id, notes);
  }

  /**
   * One refresh of a sweep at a time; answers what it failed with, or null. A caller that may
   * share one already under way joins it; a `fresh` one waits for it and then asks Slurm again.
   */
  private async refresh(id: number, fresh: boolean): Promise<unknown> {
    let pending = this.inFlight.get(id);
    if (pending && fresh) await pending;
    pending = fresh ? undefined : this.inFlight.get(id);
    if (!pending) {
      const started = refreshSlurmSweep(this.db(), id, this.client).then(
        () => null,
        (e: unknown) => e,
      );
      pending = started;
      this.inFlight.set(id, started);
      void started.finally(() => {
        if (this.inFlight.get(id) === started) this.inFlight.delete(id);
        this.refreshed.set(id, Date.now());
      });
    }
    return pending;
  }

  /** `sweeps.cancel`: waits up to `waitSeconds` for Slurm to end the tasks before merging what they finished. */
  async cancel(id: number, waitSeconds = 15): Promise<CommandOutput<'sweeps.cancel'>> {
    const db = this.db();
    if (getSweep(db, id).executor !== 'slurm') throw new LabError('invalid_input', `sweep s${id} runs locally: stop it with Ctrl-C in its \`colt run\``, { field: 'id' });
    const { cancelled, merges } = await cancelSlurmSweep(db, id, this.client, waitSeconds * 1000);
    return { sweepId: id, cancelled, ...mergesOf(merges) };
  }

  /** `sweeps.merge`. */
  merge(id: number): CommandOutput<'sweeps.merge'> {
    const db = this.db();
    getSweep(db, id);
    const { merges, skipped } = mergeSweepShards(db, id);
    return { sweepId: id, ...mergesOf(merges), running: skipped };
  }
}

/** The contract's shape of a sweep's merges: the shard files, and each run with the file it came from. */
function mergesOf(merges: readonly MergeReport[]): Pick<CommandOutput<'sweeps.merge'>, 'shards' | 'runs'> {
  return {
    shards: merges.map((m) => m.shard),
    runs: merges.flatMap((m) => m.runs.map((r) => ({ shard: m.shard, runId: r.runId, action: r.action, roundsAdded: r.roundsAdded, status: r.status as RunStatus }))),
  };
}

/**
 * Validates and estimates a config with a `sweep` section: every point validated (the error
 * names the point and field, as `colt run` does), the estimate summed over the points.
 */
export async function estimateSweep(db: Db, raw: Record<string, unknown>, dataDir: string, backend?: BackendChoice, concurrency?: number): Promise<{ estimate: CostEstimate; sweep: { points: number; tasks: number; runs: number } }> {
  const plan = planSweep(raw);
  const estimates: CostEstimate[] = [];
  for (const p of plan.points) {
    try {
      estimates.push(await estimateCost(db, p.config, dataDir, backend, concurrency));
    } catch (e) {
      if (e instanceof LabError && p.label !== '') throw new LabError(e.code, `sweep point ${p.index + 1} (${p.label}): ${e.message}`, e.details);
      throw e;
    }
  }
  const sum = (f: (e: CostEstimate) => number): number => estimates.reduce((n, e) => n + f(e), 0);
  const timed = estimates.every((e) => e.seconds !== null && e.runSeconds !== null);
  const estimate: CostEstimate = {
    runs: sum((e) => e.runs),
    rounds: Math.max(0, ...estimates.map((e) => e.rounds)),
    samples: sum((e) => e.samples),
    evaluationSamples: sum((e) => e.evaluationSamples),
    trainingSamples: sum((e) => e.trainingSamples),
    imagesPerSecond: estimates[0]?.imagesPerSecond ?? null,
    concurrency: estimates[0]?.concurrency ?? 1,
    runSeconds: timed ? sum((e) => e.runSeconds as number) : null,
    seconds: timed ? sum((e) => e.seconds as number) : null,
    basis: `${plan.points.length} points, run one after another: ${estimates[0]?.basis ?? 'no points'}`,
  };
  return { estimate, sweep: { points: plan.points.length, tasks: plan.tasks.length, runs: runCount(plan) } };
}
