import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LabError } from '../../../main/contract/errors.js';
import { parseExperimentConfig, type ExperimentConfigInput } from '../../../main/contract/experiment-config.js';
import type { Dataset } from '../../../main/data/types.js';
import { selectBackend } from '../../../main/lab/backend/index.js';
import { createContext } from '../../../main/lab/context.js';
import type { LabSink, RoundCheckpoint } from '../../../main/lab/events.js';
import type { Mask } from '../../../main/lab/masks.js';
import type { WeightMap } from '../../../main/lab/weights.js';
import { ensureDataset } from '../../../main/library/datasets.js';
import { writeTransaction, type Db } from '../../../main/library/db.js';
import { getExperiment, insertExperiment } from '../../../main/library/experiments.js';
import { createRecorder, loadResumePoint } from '../../../main/library/recorder.js';
import { listRounds } from '../../../main/library/rounds.js';
import { getRun, insertRun, runsOfExperiment } from '../../../main/library/runs.js';
import { loadTicket, ticketOfRound } from '../../../main/library/tickets.js';
import { runLab } from '../../helpers/run-lab.js';
import { stripeDataset } from '../../helpers/toy-dataset.js';
import { rowCounts, tempLibrary } from './helpers.js';

const base: ExperimentConfigInput = {
  arch: 'lenet-300-100',
  dataset: 'stripes',
  methods: ['imp', 'colt', 'random'],
  seeds: [0],
  training: { duration: '2ep', batchSize: 40, optimizer: { type: 'adam', lr: 2e-3 } },
  pruning: { rate: 0.3 },
  stop: { maxRounds: 2 },
};

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function library(): Db {
  const t = tempLibrary();
  cleanups.push(t.cleanup);
  return t.db;
}

/** Records an experiment's rows, then runs (part of) it with the recorder, teeing checkpoints. */
async function record(db: Db, input: ExperimentConfigInput, options: { experimentId?: number; tee?: (c: RoundCheckpoint) => void; resume?: boolean } = {}) {
  const dataset: Dataset = stripeDataset();
  const config = parseExperimentConfig(input);
  const experimentId =
    options.experimentId ??
    writeTransaction(db, 'test', () => {
      const ds = ensureDataset(db, dataset);
      const id = insertExperiment(db, { config, datasetId: ds, evalDatasetId: ds });
      for (const seed of config.seeds) for (const method of config.methods) insertRun(db, { experimentId: id, method, seed, appVersion: 'test', datasetChecksum: dataset.checksum });
      return id;
    });
  const runs = runsOfExperiment(db, experimentId);
  const runIdOf = (m: string, s: number): number => runs.find((r) => r.method === m && r.seed === s)!.id;
  const checkpoints: RoundCheckpoint[] = [];
  const late: { recorder?: ReturnType<typeof createRecorder> } = {};
  const sink: LabSink = {
    event: (e) => late.recorder!.event(e),
    roundDone: (c) => {
      late.recorder!.roundDone(c);
      checkpoints.push(c);
      options.tee?.(c);
    },
  };
  const ctx = createContext(config, dataset, dataset, sink);
  late.recorder = createRecorder({
    db,
    def: ctx.def,
    experimentId,
    runIdOf,
    dataset: { name: dataset.name, checksum: dataset.checksum },
    appVersion: 'test',
    backend: { backend: 'wasm', backendPackage: '@tensorflow/tfjs-backend-wasm', backendReason: 'test' },
  });
  const resume = options.resume ? (m: string, s: number) => loadResumePoint(db, runIdOf(m, s)) : undefined;
  await runLab(ctx, resume ? { resume } : {});
  return { experimentId, runIdOf, checkpoints };
}

function sameMask(a: Mask, b: Mask): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (!Buffer.from(v).equals(Buffer.from(b.get(k)!))) return false;
  return true;
}

function sameWeights(a: WeightMap | undefined, b: WeightMap | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w || !Buffer.from(v.buffer, v.byteOffset, v.byteLength).equals(Buffer.from(w.buffer, w.byteOffset, w.byteLength))) return false;
  }
  return true;
}

function orphanTensors(db: Db): number {
  return db
    .prepare(
      'SELECT count(*) FROM tensors t WHERE NOT EXISTS (SELECT 1 FROM ticket_weights w WHERE w.tensor_id = t.id) AND NOT EXISTS (SELECT 1 FROM checkpoint_tensors c WHERE c.tensor_id = t.id)',
    )
    .pluck()
    .get() as number;
}

