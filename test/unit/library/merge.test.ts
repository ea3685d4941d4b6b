import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseExperimentConfig, type ExperimentConfigInput } from '../../../main/contract/experiment-config.js';
import type { Dataset } from '../../../main/data/types.js';
import { selectBackend } from '../../../main/lab/backend/index.js';
import { createContext } from '../../../main/lab/context.js';
import type { LabSink } from '../../../main/lab/events.js';
import { ensureDataset } from '../../../main/library/datasets.js';
import { openLibrary, writeTransaction, type Db } from '../../../main/library/db.js';
import { insertExperiment } from '../../../main/library/experiments.js';
import { mergeShard } from '../../../main/library/merge.js';
import { MIGRATIONS } from '../../../main/library/migrations/index.js';
import { getProvenance, recordAttempt } from '../../../main/library/provenance.js';
import { createRecorder, loadResumePoint } from '../../../main/library/recorder.js';
import { getRun, insertRun, runsOfExperiment } from '../../../main/library/runs.js';
import { loadRunMasks, loadTicket, ticketOfRound } from '../../../main/library/tickets.js';
import { libraryDigest } from '../../helpers/library-state.js';
import { runLab } from '../../helpers/run-lab.js';
import { stripeDataset } from '../../helpers/toy-dataset.js';
import { rowCounts, tempDir } from './helpers.js';

const config: ExperimentConfigInput = {
  arch: 'lenet-300-100',
  dataset: 'stripes',
  methods: ['imp', 'colt'],
  seeds: [0],
  training: { duration: '1ep', batchSize: 40, optimizer: { type: 'adam', lr: 2e-3 } },
  pruning: { rate: 0.3 },
  stop: { maxRounds: 2 },
};

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function folder(): string {
  const t = tempDir('colt-merge-');
  cleanups.push(t.cleanup);
  return t.dir;
}

/** Trains an experiment into a library file, as a sweep task does (runs of some methods only; `stopAfter` interrupts after that round). */
async function shard(file: string, input: ExperimentConfigInput, o: { methods?: string[]; stopAfter?: number; resume?: boolean } = {}): Promise<void> {
  const db = openLibrary(file);
  try {
    const dataset: Dataset = stripeDataset();
    const parsed = parseExperimentConfig(input);
    const methods = o.methods ?? parsed.methods;
    let experimentId = db.prepare('SELECT id FROM experiments').pluck().get() as number | undefined;
    experimentId ??= writeTransaction(db, 'test', () => {
      const ds = ensureDataset(db, dataset);
      const id = insertExperiment(db, { config: parsed, datasetId: ds, evalDatasetId: ds });
      for (const method of methods) insertRun(db, { experimentId: id, method: method as 'imp', seed: 0, appVersion: 'test', datasetChecksum: dataset.checksum });
      return id;
    });
    const runs = runsOfExperiment(db, experimentId);
    const runIdOf = (m: string, s: number): number => runs.find((r) => r.method === m && r.seed === s)!.id;
    writeTransaction(db, 'test', () => {
      for (const r of runs) recordAttempt(db, r.id, { host: 'node7', jobId: '41', arrayJobId: '40', arrayTaskId: 3, restarts: 0, fromRound: r.lastRound }, { backend: 'wasm', appVersion: 'test', datasetChecksum: dataset.checksum });
    });
    const late: { recorder?: ReturnType<typeof createRecorder> } = {};
    const sink: LabSink = {
      event: (e) => late.recorder!.event(e),
      roundDone: (c) => {
        late.recorder!.roundDone(c);
        if (o.stopAfter !== undefined && c.record.round === o.stopAfter) throw new Error('stopped');
      },
    };
    const ctx = createContext({ ...parsed, methods: methods as typeof parsed.methods }, dataset, dataset, sink);
    late.recorder = createRecorder({
      db,
      def: ctx.def,
      experimentId,
      runIdOf,
      dataset: { name: dataset.name, checksum: dataset.checksum },
      appVersion: 'test',
      backend: { backend: 'wasm', backendPackage: '@tensorflow/tfjs-backend-wasm', backendReason: 'test' },
    });
    const resume = o.resume ? (m: string, s: number) => loadResumePoint(db, runIdOf(m, s)) : undefined;
    const finished = o.resume ? (m: string, s: number) => loadRunMasks(db, runIdOf(m, s)) : undefined;
    await runLab(ctx, { ...(resume ? { resume } : {}), ...(finished ? { impMasks: (seed: number) => finished('imp', seed) } : {}) }).catch((e: Error) => {
      if (e.message !== 'stopped') throw e;
    });
  } finally {
    db.close();
  }
}

/** A standalone copy of a library file (VACUUM INTO keeps its schema version and application id). */
function copy(from: string, to: string): string {
  const db = new Database(from, { readonly: true });
  db.prepare('VACUUM INTO ?').run(to);
  db.close();
  return to;
}

