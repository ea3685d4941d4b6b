import { describe, expect, it } from 'vitest';
import { createEventBatcher, type BatchScheduler } from '../../../renderer/src/live/event-batch.js';
import { experimentEta, mean, runEta } from '../../../renderer/src/live/eta.js';

/** A scheduler the test advances by hand: frames and timers run only when told. */
function manual(): BatchScheduler & { frame(): void; timers(): void } {
  let frames: (() => void)[] = [];
  let timers: (() => void)[] = [];
  return {
    requestFrame: (cb) => (frames.push(cb), frames.length),
    cancelFrame: () => (frames = []),
    setTimer: (cb) => (timers.push(cb), timers.length),
    clearTimer: () => (timers = []),
    frame() {
      const f = frames;
      frames = [];
      f.forEach((cb) => cb());
    },
    timers() {
      const t = timers;
      timers = [];
      t.forEach((cb) => cb());
    },
  };
}

describe('createEventBatcher', () => {
  it('hands every event of a frame over in one batch, in order', () => {
    const s = manual();
    const batches: number[][] = [];
    const b = createEventBatcher<number>((x) => batches.push(x), s);
    for (let i = 0; i < 40; i++) b.push(i);
    expect(batches).toEqual([]);
    s.frame();
    expect(batches).toEqual([Array.from({ length: 40 }, (_, i) => i)]);
    b.push(40);
    s.frame();
    expect(batches[1]).toEqual([40]);
  });

  it('still hands events over when frames stop coming (a hidden tab), by its timer', () => {
    const s = manual();
    const batches: string[][] = [];
    const b = createEventBatcher<string>((x) => batches.push(x), s, 250);
    b.push('a');
    b.push('b');
    s.timers();
    expect(batches).toEqual([['a', 'b']]);
    // The frame that comes later has nothing left to hand over.
    s.frame();
    expect(batches).toHaveLength(1);
  });

  it('flushes at once when asked and drops what is queued when disposed', () => {
    const s = manual();
    const batches: number[][] = [];
    const b = createEventBatcher<number>((x) => batches.push(x), s);
    b.push(1);
    b.flushNow();
    expect(batches).toEqual([[1]]);
    b.push(2);
    b.dispose();
    s.frame();
    s.timers();
    expect(batches).toEqual([[1]]);
  });
});

describe('runEta', () => {
  it('is what is left of this round plus the remaining rounds at the mean round time', () => {
    // Rounds 0..5 planned, in round 2, rounds took 10 s and 14 s (mean 12), 4 s into round 2, phase says 3 s.
    expect(runEta({ round: 2, phaseEtaSeconds: 3, roundSeconds: [10, 14], plannedRounds: 6, elapsedInRound: 4 })).toBe(8 + 3 * 12);
    // The phase's own ETA wins when it is longer than the mean says.
    expect(runEta({ round: 5, phaseEtaSeconds: 20, roundSeconds: [10], plannedRounds: 6, elapsedInRound: 1 })).toBe(20);
  });

  it('is the phase ETA in the last round without history, and unknown before any round timed', () => {
    expect(runEta({ round: 0, phaseEtaSeconds: 7, roundSeconds: [], plannedRounds: 1, elapsedInRound: null })).toBe(7);
    expect(runEta({ round: 0, phaseEtaSeconds: 7, roundSeconds: [], plannedRounds: 6, elapsedInRound: null })).toBeNull();
    expect(runEta({ round: 0, phaseEtaSeconds: 7, roundSeconds: [5], plannedRounds: null, elapsedInRound: null })).toBeNull();
  });

  it('averages finite values only', () => {
    expect(mean([1, 2, Number.NaN, 3])).toBe(2);
    expect(mean([])).toBeNull();
  });
});

describe('experimentEta', () => {
  it('starts each queued run on the first slot to free and ends with the last', () => {
    // Two slots busy for 10 s and 30 s; queued runs of 25 s and 5 s: the first starts at 10 (ends 35), the second at 30 (ends 35).
    expect(experimentEta([10, 30], [25, 5], 2)).toBe(35);
    // One slot: all in a row.
    expect(experimentEta([10], [5, 5], 1)).toBe(20);
    // Nothing queued: the longest running run.
    expect(experimentEta([4, 9], [], 2)).toBe(9);
    expect(experimentEta([], [], 2)).toBe(0);
  });

  it('is unknown when any run is', () => {
    expect(experimentEta([null, 3], [], 2)).toBeNull();
    expect(experimentEta([3], [null], 1)).toBeNull();
  });
});
