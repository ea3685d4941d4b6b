import { parseArgs } from 'node:util';
import { invalidInput, LabError } from '../../contract/errors.js';
import { guard, openLibrary, writeTransaction } from '../../library/db.js';
import { getExperiment } from '../../library/experiments.js';
import { listRounds } from '../../library/rounds.js';
import { getRun, listRuns, reconcileStaleRuns, type RunFilter } from '../../library/runs.js';
import type { RunStatus } from '../../library/experiments.js';
import { listTickets } from '../../library/tickets.js';
import { LIBRARY_HELP, libraryPath, LIST_FILTER_OPTIONS, listFilter, optional, parseId } from '../library-options.js';
import { roundCosts } from '../../lab/cost.js';
import { count, maskCheck, out, pct } from '../output.js';

/** Help text of `colt runs`. */
export const RUNS_HELP = `colt runs list [filters] [--json]    runs in the library, newest first
colt runs show RUN [--curves] [--json]  one run: provenance, status and every round
  --curves           also every evaluated point of each round's trainings (epoch: test accuracy; * = reported)
  filters: --method M  --dataset NAME  --arch A  --status S  --experiment eN
           --min-sparsity X  --max-sparsity Y (of the last round; 0.9 or 90%)
           --since DATE (created on or after, e.g. 2025-03-01)  --limit N
${LIBRARY_HELP}`;

const STATUSES: readonly RunStatus[] = ['pending', 'running', 'finished', 'failed', 'cancelled', 'interrupted'];

