import type { ExperimentConfig } from '../contract/experiment-config.js';

/**
 * Learning rate at a point of training (COLT-SPEC, authors' recipe): linear warm-up over
 * `warmupEpochs`, then the base rate multiplied by `gamma` at each milestone epoch passed.
 * `epoch` is fractional: iteration / iterationsPerEpoch.
 */
export function learningRate(training: ExperimentConfig['training'], epoch: number, iterationsPerEpoch: number): number {
  const base = training.optimizer.lr;
  if (training.warmupEpochs > 0 && epoch < training.warmupEpochs) {
    // Count the step being taken, so the first step does not get a zero rate.
    const warmupIterations = training.warmupEpochs * iterationsPerEpoch;
    return (base * (epoch * iterationsPerEpoch + 1)) / warmupIterations;
  }
  let lr = base;
  for (const m of training.milestones) if (epoch >= m) lr *= training.gamma;
  return lr;
}