describe('recorder', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('files every round, ticket and training curve, and marks runs and the experiment finished', async () => {
    const db = library();
    const { experimentId, runIdOf, checkpoints } = await record(db, base);
    expect(getExperiment(db, experimentId).status).toBe('finished');
    for (const method of ['imp', 'colt', 'random'] as const) {
      const id = runIdOf(method, 0);
      const run = getRun(db, id);
      expect(run).toMatchObject({ status: 'finished', roundsDone: 3, lastRound: 2, backend: 'wasm' });
      const rounds = listRounds(db, id);
      expect(rounds.map((r) => r.round)).toEqual([0, 1, 2]);
      expect(rounds.map((r) => r.final)).toEqual([false, false, true]);
      for (const c of checkpoints.filter((x) => x.record.method === method)) {
        const stored = rounds[c.record.round];
        expect({ ...stored, runId: undefined, final: undefined, created: undefined }).toEqual({ ...c.record, runId: undefined, final: undefined, created: undefined });
        const ticket = loadTicket(db, ticketOfRound(db, id, c.record.round)!);
        expect(sameMask(ticket.mask, c.ticket.mask)).toBe(true);
        expect(sameWeights(ticket.init, c.ticket.init)).toBe(true);
        expect(sameWeights(ticket.final, c.ticket.final)).toBe(true);
        expect(ticket.row.sparsity).toBeCloseTo(c.record.sparsity, 12);
        expect([...ticket.shapes.get('fc1.weight')!]).toEqual([64, 300]);
      }
      // A finished run keeps its final marker but no state to continue from.
      expect(loadResumePoint(db, id)?.final).toBe(true);
    }
    const counts = rowCounts(db);
    expect(counts.checkpoints).toBe(3);
    expect(counts.checkpoint_tensors).toBe(0);
    expect(counts.metrics).toBeGreaterThan(0);
    expect(orphanTensors(db)).toBe(0);
    // θ0 is stored once: IMP's, COLT's and random's tickets of seed 0 share it across rounds.
    const init = db.prepare("SELECT count(DISTINCT tensor_id) FROM ticket_weights WHERE role = 'init' AND layer = 'fc1.weight'").pluck().get();
    expect(init).toBe(1);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
  });

  it('keeps only the latest checkpoint state, and resumes from it to the masks of an uninterrupted run', async () => {
    const whole = await record(library(), base);
    const db = library();
    // Die right after IMP's round 1 and COLT's round 0 are committed, like a kill between rounds.
    const stop = new Error('simulated kill');
    const seen: string[] = [];
    await expect(
      record(db, base, {
        tee: (c) => {
          seen.push(`${c.record.method}/${c.record.round}`);
          const done = `${c.record.method}/${c.record.round}`;
          if (done === 'colt/0') throw stop;
          // While a run goes on, exactly one state is kept and superseded tensors are deleted.
          expect(db.prepare('SELECT count(*) FROM checkpoints WHERE run_id = (SELECT id FROM runs WHERE method = ?)').pluck().get(c.record.method)).toBe(1);
          expect(orphanTensors(db)).toBe(0);
        },
      }),
    ).rejects.toBe(stop);
    expect(seen).toEqual(['imp/0', 'imp/1', 'imp/2', 'colt/0']);
    const experimentId = 1;
    const colt = runsOfExperiment(db, experimentId).find((r) => r.method === 'colt')!;
    const point = loadResumePoint(db, colt.id)!;
    const expected = whole.checkpoints.find((c) => c.record.method === 'colt' && c.record.round === 0)!;
    expect(point.final).toBe(false);
    expect(point.record.round).toBe(0);
    expect(sameMask(point.ticket.mask, expected.ticket.mask)).toBe(true);
    expect(point.pruneFrom).toHaveLength(expected.pruneFrom.length);
    point.pruneFrom.forEach((w, k) => expect(sameWeights(w, expected.pruneFrom[k])).toBe(true));

    // The library is marked as the kill left it; resume every run from the library alone.
    writeTransaction(db, 'test', () => db.prepare("UPDATE runs SET status = 'interrupted' WHERE status = 'running'").run());
    await record(db, base, { experimentId, resume: true });
    for (const method of ['imp', 'colt', 'random'] as const) {
      const id = runsOfExperiment(db, experimentId).find((r) => r.method === method)!.id;
      expect(listRounds(db, id).map((r) => r.round)).toEqual([0, 1, 2]);
      const last = loadTicket(db, ticketOfRound(db, id, 2)!);
      const reference = whole.checkpoints.find((c) => c.record.method === method && c.record.round === 2)!;
      expect(sameMask(last.mask, reference.ticket.mask), method).toBe(true);
      expect(listRounds(db, id)[2].testAccuracy).toBe(reference.record.testAccuracy);
      expect(getRun(db, id).status).toBe('finished');
    }
    expect(getExperiment(db, experimentId).status).toBe('finished');
  });

  it('writes a round in one transaction: a failure inside it leaves the previous round intact and nothing of the new one', async () => {
    const db = library();
    let after0: Record<string, number> | undefined;
    const run = record(db, { ...base, methods: ['imp'] }, {
      tee: (c) => {
        if (c.record.round !== 0) return;
        after0 = rowCounts(db);
        // Fail the last statement of the next round's transaction (its checkpoint state).
        db.exec("CREATE TEMP TRIGGER fail_state BEFORE INSERT ON checkpoint_tensors BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
      },
    });
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LabError);
    expect((error as LabError).code).toBe('storage');
    expect((error as LabError).message).toMatch(/^record round 1 of run 1: /);
    db.exec('DROP TRIGGER fail_state');
    expect(rowCounts(db)).toEqual(after0);
    const point = loadResumePoint(db, 1)!;
    expect(point.record.round).toBe(0);
    expect(point.pruneFrom[0].size).toBeGreaterThan(0);
    expect(listRounds(db, 1).map((r) => r.round)).toEqual([0]);
  });

  it('refuses to store a round twice', async () => {
    const db = library();
    const { checkpoints } = await record(db, { ...base, methods: ['imp'], stop: { maxRounds: 0 } });
    const before = rowCounts(db);
    const recorder = createRecorder({
      db,
      def: createContext(parseExperimentConfig(base), stripeDataset(), stripeDataset(), { event: () => undefined }).def,
      experimentId: 1,
      runIdOf: () => 1,
      dataset: { name: 'stripes', checksum: 'x' },
      appVersion: 'test',
      backend: { backend: 'wasm', backendPackage: 'p', backendReason: 'r' },
    });
    expect(() => recorder.roundDone(checkpoints[0])).toThrow(/record round 0 of run 1: the write breaks a library rule \(a row with the same key exists already\)/);
    expect(rowCounts(db)).toEqual(before);
  });
});