function masksOf(db: Db, runId: number): string[] {
  return (db.prepare('SELECT t.round, m.layer, hex(m.bits) AS bits FROM tickets t JOIN ticket_masks m ON m.ticket_id = t.id WHERE t.run_id = ? ORDER BY t.round, m.position').all(runId) as { round: number; layer: string; bits: string }[]).map(
    (m) => `${m.round}/${m.layer}/${m.bits}`,
  );
}

describe('merging shard libraries', () => {
  let full: string;
  let partial: string;
  let dir: string;

  beforeAll(async () => {
    await selectBackend('wasm');
    const t = tempDir('colt-merge-shards-');
    dir = t.dir;
    full = path.join(dir, 'full.sqlite');
    await shard(full, config);
    // A task interrupted after round 1 (its run left `running`), as a kill leaves it.
    partial = path.join(dir, 'partial.sqlite');
    await shard(partial, config, { methods: ['imp'], stopAfter: 1 });
    return t.cleanup;
  }, 120_000);

  it('copies runs, rounds, tickets, curves, checkpoints and provenance, with identical masks and weights', () => {
    const target = openLibrary(path.join(folder(), 'main.sqlite'));
    try {
      const report = mergeShard(target, full);
      expect(report.runs.map((r) => [r.method, r.action, r.roundsAdded, r.status])).toEqual([
        ['imp', 'copied', 3, 'finished'],
        ['colt', 'copied', 3, 'finished'],
      ]);
      const source = new Database(full, { readonly: true });
      try {
        const counts = rowCounts(target);
        for (const t of ['runs', 'rounds', 'metrics', 'evaluations', 'tickets', 'ticket_masks', 'ticket_weights', 'checkpoints', 'checkpoint_tensors', 'tensors']) {
          expect(counts[t], t).toBe(source.prepare(`SELECT count(*) FROM ${t}`).pluck().get());
        }
      } finally {
        source.close();
      }
      const original = openLibrary(full);
      try {
        for (const r of report.runs) {
          expect(masksOf(target, r.runId)).toEqual(masksOf(original, r.shardRunId));
          const a = loadTicket(target, ticketOfRound(target, r.runId, 2)!);
          const b = loadTicket(original, ticketOfRound(original, r.shardRunId, 2)!);
          expect(Buffer.from(a.init.get('fc1.weight')!.buffer).equals(Buffer.from(b.init.get('fc1.weight')!.buffer))).toBe(true);
          expect(getRun(target, r.runId)).toMatchObject({ status: 'finished', roundsDone: 3, backend: 'wasm' });
        }
      } finally {
        original.close();
      }
      expect(getProvenance(target, report.runs[0].runId)).toMatchObject({ host: 'node7', slurmJobId: '41', slurmArrayJobId: '40', slurmArrayTaskId: 3, shard: full, shardRunId: 1, attempts: [{ host: 'node7', fromRound: null }] });
    } finally {
      target.close();
    }
  });

  it('changes nothing when the same shard is merged again', () => {
    const file = path.join(folder(), 'main.sqlite');
    const target = openLibrary(file);
    try {
      mergeShard(target, full);
      target.pragma('wal_checkpoint(TRUNCATE)');
      const before = libraryDigest(file);
      const again = mergeShard(target, full);
      expect(again.runs.map((r) => r.action)).toEqual(['unchanged', 'unchanged']);
      target.pragma('wal_checkpoint(TRUNCATE)');
      expect(libraryDigest(file)).toBe(before);
    } finally {
      target.close();
    }
  });

  it('adds the rounds a run gained since it was merged unfinished, and marks a killed run interrupted', async () => {
    const target = openLibrary(path.join(folder(), 'main.sqlite'));
    const later = copy(partial, path.join(folder(), 'later.sqlite'));
    try {
      const first = mergeShard(target, partial, { ended: true });
      expect(first.runs.map((r) => [r.action, r.rounds, r.status])).toEqual([['copied', 2, 'interrupted']]);
      // The task is requeued and continues in its shard to the last round.
      await shard(later, config, { methods: ['imp'], resume: true });
      const second = mergeShard(target, later);
      expect(second.runs.map((r) => [r.action, r.roundsAdded, r.rounds, r.status])).toEqual([['extended', 1, 3, 'finished']]);
      // Resumed or not, the same masks as the uninterrupted run.
      const original = openLibrary(full);
      try {
        expect(masksOf(target, second.runs[0].runId)).toEqual(masksOf(original, 1));
      } finally {
        original.close();
      }
      // An older copy of the shard merged after the newer one sets nothing back, its provenance included.
      expect(mergeShard(target, partial, { ended: true }).runs[0]).toMatchObject({ action: 'unchanged', rounds: 3, status: 'finished' });
      expect(getProvenance(target, second.runs[0].runId)?.shard).toBe(later);
    } finally {
      target.close();
    }
  }, 60_000);

  it('keeps a shard whose run has other masks apart: refused into a given experiment, a new experiment otherwise', () => {
    const target = openLibrary(path.join(folder(), 'main.sqlite'));
    try {
      mergeShard(target, full);
      const other = copy(full, path.join(folder(), 'other.sqlite'));
      const db = new Database(other);
      // One weight of round 1's first mask flipped, with its count kept consistent.
      const m = db.prepare('SELECT ticket_id, layer, bits, kept FROM ticket_masks WHERE ticket_id = (SELECT id FROM tickets WHERE run_id = 1 AND round = 1) ORDER BY position LIMIT 1').get() as { ticket_id: number; layer: string; bits: Buffer; kept: number };
      const was = m.bits[0] & 1;
      m.bits[0] ^= 1;
      db.prepare('UPDATE ticket_masks SET bits = ?, kept = ? WHERE ticket_id = ? AND layer = ?').run(m.bits, m.kept + (was ? -1 : 1), m.ticket_id, m.layer);
      db.close();
      const before = rowCounts(target);
      expect(() => mergeShard(target, other, { experimentId: 1 })).toThrow(/round 1 of run 1 \(imp, seed 0\) has other masks in this library than in the shard.*nothing was merged/);
      expect(rowCounts(target)).toEqual(before);
      const apart = mergeShard(target, other);
      expect(apart.runs.map((r) => [r.experimentId, r.action])).toEqual([
        [2, 'copied'],
        [2, 'copied'],
      ]);
    } finally {
      target.close();
    }
  });

  it('merges a shard from the older schema (no provenance table yet)', () => {
    const old = copy(full, path.join(folder(), 'old.sqlite'));
    const db = new Database(old);
    db.exec('DROP TABLE run_provenance; DROP TABLE sweep_tasks; DROP TABLE sweeps');
    // The schema version just before the migration that added them.
    db.pragma(`user_version = ${MIGRATIONS.findIndex((m) => m.name === 'sweeps-provenance')}`);
    db.close();
    const target = openLibrary(path.join(folder(), 'main.sqlite'));
    try {
      const report = mergeShard(target, old);
      expect(report.runs.map((r) => r.action)).toEqual(['copied', 'copied']);
      expect(getProvenance(target, report.runs[0].runId)).toMatchObject({ host: expect.any(String), backend: 'wasm', appVersion: 'test', shard: old, attempts: [] });
    } finally {
      target.close();
    }
  });

  it('refuses, writing nothing, a shard that is no library, newer, damaged, or the target itself', () => {
    const where = folder();
    const file = path.join(where, 'main.sqlite');
    const target = openLibrary(file);
    try {
      mergeShard(target, full);
      const before = rowCounts(target);
      const text = path.join(where, 'notes.sqlite');
      writeFileSync(text, 'plain text, no database here; plain text, no database here; plain text');
      const foreign = path.join(where, 'foreign.sqlite');
      new Database(foreign).exec('CREATE TABLE x (y)');
      const newer = copy(full, path.join(where, 'newer.sqlite'));
      new Database(newer).pragma('user_version = 99');
      const tensor = copy(full, path.join(where, 'tensor.sqlite'));
      const t = new Database(tensor);
      const row = t.prepare('SELECT id, data FROM tensors ORDER BY id LIMIT 1').get() as { id: number; data: Buffer };
      row.data[5] ^= 0x40;
      t.prepare('UPDATE tensors SET data = ? WHERE id = ?').run(row.data, row.id);
      t.close();
      const counted = copy(full, path.join(where, 'counted.sqlite'));
      new Database(counted).prepare("UPDATE ticket_masks SET kept = kept + 1 WHERE layer = 'fc1.weight' AND ticket_id = 2").run();
      const broken = copy(full, path.join(where, 'broken.sqlite'));
      const b = new Database(broken, { readonly: true });
      const root = b.prepare("SELECT rootpage FROM sqlite_schema WHERE name = 'rounds'").pluck().get() as number;
      const pageSize = Number(b.pragma('page_size', { simple: true }));
      b.close();
      const fd = openSync(broken, 'r+');
      writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, (root - 1) * pageSize);
      closeSync(fd);
      const cases: [string, RegExp][] = [
        [path.join(where, 'missing.sqlite'), /missing.sqlite: no such file; nothing was merged/],
        [text, /notes.sqlite: cannot be opened|notes.sqlite: it is damaged|not an SQLite database/],
        [foreign, /foreign.sqlite: it is not a COLT Lab library; nothing was merged/],
        [newer, /newer.sqlite: it was written by a newer COLT Lab \(schema version 99; this version knows up to \d+\); update COLT Lab to merge it; nothing was merged/],
        [tensor, /tensor.sqlite: it is damaged \(tensor \d+: its bytes do not match their sha256\); nothing was merged/],
        [counted, /counted.sqlite: it is damaged \(ticket 2 mask fc1.weight: \d+ weights kept, the row says \d+\); nothing was merged/],
        [broken, /broken.sqlite: .*damaged.*nothing was merged/],
        [file, /it is the library being merged into; nothing was merged/],
      ];
      for (const [shardFile, message] of cases) {
        expect(() => mergeShard(target, shardFile), shardFile).toThrow(message);
        expect(rowCounts(target), shardFile).toEqual(before);
      }
    } finally {
      target.close();
    }
  });
});
