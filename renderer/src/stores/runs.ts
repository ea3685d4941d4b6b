import { defineStore } from 'pinia';
import { ref, shallowRef, triggerRef } from 'vue';
import type { CommandOutput, WireEvent } from '../../../main/contract/api.js';
import type { RunEventMessage } from '../../../main/contract/events.js';
import { api } from '../api/index.js';
import type { LossPoint } from '../charts/loss-curve.js';

/** A queued or training job (runs.active). */
export type LiveRun = CommandOutput<'runs.active'>[number];
/** A run in lists. */
export type RunSummary = CommandOutput<'runs.list'>[number];
/** A run with its rounds and curve (runs.get). */
export type RunDetail = CommandOutput<'runs.get'>;
/** A stored round. */
export type RoundRow = RunDetail['rounds'][number];

/** What the runs screen shows of one run, kept live by events. */
export interface RunLive {
  readonly runId: number;
  rounds: { round: number; sparsity: number; testAccuracy: number | null; valAccuracy: number | null; final: boolean }[];
  curve: LossPoint[];
}

/** A run that stopped on an error, as the failure event or the library said. */
export interface Failure {
  readonly runId: number;
  readonly experimentId: number | null;
  readonly method: string;
  readonly seed: number;
  readonly message: string;
  readonly code: string;
}

const CURVE_LIMIT = 4000;

/**
 * Queued and running jobs with live curves. `runs.active` is the truth; run events update it in
 * between (progress in place, a round appended to the run's rounds, finished/failed trigger a
 * refetch). Large series live in shallowRefs and are mutated then triggered, not deep-watched.
 */
export const useRunsStore = defineStore('runs', () => {
  const active = ref<LiveRun[]>([]);
  /** Jobs this page watched that have since stopped, newest first, with their final status (kept so their curves stay visible). */
  const ended = ref<(Omit<LiveRun, 'status'> & { status: string })[]>([]);
  const recent = ref<RunSummary[]>([]);
  const live = shallowRef(new Map<number, RunLive>());
  const failures = ref<Failure[]>([]);
  const error = ref<string | null>(null);
  const roundsStored = ref(0);
  /** Bumped whenever a live curve or round list changes (the map itself is a shallowRef, mutated in place). */
  const liveVersion = ref(0);
  let unsubscribe: (() => void) | null = null;
  let refreshTimer: ReturnType<typeof setTimeout> | null = null;

  /** Loads the active jobs and the latest runs (with their failure reasons). */
  async function refresh(): Promise<void> {
    try {
      const [a, r] = await Promise.all([api().call('runs.active', {}), api().call('runs.list', { limit: 50 })]);
      for (const old of active.value) {
        if (a.some((x) => x.runId === old.runId) || ended.value.some((x) => x.runId === old.runId)) continue;
        const summary = r.find((x) => x.id === old.runId);
        ended.value.unshift({ ...old, status: summary?.status ?? 'stopped', etaSeconds: null });
      }
      ended.value = ended.value.filter((x) => !a.some((y) => y.runId === x.runId)).slice(0, 12);
      for (const e of ended.value) {
        const summary = r.find((x) => x.id === e.runId);
        if (summary) e.status = summary.status;
      }
      active.value = a;
      recent.value = r;
      for (const run of a) if (!live.value.has(run.runId)) void loadRun(run.runId);
      error.value = null;
    } catch (e) {
      error.value = (e as Error).message;
    }
  }

  /** Loads a run's stored rounds and curve into the live map. */
  async function loadRun(runId: number): Promise<RunDetail | null> {
    try {
      const d = await api().call('runs.get', { id: runId });
      live.value.set(runId, {
        runId,
        rounds: d.rounds.map((x) => ({ round: x.round, sparsity: x.sparsity, testAccuracy: x.testAccuracy, valAccuracy: x.valAccuracy, final: x.final })),
        curve: d.curve.map((c) => ({ round: c.round, phase: c.phase, iteration: c.iteration, loss: c.loss })),
      });
      triggerRef(live);
        liveVersion.value++;
      if (d.run.status === 'failed' && d.run.error) noteFailure({ runId, experimentId: d.run.experimentId, method: d.run.method, seed: d.run.seed, message: d.run.error, code: 'failed' });
      return d;
    } catch (e) {
      error.value = (e as Error).message;
      return null;
    }
  }

  function entry(runId: number): RunLive {
    let e = live.value.get(runId);
    if (!e) live.value.set(runId, (e = { runId, rounds: [], curve: [] }));
    return e;
  }

  function noteFailure(f: Failure): void {
    if (!failures.value.some((x) => x.runId === f.runId)) failures.value.unshift(f);
  }

  function scheduleRefresh(): void {
    if (refreshTimer !== null) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      void refresh();
    }, 150);
  }

  /** Applies one run event. */
  function apply(message: WireEvent): void {
    const m = message as RunEventMessage;
    const runId = m.payload?.runId;
    if (runId === undefined) return;
    switch (m.event) {
      case 'run.progress': {
        const p = m.payload;
        const job = active.value.find((x) => x.runId === runId);
        if (job) Object.assign(job, { status: 'running', round: p.round, phase: p.phase, iteration: p.iteration, iterations: p.iterations, loss: p.loss, imagesPerSecond: p.imagesPerSecond, etaSeconds: p.etaSeconds });
        else scheduleRefresh();
        const e = entry(runId);
        e.curve.push({ round: p.round, phase: p.phase, iteration: p.iteration, loss: p.loss });
        // Keep the live curve bounded: drop every other point of the oldest half.
        if (e.curve.length > CURVE_LIMIT) e.curve = [...e.curve.slice(0, CURVE_LIMIT / 2).filter((_, i) => i % 2 === 0), ...e.curve.slice(CURVE_LIMIT / 2)];
        triggerRef(live);
        liveVersion.value++;
        break;
      }
      case 'run.roundDone': {
        const r = m.payload.record;
        const e = entry(runId);
        e.rounds = [...e.rounds.filter((x) => x.round !== r.round), { round: r.round, sparsity: r.sparsity, testAccuracy: r.testAccuracy, valAccuracy: r.valAccuracy, final: m.payload.final }].sort((a, b) => a.round - b.round);
        roundsStored.value++;
        triggerRef(live);
        liveVersion.value++;
        scheduleRefresh();
        break;
      }
      case 'run.finished':
        scheduleRefresh();
        break;
      case 'run.failed':
        noteFailure({ runId, experimentId: m.payload.experimentId ?? null, method: m.payload.method, seed: m.payload.seed, message: m.payload.error.message, code: m.payload.error.code });
        scheduleRefresh();
        break;
    }
  }

  /** Forgets the stopped jobs shown on the runs screen. */
  function clearEnded(): void {
    ended.value = [];
  }

  /** Starts listening to run events (once). */
  function start(): void {
    if (unsubscribe) return;
    unsubscribe = api().onEvent(apply);
    void refresh();
  }

  /** Pauses, cancels or resumes a run, then refreshes. */
  async function control(action: 'pause' | 'cancel' | 'resume', runId: number): Promise<void> {
    try {
      await api().call(`runs.${action}`, { runId });
      error.value = null;
    } catch (e) {
      error.value = (e as Error).message;
    }
    await refresh();
  }

  return { active, ended, liveVersion, clearEnded, recent, live, failures, error, roundsStored, refresh, loadRun, apply, start, control };
});
