import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { appDataDir } from '../../common/paths.js';
import type { CommandOutput } from '../../contract/api.js';
import { invalidInput } from '../../contract/errors.js';
import { EXECUTORS, type Executor } from '../../contract/sweep-config.js';
import { selectBackend } from '../../lab/backend/index.js';
import { getPreset } from '../../presets/presets.js';
import { applyOverrides } from '../../contract/config-overrides.js';
import { backendLabel } from '../../service/experiment-runner.js';
import { followExperiment } from '../follow-experiment.js';
import { withLab } from '../lab-client.js';
import { CONCURRENCY_HELP, LIBRARY_HELP, libraryHint, optional, parseBackend, parseCount } from '../library-options.js';
import { describeSummary, info, out } from '../output.js';
import { runSweep, SWEEP_RUN_HELP } from '../sweep-run.js';
import { resumeInterrupted } from './resume.js';

/** Help text of `colt run`. */
export const RUN_HELP = `colt run --preset NAME | --config FILE [options]

Generates COLT and/or IMP tickets as the config says, reports every round and files each
finished round (metrics, ticket, state to continue from) into the library in one transaction.
Stopping it at any moment (Ctrl-C, kill) keeps every finished round; \`colt resume\` continues.

  --preset NAME       start from a preset (see \`colt presets\`)
  --config FILE       a JSON experiment config (fields: \`colt presets --show quick\`)
  --seeds 0,1,2       override the seeds
  --set PATH=VALUE    override any config field, e.g. --set training.duration=1ep (repeatable)
  --backend B         auto (default), tensorflow-gpu, webgpu, tensorflow, wasm or cpu
  --json              one JSON object per line on stdout: "start", each "round", "summary"
  --data-dir DIR      where registered datasets are listed (default: the app-data folder)
${CONCURRENCY_HELP}
${LIBRARY_HELP}
  --resume-interrupted  first continue every interrupted run of the library (alone: only that)
${SWEEP_RUN_HELP}`;

/** `colt run`: resolve the config, pick a backend, and through the contract record the experiment and follow its runs (method × seed). */
export async function runCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      preset: { type: 'string' },
      config: { type: 'string' },
      seeds: { type: 'string' },
      set: { type: 'string', multiple: true, default: [] },
      backend: { type: 'string', default: 'auto' },
      json: { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      concurrency: { type: 'string' },
      library: { type: 'string' },
      'resume-interrupted': { type: 'boolean', default: false },
      grid: { type: 'string', multiple: true, default: [] },
      executor: { type: 'string' },
      'slurm-partition': { type: 'string' },
      'slurm-gpus-per-task': { type: 'string' },
      'slurm-time': { type: 'string' },
      'slurm-extra': { type: 'string' },
      'slurm-prelude': { type: 'string', multiple: true, default: [] },
      requeue: { type: 'boolean', default: false },
      retries: { type: 'string' },
      'no-wait': { type: 'boolean', default: false },
      'sweep-dir': { type: 'string' },
      poll: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    out(RUN_HELP);
    return 0;
  }
  const json = values.json ?? false;
  const concurrency = parseCount(values.concurrency, '--concurrency');
  const dataDir = values['data-dir'] ?? appDataDir();
  const resumeFirst = values['resume-interrupted'] ?? false;
  const resumeOptions = { json, dataDir, library: values.library, access: 'create' as const, ...optional('concurrency', concurrency) };
  if (resumeFirst && values.preset === undefined && values.config === undefined) return (await resumeInterrupted(resumeOptions)).code;
  const raw = resolveRawConfig(values.preset, values.config, values.seeds, values.set ?? []);
  const executor = values.executor ?? 'local';
  if (!(EXECUTORS as readonly string[]).includes(executor)) throw invalidInput(`--executor '${executor}': expected local or slurm`);
  // A grid, a config file's sweep section or Slurm make a sweep (main/cli/sweep-run.ts).
  if ((values.grid ?? []).length > 0 || 'sweep' in raw || executor === 'slurm') {
    if (resumeFirst) throw invalidInput('--resume-interrupted does not go with a sweep; resume first, then run the sweep');
    return runSweep({
      raw,
      grid: values.grid ?? [],
      executor: executor as Executor,
      slurm: {
        ...optional('partition', values['slurm-partition']),
        ...optional('gpusPerTask', values['slurm-gpus-per-task']),
        ...optional('time', values['slurm-time']),
        ...optional('extra', values['slurm-extra']),
        prelude: values['slurm-prelude'] ?? [],
        requeue: values.requeue ?? false,
        ...optional('retries', values.retries),
      },
      wait: !(values['no-wait'] ?? false),
      json,
      backend: parseBackend(values.backend ?? 'auto'),
      dataDir,
      ...optional('library', values.library),
      ...optional('concurrency', concurrency),
      ...optional('sweepDir', values['sweep-dir']),
      ...optional('pollSeconds', values.poll),
    });
  }
  const backendRequest = parseBackend(values.backend ?? 'auto');
  if (resumeFirst) {
    const resumed = await resumeInterrupted(resumeOptions);
    // Paused (Ctrl-C): the new experiment does not start.
    if (resumed.code === 130) return resumed.code;
  }
  const backend = await selectBackend(backendRequest);
  return withLab({ library: values.library, dataDir, backend, concurrency }, async (lab) => {
    const { summary, code } = await followExperiment(
      lab,
      async () => {
        const created = await lab.call('experiments.create', { config: raw, ...optional('preset', values.preset), start: true });
        printStart(created, lab.libraryPath, await lab.call('system.info', {}), json);
        return created.experiment.id;
      },
      { json, libraryHint: libraryHint(values.library), backend: backendLabel(backend) },
    );
    if (json) out(JSON.stringify(summary));
    else out(describeSummary(summary));
    return code;
  });
}

