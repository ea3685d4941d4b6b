import { parseArgs } from 'node:util';
import { appDataDir } from '../../common/paths.js';
import { invalidInput } from '../../contract/errors.js';
import { selectBackend, type BackendRequest } from '../../lab/backend/index.js';
import { backendLabel } from '../../service/experiment-runner.js';
import { backendRequestOf } from '../../service/run-plans.js';
import { followExperiment } from '../follow-experiment.js';
import { withLab, type CliLab, type CliLabOptions } from '../lab-client.js';
import { CONCURRENCY_HELP, LIBRARY_HELP, libraryHint, MAX_LIST, optional, parseBackend, parseCount, parseId } from '../library-options.js';
import { describeSummary, info, out } from '../output.js';

/** Help text of `colt resume`. */
export const RESUME_HELP = `colt resume RUN | eEXPERIMENT | --all [options]

Continues runs from their last finished round (the library keeps each run's state after every
round) and ends with the masks an uninterrupted run gives on the same backend. RUN is a run id
(12), eEXPERIMENT an experiment id (e3: its interrupted and not yet started runs), --all every
experiment with interrupted runs. Runs whose process died (killed, crashed) are noticed and
marked interrupted first; failed and cancelled runs stay as they are.

  --backend B         override the backend the runs were computed on (masks may then differ)
  --force             take over runs marked running (by another machine, or a reused process id)
  --json              JSON lines on stdout: "resume", each "round", "summary"
  --data-dir DIR      where registered datasets are listed (default: the app-data folder)
${CONCURRENCY_HELP}
${LIBRARY_HELP}`;

/** Options of a resume from the command line. */
export interface ResumeOptions {
  readonly json: boolean;
  readonly dataDir: string;
  /** The --library argument. */
  readonly library: string | undefined;
  readonly backend?: BackendRequest;
  /** Take over runs marked running (another machine, or a reused process id). */
  readonly force?: boolean;
  readonly concurrency?: number;
  /** `colt run --resume-interrupted` with a config may create the library; `colt resume` only continues one that exists. */
  readonly access?: CliLabOptions['access'];
}

/** What one resume continues: a run or an experiment's resumable runs. */
type Target = { readonly runId: number } | { readonly experimentId: number };

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
    library: values.library,
    ...optional('backend', values.backend !== undefined ? parseBackend(values.backend) : undefined),
    force: values.force ?? false,
  };
  if (values.all) {
    const { runs, code } = await resumeInterrupted(options);
    if (runs === 0) info('no interrupted runs in this library');
    return code;
  }
  const id = positionals[0];
  const target: Target = /^e/i.test(id) ? { experimentId: parseId(id, 'experiment', 'e') } : { runId: parseId(id, 'run', 'r') };
  return (await resumeTarget(target, options)).code;
}

/**
 * Continues every experiment with interrupted runs (their interrupted and not yet started runs),
 * oldest first. Returns how many runs it continued and the exit code (1 when a run failed; 130
 * when paused with Ctrl-C, which leaves the experiments after it alone).
 */
export async function resumeInterrupted(options: ResumeOptions): Promise<{ runs: number; code: number }> {
  const interrupted = await withLab(labOptions(options), (lab) => lab.call('runs.list', { status: 'interrupted', limit: MAX_LIST }));
  const experiments = [...new Set(interrupted.map((r) => r.experimentId))].sort((a, b) => a - b);
  let count = 0;
  let code = 0;
  for (const experimentId of experiments) {
    info(`resuming experiment e${experimentId}`);
    const r = await resumeTarget({ experimentId }, options);
    count += r.runs;
    if (r.code !== 0) code = r.code;
    if (r.code === 130) break;
  }
  return { runs: count, code };
}

/**
 * Continues a run or an experiment through the contract's runs.resume, on the backend its runs
 * were computed on (or --backend), and follows it to the end. Returns the runs continued and the exit code.
 */
async function resumeTarget(target: Target, options: ResumeOptions): Promise<{ runs: number; code: number }> {
  const runs = await withLab(labOptions(options), (lab) => resumableRuns(lab, target));
  if (runs.length === 0) return { runs: 0, code: 0 };
  const started = runs.find((r) => r.backend !== null);
  const backend = await selectBackend(options.backend ?? (started ? backendRequestOf(started) : 'auto'));
  const experimentId = runs[0].experimentId;
  const hint = libraryHint(options.library);
  return withLab({ ...labOptions(options), backend }, async (lab) => {
    let resumed = 0;
    const { summary, code } = await followExperiment(
      lab,
      async () => {
        const { runIds, notes } = await lab.call('runs.resume', { ...target, force: options.force ?? false });
        resumed = runIds.length;
        for (const note of notes) info(`note: ${note}`);
        const continued = runs.filter((r) => runIds.includes(r.id));
        if (options.json) {
          const system = await lab.call('system.info', {});
          out(
            JSON.stringify({
              type: 'resume',
              experimentId,
              runIds,
              notes,
              runs: continued.map((r) => ({ id: r.id, method: r.method, seed: r.seed, fromRound: r.lastRound })),
              backend: system.backend,
              backendReason: system.backendReason,
              adapter: system.adapter,
            }),
          );
        } else {
          info(`backend: ${backend.name} (${backend.reason})`);
          for (const r of continued) info(`run ${r.id} (${r.method}, seed ${r.seed}): ${r.lastRound === null ? 'starting from round 0' : `continuing after round ${r.lastRound}`}`);
        }
        return experimentId;
      },
      { json: options.json, libraryHint: hint, backend: backendLabel(backend) },
    );
    if (options.json) out(JSON.stringify(summary));
    else out(describeSummary(summary));
    return { runs: resumed, code };
  });
}

/** The lab a resume browses and continues in: the command's library, which must exist unless the caller may create it. */
function labOptions(options: ResumeOptions): CliLabOptions {
  return { library: options.library, dataDir: options.dataDir, access: options.access ?? 'existing', ...optional('concurrency', options.concurrency) };
}

/** A stored run as a resume needs it: its place, backend and last round. */
interface ResumableRun {
  readonly id: number;
  readonly experimentId: number;
  readonly method: string;
  readonly seed: number;
  readonly lastRound: number | null;
  readonly backend: string | null;
  readonly backendPackage: string | null;
}

/** The runs a target continues (runs.resume's choice: interrupted, not yet started, or left running by a dead process); none, said why, when it is finished. */
async function resumableRuns(lab: CliLab, target: Target): Promise<ResumableRun[]> {
  const ids = 'runId' in target ? [target.runId] : (await lab.call('experiments.get', { id: target.experimentId })).runs.map((r) => r.id);
  const runs = await Promise.all(ids.map(async (id) => (await lab.call('runs.get', { id })).run));
  const open = runs.filter((r) => r.status !== 'finished');
  if (open.length === 0) {
    info('runId' in target ? `run ${target.runId} is finished; nothing to resume` : `experiment e${target.experimentId} is finished; nothing to resume`);
    return [];
  }
  return open.map((r) => ({ id: r.id, experimentId: r.experimentId, method: r.method, seed: r.seed, lastRound: r.lastRound, backend: r.backend, backendPackage: r.backendPackage }));
}
