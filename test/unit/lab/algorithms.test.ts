import { beforeAll, describe, expect, it } from 'vitest';
import { parseExperimentConfig, type ExperimentConfigInput } from '../../../main/contract/experiment-config.js';
import type { Dataset } from '../../../main/data/types.js';
import { selectBackend } from '../../../main/lab/backend/index.js';
import { localPartitionTrainer } from '../../../main/lab/colt.js';
import { createContext, makeSplits } from '../../../main/lab/context.js';
import { evaluate } from '../../../main/lab/evaluate.js';
import type { LabEvent, RoundCheckpoint, RoundRecord, Ticket } from '../../../main/lab/lab-sink.js';
import { countMask, intersectMasks, type Mask } from '../../../main/lab/masks.js';
import { planFromConfig, pruneByMagnitude } from '../../../main/lab/pruning.js';
import { trainLoop } from '../../../main/lab/train-loop.js';
import { initBuffers, initWeights, ModelState, type WeightMap } from '../../../main/lab/weights.js';
import { runLab } from '../../helpers/run-lab.js';
import { stripeDataset } from '../../helpers/toy-dataset.js';

// The algorithms as production runs them: runMethod, the code of every job worker, on a real
// (small) problem with the wasm backend the CLI uses.

const base: ExperimentConfigInput = {
  arch: 'lenet-300-100',
  dataset: 'stripes',
  methods: ['imp', 'colt'],
  seeds: [0],
  training: { duration: '2ep', batchSize: 40, optimizer: { type: 'adam', lr: 2e-3 } },
  pruning: { rate: 0.3 },
  stop: { maxRounds: 2 },
};

interface Ran {
  rounds: RoundRecord[];
  tickets: Ticket[];
  events: LabEvent[];
  checkpoints: RoundCheckpoint[];
  dataset: Dataset;
}

async function run(input: ExperimentConfigInput, options: Parameters<typeof runLab>[1] = {}, dataset: Dataset = stripeDataset()): Promise<Ran> {
  const checkpoints: RoundCheckpoint[] = [];
  const rounds: RoundRecord[] = [];
  const events: LabEvent[] = [];
  const ctx = createContext(parseExperimentConfig(input), dataset, dataset, {
    event: (e) => {
      events.push(e);
      if (e.type === 'round') rounds.push(e);
    },
    roundDone: (c) => void checkpoints.push(c),
  });
  await runLab(ctx, options);
  return { rounds, tickets: checkpoints.map((c) => c.ticket), events, checkpoints, dataset };
}

function sameMask(a: Mask, b: Mask): boolean {
  for (const [k, v] of a) if (!Buffer.from(v).equals(Buffer.from(b.get(k)!))) return false;
  return a.size === b.size;
}

function sameWeights(a: WeightMap, b: WeightMap): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w || !Buffer.from(v.buffer, v.byteOffset, v.byteLength).equals(Buffer.from(w.buffer, w.byteOffset, w.byteLength))) return false;
  }
  return true;
}

/** The parameters after `steps` steps of round 0's dense training (IMP's data order), trained on their own. */
async function denseAfter(input: ExperimentConfigInput, steps: number): Promise<WeightMap> {
  const dataset = stripeDataset();
  const ctx = createContext(parseExperimentConfig(input), dataset, dataset, { event: () => undefined });
  const splits = makeSplits(dataset, ctx.config.data, 0);
  const state = new ModelState(ctx.def, initWeights(ctx.def, 0), initBuffers(ctx.def));
  try {
    await trainLoop({ state, train: splits.train, normalization: dataset.normalization, training: { ...ctx.config.training, duration: `${steps}it` }, seed: 0, stream: 'round/0' }, []);
    return await state.readParams();
  } finally {
    state.dispose();
  }
}

