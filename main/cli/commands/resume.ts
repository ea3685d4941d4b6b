import { parseArgs } from 'node:util';
import { appDataDir } from '../../common/paths.js';
import { invalidInput } from '../../contract/errors.js';
import { openLibrary, writeTransaction, type Db } from '../../library/db.js';
import { getExperiment } from '../../library/experiments.js';
import { getRun, reconcileStaleRuns, runsOfExperiment, type RunRow } from '../../library/runs.js';
import { planResume, type PlanResumeOptions as PlanOptions } from '../../service/run-plans.js';
import { CONCURRENCY_HELP, LIBRARY_HELP, libraryHint, libraryPath, optional, parseCount, parseId } from '../library-options.js';
import { describeSummary, executeLibraryRun, parseBackend } from '../library-run.js';
import { info, out } from '../output.js';

/** Help text of `colt resume`. */
export const RESUME_HELP = `colt resume RUN | eEXPERIMENT | --all [options]

Continues runs from their last finished round (the library keeps each run's state after every
round) and ends with the masks an uninterrupted run gives on the same backend. RUN is a run id
(12), eEXPERIMENT an experiment id (e3: all its unfinished runs), --all every interrupted experiment.
Runs whose process died (killed, crashed) are noticed and marked interrupted first.

  --backend B         override the backend the runs were computed on (masks may then differ)
  --force             take over runs marked running (by another machine, or a reused process id)
  --json              JSON lines on stdout: "resume", each "round", "summary"
  --data-dir DIR      where registered datasets are listed (default: the app-data folder)
${CONCURRENCY_HELP}
${LIBRARY_HELP}`;

/** Options of a resume from the command line. */
export interface ResumeOptions extends PlanOptions {
  readonly json: boolean;
  readonly libraryHint: string;
  readonly concurrency?: number;
}

/** `colt resume RUN | eEXPERIMENT | --all`. */
export async function resumeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      all: { type: 'boolean', default: false },
      backend: { type: 'string' },
      force: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      concurrency: { type: 'string' },
      library: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    out(RESUME_HELP);
    return 0;
  }
  if ((positionals.length === 0) === !values.all || positionals.length > 1) {
    throw invalidInput('colt resume: give one run id (12), one experiment id (e3), or --all');
  }
  const options: ResumeOptions = {
    json: values.json ?? false,
    ...optional('concurrency', parseCount(values.concurrency, '--concurrency')),
    dataDir: values['data-dir'] ?? appDataDir(),
    libraryHint: libraryHint(values.library),
    ...(values.backend !== undefined ? { backend: parseBackend(values.backend) } : {}),
    force: values.force ?? false,
  };
  const db = openLibrary(libraryPath(values.library), { mustExist: true });
  try {
    writeTransaction(db, 'check for interrupted runs', () => reconcileStaleRuns(db));
    if (values.all) {
      const { runs, code } = await resumeInterrupted(db, options);
      if (runs === 0) info('no interrupted runs in this library');
      return code;
    }
    const id = positionals[0];
    if (/^e/i.test(id)) {
      const experimentId = parseId(id, 'experiment', 'e');
      getExperiment(db, experimentId);
      const runs = runsOfExperiment(db, experimentId).filter((r) => r.status !== 'finished');
      if (runs.length === 0) {
        info(`experiment e${experimentId} is finished; nothing to resume`);
        return 0;
      }
      return await resumeRuns(db, experimentId, runs, options);
    }
    const run = getRun(db, parseId(id, 'run', 'r'));
    if (run.status === 'finished') {
      info(`run ${run.id} is finished; nothing to resume`);
      return 0;
    }
    return await resumeRuns(db, run.experimentId, [run], options);
  } finally {
    db.close();
  }
}

/**
 * Continues every experiment left interrupted (its interrupted and not yet started runs, not
 * failed or cancelled ones). Returns how many runs it continued and the exit code (1 when a run
 * failed; 130 when paused with Ctrl-C, which leaves the experiments after it alone).
 */
export async function resumeInterrupted(db: Db, options: ResumeOptions): Promise<{ runs: number; code: number }> {
  writeTransaction(db, 'check for interrupted runs', () => reconcileStaleRuns(db));
  const experiments = db.prepare("SELECT DISTINCT experiment_id FROM runs WHERE status = 'interrupted' ORDER BY experiment_id").pluck().all() as number[];
  let count = 0;
  let code = 0;
  for (const experimentId of experiments) {
    const runs = runsOfExperiment(db, experimentId).filter((r) => r.status === 'interrupted' || r.status === 'pending');
    if (runs.length === 0) continue;
    info(`resuming experiment e${experimentId}: runs ${runs.map((r) => r.id).join(', ')}`);
    const c = await resumeRuns(db, experimentId, runs, options);
    count += runs.length;
    if (c !== 0) code = c;
    if (c === 130) break;
  }
  return { runs: count, code };
}

/** Continues some runs of one experiment, after planResume's checks. Returns the exit code (executeLibraryRun's). */
async function resumeRuns(db: Db, experimentId: number, runs: RunRow[], options: ResumeOptions): Promise<number> {
  const plan = await planResume(db, experimentId, runs, options);
  for (const note of plan.notes) info(`note: ${note}`);
  const { backend, resume } = plan;
  if (options.json) {
    out(JSON.stringify({ type: 'resume', experimentId, runs: resume.map((r) => ({ id: r.id, method: r.method, seed: r.seed, fromRound: r.lastRound })), backend: backend.name, backendReason: backend.reason, ...(backend.adapter ? { adapter: backend.adapter } : {}) }));
  } else {
    info(`backend: ${backend.name} (${backend.reason})`);
    for (const r of resume) info(`run ${r.id} (${r.method}, seed ${r.seed}): ${r.lastRound === null ? 'starting from round 0' : `continuing after round ${r.lastRound}`}`);
  }
  const { summary, code } = await executeLibraryRun({ db, experimentId, config: plan.config, dataset: plan.dataset, evalDataset: plan.evalDataset, backend, json: options.json, dataDir: options.dataDir, libraryHint: options.libraryHint, resume, ...optional('concurrency', options.concurrency) });
  if (options.json) out(JSON.stringify({ ...summary, experimentId }));
  else out(describeSummary(summary));
  return code;
}
