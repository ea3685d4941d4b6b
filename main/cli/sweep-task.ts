import os from 'node:os';
import { appVersion } from '../common/app-version.js';
import { invalidInput, LabError } from '../contract/errors.js';
import { ensureDataset } from '../library/datasets.js';
import { openLibrary, writeTransaction, type Db } from '../library/db.js';
import { insertExperiment, storedExperimentConfigs } from '../library/experiments.js';
import { recordAttempt } from '../library/provenance.js';
import { insertRun, interruptAllRunning, runsOfExperiment, type RunRow } from '../library/runs.js';
import { selectBackend } from '../lab/backend/index.js';
import { loadExperimentData } from '../lab/experiment-data.js';
import { backendLabel } from '../service/experiment-runner.js';
import { followExperiment } from './follow-experiment.js';
import { withLab } from './lab-client.js';
import { describeSummary, info, out } from './output.js';
import { manifestTask, readManifest, shardPath, type ManifestTask } from '../sweep/manifest.js';

/** The Slurm ids of the current job, from the environment Slurm gives a batch script. */
export function slurmJobEnv(env: NodeJS.ProcessEnv = process.env): { jobId: string | null; arrayJobId: string | null; arrayTaskId: number | null; restarts: number | null } {
  const int = (v: string | undefined): number | null => (v !== undefined && /^\d+$/.test(v) ? Number(v) : null);
  return {
    jobId: env.SLURM_JOB_ID ?? null,
    arrayJobId: env.SLURM_ARRAY_JOB_ID ?? null,
    arrayTaskId: int(env.SLURM_ARRAY_TASK_ID),
    restarts: int(env.SLURM_RESTART_COUNT),
  };
}

/** The CPUs Slurm gave this task (jobs at once), when it says. */
function slurmCpus(env: NodeJS.ProcessEnv = process.env): number | undefined {
  for (const v of [env.SLURM_CPUS_PER_TASK, env.SLURM_JOB_CPUS_PER_NODE]) {
    const n = v !== undefined ? Number.parseInt(v, 10) : NaN;
    if (Number.isInteger(n) && n > 0) return n;
  }
  return undefined;
}

/** The shard's experiment for this task: recorded on the first attempt, checked on later ones. */
async function taskExperiment(db: Db, t: ManifestTask, dataDir: string, file: string): Promise<number> {
  const stored = storedExperimentConfigs(db);
  if (stored.length > 0) {
    if (stored.length > 1 || stored[0].config !== JSON.stringify(t.config)) {
      throw invalidInput(`shard ${file} holds another experiment than task ${t.task}'s; it was not written by this sweep`);
    }
    return stored[0].id;
  }
  const { dataset, evalDataset } = await loadExperimentData(t.config, dataDir);
  if (dataset.checksum !== t.datasetChecksum || evalDataset.checksum !== t.evalDatasetChecksum) {
    throw invalidInput(
      `dataset '${dataset.name}' on ${os.hostname()} (sha256 ${dataset.checksum.slice(0, 12)}…) is not the one the sweep was submitted with (${t.datasetChecksum.slice(0, 12)}…); the nodes must see the same data`,
    );
  }
  return writeTransaction(db, `record task ${t.task}`, () => {
    const datasetId = ensureDataset(db, dataset);
    const evalDatasetId = evalDataset === dataset ? datasetId : ensureDataset(db, evalDataset);
    const id = insertExperiment(db, { config: t.config, datasetId, evalDatasetId });
    for (const method of t.methods) insertRun(db, { experimentId: id, method, seed: t.seed, appVersion: appVersion(), datasetChecksum: dataset.checksum });
    return id;
  });
}

/**
 * One Slurm array task (`colt sweep task DIR INDEX`): trains the task's runs into its own shard
 * library in the sweep folder. A later attempt (requeued, preempted, resubmitted) continues each
 * run from its last stored round; finished runs are not computed again. Slurm's SIGTERM (scancel,
 * time limit, preemption) pauses the runs within a batch, as Ctrl-C does. Returns the exit code.
 */
export async function runSweepTask(dir: string, index: number, json: boolean): Promise<number> {
  const manifest = readManifest(dir);
  const t = manifestTask(manifest, dir, index);
  const file = shardPath(dir, index);
  // The run pauses on SIGINT (followExperiment); Slurm stops a task with SIGTERM, which should do the same.
  const onTerm = (): void => {
    process.emit('SIGINT');
  };
  process.on('SIGTERM', onTerm);
  try {
    const backend = await selectBackend(manifest.backend);
    const prepared = await prepareShard(file, t, { dataDir: manifest.dataDir, index, backend: backend.name });
    if (prepared === undefined) return 0;
    const { experimentId, runs } = prepared;
    const cpus = slurmCpus();
    return await withLab({ library: file, dataDir: manifest.dataDir, backend, ...(cpus !== undefined ? { concurrency: cpus } : {}) }, async (lab) => {
      const { summary, code } = await followExperiment(
        lab,
        async () => {
          const { notes } = await lab.call('runs.resume', { experimentId, force: true });
          for (const note of notes) info(`note: ${note}`);
          for (const r of runs) info(`run ${r.id} (${r.method}, seed ${r.seed}): ${r.lastRound === null ? 'starting from round 0' : `continuing after round ${r.lastRound}`}`);
          return experimentId;
        },
        { json, libraryHint: ` --library ${file}`, backend: backendLabel(backend) },
      );
      if (json) out(JSON.stringify({ ...summary, task: index }));
      else out(describeSummary(summary));
      return code;
    });
  } catch (e) {
    if (e instanceof LabError) info(`task ${index} failed: ${e.message}`);
    throw e;
  } finally {
    process.off('SIGTERM', onTerm);
  }
}

/**
 * Readies the task's shard for this attempt: runs a killed attempt left running are interrupted,
 * the experiment is recorded (first attempt) or checked, and the attempt is recorded on each
 * unfinished run. Returns those runs, or undefined when every run is finished.
 */
function prepareShard(file: string, t: ManifestTask, o: { dataDir: string; index: number; backend: string }): Promise<{ experimentId: number; runs: RunRow[] } | undefined> {
  const { dataDir, index } = o;
  const db = openLibrary(file);
  const ready = async (): Promise<{ experimentId: number; runs: RunRow[] } | undefined> => {
    // One task owns its shard: a run still marked running was killed with an earlier attempt, on whichever node.
    writeTransaction(db, 'mark killed runs interrupted', () => interruptAllRunning(db));
    const experimentId = await taskExperiment(db, t, dataDir, file);
    const runs = runsOfExperiment(db, experimentId).filter((r) => r.status !== 'finished');
    info(`task ${index} (${t.point || 'no grid'}; ${t.methods.join(' + ')}, seed ${t.seed}) on ${os.hostname()}, shard ${file}`);
    if (runs.length === 0) {
      info(`task ${index}: its runs are finished; nothing to do`);
      return undefined;
    }
    const job = slurmJobEnv();
    writeTransaction(db, 'record the attempt', () => {
      for (const r of runs) {
        recordAttempt(
          db,
          r.id,
          { host: os.hostname(), jobId: job.jobId, arrayJobId: job.arrayJobId, arrayTaskId: job.arrayTaskId, restarts: job.restarts, fromRound: r.lastRound },
          { backend: o.backend, appVersion: appVersion(), datasetChecksum: t.datasetChecksum },
        );
      }
    });
    return { experimentId, runs };
  };
  return ready().finally(() => db.close());
}
