import { cacheDir } from '../common/paths.js';
import type { ExperimentConfig } from '../contract/experiment-config.js';
import { loadDatasetMeta } from '../data/dataset-meta.js';
import { loadDataset } from '../data/registry.js';
import type { Dataset } from '../data/types.js';
import { checkRunFits, type BackendChoice } from './backend/index.js';
import { checkExperiment, type CheckedExperiment } from './context.js';
import { labelDataset } from './experiment-splits.js';
import type { ModelDef } from './models/types.js';

/** An experiment's training and evaluation data, and the model its config passed the checks with. */
export interface ExperimentData {
  readonly dataset: Dataset;
  readonly evalDataset: Dataset;
  readonly def: ModelDef;
}

/**
 * Loads (decodes) an experiment's data and refuses a config that cannot work, before the library
 * records anything; on webgpu (`backend` with an adapter) also a training step too large for it.
 */
export async function loadExperimentData(config: ExperimentConfig, dataDir: string, backend?: BackendChoice): Promise<ExperimentData> {
  const load = (name: string): Promise<Dataset> => loadDataset(name, { dataDir, cacheDir: cacheDir() });
  const dataset = await load(config.dataset);
  const evalDataset = config.evaluationDataset && config.evaluationDataset !== config.dataset ? await load(config.evaluationDataset) : dataset;
  return { dataset, evalDataset, def: checked(config, dataset, evalDataset, backend).def };
}

/**
 * The same checks on the data's metadata only (shapes, classes, labels; no pixel decoded), for
 * experiments.validate and cost estimates: the datasets returned are pixel-less (labelDataset).
 */
export async function checkExperimentMeta(config: ExperimentConfig, dataDir: string, backend?: BackendChoice): Promise<ExperimentData> {
  const load = async (name: string): Promise<Dataset> => labelDataset(await loadDatasetMeta(name, { dataDir, cacheDir: cacheDir() }));
  const dataset = await load(config.dataset);
  const evalDataset = config.evaluationDataset && config.evaluationDataset !== config.dataset ? await load(config.evaluationDataset) : dataset;
  return { dataset, evalDataset, def: checked(config, dataset, evalDataset, backend).def };
}

/** checkExperiment, then on a GPU adapter whether a training step of each model fits it (COLT's partition models train on part of the data: the batch is at most the training set). */
function checked(config: ExperimentConfig, dataset: Dataset, evalDataset: Dataset, backend: BackendChoice | undefined): CheckedExperiment {
  const result = checkExperiment(config, dataset, evalDataset);
  if (backend?.adapter) {
    checkRunFits(result.def, config.training, Math.min(config.training.batchSize, dataset.train.count), backend.adapter);
    if (result.evalDef !== result.def) checkRunFits(result.evalDef, config.training, Math.min(config.training.batchSize, evalDataset.train.count), backend.adapter);
  }
  return result;
}
