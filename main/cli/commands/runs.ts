import { parseArgs } from 'node:util';
import type { CommandOutput } from '../../contract/api.js';
import { invalidInput } from '../../contract/errors.js';
import { METHODS, type Method } from '../../contract/experiment-config.js';
import { withLab } from '../lab-client.js';
import { COMMON_OPTIONS, LIBRARY_HELP, LIST_FILTER_OPTIONS, listFilter, MAX_LIST, optional, parseId, subcommandOf } from '../library-options.js';
import { count, maskCheck, out, pct } from '../output.js';

/** Help text of `colt runs`. */
export const RUNS_HELP = `colt runs list [filters] [--json]    runs in the library, newest first
colt runs show RUN [--curves] [--json]  one run: provenance, status and every round
  --curves           also every evaluated point of each round's trainings (epoch: test accuracy; * = reported)
  filters: --method M  --dataset NAME  --arch A  --status S  --experiment eN
           --min-sparsity X  --max-sparsity Y (of the last round; 0.9 or 90%)
           --since DATE (created on or after, e.g. 2025-03-01)  --limit N
${LIBRARY_HELP}`;

type RunStatus = CommandOutput<'runs.list'>[number]['status'];

const STATUSES: readonly RunStatus[] = ['pending', 'running', 'finished', 'failed', 'cancelled', 'interrupted'];

/** `colt runs list|show`. */
export async function runsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      ...LIST_FILTER_OPTIONS,
      status: { type: 'string' },
      curves: { type: 'boolean', default: false },
      ...COMMON_OPTIONS,
    },
    strict: true,
    allowPositionals: true,
  });
  const parsed = subcommandOf('runs', positionals, { help: values.help, text: RUNS_HELP, known: ['list', 'show'] });
  if (typeof parsed === 'number') return parsed;
  const { sub, rest } = parsed;
  if (values.status !== undefined && !STATUSES.includes(values.status as RunStatus)) {
    throw invalidInput(`--status '${values.status}': expected one of ${STATUSES.join(', ')}`);
  }
  // The library must exist; runs a killed process left running are shown as interrupted.
  return withLab({ library: values.library, access: 'existing' }, async (lab) => {
    if (sub === 'list') {
      if (rest.length > 0) throw invalidInput(`colt runs list: unexpected argument '${rest[0]}'`);
      const { method, ...filter } = listFilter(values);
      if (method !== undefined && !(METHODS as readonly string[]).includes(method)) throw invalidInput(`--method '${method}': expected one of ${METHODS.join(', ')}`);
      const runs = await lab.call('runs.list', { limit: MAX_LIST, ...filter, ...optional('method', method as Method | undefined), ...optional('status', values.status as RunStatus | undefined) });
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
    const shown = await lab.call('runs.get', { id: parseId(rest[0], 'run', 'r') });
    if (values.json) {
      out(JSON.stringify(shown));
      return 0;
    }
    const { run, rounds } = shown;
    const { experiment } = await lab.call('experiments.get', { id: run.experimentId });
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
        const c = r.cost;
        const parts = colt
          ? `${pct(r.overlap).padStart(7)}  ${(r.partitionAccuracies ?? []).map((a) => pct(a)).join('/').padEnd(13)}  ${(r.partitionUntrainedAccuracies ?? []).map((a) => pct(a)).join('/').padEnd(13)}  `
          : '';
        out(
          `  ${String(r.round).padStart(5)}  ${pct(r.sparsity).padStart(8)}  ${pct(r.sparsityAll).padStart(6)}  ${pct(r.testAccuracy).padStart(6)}  ${pct(r.valAccuracy).padStart(6)}  ${pct(r.untrainedAccuracy).padStart(9)}  ${String(r.earlyStopIteration ?? '—').padStart(10)}  ${parts}${count(c.samples).padStart(11)}  ${count(c.evaluationSamples).padStart(10)}  ${count(c.cumulative.total).padStart(11)}  ${r.seconds.toFixed(1).padStart(7)}  ${maskCheck(r.maskViolations).replace('mask ', '').padEnd(7)}  ${r.ticketId ?? '—'}`,
        );
      }
      const total = rounds[rounds.length - 1].cost.cumulative;
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
  });
}

