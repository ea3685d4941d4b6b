import { appVersion } from '../common/app-version.js';
import { invalidInput, LabError } from '../contract/errors.js';
import { parseExperimentConfig, type ExperimentConfig, type Method } from '../contract/experiment-config.js';
import type { Dataset } from '../data/types.js';
import type { BackendChoice } from '../lab/backend/index.js';
import { createContext } from '../lab/context.js';
import type { LabEvent, LabSink, RoundCheckpoint } from '../lab/events.js';
import { runExperiment, summarise, type ExperimentSummary } from '../lab/experiment.js';
import type { RunResult } from '../lab/run-result.js';
import { writeTransaction, type Db } from '../library/db.js';
import { refreshExperimentStatus } from '../library/experiments.js';
import { listRounds } from '../library/rounds.js';
import { loadRunMasks } from '../library/tickets.js';
import type { Mask } from '../lab/masks.js';
import { createRecorder, loadResumePoint, type Recorder } from '../library/recorder.js';
import { getRun, runsOfExperiment, setRunStatus, type RunRow } from '../library/runs.js';
import { info, out, pct, ProgressBar } from './output.js';

/** What running (or resuming) an experiment against the library needs. */
export interface LibraryRun {
  readonly db: Db;
  readonly experimentId: number;
  readonly config: ExperimentConfig;
  readonly dataset: Dataset;
  readonly evalDataset: Dataset;
  readonly backend: BackendChoice;
  readonly json: boolean;
  /** Hint appended to `colt resume` suggestions (the --library argument). */
  readonly libraryHint: string;
  /** Runs to continue from their checkpoints; absent: run the whole config from the start. */
  readonly resume?: readonly RunRow[];
}

/** The backend as run records and summaries name it. */
export function backendLabel(b: BackendChoice): string {
  return b.package ? `${b.name} (${b.package})` : b.name;
}

/** The `--backend` request that selects a stored run's backend again. */
export function backendRequestOf(run: RunRow): 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu' | 'auto' {
  if (run.backend === 'tensorflow') return run.backendPackage?.endsWith('-gpu') ? 'tensorflow-gpu' : 'tensorflow';
  if (run.backend === 'wasm' || run.backend === 'cpu') return run.backend;
  return 'auto';
}

/**
 * Runs an experiment (or continues some of its runs) with every finished round filed into the
 * library. There is no signal handler: Ctrl-C, SIGTERM or SIGKILL end the process at once (the
 * training loop does not yield to the event loop between batches), which is safe because every
 * round is one transaction; the next command notices the dead process and marks its run interrupted.
 */
