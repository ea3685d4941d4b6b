import { parseDuration, type ExperimentConfig } from '../contract/experiment-config.js';
import type { BackendChoice } from '../lab/backend/index.js';
import { createContext, roundsToTarget } from '../lab/context.js';
import type { Db } from '../library/db.js';
import { loadExperimentData } from './run-plans.js';

/** What an experiment will cost: runs, rounds, training images, and time at the speed past runs had here. */
export interface CostEstimate {
  readonly runs: number;
  readonly rounds: number;
  readonly trainingSamples: number;
  readonly imagesPerSecond: number | null;
  readonly seconds: number | null;
  /** Where the speed comes from, in words. */
  readonly basis: string;
}

/**
 * Estimates an experiment's cost before it starts. Loads its data (refusing a config that cannot
 * run, naming the field), counts the training images every round of every run will use, and
 * divides by the images per second this architecture reached on this backend in the library.
 */
export async function estimateCost(db: Db, config: ExperimentConfig, dataDir: string, backend?: BackendChoice): Promise<CostEstimate> {
  // On webgpu this also refuses a run too large for the adapter, naming training.batchSize.
  const { dataset, evalDataset } = await loadExperimentData(config, dataDir, backend);
  const ctx = createContext(config, dataset, evalDataset, { event: () => undefined });
  const rates = [config.imp.rate ?? config.pruning.rate, config.colt.rate ?? config.pruning.rate];
  const target = Math.max(...rates.map((r) => roundsToTarget(config, ctx.def, ctx.totalParams, r) ?? config.stop.maxRounds));
  const rounds = Math.min(config.stop.maxRounds, target) + 1;

  const limited = Math.min(dataset.train.count, config.data.trainLimit ?? Infinity);
  const trainCount = Math.round(limited * (1 - config.data.validationFraction));
  const d = parseDuration(config.training.duration);
  const perRound = d.unit === 'ep' ? d.amount * trainCount : d.amount * config.training.batchSize;
  let perSeed = 0;
  for (const method of config.methods) {
    // COLT's partitions together see the data once per round; its full-data ticket evaluation trains again.
    const evaluations = method !== 'colt' ? 0 : config.colt.evaluate === 'every-round' ? rounds : config.colt.evaluate === 'final' ? 1 : 0;
    perSeed += (rounds + evaluations) * perRound;
  }
  const trainingSamples = perSeed * config.seeds.length;

  const speed = backend
    ? (db
        .prepare(
          `SELECT sum(x.samples + x.evaluation_samples) AS images, sum(x.seconds) AS seconds, count(*) AS n
           FROM rounds x JOIN runs r ON r.id = x.run_id JOIN experiments e ON e.id = r.experiment_id
           WHERE e.arch = ? AND r.backend = ?`,
        )
        .get(config.arch, backend.name) as { images: number | null; seconds: number | null; n: number })
    : undefined;
  const imagesPerSecond = speed && speed.images && speed.seconds ? speed.images / speed.seconds : null;
  const basis =
    imagesPerSecond !== null && speed && backend
      ? `${Math.round(imagesPerSecond)} images/s measured over ${speed.n} stored round${speed.n === 1 ? '' : 's'} of ${config.arch} on ${backend.name}, one run at a time (runs on several cores finish sooner)`
      : `no stored rounds of ${config.arch}${backend ? ` on ${backend.name}` : ''} yet to time it by`;
  return {
    runs: config.methods.length * config.seeds.length,
    rounds,
    trainingSamples,
    imagesPerSecond,
    seconds: imagesPerSecond !== null ? trainingSamples / imagesPerSecond : null,
    basis,
  };
}
