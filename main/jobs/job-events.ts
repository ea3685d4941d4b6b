import { LabError, type LabErrorCode } from '../contract/errors.js';
import type { RoundRecordPayload, RunProgress } from '../contract/events.js';
import type { Method } from '../contract/experiment-config.js';
import type { ProgressEvent, RoundRecord } from '../lab/events.js';
import type { WireError } from './protocol.js';

/** The at-most rate of `run.progress` events per job. */
export const PROGRESS_PER_SECOND = 5;

/** Identifies a job's events: job id, method, seed and the event's sequence number. */
export interface EventRef {
  readonly job: string;
  readonly method: Method;
  readonly seed: number;
  readonly seq: number;
}

/**
 * A rate limiter for progress: `pass()` is true for the first call and then at most `perSecond`
 * times a second; the calls in between are dropped (a later event supersedes them).
 */
export function createThrottle(perSecond: number, clock: () => number = () => performance.now()): { pass(): boolean } {
  const interval = 1000 / perSecond;
  let last = -Infinity;
  return {
    pass(): boolean {
      const now = clock();
      if (now - last < interval) return false;
      last = now;
      return true;
    },
  };
}

/**
 * Keeps, per round and phase, the progress events a training curve needs: every
 * ceil(iterations / points)-th iteration and the last one (the library's sampling rule).
 */
export function createCurveSampler(points = 100): { add(e: ProgressEvent): void; take(round: number): ProgressEvent[] } {
  let kept: ProgressEvent[] = [];
  return {
    add(e: ProgressEvent): void {
      const step = Math.max(1, Math.ceil(e.iterations / points));
      if (e.iteration % step === 0 || e.iteration === e.iterations) kept.push(e);
    },
    take(round: number): ProgressEvent[] {
      const mine = kept.filter((e) => e.round === round);
      kept = kept.filter((e) => e.round !== round);
      return mine;
    },
  };
}

/** A finite number, or null (JSON has no NaN or Infinity). */
export function finiteOrNull(x: number | null | undefined): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

/** The `run.progress` payload of a lab progress event; the ETA is that of the current phase's training. */
export function progressPayload(ref: EventRef, e: ProgressEvent, batchSize: number): RunProgress {
  const left = Math.max(0, e.iterations - e.iteration) * batchSize;
  const speed = finiteOrNull(e.imagesPerSecond);
  return {
    ...ref,
    round: e.round,
    phase: e.phase,
    iteration: e.iteration,
    iterations: e.iterations,
    epoch: finiteOrNull(e.epoch),
    loss: finiteOrNull(e.loss),
    imagesPerSecond: speed,
    etaSeconds: speed !== null && speed > 0 ? left / speed : null,
  };
}

/** A round record made JSON-safe (non-finite accuracies and losses become null). */
export function roundPayload(r: RoundRecord): RoundRecordPayload {
  return {
    ...r,
    layerSparsity: { ...r.layerSparsity },
    testAccuracy: finiteOrNull(r.testAccuracy),
    valAccuracy: finiteOrNull(r.valAccuracy),
    untrainedAccuracy: finiteOrNull(r.untrainedAccuracy),
    ...(r.partitionAccuracies ? { partitionAccuracies: r.partitionAccuracies.map(finiteOrNull) } : {}),
    ...(r.partitionUntrainedAccuracies ? { partitionUntrainedAccuracies: r.partitionUntrainedAccuracies.map(finiteOrNull) } : {}),
    evaluations: r.evaluations.map((e) => ({
      ...e,
      trainLoss: finiteOrNull(e.trainLoss),
      valLoss: finiteOrNull(e.valLoss),
      valAccuracy: finiteOrNull(e.valAccuracy),
      testLoss: finiteOrNull(e.testLoss),
      testAccuracy: finiteOrNull(e.testAccuracy),
    })),
  };
}

const CODES: readonly LabErrorCode[] = ['invalid_input', 'not_found', 'busy', 'cancelled', 'storage', 'internal'];

/**
 * Classifies anything thrown (in a worker, or by a worker: crash, out of memory) as a LabError's
 * code and a one-line message; never a raw stack.
 */
export function wireError(e: unknown): WireError {
  if (e instanceof LabError) return { code: e.code, message: e.message };
  const code = (e as { code?: unknown } | null)?.code;
  const message = e instanceof Error ? e.message : String(e);
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') return { code: 'internal', message: `the worker ran out of memory (${message})` };
  if (typeof code === 'string' && (CODES as readonly string[]).includes(code)) return { code: code as LabErrorCode, message };
  return { code: 'internal', message: message.split('\n')[0] || 'unknown error' };
}

/** Rebuilds a LabError on this side of a thread boundary. */
export function fromWire(e: WireError): LabError {
  return new LabError(e.code, e.message);
}