/** `colt runs list|show`. */
export async function runsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      ...LIST_FILTER_OPTIONS,
      status: { type: 'string' },
      curves: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      library: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: true,
  });
  const [sub, ...rest] = positionals;
  if (values.help || sub === undefined) {
    out(RUNS_HELP);
    return values.help ? 0 : 2;
  }
  if (sub !== 'list' && sub !== 'show') throw invalidInput(`colt runs: unknown subcommand '${sub}' (list, show)`);
  if (values.status !== undefined && !STATUSES.includes(values.status as RunStatus)) {
    throw invalidInput(`--status '${values.status}': expected one of ${STATUSES.join(', ')}`);
  }
  const db = openLibrary(libraryPath(values.library), { mustExist: true });
  try {
    // Show killed runs as interrupted rather than running, where the library can be written (a read-only one is listed as it is).
    try {
      writeTransaction(db, 'check for interrupted runs', () => reconcileStaleRuns(db));
    } catch (e) {
      if (!(e instanceof LabError && e.code === 'storage')) throw e;
    }
    if (sub === 'list') {
      if (rest.length > 0) throw invalidInput(`colt runs list: unexpected argument '${rest[0]}'`);
      const filter: RunFilter = { ...listFilter(values), ...optional('status', values.status as RunStatus | undefined) };
      const runs = guard('list runs', () => listRuns(db, filter));
      if (values.json) for (const r of runs) out(JSON.stringify(r));
      else if (runs.length === 0) out('no runs match');
      else {
        out(`${'run'.padStart(5)}  ${'exp'.padEnd(5)} ${'method'.padEnd(6)} ${'seed'.padStart(4)}  ${'arch'.padEnd(13)} ${'dataset'.padEnd(20)} ${'status'.padEnd(11)} rounds  sparsity  test    created`);
        for (const r of runs) {
          out(
            `${String(r.id).padStart(5)}  ${`e${r.experimentId}`.padEnd(5)} ${r.method.padEnd(6)} ${String(r.seed).padStart(4)}  ${r.arch.padEnd(13)} ${r.dataset.slice(0, 20).padEnd(20)} ${r.status.padEnd(11)} ${String(r.roundsDone).padStart(6)}  ${pct(r.sparsity).padStart(8)}  ${pct(r.testAccuracy).padStart(6)}  ${r.created.slice(0, 16).replace('T', ' ')}`,
          );
        }
      }
      return 0;
    }
    if (rest.length !== 1) throw invalidInput('colt runs show: expected one run id');
    const run = getRun(db, parseId(rest[0], 'run', 'r'));
    const experiment = getExperiment(db, run.experimentId);
    const rounds = listRounds(db, run.id);
    const tickets = new Map(listTickets(db, { runId: run.id }).map((t) => [t.round, t.id]));
    const costs = new Map(roundCosts(rounds).map((c) => [c.round, c]));
    if (values.json) {
      out(JSON.stringify({ ...run, preset: experiment.preset, config: experiment.config, rounds: rounds.map((r) => ({ ...r, ticketId: tickets.get(r.round) ?? null, cost: costs.get(r.round) })) }));
      return 0;
    }
    out(`run ${run.id}: ${run.method}, seed ${run.seed} of experiment e${run.experimentId} '${run.experiment}'${experiment.preset ? ` (preset ${experiment.preset})` : ''}`);
    out(`  ${run.arch} on ${run.dataset} (sha256 ${run.datasetChecksum.slice(0, 16)}…)`);
    out(`  status ${run.status}${run.error ? `: ${run.error}` : ''}`);
    out(`  backend ${run.backend ?? '—'}${run.backendPackage ? ` (${run.backendPackage})` : ''}${run.backendReason ? `: ${run.backendReason}` : ''}`);
    out(`  app ${run.appVersion}; created ${run.created}${run.started ? `, started ${run.started}` : ''}${run.finished ? `, finished ${run.finished}` : ''}`);
    if (rounds.length > 0) {
      const colt = run.method === 'colt';
      out(
        `  round  sparsity  (all)    test    val     untrained  early-stop  ${colt ? 'overlap  partitions     untrained      ' : ''}   training  evaluation   cumulative  seconds  mask     ticket`,
      );
      for (const r of rounds) {
        const c = costs.get(r.round)!;
        const parts = colt
          ? `${pct(r.overlap).padStart(7)}  ${(r.partitionAccuracies ?? []).map((a) => pct(a)).join('/').padEnd(13)}  ${(r.partitionUntrainedAccuracies ?? []).map((a) => pct(a)).join('/').padEnd(13)}  `
          : '';
        out(
          `  ${String(r.round).padStart(5)}  ${pct(r.sparsity).padStart(8)}  ${pct(r.sparsityAll).padStart(6)}  ${pct(r.testAccuracy).padStart(6)}  ${pct(r.valAccuracy).padStart(6)}  ${pct(r.untrainedAccuracy).padStart(9)}  ${String(r.earlyStopIteration ?? '—').padStart(10)}  ${parts}${count(c.samples).padStart(11)}  ${count(c.evaluationSamples).padStart(10)}  ${count(c.cumulative.total).padStart(11)}  ${r.seconds.toFixed(1).padStart(7)}  ${maskCheck(r.maskViolations).replace('mask ', '').padEnd(7)}  ${tickets.get(r.round) ?? '—'}`,
        );
      }
      const total = costs.get(rounds[rounds.length - 1].round)!.cumulative;
      out(`  training images: ${count(total.samples)} to make the tickets + ${count(total.evaluationSamples)} to evaluate them = ${count(total.total)}`);
      if (values.curves) {
        out('  evaluated points (epoch: test accuracy; * = the point the round reports):');
        for (const r of rounds) {
          for (const phase of [...new Set(r.evaluations.map((e) => e.phase))]) {
            const points = r.evaluations.filter((e) => e.phase === phase).map((e) => `${Number(e.epoch.toFixed(2))}: ${pct(e.testAccuracy)}${e.selected ? '*' : ''}`);
            out(`  ${String(r.round).padStart(5)}  ${phase.padEnd(14)} ${points.join('  ')}`);
          }
        }
      }
    }
    return 0;
  } finally {
    db.close();
  }
}

