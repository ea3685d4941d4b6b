import type { Method } from '../contract/experiment-config.js';
import type { RunEventMessage } from '../contract/run-events.js';
import type { CliLab } from './lab-client.js';
import { describeRound, info, out, ProgressBar, type ExperimentSummary } from './output.js';

/** How often the follower asks `runs.active` whether the experiment still has runs queued or training. */
const POLL_MS = 250;

/** What following an experiment prints and says. */
export interface FollowOptions {
  readonly json: boolean;
  /** Appended to the `colt resume eN` hints (the --library argument). */
  readonly libraryHint: string;
  /** The backend as the summary names it. */
  readonly backend: string;
}

/** How the runs ended: the experiment's summary and the exit code (0; 1 when a run failed; 130 when paused). */
export interface FollowResult {
  readonly experimentId: number;
  readonly summary: ExperimentSummary;
  readonly code: number;
}

/**
 * Starts runs with `start` (a contract command that queues them, experiments.create or
 * runs.resume, returning the experiment's id) and follows them through the lab's run events to
 * their end: a progress bar, one line per stored round (with --json the contract's round record),
 * who failed and who paused. Ctrl-C pauses them through runs.pause: they stop within a batch and
 * `colt resume` continues them; a second Ctrl-C exits at once. Ends with the experiment's summary
 * from experiments.get.
 */
export async function followExperiment(lab: CliLab, start: () => Promise<number>, o: FollowOptions): Promise<FollowResult> {
  const bar = new ProgressBar();
  const started = performance.now();
  let experimentId: number | undefined;
  const early: RunEventMessage[] = [];
  const seen = new Set<number>();
  const failed: { runId: number; method: Method; seed: number; message: string }[] = [];
  const stopped: number[] = [];
  const handle = (e: RunEventMessage): void => {
    const { runId, method, seed } = e.payload;
    if (e.payload.experimentId !== experimentId || runId === undefined) return;
    if (!seen.has(runId) && (e.event === 'run.progress' || e.event === 'run.roundDone')) {
      seen.add(runId);
      if (!o.json) {
        bar.clear();
        info(`— ${method}, seed ${seed} (run ${runId})`);
      }
    }
    if (e.event === 'run.progress') bar.update(e.payload);
    else if (e.event === 'run.roundDone') {
      bar.clear();
      if (o.json) out(JSON.stringify(e.payload.record));
      else info(describeRound(e.payload.record));
    } else if (e.event === 'run.failed') failed.push({ runId, method, seed, message: e.payload.error.message });
    else if (e.payload.status !== 'finished') stopped.push(runId);
  };
  // Subscribed before the runs start; events that come before `start` answers wait for the id.
  const off = lab.onEvent((e) => {
    if (experimentId === undefined) early.push(e);
    else handle(e);
  });
  let interrupts = 0;
  const pause = (): void => {
    if (experimentId === undefined) return;
    bar.clear();
    info(`pausing: the runs stop within a batch and keep their finished rounds (\`colt resume e${experimentId}${o.libraryHint}\` continues them; Ctrl-C again quits at once)`);
    lab.call('runs.pause', { experimentId }).catch((err: unknown) => info(`could not pause: ${err instanceof Error ? err.message : String(err)}`));
  };
  const onSigint = (): void => {
    if (++interrupts > 1) process.exit(130);
    pause();
  };
  process.on('SIGINT', onSigint);
  try {
    experimentId = await start();
    for (const e of early.splice(0)) handle(e);
    if (interrupts > 0) pause();
    await untilIdle(lab, experimentId);
    bar.clear();
    let code = failed.length > 0 ? 1 : 0;
    for (const f of failed) info(`run ${f.runId} (${f.method}, seed ${f.seed}) failed: ${f.message}`);
    if (stopped.length > 0) {
      info(`run${stopped.length > 1 ? 's' : ''} ${stopped.join(', ')} paused; their finished rounds are kept (\`colt resume e${experimentId}${o.libraryHint}\` continues)`);
      if (code === 0) code = 130;
    }
    return { experimentId, summary: await experimentSummary(lab, experimentId, o.backend, (performance.now() - started) / 1000), code };
  } finally {
    off();
    process.off('SIGINT', onSigint);
    bar.clear();
  }
}

/** Resolves once no run of the experiment is queued or training in the lab. */
async function untilIdle(lab: CliLab, experimentId: number): Promise<void> {
  for (;;) {
    const active = await lab.call('runs.active', {});
    if (!active.some((r) => r.experimentId === experimentId)) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * The closing summary line of `colt run` / `colt resume` / a sweep's point: experiments.get's
 * per-method figures over every run of the experiment; the backend as given, else those its runs were computed on.
 */
export async function experimentSummary(lab: CliLab, experimentId: number, backend: string | undefined, seconds: number): Promise<ExperimentSummary> {
  const e = await lab.call('experiments.get', { id: experimentId });
  const first = e.runs[0] ? await lab.call('runs.get', { id: e.runs[0].id }) : undefined;
  const evaluation = typeof e.config.evaluationDataset === 'string' && e.config.evaluationDataset !== e.experiment.dataset ? e.config.evaluationDataset : undefined;
  return {
    type: 'summary',
    experimentId,
    name: e.experiment.name,
    arch: e.experiment.arch,
    dataset: e.experiment.dataset,
    datasetChecksum: first?.run.datasetChecksum ?? '',
    ...(evaluation !== undefined ? { evaluationDataset: evaluation } : {}),
    backend: backend ?? ([...new Set(e.runs.map((r) => r.backend).filter((b) => b !== null))].join(', ') || '—'),
    seeds: e.experiment.seeds,
    seconds,
    methods: e.methods,
  };
}
