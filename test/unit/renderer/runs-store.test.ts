// The runs store as the live view uses it: events applied in batches, one version bump per run per
// batch, a stopped run moved at once with the status its event gave. The API client is a stand-in
// answering as the server would (the server side is proven by the contract suite and the e2e tests).
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WireEvent } from '../../../main/contract/api.js';
import type { ApiClient } from '../../../renderer/src/api/client.js';
import { setClient } from '../../../renderer/src/api/index.js';
import { useRunsStore } from '../../../renderer/src/stores/runs.js';

const job = (runId: number, status: 'queued' | 'running') => ({ runId, experimentId: 1, method: 'imp' as const, seed: runId, status, round: null, phase: null, iteration: null, iterations: null, loss: null, imagesPerSecond: null, etaSeconds: null });
const progress = (runId: number, iteration: number): WireEvent => ({
  event: 'run.progress',
  payload: { job: `job-${runId}`, method: 'imp', seed: runId, seq: iteration + 1, runId, experimentId: 1, round: 0, phase: 'train', iteration, iterations: 10, epoch: null, loss: 1 / (iteration + 1), imagesPerSecond: 100, etaSeconds: 5 },
});

let calls: string[];
beforeEach(() => {
  vi.useFakeTimers();
  setActivePinia(createPinia());
  calls = [];
  const client: ApiClient = {
    transport: 'http',
    call: (async (command: string) => {
      calls.push(command);
      if (command === 'runs.active') return [job(1, 'running'), job(2, 'running')];
      if (command === 'runs.list') return [];
      if (command === 'experiments.get') return { experiment: { name: 'e' }, config: { stop: { maxRounds: 4 } }, runs: [], presetConfig: null };
      if (command === 'runs.get') return { run: { status: 'running', experimentId: 1, method: 'imp', seed: 0, error: null }, rounds: [], curve: [], live: null };
      throw new Error(`unexpected ${command}`);
    }) as ApiClient['call'],
    onEvent: () => () => undefined,
    importFiles: async () => [],
  };
  setClient(client);
});
afterEach(() => vi.useRealTimers());

describe('the runs store', () => {
  it("applies a batch of events at once: each run's curve grows, its version moves once, its card's figures change", async () => {
    const runs = useRunsStore();
    await runs.refresh();
    await vi.runOnlyPendingTimersAsync();
    const before = { 1: runs.versions[1] ?? 0, 2: runs.versions[2] ?? 0 };
    runs.applyBatch([progress(1, 0), progress(1, 1), progress(1, 2), progress(2, 0)]);
    expect(runs.versions[1]).toBe(before[1] + 1);
    expect(runs.versions[2]).toBe(before[2] + 1);
    expect(runs.live.get(1)!.curve.map((c) => c.iteration)).toEqual([0, 1, 2]);
    // The card shows the latest progress of the batch.
    expect(runs.active.find((j) => j.runId === 1)).toMatchObject({ status: 'running', iteration: 2, iterations: 10 });
    expect(runs.experiments[1]).toEqual({ name: 'e', plannedRounds: 5, mayStopEarly: false });
  });

  it('shows a paused run as paused at once, before the refetch', async () => {
    const runs = useRunsStore();
    await runs.refresh();
    runs.applyBatch([{ event: 'run.finished', payload: { job: 'job-2', method: 'imp', seed: 2, seq: 9, runId: 2, experimentId: 1, status: 'paused', rounds: 1, lastRound: 0, seconds: 3 } }]);
    expect(runs.active.map((j) => j.runId)).toEqual([1]);
    expect(runs.ended[0]).toMatchObject({ runId: 2, status: 'paused' });
  });

  it('records a stored round and refetches the lists at most once a second while rounds arrive', async () => {
    const runs = useRunsStore();
    await runs.refresh();
    calls = [];
    const record = { type: 'round' as const, method: 'imp' as const, seed: 1, round: 0, sparsity: 0, sparsityAll: 0, layerSparsity: {}, testAccuracy: 0.8, valAccuracy: 0.7, earlyStopIteration: 10, samples: 100, evaluationSamples: 0, seconds: 4 };
    for (let r = 0; r < 3; r++) runs.applyBatch([{ event: 'run.roundDone', payload: { job: 'job-1', method: 'imp', seed: 1, seq: 20 + r, runId: 1, experimentId: 1, record: { ...record, round: r }, final: false } }]);
    expect(runs.live.get(1)!.rounds.map((x) => x.round)).toEqual([0, 1, 2]);
    expect(runs.roundsStored).toBe(3);
    expect(calls.filter((c) => c === 'runs.active')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1100);
    expect(calls.filter((c) => c === 'runs.active')).toHaveLength(1);
  });
});
