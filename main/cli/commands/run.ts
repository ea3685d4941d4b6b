import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { appDataDir, cacheDir } from '../../common/paths.js';
import { invalidInput } from '../../contract/errors.js';
import { parseExperimentConfig, type ExperimentConfig } from '../../contract/experiment-config.js';
import { loadDataset } from '../../data/registry.js';
import { selectBackend, type BackendChoice } from '../../lab/backend/index.js';
import { createContext } from '../../lab/context.js';
import type { LabEvent } from '../../lab/events.js';
import { runExperiment, type ExperimentSummary } from '../../lab/experiment.js';
import { getPreset } from '../../lab/presets.js';
import { applyOverrides } from '../config-overrides.js';
import { info, out, pct, ProgressBar } from '../output.js';

/** Help text of `colt run`. */
export const RUN_HELP = `colt run --preset NAME | --config FILE [options]

Generates COLT and/or IMP tickets as the config says and reports every round.

  --preset NAME       start from a preset (see \`colt presets\`)
  --config FILE       a JSON experiment config (fields: \`colt presets --show quick\`)
  --seeds 0,1,2       override the seeds
  --set PATH=VALUE    override any config field, e.g. --set training.duration=1ep (repeatable)
  --backend B         auto (default), tensorflow-gpu, tensorflow, wasm or cpu
  --json              one JSON object per line on stdout: "start", each "round", "summary"
  --data-dir DIR      where registered datasets are listed (default: the app-data folder)`;

/** `colt run`: resolve the config, pick a backend, load data, run every method × seed. */
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
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    out(RUN_HELP);
    return 0;
  }
  const config = resolveConfig(values.preset, values.config, values.seeds, values.set ?? []);
  const backend = await selectBackend(parseBackend(values.backend ?? 'auto'));
  const dataDir = values['data-dir'] ?? appDataDir();
  const dataset = await loadDataset(config.dataset, { dataDir, cacheDir: cacheDir() });
  const evalDataset =
    config.evaluationDataset && config.evaluationDataset !== config.dataset
      ? await loadDataset(config.evaluationDataset, { dataDir, cacheDir: cacheDir() })
      : dataset;

  const json = values.json ?? false;
  const bar = new ProgressBar();
  const sink = {
    event(e: LabEvent): void {
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
    },
  };
  const ctx = createContext(config, dataset, evalDataset, sink);
  const start = {
    type: 'start',
    experiment: config.name,
    backend: backend.name,
    backendReason: backend.reason,
    dataset: dataset.name,
    datasetChecksum: dataset.checksum,
    config,
  };
  if (json) out(JSON.stringify(start));
  else {
    info(`backend: ${backend.name} (${backend.reason})`);
    info(`dataset: ${dataset.name}, ${dataset.train.count} train / ${dataset.test.count} test, ${dataset.classes} classes, sha256 ${dataset.checksum.slice(0, 12)}…`);
    info(`experiment: ${config.name}: ${config.arch}, methods ${config.methods.join(', ')}, seeds ${config.seeds.join(', ')}`);
  }
  const { summary } = await runExperiment(ctx, backendLabel(backend));
  bar.clear();
  if (json) out(JSON.stringify(summary));
  else out(describeSummary(summary));
  return 0;
}

function resolveConfig(preset: string | undefined, file: string | undefined, seeds: string | undefined, sets: string[]): ExperimentConfig {
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
  return parseExperimentConfig(applyOverrides(raw, sets));
}

function parseBackend(b: string): 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu' {
  if (b === 'auto' || b === 'tensorflow-gpu' || b === 'tensorflow' || b === 'wasm' || b === 'cpu') return b;
  throw invalidInput(`--backend '${b}': expected auto, tensorflow-gpu, tensorflow, wasm or cpu`);
}

function backendLabel(b: BackendChoice): string {
  return b.package ? `${b.name} (${b.package})` : b.name;
}

function describeRound(e: Extract<LabEvent, { type: 'round' }>): string {
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

function describeSummary(s: ExperimentSummary): string {
  const lines = [`${s.name}: ${s.arch} on ${s.dataset} (${s.backend}), ${s.seconds.toFixed(0)} s`];
  for (const [method, m] of Object.entries(s.methods)) {
    if (!m) continue;
    lines.push(
      `  ${method.padEnd(6)} ${m.rounds} rounds → sparsity ${pct(m.finalSparsity.mean)}, test ${pct(m.finalAccuracy?.mean)} (dense ${pct(m.denseAccuracy?.mean)}), ${m.samples} training images`,
    );
  }
  return lines.join('\n');
}
