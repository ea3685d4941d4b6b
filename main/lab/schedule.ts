import { parseDuration, type ExperimentConfig } from '../contract/experiment-config.js';

/** How long one training is on a set of `count` images: batches, epochs and the images it sees. */
export interface TrainingLength {
  /** The batch size used (the configured one, or the whole set when it is smaller). */
  readonly batchSize: number;
  readonly iterationsPerEpoch: number;
  /** Images one epoch trains on (the last partial batch is dropped unless `keepLastBatch`). */
  readonly samplesPerEpoch: number;
  readonly iterations: number;
  /** Training images over the whole training: what a round's `samples` counts. */
  readonly samples: number;
}

/**
 * The length of a training of `training.duration` on `count` images (COLT-SPEC: a round is
 * "50ep" or "20000it"). The one definition the loop, the cost estimate and the config checks share.
 */
export function trainingLength(training: ExperimentConfig['training'], count: number): TrainingLength {
  const batchSize = Math.max(1, Math.min(training.batchSize, count));
  const iterationsPerEpoch = Math.max(1, training.keepLastBatch ? Math.ceil(count / batchSize) : Math.floor(count / batchSize));
  const samplesPerEpoch = training.keepLastBatch ? count : iterationsPerEpoch * batchSize;
  const d = parseDuration(training.duration);
  const iterations = d.unit === 'ep' ? d.amount * iterationsPerEpoch : d.amount;
  // Whole epochs, then the first batches of one more (all full: only an epoch's last batch is partial).
  const samples = Math.floor(iterations / iterationsPerEpoch) * samplesPerEpoch + (iterations % iterationsPerEpoch) * batchSize;
  return { batchSize, iterationsPerEpoch, samplesPerEpoch, iterations, samples };
}

/** Images the first `iterations` steps of a training on `count` images see. */
export function samplesOfSteps(training: ExperimentConfig['training'], count: number, iterations: number): number {
  const l = trainingLength(training, count);
  return Math.floor(iterations / l.iterationsPerEpoch) * l.samplesPerEpoch + (iterations % l.iterationsPerEpoch) * l.batchSize;
}

/** The iteration a duration ("2ep", "500it") ends at, for a training on `count` images. */
export function iterationOf(training: ExperimentConfig['training'], duration: string, count: number): number {
  const d = parseDuration(duration);
  return d.unit === 'ep' ? d.amount * trainingLength(training, count).iterationsPerEpoch : d.amount;
}

/**
 * Learning rate of the step after `iteration` steps (COLT-SPEC, authors' recipe): linear warm-up
 * over `warmupEpochs`, then the base rate multiplied by `gamma` at each milestone epoch passed.
 * The first warm-up step runs at lr / warm-up steps, or at 0 with `warmupFromZero` (the authors'
 * scheduler, whose rate is base · step / steps with the step counted from 0).
 */
export function learningRate(training: ExperimentConfig['training'], iteration: number, iterationsPerEpoch: number): number {
  const base = training.optimizer.lr;
  const epoch = iteration / iterationsPerEpoch;
  if (training.warmupEpochs > 0 && epoch < training.warmupEpochs) {
    const warmupIterations = training.warmupEpochs * iterationsPerEpoch;
    // epoch · iterationsPerEpoch rather than iteration: the arithmetic of earlier versions, so stored runs resume bit for bit.
    return (base * (epoch * iterationsPerEpoch + (training.warmupFromZero ? 0 : 1))) / warmupIterations;
  }
  let lr = base;
  for (const m of training.milestones) if (epoch >= m) lr *= training.gamma;
  return lr;
}
