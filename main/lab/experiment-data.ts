import { cacheDir } from '../common/paths.js';
import type { ExperimentConfig } from '../contract/experiment-config.js';
import { loadDataset } from '../data/registry.js';
import type { Dataset } from '../data/types.js';
import { createContext } from './context.js';

/** An experiment's training and evaluation data. */
export interface ExperimentData {
  readonly dataset: Dataset;
  readonly evalDataset: Dataset;
}

/** Loads an experiment's data and refuses a config that cannot work, before the library records anything. */
export async function loadExperimentData(config: ExperimentConfig, dataDir: string): Promise<ExperimentData> {
  const dataset = await loadDataset(config.dataset, { dataDir, cacheDir: cacheDir() });
  const evalDataset =
    config.evaluationDataset && config.evaluationDataset !== config.dataset ? await loadDataset(config.evaluationDataset, { dataDir, cacheDir: cacheDir() }) : dataset;
  createContext(config, dataset, evalDataset, { event: () => undefined });
  return { dataset, evalDataset };
}
