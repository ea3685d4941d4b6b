import { defineStore } from 'pinia';
import { reactive, ref, shallowRef, triggerRef } from 'vue';
import type { CommandOutput, WireEvent } from '../../../main/contract/api.js';
import type { RunEventMessage, RunProgress } from '../../../main/contract/events.js';
import { api } from '../api/index.js';
import type { LossPoint } from '../charts/loss-curve.js';
import { createEventBatcher, type EventBatcher } from '../live/event-batch.js';
import { experimentEta, runEta } from '../live/eta.js';

/** A queued or training job (runs.active). */
export type LiveRun = CommandOutput<'runs.active'>[number];
/** A run in lists. */
export type RunSummary = CommandOutput<'runs.list'>[number];
/** A run with its rounds and curve (runs.get). */
export type RunDetail = CommandOutput<'runs.get'>;
/** A stored round. */
export type RoundRow = RunDetail['rounds'][number];
/** A job the page watched that has since stopped, with the status it stopped with. */
export type EndedRun = Omit<LiveRun, 'status'> & { status: string };

/** A stored round as the live view shows it. */
export interface LiveRound {
  readonly round: number;
  readonly sparsity: number;
  readonly testAccuracy: number | null;
  readonly valAccuracy: number | null;
  readonly final: boolean;
  readonly seconds: number;
}