export async function executeLibraryRun(o: LibraryRun): Promise<ExperimentSummary> {
  const { db } = o;
  const runIds = new Map(runsOfExperiment(db, o.experimentId).map((r) => [`${r.method}/${r.seed}`, r.id]));
  const runIdOf = (method: Method, seed: number): number => {
    const id = runIds.get(`${method}/${seed}`);
    if (id === undefined) throw new LabError('internal', `experiment e${o.experimentId} has no run for ${method}, seed ${seed}`);
    return id;
  };
  const bar = new ProgressBar();
  let recorder: Recorder | undefined;
  const sink: LabSink = {
    event(e: LabEvent): void {
      recorder?.event(e);
      printEvent(e, o.json, bar);
    },
    roundDone(c: RoundCheckpoint): void {
      recorder?.roundDone(c);
    },
  };
  const label = backendLabel(o.backend);
  const started = performance.now();
  try {
    const results: RunResult[] = [];
    let summary: ExperimentSummary | undefined;
    // Resumed runs go one at a time, the reinit control after the others (it uses IMP's masks).
    const targets = [...(o.resume ?? [])].sort((a, b) => Number(a.method === 'reinit') - Number(b.method === 'reinit') || a.id - b.id);
    const plans: { config: ExperimentConfig; from?: RoundCheckpoint }[] = o.resume
      ? targets.map((run) => ({
          config: parseExperimentConfig({ ...o.config, methods: [run.method], seeds: [run.seed] }),
          from: loadResumePoint(db, run.id),
        }))
      : [{ config: o.config }];
    // IMP's masks of rounds stored before this session, read when a run starts (after IMP resumed).
    const finishedMasks = (method: Method, seed: number): Mask[] => {
      const id = runIds.get(`${method}/${seed}`);
      return id === undefined ? [] : loadRunMasks(db, id);
    };
    for (const plan of plans) {
      const ctx = createContext(plan.config, o.dataset, o.evalDataset, sink);
      recorder = createRecorder({
        db,
        def: ctx.def,
        experimentId: o.experimentId,
        runIdOf,
        dataset: { name: o.dataset.name, checksum: o.dataset.checksum },
        appVersion: appVersion(),
        backend: { backend: o.backend.name, backendPackage: o.backend.package, backendReason: o.backend.reason },
      });
      if (plan.from?.final) {
        // The run's last round is stored: nothing to compute, only its status to settle.
        const runId = runIdOf(plan.config.methods[0], plan.config.seeds[0]);
        writeTransaction(db, `finish run ${runId}`, () => {
          setRunStatus(db, runId, 'finished');
          refreshExperimentStatus(db, o.experimentId);
        });
        continue;
      }
      const from = plan.from;
      const result = await runExperiment(ctx, label, () => from, o.resume ? finishedMasks : undefined);
      results.push(...result.runs);
      summary = result.summary;
    }
    if (!o.resume && summary) return summary;
    // A resumed run's summary covers all its rounds, those from before the interruption included.
    for (const run of o.resume ?? []) {
      const rounds = listRounds(db, run.id).map(({ runId: _r, final: _f, created: _c, ...record }) => record);
      const i = results.findIndex((x) => x.method === run.method && x.seed === run.seed);
      if (i >= 0) results[i] = { method: run.method, seed: run.seed, rounds };
      else results.push({ method: run.method, seed: run.seed, rounds });
    }
    return {
      type: 'summary',
      name: o.config.name,
      arch: o.config.arch,
      dataset: o.dataset.name,
      datasetChecksum: o.dataset.checksum,
      ...(o.evalDataset !== o.dataset ? { evaluationDataset: o.evalDataset.name } : {}),
      backend: label,
      seeds: [...new Set(results.map((r) => r.seed))],
      seconds: (performance.now() - started) / 1000,
      methods: summarise(results),
    };
  } catch (e) {
    bar.clear();
    const runId = recorder?.currentRun;
    const cancelled = e instanceof LabError && e.code === 'cancelled';
    writeTransaction(db, 'record how the run ended', () => {
      if (runId !== undefined && getRun(db, runId).status === 'running') {
        setRunStatus(db, runId, cancelled ? 'interrupted' : 'failed', cancelled ? null : e instanceof Error ? e.message : String(e));
      }
      refreshExperimentStatus(db, o.experimentId);
    });
    if (runId !== undefined) info(`run ${runId} stopped; its finished rounds are kept (\`colt resume e${o.experimentId}${o.libraryHint}\` continues it)`);
    throw e;
  } finally {
    bar.clear();
  }
}

function printEvent(e: LabEvent, json: boolean, bar: ProgressBar): void {
  if (e.type === 'progress') bar.update(e);
  else if (e.type === 'round') {
    bar.clear();
    if (json) out(JSON.stringify(e));
    else info(describeRound(e));
  } else if (e.type === 'notice') {
    bar.clear();
    info(`note: ${e.message}`);
  } else if (e.type === 'run-start' && !json) {
    bar.clear();
    info(`— ${e.method}, seed ${e.seed}`);
  }
}

/** One line per finished round. */
export function describeRound(e: Extract<LabEvent, { type: 'round' }>): string {
  const parts = [
    `${e.method.padEnd(6)} seed ${e.seed} round ${String(e.round).padStart(2)}:`,
    `sparsity ${pct(e.sparsity).padStart(6)}`,
    `test ${pct(e.testAccuracy)}`,
  ];
  if (e.overlap !== undefined) parts.push(`overlap ${pct(e.overlap)}`);
  if (e.partitionAccuracies) parts.push(`partitions ${e.partitionAccuracies.map((a) => pct(a)).join(' / ')}`);
  parts.push(`${e.seconds.toFixed(1)} s`);
  return parts.join('  ');
}

/** The closing summary of a run or resume. */
export function describeSummary(s: ExperimentSummary): string {
  const lines = [`${s.name}: ${s.arch} on ${s.dataset} (${s.backend}), ${s.seconds.toFixed(0)} s`];
  for (const [method, m] of Object.entries(s.methods)) {
    if (!m) continue;
    lines.push(
      `  ${method.padEnd(6)} ${m.rounds} rounds → sparsity ${pct(m.finalSparsity.mean)}, test ${pct(m.finalAccuracy?.mean)} (dense ${pct(m.denseAccuracy?.mean)}), ${m.samples} training images`,
    );
  }
  return lines.join('\n');
}

/** Validates a `--backend` value. */
export function parseBackend(b: string): 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu' {
  if (b === 'auto' || b === 'tensorflow-gpu' || b === 'tensorflow' || b === 'wasm' || b === 'cpu') return b;
  throw invalidInput(`--backend '${b}': expected auto, tensorflow-gpu, tensorflow, wasm or cpu`);
}