describe('IMP and COLT', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('prunes COLT faster than IMP at the same per-model rate, reporting overlap and the mask check', async () => {
    const { rounds } = await run(base);
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
      expect(colt[r].partitionUntrainedAccuracies).toHaveLength(2);
    }
    expect(imp[0].testAccuracy).toBeGreaterThan(0.8);
    expect(colt[2].testAccuracy).not.toBeNull();
    for (const r of rounds) expect(r.maskViolations).toBe(0);
    // Equal by construction: COLT's round-0 ticket (θ0, nothing pruned) is evaluated as IMP's round 0 trains.
    expect(colt[0].testAccuracy).toBe(imp[0].testAccuracy);
  });

  it('gives the same masks for the same seed, and different masks for another seed', async () => {
    const a = await run({ ...base, methods: ['colt'], stop: { maxRounds: 1 } });
    const b = await run({ ...base, methods: ['colt'], stop: { maxRounds: 1 } });
    const c = await run({ ...base, methods: ['colt'], seeds: [1], stop: { maxRounds: 1 } });
    expect(sameMask(a.tickets[1].mask, b.tickets[1].mask)).toBe(true);
    expect(sameMask(a.tickets[1].mask, c.tickets[1].mask)).toBe(false);
  });

  it("COLT ticket is contained in the previous round's ticket and its sparsity matches its mask", async () => {
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
    const resumed = await run(config, { resume: (m, s) => whole.checkpoints.find((c) => c.record.method === m && c.record.seed === s && c.record.round === 0) });
    expect(resumed.rounds.map((r) => r.round)).toEqual([1, 2]);
    expect(sameMask(resumed.tickets[1].mask, whole.tickets[2].mask)).toBe(true);
    expect(resumed.rounds[1].testAccuracy).toBe(whole.rounds[2].testAccuracy);
    // A finished run resumes to nothing.
    const done = await run(config, { resume: () => whole.checkpoints[2] });
    expect(done.rounds).toHaveLength(0);
  });

  it('random control prunes the same amounts as IMP at different positions', async () => {
    const { tickets } = await run({ ...base, methods: ['imp', 'random'], stop: { maxRounds: 1 } });
    const imp = tickets.find((t) => t.method === 'imp' && t.round === 1)!;
    const rnd = tickets.find((t) => t.method === 'random' && t.round === 1)!;
    for (const [name, c] of countMask(imp.mask)) expect(countMask(rnd.mask).get(name)).toEqual(c);
    expect(sameMask(imp.mask, rnd.mask)).toBe(false);
  });

  it("reinit control trains IMP's masks from a fresh initialisation", async () => {
    const imp = await run({ ...base, methods: ['imp'], stop: { maxRounds: 1 } });
    const masks = imp.tickets.map((t) => t.mask);
    const { tickets, rounds } = await run({ ...base, methods: ['imp', 'reinit'], stop: { maxRounds: 1 } }, { impMasks: () => masks });
    expect(rounds.map((r) => `${r.method}/${r.round}`)).toEqual(['imp/0', 'imp/1', 'reinit/0', 'reinit/1']);
    const reinit = tickets.filter((t) => t.method === 'reinit');
    expect(sameMask(reinit[1].mask, imp.tickets[1].mask)).toBe(true);
    const w = 'fc1.weight';
    expect(Buffer.from(reinit[1].init.get(w)!.buffer).equals(Buffer.from(imp.tickets[1].init.get(w)!.buffer))).toBe(false);
  });

  it('evaluates tickets on another dataset of the same input shape with a head fitted to its classes (transfer)', async () => {
    const source = stripeDataset('stripes', 4);
    const target = stripeDataset('stripes-2', 2);
    const rounds: RoundRecord[] = [];
    const ctx = createContext(parseExperimentConfig({ ...base, methods: ['imp', 'colt'], stop: { maxRounds: 1 } }), source, target, {
      event: (e) => void (e.type === 'round' && rounds.push(e)),
    });
    expect(ctx.evalDef.classes).toBe(2);
    await runLab(ctx);
    for (const r of rounds) {
      expect(r.evaluationSamples).toBeGreaterThan(0);
      expect(r.testAccuracy).toBeGreaterThan(0.7);
      expect(r.evaluations.some((e) => e.phase === 'evaluate')).toBe(true);
    }
  });

  it('stops at the target sparsity, and refuses an unreachable one before training', async () => {
    const { rounds } = await run({ ...base, methods: ['imp'], stop: { maxRounds: 10, targetSparsity: 0.45 } });
    expect(rounds.map((r) => r.round)).toEqual([0, 1, 2]);
    expect(() =>
      createContext(parseExperimentConfig({ ...base, stop: { targetSparsity: 0.999, sparsityOver: 'all' } }), stripeDataset(), stripeDataset(), { event: () => undefined }),
    ).toThrow(/stop.targetSparsity.*cannot be reached/);
  });

  it('refuses a transfer between datasets of different input shapes', () => {
    const other = { ...stripeDataset('wide'), shape: [8, 16, 1] as const };
    expect(() => createContext(parseExperimentConfig(base), stripeDataset(), other, { event: () => undefined })).toThrow(/evaluationDataset.*same input shape/);
  });
});

