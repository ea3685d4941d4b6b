// LabService behaviours the transport suite does not reach: estimates, refusals while training,
// what may be deleted. A real library and real worker threads, on the bundled sample.
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../main/lab/backend/index.js';
import { LabService } from '../../../main/service/lab-service.js';
import { tempHome } from '../../helpers/cli.js';

const TINY = {
  name: 'service',
  arch: 'lenet-300-100',
  dataset: 'fashion-mnist-sample',
  methods: ['imp', 'colt'],
  seeds: [0, 1],
  data: { trainLimit: 600, testLimit: 200, validationFraction: 0.1 },
  training: { duration: '20it', batchSize: 30 },
  stop: { maxRounds: 1 },
};

let service: LabService;

async function idle(): Promise<void> {
  while (((await service.call('runs.active', {})) as unknown[]).length > 0) await new Promise((r) => setTimeout(r, 100));
}

describe('LabService', () => {
  beforeAll(async () => {
    const home = tempHome();
    process.env.COLT_HOME = home;
    service = new LabService({ dataDir: home, libraryPath: `${home}/library.sqlite`, backend: await selectBackend('auto'), fileRoots: [home] });
  });
  afterAll(() => service.close());

  it('estimates the training images every run and round will use', async () => {
    const r = (await service.call('experiments.validate', { config: TINY })) as { ok: boolean; estimate: { runs: number; rounds: number; samples: number; evaluationSamples: number; trainingSamples: number; seconds: number | null } };
    expect(r.ok).toBe(true);
    // Per seed and round, of 20 batches × 30 images each: IMP's training, COLT's two partition trainings (an
    // iteration duration: each partition trains all 20 steps) and COLT's full-data ticket evaluation.
    const training = 20 * 30;
    expect(r.estimate).toMatchObject({
      runs: 4,
      rounds: 2,
      samples: 2 * 2 * (training + 2 * training),
      evaluationSamples: 2 * 2 * training,
      trainingSamples: 2 * 2 * (training + 2 * training + training),
      seconds: null,
    });
  });

  it('names the field of a config that cannot run here (unknown dataset)', async () => {
    const r = (await service.call('experiments.validate', { config: { ...TINY, dataset: 'no-such-data' } })) as { ok: boolean; error: { field: string; message: string } };
    expect(r.ok).toBe(false);
    expect(r.error.message).toMatch(/no-such-data/);
  });

  it('refuses to delete a training experiment, pauses it, then deletes it with its tickets', async () => {
    const created = (await service.call('experiments.create', { config: TINY })) as { experiment: { id: number }; runs: unknown[] };
    expect(created.runs).toHaveLength(4);
    const id = created.experiment.id;
    await expect(service.call('experiments.delete', { id })).rejects.toMatchObject({ code: 'busy' });
    await expect(service.call('runs.resume', { experimentId: id })).rejects.toMatchObject({ code: 'busy' });
    await service.call('runs.pause', { experimentId: id });
    await idle();
    const runs = (await service.call('runs.list', { experimentId: id })) as { status: string }[];
    expect(runs.every((r) => r.status === 'interrupted' || r.status === 'finished')).toBe(true);
    const tickets = (await service.call('tickets.list', { experimentId: id })) as { id: number }[];
    if (tickets.length > 0) {
      await expect(service.call('tickets.delete', { id: tickets[0].id })).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining(`delete experiment e${id}`) });
    }
    const deleted = (await service.call('experiments.delete', { id })) as { runs: number; tickets: number };
    expect(deleted).toEqual({ experimentId: id, runs: 4, tickets: tickets.length });
    await expect(service.call('experiments.get', { id })).rejects.toMatchObject({ code: 'not_found' });
    expect(await service.call('tickets.list', { experimentId: id })).toEqual([]);
  });

  it('runs a whole experiment and reports live progress while it trains', async () => {
    const created = (await service.call('experiments.create', { config: { ...TINY, seeds: [0], methods: ['imp'] } })) as { experiment: { id: number }; runs: { id: number }[] };
    const seen: string[] = [];
    const off = service.onEvent((e) => seen.push(e.event));
    let live: unknown = null;
    while (live === null) {
      const r = (await service.call('runs.get', { id: created.runs[0].id })) as { live: unknown; run: { status: string } };
      if (r.run.status === 'finished') break;
      live = r.live;
    }
    await idle();
    off();
    expect(seen).toContain('run.roundDone');
    expect(seen.at(-1)).toBe('run.finished');
    const run = (await service.call('runs.get', { id: created.runs[0].id })) as { run: { status: string }; rounds: { ticketId: number | null }[]; live: unknown };
    expect(run.run.status).toBe('finished');
    expect(run.live).toBeNull();
    expect(run.rounds.every((r) => r.ticketId !== null)).toBe(true);
    await expect(service.call('tickets.masks', { id: run.rounds[0].ticketId, layers: ['nope'] })).rejects.toMatchObject({ code: 'not_found', message: expect.stringContaining('fc1.weight') });
    await expect(service.call('runs.resume', { runId: created.runs[0].id })).rejects.toMatchObject({ code: 'invalid_input' });
  });
});

