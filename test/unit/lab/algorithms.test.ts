import { beforeAll, describe, expect, it } from 'vitest';
import { parseExperimentConfig, type ExperimentConfigInput } from '../../../main/contract/experiment-config.js';
import { selectBackend } from '../../../main/lab/backend/index.js';
import { createContext } from '../../../main/lab/context.js';
import type { LabEvent, RoundCheckpoint, RoundRecord, Ticket } from '../../../main/lab/events.js';
import { runExperiment, type ResumePoints } from '../../../main/lab/experiment.js';
import { countMask, intersectMasks, type Mask } from '../../../main/lab/masks.js';
import { stripeDataset } from '../../helpers/toy-dataset.js';

const base: ExperimentConfigInput = {
  arch: 'lenet-300-100',
  dataset: 'stripes',
  methods: ['imp', 'colt'],
  seeds: [0],
  training: { duration: '2ep', batchSize: 40, optimizer: { type: 'adam', lr: 2e-3 } },
  pruning: { rate: 0.3 },
  stop: { maxRounds: 2 },
};

async function run(input: ExperimentConfigInput, resume?: ResumePoints) {
  const dataset = stripeDataset();
  const checkpoints: RoundCheckpoint[] = [];
  const rounds: RoundRecord[] = [];
  const tickets: Ticket[] = [];
  const events: LabEvent[] = [];
  const ctx = createContext(parseExperimentConfig(input), dataset, dataset, {
    event: (e) => {
      events.push(e);
      if (e.type === 'round') rounds.push(e);
    },
    roundDone: (c) => {
      tickets.push(c.ticket);
      checkpoints.push(c);
    },
  });
  const result = await runExperiment(ctx, 'wasm', resume);
  return { rounds, tickets, events, checkpoints, summary: result.summary };
}

function sameMask(a: Mask, b: Mask): boolean {
  for (const [k, v] of a) if (!Buffer.from(v).equals(Buffer.from(b.get(k)!))) return false;
  return a.size === b.size;
}

