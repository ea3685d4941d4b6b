import { parseArgs } from 'node:util';
import { Rng } from '../../common/random.js';
import { appDataDir, cacheDir } from '../../common/paths.js';
import { parseExperimentConfig } from '../../contract/experiment-config.js';
import { makeImageSet } from '../../data/image-set.js';
import { loadDataset } from '../../data/registry.js';
import { selectBackend } from '../../lab/backend/index.js';
import { runColt } from '../../lab/colt.js';
import { createContext } from '../../lab/context.js';
import type { RoundRecord } from '../../lab/events.js';
import { getModel } from '../../lab/models/registry.js';
import { onesMask } from '../../lab/masks.js';
import { prunableSizes, pruneRandomly, planFromConfig } from '../../lab/pruning.js';
import { getPreset } from '../../lab/presets.js';
import { trainModel } from '../../lab/train.js';
import { initBuffers, initWeights, ModelState } from '../../lab/weights.js';
import { info, out } from '../output.js';

/** One throughput figure. */
export interface ThroughputResult {
  readonly model: string;
  readonly inputShape: readonly number[];
  readonly batchSize: number;
  readonly iterations: number;
  readonly imagesPerSecond: number;
}

/**
 * Steady-state training throughput (forward + backward + masked update, batch 60, masks at 50%)
 * of one model on random images of the given shape; the first `warmup` steps are not timed.
 */
export async function measureThroughput(arch: string, shape: [number, number, number], steps: number, warmup: number): Promise<ThroughputResult> {
  const batchSize = 60;
  const count = batchSize * 8;
  const rng = new Rng('bench');
  const pixels = new Uint8Array(count * shape[0] * shape[1] * shape[2]);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rng.int(256);
  const labels = Int32Array.from({ length: count }, (_, i) => i % 10);
  const train = makeImageSet(pixels, labels, shape);
  const def = getModel(arch).build(shape, 10);
  const config = parseExperimentConfig({ arch, dataset: 'bench', training: { duration: `${steps + warmup}it`, batchSize, evalEvery: `${steps + warmup}it` } });
  const mask = pruneRandomly(onesMask(prunableSizes(def, 'conv+dense')), planFromConfig(def, config.pruning, 0.5), rng);
  const state = new ModelState(def, initWeights(def, 0), initBuffers(def));
  let warmStart = 0;
  let last = 0;
  try {
    await trainModel({
      state,
      mask,
      train,
      normalization: { mean: Array(shape[2]).fill(0.5), std: Array(shape[2]).fill(0.25) },
      training: config.training,
      seed: 0,
      stream: 'bench',
      onProgress: (p) => {
        if (p.iteration === warmup) warmStart = performance.now();
        last = performance.now();
      },
    });
  } finally {
    state.dispose();
  }
  return { model: arch, inputShape: shape, batchSize, iterations: steps, imagesPerSecond: (steps * batchSize) / ((last - warmStart) / 1000) };
}

/** Wall time of one pruning round (round 1) of the quick preset's COLT on the bundled sample. */
export async function measureQuickColtRound(): Promise<{ seconds: number; samples: number; evaluationSamples: number }> {
  const preset = getPreset('quick');
  const config = parseExperimentConfig({ ...preset.raw, methods: ['colt'], stop: { maxRounds: 1 } });
  const dataset = await loadDataset(config.dataset, { dataDir: appDataDir(), cacheDir: cacheDir() });
  const rounds: RoundRecord[] = [];
  const ctx = createContext(config, dataset, dataset, { event: (e) => void (e.type === 'round' && rounds.push(e)) });
  await runColt(ctx, 0);
  const r = rounds[rounds.length - 1];
  return { seconds: r.seconds, samples: r.samples, evaluationSamples: r.evaluationSamples };
}

/** `colt bench [--json] [--backend B] [--steps N]`. */
export async function benchCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean', default: false },
      backend: { type: 'string', default: 'auto' },
      steps: { type: 'string', default: '30' },
      'skip-round': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const backend = await selectBackend(values.backend as 'auto');
  const steps = Number(values.steps);
  if (!values.json) info(`backend: ${backend.name} (${backend.reason})`);
  const lenet = await measureThroughput('lenet-300-100', [28, 28, 1], steps * 4, 10);
  if (!values.json) out(`lenet-300-100  28x28x1  batch 60: ${lenet.imagesPerSecond.toFixed(0)} images/s`);
  const conv2 = await measureThroughput('conv2', [32, 32, 3], steps, 3);
  if (!values.json) out(`conv2          32x32x3  batch 60: ${conv2.imagesPerSecond.toFixed(0)} images/s`);
  const round = values['skip-round'] ? null : await measureQuickColtRound();
  if (!values.json && round) out(`quick COLT round 1: ${round.seconds.toFixed(1)} s (${round.samples} partition + ${round.evaluationSamples} evaluation images)`);
  if (values.json) out(JSON.stringify({ type: 'bench', backend: backend.name, backendReason: backend.reason, throughput: [lenet, conv2], quickColtRound: round }));
  return 0;
}
