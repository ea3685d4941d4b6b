import type { CommandOutput } from '../contract/api.js';
import { LabError } from '../contract/errors.js';
import type { BackendChoice } from '../lab/backend/index.js';
import type { Db } from '../library/db.js';
import { listRuns } from '../library/runs.js';
import { getSweep, listSweeps } from '../library/sweeps.js';
import { slurmClient, type SlurmClient } from '../jobs/slurm/slurm-client.js';
import { planSweep, runCount } from '../sweep/grid.js';
import { cancelSlurmSweep, mergeSweepShards, refreshSlurmSweep } from '../sweep/slurm-sweep.js';
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
  private readonly inFlight = new Map<number, Promise<string | null>>();

  constructor(
    private readonly db: () => Db,
    private readonly client: SlurmClient = slurmClient(),
  ) {}

  /** `sweeps.list`. */
  list(limit = 1000): CommandOutput<'sweeps.list'> {
    const db = this.db();
    return listSweeps(db, limit).map((s) => sweepSummaryOf(db, s));
  }

  /** `sweeps.get`: refreshes a running Slurm sweep first (at most every 2 s; one refresh at a time). */
  async get(id: number): Promise<CommandOutput<'sweeps.get'>> {
    const db = this.db();
    const sweep = getSweep(db, id);
    const notes: string[] = [];
    if (sweep.executor === 'slurm' && sweep.status === 'running' && Date.now() - (this.refreshed.get(id) ?? 0) >= REFRESH_EVERY_MS) {
      let pending = this.inFlight.get(id);
      if (!pending) {
        pending = refreshSlurmSweep(db, id, this.client).then(
          () => null,
          (e: unknown) => (e instanceof LabError ? e.message : String(e)),
        );
        this.inFlight.set(id, pending);
        void pending.finally(() => {
          this.inFlight.delete(id);
          this.refreshed.set(id, Date.now());
        });
      }
      const failure = await pending;
      // Slurm unreachable from here: answer with what the library knows, and say so.
      if (failure !== null) notes.push(`Slurm was not asked: ${failure}`);
    }
    const tasks = sweepTaskViews(db, id);
    const summary = sweepSummaryOf(db, getSweep(db, id));
    const runs = summary.experimentIds.flatMap((experimentId) => listRuns(db, { experimentId }).map(runSummaryOf));
    return { sweep: summary, tasks, runs, notes };
  }

  /** `sweeps.cancel`. */
  async cancel(id: number): Promise<CommandOutput<'sweeps.cancel'>> {
    const db = this.db();
    if (getSweep(db, id).executor !== 'slurm') throw new LabError('invalid_input', `sweep s${id} runs locally in a \`colt run\`; stop it there`, { field: 'id' });
    const { cancelled } = await cancelSlurmSweep(db, id, this.client, 15_000);
    return { sweepId: id, cancelled };
  }

  /** `sweeps.merge`. */
  merge(id: number): CommandOutput<'sweeps.merge'> {
    const db = this.db();
    getSweep(db, id);
    const { merges, skipped } = mergeSweepShards(db, id);
    return {
      sweepId: id,
      runs: merges.flatMap((m) => m.runs.map((r) => ({ runId: r.runId, action: r.action, roundsAdded: r.roundsAdded, status: r.status as CommandOutput<'sweeps.merge'>['runs'][number]['status'] }))),
      running: skipped,
    };
  }
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
