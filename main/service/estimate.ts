import type { CommandOutput } from '../contract/api.js';
import type { ExperimentConfig, Method } from '../contract/experiment-config.js';
import type { BackendChoice } from '../lab/backend/index.js';
import { roundsToTarget } from '../lab/context.js';
import { plannedRoundCost, trainCounts, type Cost } from '../lab/cost.js';
import type { Db } from '../library/db.js';
import { storedSpeed } from '../library/rounds.js';
import { defaultConcurrency } from '../jobs/pool.js';
import { checkExperimentMeta } from '../lab/experiment-data.js';

/** What an experiment will cost (the contract's `experiments.validate` estimate): runs, rounds, training images by the one definition (lab/cost.ts), and time at the speed past runs had here. */
export type CostEstimate = NonNullable<CommandOutput<'experiments.validate'>['estimate']>;

/** One run the estimate schedules: its method, seed and images. */
interface PlannedRun {
  readonly method: Method;
  readonly seed: number;
  readonly cost: Cost;
}

/**
 * Estimates an experiment's cost before it starts. Checks the config on its data's metadata
 * (refusing a config that cannot run, naming the field; no pixel decoded), counts the training
 * images every round of every run will use with the lab's own length and cost functions, and
 * times them at the images per second this architecture reached on this backend in the library,
 * `concurrency` runs at once.
 */
export async function estimateCost(db: Db, config: ExperimentConfig, dataDir: string, backend?: BackendChoice, concurrency?: number): Promise<CostEstimate> {
  // On webgpu this also refuses a run too large for the adapter, naming training.batchSize.
  const { dataset, evalDataset, def } = await checkExperimentMeta(config, dataDir, backend);
  const rates = [config.imp.rate ?? config.pruning.rate, config.colt.rate ?? config.pruning.rate];
  const target = Math.max(...rates.map((r) => roundsToTarget(config, def, r) ?? config.stop.maxRounds));
  const rounds = Math.min(config.stop.maxRounds, target) + 1;
  const counts = trainCounts(config, dataset, evalDataset);
  const transfer = evalDataset !== dataset;
  const runs: PlannedRun[] = [];
  for (const seed of config.seeds) {
    for (const method of config.methods) {
      let samples = 0;
      let evaluationSamples = 0;
      for (let round = 0; round < rounds; round++) {
        const c = plannedRoundCost(config, counts, transfer, method, round, round === rounds - 1);
        samples += c.samples;
        evaluationSamples += c.evaluationSamples;
      }
      runs.push({ method, seed, cost: { samples, evaluationSamples, total: samples + evaluationSamples } });
    }
  }
  const samples = runs.reduce((a, r) => a + r.cost.samples, 0);
  const evaluationSamples = runs.reduce((a, r) => a + r.cost.evaluationSamples, 0);
  const slots = Math.max(1, concurrency ?? (backend ? defaultConcurrency(backend) : 1));
  const speed = backend ? storedSpeed(db, config.arch, backend.name) : undefined;
  const imagesPerSecond = speed && speed.images > 0 && speed.seconds > 0 ? speed.images / speed.seconds : null;
  const runSeconds = imagesPerSecond !== null ? runs.reduce((a, r) => a + r.cost.total, 0) / imagesPerSecond : null;
  const seconds = imagesPerSecond !== null ? makespan(runs, slots, imagesPerSecond) : null;
  const basis =
    imagesPerSecond !== null && speed && backend
      ? `${Math.round(imagesPerSecond)} images/s per run, measured over ${speed.rounds} stored round${speed.rounds === 1 ? '' : 's'} of ${config.arch} on ${backend.name}; ${slots} run${slots === 1 ? '' : 's'} at once`
      : `no stored rounds of ${config.arch}${backend ? ` on ${backend.name}` : ''} yet to time it by`;
  // Evaluation passes cost time the image counts leave out; the stored rounds' speed includes them.
  return { runs: runs.length, rounds, samples, evaluationSamples, trainingSamples: samples + evaluationSamples, imagesPerSecond, concurrency: slots, runSeconds, seconds, basis };
}

/**
 * Wall time of the runs on `slots` slots, each run taking its images / speed: runs start in
 * submission order (seed by seed, the config's method order) on the first free slot; a reinit
 * control starts only once its seed's IMP run has ended, as jobs/experiment-jobs.ts submits it.
 */
export function makespan(runs: readonly PlannedRun[], slots: number, imagesPerSecond: number): number {
  const free = Array.from({ length: slots }, () => 0);
  const ended = new Map<string, number>();
  const order = [...runs.filter((r) => r.method !== 'reinit'), ...runs.filter((r) => r.method === 'reinit')];
  let end = 0;
  for (const r of order) {
    const slot = free.indexOf(Math.min(...free));
    const ready = r.method === 'reinit' ? (ended.get(`imp/${r.seed}`) ?? 0) : 0;
    const start = Math.max(free[slot], ready);
    const finish = start + r.cost.total / imagesPerSecond;
    free[slot] = finish;
    ended.set(`${r.method}/${r.seed}`, finish);
    end = Math.max(end, finish);
  }
  return end;
}