describe('IMP and COLT', () => {
  beforeAll(async () => {
    // The default backend here (wasm), as the CLI uses.
    await selectBackend('wasm');
  });

  it('prunes COLT faster than IMP at the same per-model rate, reporting overlap', async () => {
    const { rounds, summary } = await run(base);
    const imp = rounds.filter((r) => r.method === 'imp');
    const colt = rounds.filter((r) => r.method === 'colt');
    expect(imp.map((r) => r.round)).toEqual([0, 1, 2]);
    expect(colt.map((r) => r.round)).toEqual([0, 1, 2]);
    expect(imp[0].sparsity).toBe(0);
    for (const r of [1, 2]) {
      expect(imp[r].sparsity).toBeCloseTo(1 - 0.7 ** r, 2);
      expect(colt[r].sparsity).toBeGreaterThan(imp[r].sparsity);
      expect(colt[r].overlap).toBeGreaterThan(0);
      expect(colt[r].overlap).toBeLessThan(1);
      expect(colt[r].partitionAccuracies).toHaveLength(2);
    }
    expect(imp[0].testAccuracy).toBeGreaterThan(0.8);
    expect(colt[2].testAccuracy).not.toBeNull();
    expect(summary.methods.imp?.rounds).toBe(2);
    expect(summary.methods.colt?.finalSparsity.mean).toBeCloseTo(colt[2].sparsity);
  });

  it('gives the same masks for the same seed, and different masks for another seed', async () => {
    const a = await run({ ...base, methods: ['colt'], stop: { maxRounds: 1 } });
    const b = await run({ ...base, methods: ['colt'], stop: { maxRounds: 1 } });
    const c = await run({ ...base, methods: ['colt'], seeds: [1], stop: { maxRounds: 1 } });
    expect(sameMask(a.tickets[1].mask, b.tickets[1].mask)).toBe(true);
    expect(sameMask(a.tickets[1].mask, c.tickets[1].mask)).toBe(false);
  });

  it('COLT ticket is contained in the previous round\'s ticket and its sparsity matches its mask', async () => {
    const { tickets, rounds } = await run({ ...base, methods: ['colt'] });
    const [t0, t1, t2] = tickets;
    expect(sameMask(intersectMasks([t1.mask, t2.mask]), t2.mask)).toBe(true);
    expect(sameMask(intersectMasks([t0.mask, t1.mask]), t1.mask)).toBe(true);
    let kept = 0;
    let total = 0;
    for (const c of countMask(t2.mask).values()) {
      kept += c.kept;
      total += c.total;
    }
    expect(rounds[2].sparsity).toBeCloseTo(1 - kept / total, 10);
  });

  it.each([['imp'], ['colt'], ['random']] as const)('%s resumed from a checkpoint ends with the masks of an uninterrupted run', async (method) => {
    const config = { ...base, methods: [method], stop: { maxRounds: 2 } };
    const whole = await run(config);
    // A run stopped after round 0, resumed from the checkpoint it left.
    const resumed = await run(config, (m, s) => whole.checkpoints.find((c) => c.record.method === m && c.record.seed === s && c.record.round === 0));
    expect(resumed.rounds.map((r) => r.round)).toEqual([1, 2]);
    expect(sameMask(resumed.tickets[1].mask, whole.tickets[2].mask)).toBe(true);
    expect(resumed.rounds[1].testAccuracy).toBe(whole.rounds[2].testAccuracy);
    // A finished run resumes to nothing.
    const done = await run(config, () => whole.checkpoints[2]);
    expect(done.rounds).toHaveLength(0);
  });

  it('random control prunes the same amounts as IMP at different positions', async () => {
    const { tickets } = await run({ ...base, methods: ['imp', 'random'], stop: { maxRounds: 1 } });
    const imp = tickets.find((t) => t.method === 'imp' && t.round === 1)!;
    const rnd = tickets.find((t) => t.method === 'random' && t.round === 1)!;
    for (const [name, c] of countMask(imp.mask)) expect(countMask(rnd.mask).get(name)).toEqual(c);
    expect(sameMask(imp.mask, rnd.mask)).toBe(false);
  });

  it('reinit control trains IMP\'s masks from a fresh initialisation', async () => {
    const { tickets, rounds } = await run({ ...base, methods: ['reinit', 'imp'], stop: { maxRounds: 1 } });
    expect(rounds.map((r) => `${r.method}/${r.round}`)).toEqual(['imp/0', 'imp/1', 'reinit/0', 'reinit/1']);
    const imp = tickets.filter((t) => t.method === 'imp');
    const reinit = tickets.filter((t) => t.method === 'reinit');
    expect(sameMask(reinit[1].mask, imp[1].mask)).toBe(true);
    const w = 'fc1.weight';
    expect(Buffer.from(reinit[1].init.get(w)!.buffer).equals(Buffer.from(imp[1].init.get(w)!.buffer))).toBe(false);
  });

  it('evaluates tickets on another dataset of the same input shape with a head fitted to its classes (transfer)', async () => {
    const source = stripeDataset('stripes', 4);
    const target = stripeDataset('stripes-2', 2);
    const rounds: RoundRecord[] = [];
    const ctx = createContext(parseExperimentConfig({ ...base, methods: ['imp', 'colt'], stop: { maxRounds: 1 } }), source, target, {
      event: (e) => void (e.type === 'round' && rounds.push(e)),
    });
    expect(ctx.evalDef.classes).toBe(2);
    const { summary } = await runExperiment(ctx, 'wasm');
    expect(summary.evaluationDataset).toBe('stripes-2');
    for (const r of rounds) {
      expect(r.evaluationSamples).toBeGreaterThan(0);
      expect(r.testAccuracy).toBeGreaterThan(0.7);
    }
  });

  it('stops at the target sparsity, and refuses an unreachable one before training', async () => {
    const { rounds } = await run({ ...base, methods: ['imp'], stop: { maxRounds: 10, targetSparsity: 0.45 } });
    expect(rounds.map((r) => r.round)).toEqual([0, 1, 2]);
    expect(() =>
      createContext(
        parseExperimentConfig({ ...base, stop: { targetSparsity: 0.999, sparsityOver: 'all' } }),
        stripeDataset(),
        stripeDataset(),
        { event: () => undefined },
      ),
    ).toThrow(/stop.targetSparsity.*cannot be reached/);
  });

  it('refuses a transfer between datasets of different input shapes', () => {
    const other = { ...stripeDataset('wide'), shape: [8, 16, 1] as const };
    expect(() => createContext(parseExperimentConfig(base), stripeDataset(), other, { event: () => undefined })).toThrow(/evaluationDataset.*same input shape/);
  });
});
