import { beforeAll, describe, expect, it } from 'vitest';
import { parseExperimentConfig } from '../../../main/contract/experiment-config.js';
import { sameCheckpoint } from '../../../main/jobs/bench-jobs.js';
import { selectBackend } from '../../../main/lab/backend/index.js';
import { localPartitionTrainer, runColt } from '../../../main/lab/colt.js';
import { createContext, type PartitionRunner } from '../../../main/lab/context.js';
import type { RoundCheckpoint } from '../../../main/lab/events.js';
import { stripeDataset } from '../../helpers/toy-dataset.js';

const config = parseExperimentConfig({
  arch: 'lenet-300-100',
  dataset: 'stripes',
  methods: ['colt'],
  training: { duration: '1ep', batchSize: 40 },
  pruning: { rate: 0.3 },
  colt: { evaluate: 'none' },
  stop: { maxRounds: 2 },
});

async function colt(partitionRunner?: (ctx: ReturnType<typeof createContext>) => PartitionRunner): Promise<RoundCheckpoint[]> {
  const dataset = stripeDataset();
  const out: RoundCheckpoint[] = [];
  const base = createContext(config, dataset, dataset, { event: () => undefined, roundDone: (c) => void out.push(c) });
  const ctx = partitionRunner ? { ...base, partitionRunner: partitionRunner(base) } : base;
  await runColt(ctx, 0);
  return out;
}

describe('COLT partition runner', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('gives the same rounds through an injected runner that finishes partitions out of order', async () => {
    const sequential = await colt();
    let calls = 0;
    const reordered = await colt((ctx) => {
      const train = localPartitionTrainer(ctx, 0);
      // All partitions of a round are asked for at once; the last one finishes first.
      return async (_seed, round, k, mask, start) => {
        calls++;
        await new Promise((r) => setTimeout(r, (config.colt.partitions - k) * 20));
        return train(round, k, mask, start);
      };
    });
    expect(calls).toBe(3 * config.colt.partitions);
    expect(reordered).toHaveLength(3);
    for (let r = 0; r < 3; r++) expect(sameCheckpoint(reordered[r], sequential[r])).toBe(true);
  });
});
