import { beforeAll, describe, expect, it } from 'vitest';
import type { RunProgress } from '../../../main/contract/events.js';
import { sameMask } from '../../../main/jobs/bench-jobs.js';
import type { Job } from '../../../main/jobs/pool.js';
import { assertJobsBuilt, dataDir, recordingPool, specOf, tinyConfig } from './helpers.js';

// Real worker threads, real data (the bundled Fashion-MNIST sample), tiny runs.

const dir = dataDir();

beforeAll(() => {
  assertJobsBuilt();
});

describe('job pool', () => {
  it('cancels a run mid-epoch: status cancelled, stored rounds kept, no later round', async () => {
    const { pool, stored, eventsOf } = recordingPool();
    let cancelledAt: number | undefined;
    const config = tinyConfig({ training: { duration: '200it' }, stop: { maxRounds: 3 } });
    const job = pool.submit(specOf(config, dir), {
      onEvent: (e, self) => {
        // Cancel once round 1 is under way (a few batches into its first epoch).
        if (e.event === 'run.progress' && e.payload.round === 1 && e.payload.iteration >= 2 && cancelledAt === undefined) {
          cancelledAt = e.payload.iteration;
          self.cancel();
        }
      },
    });
    const outcome = await job.done;
    expect(outcome.status).toBe('cancelled');
    expect(job.status).toBe('cancelled');
    expect(stored.map((c) => c.record.round)).toEqual([0]);
    expect(outcome.rounds.map((r) => r.round)).toEqual([0]);
    expect(outcome.lastCheckpoint?.record.round).toBe(0);
    const events = eventsOf(job);
    expect(events.filter((e) => e.event === 'run.roundDone').map((e) => (e.payload as { record: { round: number } }).record.round)).toEqual([0]);
    const last = events[events.length - 1];
    expect(last.event).toBe('run.finished');
    expect(last.payload).toMatchObject({ status: 'cancelled', rounds: 1, lastRound: 0 });
    const round1 = events.filter((e): e is { event: 'run.progress'; payload: RunProgress } => e.event === 'run.progress' && e.payload.round === 1);
    // It stopped mid-epoch: no clock is asked how soon (a loaded machine decides that), only that the round did not run on.
    expect(cancelledAt).toBeDefined();
    expect(round1.at(-1)?.payload.iteration).toBeLessThan(200);
  });

  it('pauses after a stored round and resumes with the masks of an uninterrupted run', async () => {
    const config = tinyConfig({ stop: { maxRounds: 2 } });
    // The uninterrupted run, alongside.
    const whole = recordingPool();
    const uninterrupted = whole.pool.submit(specOf(config, dir)).done;

    const { pool, stored, eventsOf } = recordingPool({
      // Pausing while round 0 is being stored: the worker stops before round 1 trains a batch.
      onRoundDone: (c, job) => {
        if (c.record.round === 0) job.pause();
      },
    });
    const first = pool.submit(specOf(config, dir));
    const paused = await first.done;
    expect(paused.status).toBe('paused');
    expect(paused.rounds.map((r) => r.round)).toEqual([0]);
    expect(eventsOf(first).at(-1)?.payload).toMatchObject({ status: 'paused', lastRound: 0 });

    const second = pool.resume(first, {});
    const resumed = await second.done;
    expect(resumed.status).toBe('finished');
    expect(resumed.rounds.map((r) => r.round)).toEqual([1, 2]);
    expect(stored.map((c) => c.record.round)).toEqual([0, 1, 2]);
    expect((await uninterrupted).status).toBe('finished');
    for (const r of [0, 1, 2]) expect(sameMask(stored[r].ticket.mask, whole.stored[r].ticket.mask)).toBe(true);
  });

  it('fails only the job whose worker throws or runs out of memory; the other finishes', async () => {
    const { pool, eventsOf } = recordingPool({ concurrency: 3 });
    const missing = pool.submit(specOf(tinyConfig({ dataset: 'no-such-dataset' }), dir));
    const oom = pool.submit(specOf(tinyConfig(), dir, { resourceLimits: { maxOldGenerationSizeMb: 4 } }));
    const good = pool.submit(specOf(tinyConfig(), dir));
    const [a, b, c] = await Promise.all([missing.done, oom.done, good.done]);
    expect(a.status).toBe('failed');
    expect(a.error?.code).toBe('not_found');
    expect(a.error?.message).toContain('no-such-dataset');
    expect(b.status).toBe('failed');
    expect(b.error?.message).toMatch(/out of memory/);
    expect(c.status).toBe('finished');
    expect(c.rounds.map((r) => r.round)).toEqual([0, 1]);
    expect(eventsOf(missing).at(-1)).toMatchObject({ event: 'run.failed', payload: { status: 'failed', error: { code: 'not_found' } } });
    expect(eventsOf(oom).at(-1)?.event).toBe('run.failed');
  });

  it('cancels a queued job at once without starting it', async () => {
    const { pool, eventsOf } = recordingPool({ concurrency: 1 });
    const running = pool.submit(specOf(tinyConfig({ stop: { maxRounds: 0 } }), dir));
    const queued = pool.submit(specOf(tinyConfig(), dir));
    expect(queued.status).toBe('queued');
    queued.cancel();
    expect((await queued.done).status).toBe('cancelled');
    expect(eventsOf(queued)).toEqual([expect.objectContaining({ event: 'run.finished', payload: expect.objectContaining({ status: 'cancelled', seq: 1 }) })]);
    expect((await running.done).status).toBe('finished');
  });

  it('runs two jobs at once with concurrency 2; each job\'s events arrive in order, progress throttled', async () => {
    const { pool, events, eventsOf } = recordingPool({ concurrency: 2 });
    const config = tinyConfig({ training: { duration: '100it' }, stop: { maxRounds: 1 } });
    let most = 0;
    const jobs = [0, 1].map((seed) =>
      pool.submit(specOf({ ...config, seeds: [seed] }, dir, { seed }), {
        onEvent: () => {
          most = Math.max(most, pool.jobs.filter((j) => j.status === 'running').length);
        },
      }),
    );
    const outcomes = await Promise.all(jobs.map((j) => j.done));
    expect(outcomes.map((o) => o.status)).toEqual(['finished', 'finished']);
    expect(most).toBe(2);
    // The two runs overlapped: each started before the other ended.
    const firstAt = (j: Job) => events.find((r) => r.job === j.id)?.at ?? Infinity;
    const lastAt = (j: Job) => events.filter((r) => r.job === j.id).at(-1)?.at ?? -Infinity;
    expect(firstAt(jobs[1])).toBeLessThan(lastAt(jobs[0]));
    expect(firstAt(jobs[0])).toBeLessThan(lastAt(jobs[1]));
    for (const job of jobs) {
      const mine = eventsOf(job);
      // Sequence numbers 1, 2, 3, …: every event, in order, none lost.
      expect(mine.map((e) => e.payload.seq)).toEqual(mine.map((_, i) => i + 1));
      expect(mine.at(-1)?.event).toBe('run.finished');
      // Rounds in order, and a round's progress only after the previous round was stored.
      const rounds = mine.filter((e) => e.event === 'run.roundDone').map((e) => (e.payload as { record: { round: number } }).record.round);
      expect(rounds).toEqual([0, 1]);
      let stored = -1;
      let previous = { round: -1, iteration: 0 };
      for (const e of mine) {
        if (e.event === 'run.roundDone') stored = e.payload.record.round;
        if (e.event !== 'run.progress') continue;
        expect(e.payload.round).toBe(stored + 1);
        if (e.payload.round === previous.round) expect(e.payload.iteration).toBeGreaterThan(previous.iteration);
        previous = e.payload;
      }
      // At most 5 progress events a second (first one free).
      const progress = events.filter((r) => r.job === job.id && r.e.event === 'run.progress');
      const seconds = (progress.at(-1)!.at - progress[0].at) / 1000;
      expect(progress.length).toBeLessThanOrEqual(Math.floor(seconds * 5) + 2);
    }
  });
});
