import { appVersion } from '../common/app-version.js';
import type { ExperimentConfig, Method } from '../contract/experiment-config.js';
import type { Dataset } from '../data/types.js';
import { ensureDataset } from './datasets.js';
import { writeTransaction, type Db } from './db.js';
import { insertExperiment } from './experiments.js';
import { insertRun } from './runs.js';

/** What recording a new experiment needs: its config (and preset name) and its loaded datasets. */
export interface ExperimentRecord {
  readonly config: ExperimentConfig;
  readonly preset?: string;
  readonly dataset: Dataset;
  readonly evalDataset: Dataset;
  /** Only these of the config's method × seed runs (a Slurm task's share of a sweep point); default all. */
  readonly runs?: readonly { readonly method: Method; readonly seed: number }[];
}

/** Records a new experiment and its runs (method × seed, or the `runs` given; pending) in one transaction. */
export function recordExperiment(db: Db, o: ExperimentRecord): { experimentId: number; runs: { id: number; method: Method; seed: number }[] } {
  return writeTransaction(db, 'record the new experiment', () => {
    const datasetId = ensureDataset(db, o.dataset);
    const evalDatasetId = o.evalDataset === o.dataset ? datasetId : ensureDataset(db, o.evalDataset);
    const id = insertExperiment(db, { config: o.config, ...(o.preset !== undefined ? { preset: o.preset } : {}), datasetId, evalDatasetId });
    const runs: { id: number; method: Method; seed: number }[] = [];
    for (const seed of o.config.seeds) {
      for (const method of o.config.methods) {
        if (o.runs && !o.runs.some((r) => r.method === method && r.seed === seed)) continue;
        runs.push({ id: insertRun(db, { experimentId: id, method, seed, appVersion: appVersion(), datasetChecksum: o.dataset.checksum }), method, seed });
      }
    }
    return { experimentId: id, runs };
  });
}
