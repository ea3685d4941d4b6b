import type { CommandOutput } from '../contract/api.js';
import { LabError } from '../contract/errors.js';
import type { BackendChoice } from '../lab/backend/index.js';
import type { Db } from '../library/db.js';
import { listRuns } from '../library/runs.js';
import { getSweep, listSweeps } from '../library/sweeps.js';
import { slurmClient, type SlurmClient } from '../jobs/slurm/slurm-client.js';
import { planSweep, runCount } from '../sweep/grid.js';
import { cancelSlurmSweep, mergeSweepShards, refreshSlurmSweep } from '../sweep/slurm-sweep.js';
import type { MergeReport } from '../library/merge.js';
import type { RunStatus } from '../library/experiments.js';
import { sweepSummaryOf, sweepTaskViews } from '../sweep/views.js';
import { estimateCost, type CostEstimate } from './estimate.js';
import { runSummaryOf } from './library-views.js';

/** How often `sweeps.get` asks Slurm about one sweep at most (the UI polls it). */
const REFRESH_EVERY_MS = 2_000;

/**
 * The `sweeps.*` commands and the sweep half of `experiments.validate`, over the service's
 * library: a Slurm sweep is brought up to date (squeue, merges, requeues) when it is looked at.
 */
export class SweepCommands {
  private readonly refreshed = new Map<number, number>();
  private readonly inFlight = new Map<number, Promise<unknown>>();

  constructor(
    private readonly db: () => Db,
    private readonly client: SlurmClient = slurmClient(),
  ) {}

  /** `sweeps.list`. */
  list(limit = 1000): CommandOutput<'sweeps.list'> {
    const db = this.db();
    return listSweeps(db, limit).map((s) => sweepSummaryOf(db, s));
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
    const tasks = sweepTaskViews(db, id);
    const summary = sweepSummaryOf(db, getSweep(db, id));
    const runs = summary.experimentIds.flatMap((experimentId) => listRuns(db, { experimentId }).map(runSummaryOf));
    return { sweep: summary, tasks, runs, notes };
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