describe('the research core, one setting at a time', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('late rewinding restores θk for IMP and COLT: both tickets start from the dense weights after k steps', async () => {
    const input: ExperimentConfigInput = { ...base, rewind: '3it', stop: { maxRounds: 1 } };
    const { tickets, rounds } = await run(input);
    const thetaK = await denseAfter(input, 3);
    const imp = tickets.filter((t) => t.method === 'imp');
    const colt = tickets.filter((t) => t.method === 'colt');
    expect(sameWeights(imp[1].init, thetaK)).toBe(true);
    expect(sameWeights(colt[1].init, thetaK)).toBe(true);
    expect(sameWeights(colt[0].init, thetaK)).toBe(true);
    // θk is not θ0, and COLT paid for the k dense steps in round 0.
    const dataset = stripeDataset();
    const ctx = createContext(parseExperimentConfig(input), dataset, dataset, { event: () => undefined });
    expect(sameWeights(thetaK, initWeights(ctx.def, 0))).toBe(false);
    const colt0 = rounds.find((r) => r.method === 'colt' && r.round === 0)!;
    const colt1 = rounds.find((r) => r.method === 'colt' && r.round === 1)!;
    expect(colt0.samples - colt1.samples).toBe(3 * 40);
  });

  const pruneInput = (pruneFrom: 'best' | 'last' | 'authors'): ExperimentConfigInput => ({
    ...base,
    methods: ['imp', 'colt'],
    training: { ...base.training, duration: '4ep', selection: 'best-test' },
    data: { validationFraction: 0 },
    evaluation: { points: 'all' },
    pruning: { rate: 0.3, pruneFrom },
    stop: { maxRounds: 2 },
  });

  it.each(['best', 'last', 'authors'] as const)('pruneFrom "%s": each next mask prunes the stored source, IMP\'s the weights at the point the rule names', async (pruneFrom) => {
    const input = pruneInput(pruneFrom);
    const { checkpoints } = await run(input);
    const dataset = stripeDataset();
    const ctx = createContext(parseExperimentConfig(input), dataset, dataset, { event: () => undefined });
    const plan = planFromConfig(ctx.def, ctx.config.pruning, 0.3);
    for (const method of ['imp', 'colt'] as const) {
      const mine = checkpoints.filter((c) => c.record.method === method);
      for (const round of [0, 1]) {
        const masks = mine[round].pruneFrom.map((w) => pruneByMagnitude(w, mine[round].ticket.mask, plan));
        expect(sameMask(mine[round + 1].ticket.mask, method === 'imp' ? masks[0] : intersectMasks(masks))).toBe(true);
      }
    }
    // IMP round 0's source: θ after the selected iteration (best, authors) or after the last one, trained on its own.
    const imp0 = checkpoints.find((c) => c.record.method === 'imp' && c.record.round === 0)!;
    const iteration = pruneFrom === 'last' ? imp0.record.evaluations.at(-1)!.iteration : imp0.record.evaluations.find((e) => e.selected)!.iteration;
    const expected = iteration === 0 ? imp0.ticket.init : await denseAfter(input, iteration);
    expect(sameWeights(imp0.pruneFrom[0], expected)).toBe(true);
    // The rules differ here: the selected point is not the last one.
    if (pruneFrom !== 'last') expect(iteration).toBeLessThan(imp0.record.evaluations.at(-1)!.iteration);
  });

  it('pruneFrom "authors": COLT prunes the selected point in round 0 and the last weights afterwards', async () => {
    const { checkpoints } = await run(pruneInput('authors'));
    const colt = checkpoints.filter((c) => c.record.method === 'colt');
    const dataset = stripeDataset();
    const trainerOf = (pruneFrom: 'best' | 'last') => {
      const ctx = createContext(parseExperimentConfig({ ...pruneInput(pruneFrom), methods: ['colt'] }), dataset, dataset, { event: () => undefined });
      return localPartitionTrainer(ctx, 0);
    };
    const best = trainerOf('best');
    const last = trainerOf('last');
    let differ = 0;
    for (let k = 0; k < 2; k++) {
      const selected = (await best(0, k, colt[0].ticket.mask, {})).weights;
      expect(sameWeights(colt[0].pruneFrom[k], selected)).toBe(true);
      expect(sameWeights(colt[1].pruneFrom[k], (await last(1, k, colt[1].ticket.mask, {})).weights)).toBe(true);
      if (!sameWeights(selected, (await last(0, k, colt[0].ticket.mask, {})).weights)) differ++;
    }
    // At least one partition's selected point is not its last: the two rules really differ here.
    expect(differ).toBeGreaterThan(0);
  });

  it.each(['best-val', 'best-test', 'last'] as const)('selection "%s" reports the point its rule picks among the candidates', async (selection) => {
    const { rounds } = await run({ ...base, methods: ['imp'], training: { ...base.training, duration: '6ep', selection }, evaluation: { points: 'all' }, stop: { maxRounds: 0 } });
    const r = rounds[0];
    const candidates = r.evaluations.filter((e) => e.candidate);
    expect(candidates.map((e) => e.iteration)[0]).toBe(0);
    const key = selection === 'best-val' ? 'valAccuracy' : 'testAccuracy';
    const best = selection === 'last' ? candidates.at(-1)! : candidates.reduce((a, e) => ((e[key] ?? -1) > (a[key] ?? -1) ? e : a));
    const picked = r.evaluations.filter((e) => e.selected);
    expect(picked).toEqual([best]);
    expect(r.testAccuracy).toBe(best.testAccuracy);
    expect(r.valAccuracy).toBe(best.valAccuracy);
    // LTH's early-stop iteration: the candidate with the lowest validation loss.
    const lowest = candidates.reduce((a, e) => ((e.valLoss ?? Infinity) < (a.valLoss ?? Infinity) ? e : a));
    expect(r.earlyStopIteration).toBe(lowest.iteration);
  });

  it('evaluation points: ends (ours), starts (the authors\': no evaluation after the last epoch), all', async () => {
    const epoch = Math.floor(360 / 40);
    const points = async (p: 'ends' | 'starts' | 'all') =>
      (await run({ ...base, methods: ['imp'], training: { ...base.training, duration: '3ep' }, evaluation: { points: p }, stop: { maxRounds: 0 } })).rounds[0].evaluations;
    const ends = await points('ends');
    const starts = await points('starts');
    const all = await points('all');
    expect(ends.map((e) => [e.iteration, e.candidate])).toEqual([[0, false], [epoch, true], [2 * epoch, true], [3 * epoch, true]]);
    expect(starts.map((e) => [e.iteration, e.candidate])).toEqual([[0, true], [epoch, true], [2 * epoch, true]]);
    expect(all.map((e) => [e.iteration, e.candidate])).toEqual([[0, true], [epoch, true], [2 * epoch, true], [3 * epoch, true]]);
    // The untrained point is measured, the same, under every rule.
    expect(ends[0].testAccuracy).toBe(starts[0].testAccuracy);
  });

  it("records the untrained ticket's accuracy: the network's accuracy at iteration 0", async () => {
    const { checkpoints } = await run({ ...base, methods: ['imp', 'colt'], stop: { maxRounds: 1 } });
    const dataset = stripeDataset();
    const ctx = createContext(parseExperimentConfig({ ...base, stop: { maxRounds: 1 } }), dataset, dataset, { event: () => undefined });
    const splits = makeSplits(dataset, ctx.config.data, 0);
    for (const c of checkpoints) {
      // θ ⊙ m with the full-class head: what the IMP round and COLT's full-data evaluation start from.
      const weights = new Map(c.ticket.init);
      for (const [name, m] of c.ticket.mask) weights.set(name, weights.get(name)!.map((w, i) => (m[i] ? w : 0)));
      const state = new ModelState(ctx.def, weights, initBuffers(ctx.def));
      try {
        expect(c.record.untrainedAccuracy).toBe((await evaluate(state, splits.test, dataset.normalization)).accuracy);
      } finally {
        state.dispose();
      }
    }
  });

  it('COLT with evaluate "final" evaluates only the last round\'s ticket', async () => {
    const { rounds } = await run({ ...base, methods: ['colt'], colt: { evaluate: 'final' } });
    expect(rounds.map((r) => r.testAccuracy === null)).toEqual([true, true, false]);
    expect(rounds.map((r) => r.evaluationSamples > 0)).toEqual([false, false, true]);
    expect(rounds.map((r) => r.untrainedAccuracy === null)).toEqual([true, true, false]);
  });

  it('per-kind rates: each layer loses its own rate of what it kept, round after round', async () => {
    const { rounds } = await run({ ...base, methods: ['imp', 'random'], pruning: { layers: 'all', rate: 0.2, denseRate: 0.3, headRate: 0.1 }, stop: { maxRounds: 2 } });
    for (const method of ['imp', 'random']) {
      const r = rounds.filter((x) => x.method === method);
      for (const round of [1, 2]) {
        // 64x300, 300x100 and 100x4 weights: layer-wise counts are rounded to whole weights.
        expect(r[round].layerSparsity['fc1.weight']).toBeCloseTo(1 - 0.7 ** round, 3);
        expect(r[round].layerSparsity['fc2.weight']).toBeCloseTo(1 - 0.7 ** round, 3);
        expect(r[round].layerSparsity['head.weight']).toBeCloseTo(1 - 0.9 ** round, 2);
      }
    }
  });
});