/** The first line of `colt run`: with --json the experiments.create answer with the library and the backend (system.info's fields). */
function printStart(created: CommandOutput<'experiments.create'>, library: string, system: CommandOutput<'system.info'>, json: boolean): void {
  const { experiment, dataset } = created;
  if (json) {
    out(JSON.stringify({ type: 'start', experimentId: experiment.id, library, backend: system.backend, backendReason: system.backendReason, adapter: system.adapter, ...created }));
    return;
  }
  info(`backend: ${system.backend ?? '—'} (${system.backendReason ?? ''})${system.adapter ? `, adapter ${system.adapter.name}${system.adapter.software ? ' (software)' : ''}` : ''}`);
  info(`dataset: ${dataset.name}, ${dataset.train} train / ${dataset.test} test, ${dataset.classes} classes, sha256 ${dataset.checksum.slice(0, 12)}…`);
  info(
    `experiment e${experiment.id}: ${experiment.name}: ${experiment.arch}, methods ${experiment.methods.join(', ')}, seeds ${experiment.seeds.join(', ')} (runs ${created.runs.map((r) => r.id).join(', ')}; library ${library})`,
  );
}

/** The raw config of `--preset` or `--config`, with `--seeds` and `--set` applied (not yet validated: it may carry a sweep section). */
function resolveRawConfig(preset: string | undefined, file: string | undefined, seeds: string | undefined, sets: string[]): Record<string, unknown> {
  if ((preset === undefined) === (file === undefined)) throw invalidInput('colt run: give exactly one of --preset NAME or --config FILE');
  let raw: Record<string, unknown>;
  if (preset !== undefined) raw = getPreset(preset).raw;
  else {
    let text: string;
    try {
      text = readFileSync(file as string, 'utf8');
    } catch (e) {
      throw invalidInput(`--config ${file}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    try {
      raw = JSON.parse(text) as Record<string, unknown>;
    } catch (e) {
      throw invalidInput(`--config ${file}: not valid JSON (${(e as Error).message})`);
    }
  }
  if (seeds !== undefined) {
    const list = seeds.split(',').map((s) => s.trim());
    if (list.some((s) => !/^[0-9]+$/.test(s))) throw invalidInput(`--seeds '${seeds}': expected comma-separated non-negative integers, e.g. 0,1,2`);
    raw = { ...raw, seeds: list.map(Number) };
  }
  return applyOverrides(raw, sets);
}
