import { beforeAll, describe, expect, it } from 'vitest';
import { parseExperimentConfig, type ExperimentConfigInput } from '../../../main/contract/experiment-config.js';
import { selectBackend } from '../../../main/lab/backend/index.js';
import { createContext } from '../../../main/lab/context.js';
import { plannedRoundCost, roundCosts, runCost, trainCounts } from '../../../main/lab/cost.js';
import type { RoundRecord } from '../../../main/lab/events.js';
import { runLab } from '../../helpers/run-lab.js';
import { stripeDataset } from '../../helpers/toy-dataset.js';

// The one definition of cost: what the lab plans for a round (the estimate) is what it then spends.

const base: ExperimentConfigInput = {
  arch: 'lenet-300-100',
  dataset: 'stripes',
  methods: ['imp', 'colt'],
  training: { duration: '1ep', batchSize: 50 },
  stop: { maxRounds: 2 },
};

describe('cost', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('adds up rounds per round and cumulatively', () => {
    const rounds = [
      { round: 1, samples: 10, evaluationSamples: 5 },
      { round: 0, samples: 20, evaluationSamples: 0 },
    ];
    expect(roundCosts(rounds)).toEqual([
      { round: 0, samples: 20, evaluationSamples: 0, total: 20, cumulative: { samples: 20, evaluationSamples: 0, total: 20 } },
      { round: 1, samples: 10, evaluationSamples: 5, total: 15, cumulative: { samples: 30, evaluationSamples: 5, total: 35 } },
    ]);
    expect(runCost(rounds)).toEqual({ samples: 30, evaluationSamples: 5, total: 35 });
    expect(runCost([])).toEqual({ samples: 0, evaluationSamples: 0, total: 0 });
  });

  it.each<[string, Partial<ExperimentConfigInput>]>([
    ['epochs, last partial batch dropped', {}],
    ['epochs, last partial batch kept', { training: { duration: '1ep', batchSize: 50, keepLastBatch: true } }],
    ['iterations: each COLT partition trains every step', { training: { duration: '7it', batchSize: 50 } }],
    ['late rewinding: COLT trains the dense network to step k once', { rewind: '2it' }],
    ["COLT's evaluation only in the last round", { colt: { evaluate: 'final' } }],
    ['a transfer evaluation for every method', { evaluationDataset: 'stripes-2' }],
  ])('plans each round as the lab then spends it (%s)', async (_what, over) => {
    const input = { ...base, ...over } as ExperimentConfigInput;
    const dataset = stripeDataset();
    const evalDataset = input.evaluationDataset ? stripeDataset('stripes-2', 2) : dataset;
    const config = parseExperimentConfig(input);
    const rounds: RoundRecord[] = [];
    const ctx = createContext(config, dataset, evalDataset, { event: (e) => void (e.type === 'round' && rounds.push(e)) });
    await runLab(ctx);
    const counts = trainCounts(config, dataset, evalDataset);
    for (const r of rounds) {
      const planned = plannedRoundCost(config, counts, evalDataset !== dataset, r.method, r.round, r.round === config.stop.maxRounds);
      expect(planned, `${r.method} round ${r.round}`).toEqual({ samples: r.samples, evaluationSamples: r.evaluationSamples, total: r.samples + r.evaluationSamples });
    }
  });
});