describe('library.merge next to training', () => {
  it('refuses to merge into an experiment whose runs train here, then merges once they are done', async () => {
    const home = tempHome();
    const config = { ...TINY, name: 'merge', seeds: [0] };
    const other = new LabService({ dataDir: home, libraryPath: `${home}/shard/shard.sqlite`, fileRoots: [home] });
    mkdirSync(`${home}/shard`);
    mkdirSync(`${home}/lib`);
    await other.call('experiments.create', { config, start: false });
    await other.close();
    const lab = new LabService({ dataDir: home, libraryPath: `${home}/lib/library.sqlite`, backend: await selectBackend('auto'), fileRoots: [home] });
    try {
      await lab.call('experiments.create', { config });
      await expect(lab.call('library.merge', { shard: `${home}/shard/shard.sqlite` })).rejects.toMatchObject({ code: 'busy', message: expect.stringMatching(/experiment e1 .*training here.*nothing was merged/) });
      while (((await lab.call('runs.active', {})) as unknown[]).length > 0) await new Promise((r) => setTimeout(r, 100));
      const merged = (await lab.call('library.merge', { shard: `${home}/shard/shard.sqlite` })) as { runs: { experimentId: number }[] };
      expect(merged.runs.map((r) => r.experimentId)).toEqual([1, 1]);
    } finally {
      await lab.close();
    }
  });
});

describe('sweeps.create on a local lab', () => {
  let lab: LabService;
  beforeAll(async () => {
    const home = tempHome();
    process.env.COLT_HOME = home;
    lab = new LabService({ dataDir: home, libraryPath: `${home}/library.sqlite`, backend: await selectBackend('auto'), fileRoots: [home], concurrency: 1 });
  });
  afterAll(() => lab.close());

  it("queues every point's runs with start, and keeps its tasks' states from their runs", async () => {
    const config = { ...TINY, name: 'grid', methods: ['imp'], seeds: [0] };
    const created = (await lab.call('sweeps.create', { config, axes: [{ path: 'pruning.rate', values: [0.2, 0.3] }] })) as {
      sweep: { id: number; status: string };
      points: { point: string; experimentId: number }[];
      tasks: { state: string }[];
      submission: unknown;
    };
    expect(created.points.map((p) => p.point)).toEqual(['pruning.rate=0.2', 'pruning.rate=0.3']);
    expect(created.submission).toBeNull();
    expect(created.sweep.status).toBe('running');
    const active = (await lab.call('runs.active', {})) as { experimentId: number }[];
    expect(new Set(active.map((r) => r.experimentId))).toEqual(new Set(created.points.map((p) => p.experimentId)));
    // Taken up again while its runs train: nothing queued twice.
    const again = (await lab.call('sweeps.create', { config, axes: [{ path: 'pruning.rate', values: [0.2, 0.3] }] })) as { resubmitted: boolean; notes: string[] };
    expect(again.resubmitted).toBe(true);
    expect(again.notes).toHaveLength(2);
    while (((await lab.call('runs.active', {})) as unknown[]).length > 0) await new Promise((r) => setTimeout(r, 100));
    const done = (await lab.call('sweeps.get', { id: created.sweep.id })) as { sweep: { status: string; counts: Record<string, number> }; tasks: { state: string }[] };
    expect(done.tasks.map((t) => t.state)).toEqual(['finished', 'finished']);
    expect(done.sweep).toMatchObject({ status: 'finished', counts: { finished: 2 } });
  });
});
