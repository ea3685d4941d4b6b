import os from 'node:os';
import { invalidInput, LabError } from '../contract/errors.js';
import { selectBackend } from '../lab/backend/index.js';
import { backendLabel } from '../service/experiment-runner.js';
import { followExperiment } from './follow-experiment.js';
import { withLab, type CliLab } from './lab-client.js';
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

/** The shard's experiment for this task: recorded on the first attempt (only the task's runs, on the data it was submitted with), checked on later ones. */
async function taskExperiment(lab: CliLab, t: ManifestTask, file: string): Promise<number> {
  const stored = await lab.call('experiments.list', {});
  if (stored.length > 0) {
    const config = stored.length === 1 ? (await lab.call('experiments.get', { id: stored[0].id })).config : undefined;
    if (JSON.stringify(config) !== JSON.stringify(t.config)) throw invalidInput(`shard ${file} holds another experiment than task ${t.task}'s; it was not written by this sweep`);
    return stored[0].id;
  }
  const created = await lab.call('experiments.create', {
    config: t.config,
    start: false,
    runs: t.methods.map((method) => ({ method, seed: t.seed })),
    datasetChecksums: { dataset: t.datasetChecksum, evaluationDataset: t.evalDatasetChecksum },
  });
  return created.experiment.id;
}

/**
 * One Slurm array task (`colt sweep task DIR INDEX`): trains the task's runs into its own shard
 * library in the sweep folder, through the contract. A later attempt (requeued, preempted,
 * resubmitted) continues each run from its last stored round (runs a killed attempt left marked
 * running are taken over: one task owns its shard); finished runs are not computed again.
 * Slurm's SIGTERM (scancel, time limit, preemption) pauses the runs within a batch, as Ctrl-C
 * does. Returns the exit code.
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
    const cpus = slurmCpus();
    return await withLab({ library: file, dataDir: manifest.dataDir, backend, ...(cpus !== undefined ? { concurrency: cpus } : {}) }, async (lab) => {
      const experimentId = await taskExperiment(lab, t, file);
      const { runs } = await lab.call('experiments.get', { id: experimentId });
      const unfinished = runs.filter((r) => r.status !== 'finished');
      info(`task ${index} (${t.point || 'no grid'}; ${t.methods.join(' + ')}, seed ${t.seed}) on ${os.hostname()}, shard ${file}`);
      if (unfinished.length === 0) {
        info(`task ${index}: its runs are finished; nothing to do`);
        return 0;
      }
      const lastRounds = await Promise.all(unfinished.map(async (r) => (await lab.call('runs.get', { id: r.id })).run.lastRound));
      const { jobId, arrayJobId, arrayTaskId, restarts } = slurmJobEnv();
      const { summary, code } = await followExperiment(
        lab,
        async () => {
          const { notes } = await lab.call('runs.resume', { experimentId, force: true, attempt: { jobId, arrayJobId, arrayTaskId, restarts } });
          for (const note of notes) info(`note: ${note}`);
          unfinished.forEach((r, i) => info(`run ${r.id} (${r.method}, seed ${r.seed}): ${lastRounds[i] === null ? 'starting from round 0' : `continuing after round ${lastRounds[i]}`}`));
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
