import type { z } from 'zod';
import type { methodSummarySchema } from '../contract/api.js';
import { METHODS, type Method } from '../contract/experiment-config.js';
import { runCost } from '../lab/cost.js';
import type { RoundRecord } from '../lab/lab-sink.js';

/** Mean, sample standard deviation and count of a set of values (one per seed). */
export interface Stat {
  readonly mean: number;
  /** Sample standard deviation (n − 1 in the denominator); 0 when n = 1. */
  readonly std: number;
  readonly n: number;
}

/** Mean ± sample std of the values, or null when there are none. */
export function stat(values: readonly number[]): Stat | null {
  const n = values.length;
  if (n === 0) return null;
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  if (n === 1) return { mean, std: 0, n };
  let squares = 0;
  for (const v of values) squares += (v - mean) * (v - mean);
  return { mean, std: Math.sqrt(squares / (n - 1)), n };
}

/** Stat of the non-null values, or null when every value is null. */
export function statOfPresent(values: readonly (number | null | undefined)[]): Stat | null {
  return stat(values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v)));
}

/** One method's figures over its seeds at the end of a `colt run` (its summary line; experiments.get's methods). */
export type MethodSummary = z.output<typeof methodSummarySchema>;

/** A finished run's rounds, as `colt run` and the job pool return them. */
export interface RunRecords {
  readonly method: Method;
  readonly rounds: readonly RoundRecord[];
}

/**
 * Per method, the dense (round 0) and final rounds' accuracy and sparsity over seeds, with the
 * same statistics (sample std, n) as comparisons and reports, and the training images spent.
 */
export function methodSummaries(runs: readonly RunRecords[]): Partial<Record<Method, MethodSummary>> {
  const out: Partial<Record<Method, MethodSummary>> = {};
  for (const method of METHODS) {
    const mine = runs.filter((r) => r.method === method && r.rounds.length > 0);
    if (mine.length === 0) continue;
    const ordered = mine.map((r) => [...r.rounds].sort((a, b) => a.round - b.round));
    const first = ordered.map((r) => r[0]);
    const last = ordered.map((r) => r[r.length - 1]);
    const cost = ordered.map((r) => runCost(r));
    out[method] = {
      runs: mine.length,
      rounds: Math.max(0, ...ordered.map((r) => r[r.length - 1].round)),
      denseAccuracy: statOfPresent(first.filter((r) => r.round === 0).map((r) => r.testAccuracy)),
      finalAccuracy: statOfPresent(last.map((r) => r.testAccuracy)),
      finalSparsity: stat(last.map((r) => r.sparsity)),
      samples: cost.reduce((a, c) => a + c.samples, 0),
      evaluationSamples: cost.reduce((a, c) => a + c.evaluationSamples, 0),
      totalSamples: cost.reduce((a, c) => a + c.total, 0),
    };
  }
  return out;
}
