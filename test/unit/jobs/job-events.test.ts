import { describe, expect, it } from 'vitest';
import { LabError } from '../../../main/contract/errors.js';
import { parseRunEvent } from '../../../main/contract/events.js';
import {
  createCurveSampler,
  createThrottle,
  progressPayload,
  roundPayload,
  wireError,
} from '../../../main/jobs/job-events.js';
import type { ProgressEvent, RoundRecord } from '../../../main/lab/events.js';

const ref = { job: 'job-1', method: 'colt' as const, seed: 0, seq: 3 };

function progress(iteration: number, over: Partial<ProgressEvent> = {}): ProgressEvent {
  return { type: 'progress', method: 'colt', seed: 0, round: 1, phase: 'partition 1/2', iteration, iterations: 200, epoch: iteration / 16, loss: 0.5, imagesPerSecond: 600, ...over };
}

const record: RoundRecord = {
  type: 'round',
  method: 'colt',
  seed: 0,
  round: 1,
  sparsity: 0.36,
  sparsityAll: 0.35,
  layerSparsity: { 'fc1.weight': 0.36 },
  testAccuracy: null,
  valAccuracy: 0.8,
  earlyStopIteration: 30,
  overlap: 0.82,
  partitionAccuracies: [0.9, NaN],
  samples: 3600,
  evaluationSamples: 0,
  seconds: 1.5,
  untrainedAccuracy: NaN,
  maskViolations: 0,
  evaluations: [{ phase: 'partition 1/2', iteration: 0, epoch: 0, trainLoss: null, valLoss: Infinity, valAccuracy: 0.1, testLoss: null, testAccuracy: null, candidate: false, selected: false }],
};

describe('progress throttle', () => {
  it('lets the first event through, then at most 5 a second', () => {
    let now = 0;
    const t = createThrottle(5, () => now);
    const passed: number[] = [];
    for (now = 0; now < 1000; now += 10) if (t.pass()) passed.push(now);
    expect(passed).toEqual([0, 200, 400, 600, 800]);
  });
});

describe('curve sampler', () => {
  it('keeps about 100 points per phase and the last iteration, handed over per round', () => {
    const s = createCurveSampler(100);
    for (let i = 1; i <= 250; i++) s.add(progress(i, { iterations: 250 }));
    s.add(progress(1, { round: 2, iterations: 250 }));
    const kept = s.take(1);
    expect(kept.map((e) => e.iteration)).toEqual([...Array.from({ length: 83 }, (_, i) => (i + 1) * 3), 250]);
    expect(s.take(1)).toEqual([]);
    expect(s.take(2)).toHaveLength(0);
  });
});

describe('contract payloads', () => {
  it('makes a progress event JSON-safe, with an ETA, valid against the contract', () => {
    const p = progressPayload(ref, progress(50), 60);
    expect(p.etaSeconds).toBeCloseTo((150 * 60) / 600);
    expect(parseRunEvent(JSON.parse(JSON.stringify({ event: 'run.progress', payload: p }))).payload).toEqual(p);
    const odd = progressPayload(ref, progress(50, { loss: NaN, imagesPerSecond: 0, epoch: undefined }), 60);
    expect(odd).toMatchObject({ loss: null, etaSeconds: null, epoch: null });
    expect(() => parseRunEvent({ event: 'run.progress', payload: odd })).not.toThrow();
  });

  it('turns non-finite accuracies of a round into null', () => {
    const r = roundPayload(record);
    expect(r.partitionAccuracies).toEqual([0.9, null]);
    const e = parseRunEvent({ event: 'run.roundDone', payload: { ...ref, record: r, final: false } });
    expect(e.event).toBe('run.roundDone');
  });

  it('refuses a malformed event, naming the field', () => {
    expect(() => parseRunEvent({ event: 'run.finished', payload: { ...ref, status: 'done', rounds: 1, lastRound: 0, seconds: 1 } })).toThrow(/run\.finished: field 'status'/);
    expect(() => parseRunEvent({ event: 'run.progress', payload: { ...progressPayload(ref, progress(1), 60), seq: 0 } })).toThrow(/field 'seq'/);
    expect(() => parseRunEvent({ event: 'run.exploded', payload: {} })).toThrow(LabError);
  });
});

describe('wireError', () => {
  it('keeps a LabError\'s code and classifies everything else', () => {
    expect(wireError(new LabError('not_found', "dataset 'x' is not registered"))).toEqual({ code: 'not_found', message: "dataset 'x' is not registered" });
    const oom = Object.assign(new Error('Worker terminated due to reaching memory limit: JS heap out of memory'), { code: 'ERR_WORKER_OUT_OF_MEMORY' });
    expect(wireError(oom)).toEqual({ code: 'internal', message: expect.stringMatching(/^the worker ran out of memory/) });
    expect(wireError(new TypeError('x is not a function\n    at stack'))).toEqual({ code: 'internal', message: 'x is not a function' });
    expect(wireError(Object.assign(new Error('busy'), { code: 'busy' }))).toEqual({ code: 'busy', message: 'busy' });
    expect(wireError('plain')).toEqual({ code: 'internal', message: 'plain' });
  });
});
