import type { Method } from '../contract/experiment-config.js';
import type { LabEvent, LabSink, RoundCheckpoint, RoundRecord } from '../lab/events.js';
import type { ModelDef } from '../lab/models/types.js';
import { LabError } from '../contract/errors.js';
import { loadCheckpointState, saveCheckpointState } from './checkpoints.js';
import { guard, writeTransaction, type Db } from './db.js';
import { refreshExperimentStatus } from './experiments.js';
import { getRound, insertRound } from './rounds.js';
import { getRun, markRunStarted, setRunStatus, type RunStart } from './runs.js';
import { insertTicket, loadTicket } from './tickets.js';

/** What a recorder needs to file the rounds of one experiment's runs. */
export interface RecorderOptions {
  readonly db: Db;
  /** The model the tickets are made on (the context's `def`). */
  readonly def: ModelDef;
  readonly experimentId: number;
  readonly runIdOf: (method: Method, seed: number) => number;
  readonly dataset: { readonly name: string; readonly checksum: string };
  readonly appVersion: string;
  /** Recorded on each run as it starts. */
  readonly backend: RunStart;
  /** Training-curve points kept per round and phase (default 100). */
  readonly metricPoints?: number;
  readonly now?: () => Date;
}

/** A LabSink that files every finished round into the library; `currentRun` is the run in progress. */
export interface Recorder extends Required<LabSink> {
  readonly currentRun: number | undefined;
}

interface MetricPoint {
  readonly runId: number;
  readonly round: number;
  readonly phase: string;
  readonly iteration: number;
  readonly value: number;
}

/**
 * Creates the recorder: `run-start` marks the run running in this process, progress events are
 * sampled into a training curve, and `roundDone` writes the round's record, ticket, curve and
 * checkpoint state in ONE transaction (DESIGN.md, Storage), marking the run finished on its last round.
 */
export function createRecorder(o: RecorderOptions): Recorder {
  const { db } = o;
  const points = o.metricPoints ?? 100;
  let current: number | undefined;
  let pending: MetricPoint[] = [];
  const insertMetric = db.prepare('INSERT OR REPLACE INTO metrics (run_id, round, phase, name, iteration, value) VALUES (?, ?, ?, ?, ?, ?)');
  return {
    get currentRun() {
      return current;
    },
    event(e: LabEvent): void {
      if (e.type === 'run-start') {
        const runId = o.runIdOf(e.method, e.seed);
        current = runId;
        pending = [];
        writeTransaction(db, `record the start of run ${runId}`, () => {
          // A run whose last round is stored starts only to end at once (resuming a whole experiment).
          const done = db.prepare('SELECT final FROM checkpoints WHERE run_id = ?').pluck().get(runId) === 1;
          if (done) setRunStatus(db, runId, 'finished', null, o.now);
          else markRunStarted(db, runId, o.backend, o.now);
          refreshExperimentStatus(db, o.experimentId, o.now);
        });
      } else if (e.type === 'progress') {
        const step = Math.max(1, Math.ceil(e.iterations / points));
        if (e.iteration % step === 0 || e.iteration === e.iterations) {
          pending.push({ runId: o.runIdOf(e.method, e.seed), round: e.round, phase: e.phase, iteration: e.iteration, value: e.loss });
        }
      }
    },
    roundDone(c: RoundCheckpoint): void {
      const runId = o.runIdOf(c.record.method, c.record.seed);
      const mine = pending.filter((p) => p.runId === runId && p.round === c.record.round);
      pending = pending.filter((p) => !(p.runId === runId && p.round === c.record.round));
      writeTransaction(db, `record round ${c.record.round} of run ${runId}`, () => {
        insertRound(db, runId, c.record, c.final, o.now);
        const ticketId = insertTicket(
          db,
          {
            provenance: { kind: 'run', runId, round: c.record.round },
            def: o.def,
            method: c.ticket.method,
            dataset: o.dataset.name,
            datasetChecksum: o.dataset.checksum,
            seed: c.ticket.seed,
            mask: c.ticket.mask,
            init: c.ticket.init,
            ...(c.ticket.final ? { final: c.ticket.final } : {}),
            appVersion: o.appVersion,
          },
          o.now,
        );
        for (const p of mine) insertMetric.run(runId, p.round, p.phase, 'batch_loss', p.iteration, Number.isFinite(p.value) ? p.value : null);
        saveCheckpointState(db, runId, ticketId, c, o.now);
        if (c.final) {
          setRunStatus(db, runId, 'finished', null, o.now);
          refreshExperimentStatus(db, o.experimentId, o.now);
        }
      });
    },
  };
}

/**
 * The checkpoint a run continues from (its last finished round's record, ticket and state), or
 * undefined when no round finished. Feed it to submitExperiment's ResumePoints (jobs/experiment-jobs.ts).
 */
export function loadResumePoint(db: Db, runId: number): RoundCheckpoint | undefined {
  return guard(`load the checkpoint of run ${runId}`, () => {
    const state = loadCheckpointState(db, runId);
    if (!state) return undefined;
    const run = getRun(db, runId);
    const row = getRound(db, runId, state.round);
    if (!row) throw new LabError('storage', `run ${runId}: its checkpoint names round ${state.round}, which is not stored`);
    const { runId: _r, final: _f, created: _c, ...record } = row;
    const stored = loadTicket(db, state.ticketId);
    return {
      record: record satisfies RoundRecord,
      ticket: {
        method: run.method,
        seed: run.seed,
        round: state.round,
        mask: stored.mask,
        init: stored.init,
        ...(stored.final ? { final: stored.final } : {}),
      },
      pruneFrom: state.pruneFrom,
      ...(state.rewindParams ? { rewindParams: state.rewindParams } : {}),
      ...(state.rewindBuffers ? { rewindBuffers: state.rewindBuffers } : {}),
      ...(state.buffers ? { buffers: state.buffers } : {}),
      ...(state.partitionBuffers ? { partitionBuffers: state.partitionBuffers } : {}),
      final: state.final,
    };
  });
}
