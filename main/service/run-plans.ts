import os from 'node:os';
import { cacheDir } from '../common/paths.js';
import { invalidInput, LabError } from '../contract/errors.js';
import type { ExperimentConfig } from '../contract/experiment-config.js';
import { loadDataset } from '../data/registry.js';
import type { Dataset } from '../data/types.js';
import { selectBackend, type BackendChoice, type BackendRequest } from '../lab/backend/index.js';
import { checkExperiment } from '../lab/context.js';
import type { ExperimentData } from '../lab/experiment-data.js';
import { getDataset } from '../library/datasets.js';
import type { Db } from '../library/db.js';
import { getExperiment } from '../library/experiments.js';
import { getRun, processAlive, runsOfExperiment, type RunRow } from '../library/runs.js';
import { backendLabel } from './experiment-runner.js';

// What has to be true before an experiment starts or continues, shared by `colt run`/`colt resume`
// and the app's experiments.create / runs.resume: data loaded and unchanged, nobody else running it.

/** The `--backend` request that selects a stored run's backend again. */
export function backendRequestOf(run: Pick<RunRow, 'backend' | 'backendPackage'>): BackendRequest {
  if (run.backend === 'tensorflow') return run.backendPackage?.endsWith('-gpu') ? 'tensorflow-gpu' : 'tensorflow';
  if (run.backend === 'webgpu' || run.backend === 'wasm' || run.backend === 'cpu') return run.backend;
  return 'auto';
}

/** What continuing some runs needs, checked. */
export interface ResumePlan extends ExperimentData {
  readonly experimentId: number;
  readonly config: ExperimentConfig;
  readonly backend: BackendChoice;
  /** The runs, re-read after the checks. */
  readonly resume: RunRow[];
  /** Things the user should know (a run continuing on another backend). */
  readonly notes: string[];
}

/** Options of a resume. */
export interface PlanResumeOptions {
  readonly dataDir: string;
  readonly backend?: BackendRequest;
  /** Take over runs marked running (another machine, or a reused process id). */
  readonly force?: boolean;
}

/**
 * Checks that some runs of one experiment can continue: nobody else runs them, a reinit run's
 * IMP run is done or continues too, the data is unchanged; selects the backend they ran on.
 */
export async function planResume(db: Db, experimentId: number, runs: readonly RunRow[], options: PlanResumeOptions): Promise<ResumePlan> {
  const host = os.hostname();
  for (const r of runs) {
    if (r.status !== 'running' || options.force) continue;
    if (r.host === host && r.pid !== null && processAlive(r.pid)) {
      throw new LabError('busy', `run ${r.id} is running in process ${r.pid} on this machine; stop it first (its finished rounds are kept), or pass --force if that process is not COLT Lab`, { run: r.id });
    }
    if (r.host !== host) {
      throw new LabError('busy', `run ${r.id} is marked running by ${r.host ?? 'another machine'}; if that process is gone, pass --force`, { run: r.id });
    }
  }
  for (const r of runs) {
    if (r.method !== 'reinit') continue;
    const imp = runsOfExperiment(db, experimentId).find((x) => x.method === 'imp' && x.seed === r.seed);
    if (imp && imp.status !== 'finished' && !runs.some((x) => x.id === imp.id)) {
      throw invalidInput(`run ${r.id} (reinit) uses the masks of IMP run ${imp.id}, which is not finished; resume e${experimentId} or run ${imp.id} first`, { run: r.id });
    }
  }
  const experiment = getExperiment(db, experimentId);
  const config = experiment.config;
  const started = runs.find((r) => r.backend !== null);
  const backend = await selectBackend(options.backend ?? (started ? backendRequestOf(started) : 'auto'));
  const notes: string[] = [];
  for (const r of runs) {
    if (r.backend !== null && (r.backend !== backend.name || (r.backendPackage ?? '') !== backend.package)) {
      notes.push(`run ${r.id} was computed on ${r.backend} (${r.backendPackage ?? '?'}); it continues on ${backendLabel(backend)}, so its masks may differ from an uninterrupted run`);
    } else if (r.backendAdapter && backend.adapter && r.backendAdapter.name !== backend.adapter.name) {
      notes.push(`run ${r.id} was computed on the WebGPU adapter ${r.backendAdapter.name}; it continues on ${backend.adapter.name}, so its masks may differ from an uninterrupted run`);
    }
  }
  const load = (name: string): Promise<Dataset> => loadDataset(name, { dataDir: options.dataDir, cacheDir: cacheDir() });
  const dataset = await load(config.dataset);
  for (const r of runs) {
    if (r.datasetChecksum !== dataset.checksum) {
      throw invalidInput(
        `dataset '${dataset.name}' has changed since run ${r.id} started (sha256 ${r.datasetChecksum.slice(0, 12)}…, now ${dataset.checksum.slice(0, 12)}…); resuming would not reproduce the run`,
        { run: r.id },
      );
    }
  }
  const evalRow = getDataset(db, experiment.evalDatasetId);
  const evalDataset = experiment.evalDatasetId === experiment.datasetId || !config.evaluationDataset ? dataset : await load(config.evaluationDataset);
  if (evalRow && evalDataset.checksum !== evalRow.checksum) {
    throw invalidInput(`evaluation dataset '${evalDataset.name}' has changed since experiment e${experimentId} started; resuming would not reproduce it`);
  }
  // The stored config is checked again against today's data (and code): it was valid when recorded.
  const { def } = checkExperiment(config, dataset, evalDataset);
  return { experimentId, config, backend, dataset, evalDataset, def, resume: runs.map((r) => getRun(db, r.id)), notes };
}