/** What the runs screen shows of one run, kept live by events (mutated in place; its version says when). */
export interface RunLive {
  readonly runId: number;
  rounds: LiveRound[];
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

/** What the ETAs need of an experiment: its name and how many rounds each run trains. */
export interface ExperimentInfo {
  readonly name: string;
  /** maxRounds + 1 (round 0 is the dense network). */
  readonly plannedRounds: number;
  /** True when a target sparsity may stop runs earlier (the ETA is then an upper bound). */
  readonly mayStopEarly: boolean;
}

const CURVE_LIMIT = 4000;
/** How often a card's progress line changes: the server sends 5 a second per run; once a second reads as live and costs a fifth of the layout and paint. */
const PROGRESS_SHOWN_MS = 1000;

/** Keeps a live curve bounded: every other point of the oldest half goes. */
function bound(curve: LossPoint[]): LossPoint[] {
  return curve.length <= CURVE_LIMIT ? curve : [...curve.slice(0, CURVE_LIMIT / 2).filter((_, i) => i % 2 === 0), ...curve.slice(CURVE_LIMIT / 2)];
}

const liveRound = (r: { round: number; sparsity: number; testAccuracy: number | null; valAccuracy: number | null; seconds: number }, final: boolean): LiveRound => ({
  round: r.round,
  sparsity: r.sparsity,
  testAccuracy: r.testAccuracy,
  valAccuracy: r.valAccuracy,
  final,
  seconds: r.seconds,
});

/**
 * Queued and running jobs with live curves. `runs.active` is the truth; run events update it in
 * between. Events are batched: whatever arrives within one animation frame is applied at once,
 * each touched run's version is bumped once, and only that run's card re-renders (issue 19: one
 * global counter re-rendered every chart of every card on every event, 55 ms of page work per
 * event, and the page fell 15 s behind with 8 runs). Curves live in a shallowRef map mutated in place.
 */
export const useRunsStore = defineStore('runs', () => {
  const active = ref<LiveRun[]>([]);
  const ended = ref<EndedRun[]>([]);
  const recent = ref<RunSummary[]>([]);
  const live = shallowRef(new Map<number, RunLive>());
  /** Per run: bumped whenever its curve or rounds change. */
  const versions = reactive<Record<number, number>>({});
  const experiments = reactive<Record<number, ExperimentInfo>>({});
  const failures = ref<Failure[]>([]);
  const error = ref<string | null>(null);
  const roundsStored = ref(0);
  /** When the page saw each run's current round start (for the ETA). */
  const roundStarted = new Map<number, { round: number; at: number }>();
  let unsubscribe: (() => void) | null = null;
  let batcher: EventBatcher<WireEvent> | null = null;
  let refreshTimer: ReturnType<typeof setTimeout> | null = null;
  let refreshDue = 0;
  const asked = new Set<number>();
  const progressShown = new Map<number, number>();
  const progressPending = new Map<number, RunProgress>();
  let progressTimer: ReturnType<typeof setTimeout> | null = null;

  /** Loads the active jobs and the latest runs (with their failure reasons). */
  async function refresh(): Promise<void> {
    try {
      const [a, r] = await Promise.all([api().call('runs.active', {}), api().call('runs.list', { limit: 50 })]);
      for (const old of active.value) {
        if (a.some((x) => x.runId === old.runId) || ended.value.some((x) => x.runId === old.runId)) continue;
        const summary = r.find((x) => x.id === old.runId);
        ended.value.unshift({ ...old, status: summary?.status ?? 'stopped', etaSeconds: null });
      }
      ended.value = ended.value.filter((x) => !a.some((y) => y.runId === x.runId)).slice(0, 24);
      for (const e of ended.value) {
        const summary = r.find((x) => x.id === e.runId);
        // A paused run is 'interrupted' in the library; keep the word the page showed at the event.
        if (summary && !(e.status === 'paused' && summary.status === 'interrupted')) e.status = summary.status;
      }
      active.value = mergeActive(active.value, a);
      recent.value = r;
      for (const run of a) {
        if (!live.value.has(run.runId)) void loadRun(run.runId);
        if (!asked.has(run.experimentId)) void loadExperiment(run.experimentId);
      }
      error.value = null;
    } catch (e) {
      error.value = (e as Error).message;
    }
  }

  /** Keeps the job objects the cards already show (so an unchanged card does not re-render); adds and drops the rest. */
  function mergeActive(current: LiveRun[], fresh: LiveRun[]): LiveRun[] {
    const byId = new Map(current.map((j) => [j.runId, j]));
    return fresh.map((f) => {
      const old = byId.get(f.runId);
      if (!old) return f;
      for (const k of Object.keys(f) as (keyof LiveRun)[]) if (old[k] !== f[k]) (old as Record<string, unknown>)[k] = f[k];
      return old;
    });
  }

  async function loadExperiment(id: number): Promise<void> {
    asked.add(id);
    try {
      const e = await api().call('experiments.get', { id });
      const stop = (e.config.stop ?? {}) as { maxRounds?: number; targetSparsity?: number };
      experiments[id] = { name: e.experiment.name, plannedRounds: (stop.maxRounds ?? 0) + 1, mayStopEarly: stop.targetSparsity !== undefined };
    } catch {
      asked.delete(id);
    }
  }

  /** Loads a run's stored rounds and curve into the live map. */
  async function loadRun(runId: number): Promise<RunDetail | null> {
    try {
      const d = await api().call('runs.get', { id: runId });
      const old = live.value.get(runId);
      // Points that arrived by event while the request was out stay (the stored curve is sampled).
      const last = d.curve[d.curve.length - 1];
      const newer = (old?.curve ?? []).filter((c) => !last || c.round > last.round || (c.round === last.round && c.iteration > last.iteration));
      live.value.set(runId, {
        runId,
        rounds: d.rounds.map((x) => liveRound(x, x.final)),
        curve: bound([...d.curve.map((c) => ({ round: c.round, phase: c.phase, iteration: c.iteration, loss: c.loss })), ...newer]),
      });
      touch(runId);
      triggerRef(live);
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

  function touch(runId: number): void {
    versions[runId] = (versions[runId] ?? 0) + 1;
  }

  function noteFailure(f: Failure): void {
    if (!failures.value.some((x) => x.runId === f.runId)) failures.value.unshift(f);
  }

  /** Refetches runs.active and the latest runs within `ms` (an earlier request wins). */
  function scheduleRefresh(ms: number): void {
    const due = Date.now() + ms;
    if (refreshTimer !== null && refreshDue <= due) return;
    if (refreshTimer !== null) clearTimeout(refreshTimer);
    refreshDue = due;
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      void refresh();
    }, ms);
  }

  /** Moves a job that stopped into the stopped list at once, with the status its event gave. */
  function stopJob(runId: number, status: string): void {
    const i = active.value.findIndex((x) => x.runId === runId);
    if (i < 0) return;
    const [job] = active.value.splice(i, 1);
    ended.value = [{ ...job, status, etaSeconds: null }, ...ended.value.filter((x) => x.runId !== runId)];
  }

  /** Applies a batch of run events (one animation frame's worth). */
  function applyBatch(batch: readonly WireEvent[]): void {
    const touched = new Set<number>();
    const latest = new Map<number, RunEventMessage & { event: 'run.progress' }>();
    let stored = 0;
    for (const message of batch) {
      const m = message as RunEventMessage;
      const runId = m.payload?.runId;
      if (runId === undefined) continue;
      switch (m.event) {
        case 'run.progress': {
          const p = m.payload;
          const e = entry(runId);
          e.curve.push({ round: p.round, phase: p.phase, iteration: p.iteration, loss: p.loss });
          if (e.curve.length > CURVE_LIMIT) e.curve = bound(e.curve);
          latest.set(runId, m);
          const started = roundStarted.get(runId);
          if (!started || started.round !== p.round) roundStarted.set(runId, { round: p.round, at: Date.now() });
          touched.add(runId);
          break;
        }
        case 'run.roundDone': {
          const r = m.payload.record;
          const e = entry(runId);
          e.rounds = [...e.rounds.filter((x) => x.round !== r.round), liveRound(r, m.payload.final)].sort((a, b) => a.round - b.round);
          stored++;
          touched.add(runId);
          break;
        }
        case 'run.finished':
          progressPending.delete(runId);
          stopJob(runId, m.payload.status);
          scheduleRefresh(150);
          break;
        case 'run.failed':
          progressPending.delete(runId);
          stopJob(runId, 'failed');
          noteFailure({ runId, experimentId: m.payload.experimentId ?? null, method: m.payload.method, seed: m.payload.seed, message: m.payload.error.message, code: m.payload.error.code });
          scheduleRefresh(150);
          break;
      }
    }
    const now = Date.now();
    for (const [runId, m] of latest) {
      if (now - (progressShown.get(runId) ?? -Infinity) >= PROGRESS_SHOWN_MS) showProgress(m.payload);
      else progressPending.set(runId, m.payload);
    }
    if (progressPending.size > 0 && progressTimer === null) {
      progressTimer = setTimeout(() => {
        progressTimer = null;
        const pending = [...progressPending.values()];
        progressPending.clear();
        for (const p of pending) showProgress(p);
      }, PROGRESS_SHOWN_MS);
    }
    for (const runId of touched) touch(runId);
    if (stored > 0) {
      roundsStored.value += stored;
      // The latest-runs table and the rounds counts: refetched at most once a second while rounds arrive.
      scheduleRefresh(1000);
    }
  }

  /** Writes a progress event into its job's card (only the fields that changed, so only they re-render). */
  function showProgress(p: RunProgress): void {
    const runId = p.runId as number;
    progressShown.set(runId, Date.now());
    progressPending.delete(runId);
    const job = active.value.find((x) => x.runId === runId);
    if (!job) {
      scheduleRefresh(150);
      return;
    }
    const next = { status: 'running' as const, round: p.round, phase: p.phase, iteration: p.iteration, iterations: p.iterations, loss: p.loss, imagesPerSecond: p.imagesPerSecond, etaSeconds: p.etaSeconds };
    for (const [k, v] of Object.entries(next)) if ((job as Record<string, unknown>)[k] !== v) (job as Record<string, unknown>)[k] = v;
  }

  /** Queues one run event (applied with the others of its animation frame). */
  function apply(message: WireEvent): void {
    if (!batcher) batcher = createEventBatcher(applyBatch);
    batcher.push(message);
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

  /** Seconds until a run ends (null when unknown): its current round plus the rest at the mean time of its stored rounds. */
  function etaOf(job: LiveRun): number | null {
    const info = experiments[job.experimentId];
    if (!info) return null;
    const own = live.value.get(job.runId)?.rounds ?? [];
    const started = roundStarted.get(job.runId);
    return runEta({
      round: job.round,
      phaseEtaSeconds: job.etaSeconds,
      roundSeconds: own.length > 0 ? own.map((r) => r.seconds) : methodRoundSeconds(job),
      plannedRounds: info.plannedRounds,
      elapsedInRound: started && started.round === job.round ? (Date.now() - started.at) / 1000 : null,
    });
  }

  /** Round times of the same method's other runs of the experiment (for a run with no stored round yet). */
  function methodRoundSeconds(job: LiveRun): number[] {
    const peers = [...active.value, ...ended.value].filter((j) => j.experimentId === job.experimentId && j.method === job.method && j.runId !== job.runId);
    return peers.flatMap((p) => (live.value.get(p.runId)?.rounds ?? []).map((r) => r.seconds));
  }

  /** Seconds until every queued and training run of an experiment is done (null when unknown). */
  function experimentEtaOf(experimentId: number): number | null {
    const info = experiments[experimentId];
    if (!info) return null;
    const jobs = active.value.filter((j) => j.experimentId === experimentId);
    const running = jobs.filter((j) => j.status === 'running');
    const queued = jobs.filter((j) => j.status === 'queued').map((j) => {
      const seconds = methodRoundSeconds(j);
      return seconds.length === 0 ? null : (seconds.reduce((a, b) => a + b, 0) / seconds.length) * info.plannedRounds;
    });
    return experimentEta(running.map(etaOf), queued, Math.max(1, active.value.filter((j) => j.status === 'running').length));
  }

  return { active, ended, versions, experiments, clearEnded, recent, live, failures, error, roundsStored, refresh, loadRun, apply, applyBatch, start, control, etaOf, experimentEtaOf };
});
