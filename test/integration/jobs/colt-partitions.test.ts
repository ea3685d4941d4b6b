import { beforeAll, describe, expect, it } from 'vitest';
import { sameCheckpoint, sameMask } from '../../../main/jobs/bench-jobs.js';
import { submitExperiment } from '../../../main/jobs/experiment-jobs.js';
import { JobPool } from '../../../main/jobs/pool.js';
import type { RoundCheckpoint } from '../../../main/lab/events.js';
import { methodSummaries } from '../../../main/analysis/stats.js';
import { assertJobsBuilt, dataDir, recordingPool, specOf, tinyConfig, WASM } from './helpers.js';

const dir = dataDir();

beforeAll(() => {
  assertJobsBuilt();
});

describe('COLT partitions in parallel workers', () => {
  it('gives the same masks and partition weights as training them one after another', async () => {
    const config = tinyConfig({ methods: ['colt'], colt: { partitions: 2, evaluate: 'none' }, stop: { maxRounds: 2 } });
    const parallel = recordingPool({ concurrency: 2 });
    const sequential = recordingPool({ concurrency: 2 });
    const p = parallel.pool.submit(specOf(config, dir));
    const s = sequential.pool.submit(specOf(config, dir, { parallelPartitions: false }));
    const [a, b] = await Promise.all([p.done, s.done]);
    expect([a.status, b.status]).toEqual(['finished', 'finished']);
    // Each alone in a pool of 2 slots: one trains its partitions on 2 partition workers, the other in its own worker.
    expect(p.partitionWorkers).toBe(2);
    expect(s.partitionWorkers).toBe(0);
    expect(parallel.stored.map((c) => c.record.round)).toEqual([0, 1, 2]);
    expect(sequential.stored.length).toBe(3);
    for (let r = 0; r < 3; r++) expect(sameCheckpoint(parallel.stored[r], sequential.stored[r])).toBe(true);
    expect(a.rounds.map((x) => x.partitionAccuracies)).toEqual(b.rounds.map((x) => x.partitionAccuracies));
    // Progress of both partitions reaches the main thread, in order.
    const phases = new Set(parallel.eventsOf(p).flatMap((e) => (e.event === 'run.progress' ? [e.payload.phase] : [])));
    expect([...phases].sort()).toEqual(['partition 1/2', 'partition 2/2']);
  });
});

describe('submitExperiment', () => {
  it('runs every method × seed as a job, the reinit control after its seed\'s IMP with IMP\'s masks', async () => {
    const config = tinyConfig({ methods: ['imp', 'reinit'], seeds: [0, 1] });
    const stored: RoundCheckpoint[] = [];
    const pool = new JobPool({ backend: WASM, concurrency: 2, onRoundDone: (c) => void stored.push(c) });
    const experiment = submitExperiment(pool, config, { dataDir: dir, parallelPartitions: false });
    const runs = await experiment.done;
    // Reinit jobs join as their seed's IMP finishes, in whichever order that is.
    const jobs = experiment.jobs.map((j) => [j.spec.method, j.spec.seed, j.status]);
    expect(jobs.slice(0, 2)).toEqual([
      ['imp', 0, 'finished'],
      ['imp', 1, 'finished'],
    ]);
    expect(jobs.sort()).toEqual([
      ['imp', 0, 'finished'],
      ['imp', 1, 'finished'],
      ['reinit', 0, 'finished'],
      ['reinit', 1, 'finished'],
    ]);
    for (const seed of [0, 1]) {
      const of = (method: string) => stored.filter((c) => c.record.method === method && c.record.seed === seed).sort((x, y) => x.record.round - y.record.round);
      expect(of('reinit').map((c) => c.record.round)).toEqual([0, 1]);
      for (const r of [0, 1]) expect(sameMask(of('reinit')[r].ticket.mask, of('imp')[r].ticket.mask)).toBe(true);
    }
    const summary = methodSummaries(runs);
    expect(Object.keys(summary).sort()).toEqual(['imp', 'reinit']);
    expect(summary.reinit?.runs).toBe(2);
  });
});
