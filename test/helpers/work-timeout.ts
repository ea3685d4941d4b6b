import os from 'node:os';

/**
 * A test timeout scaled from the work a test does rather than a fixed number: `units` of work
 * (CLI processes, training iterations, …) at `msPerUnit` each on an idle core, stretched by the
 * machine's load now (CI runs the suite on 2 shared cores), with a wide margin. It bounds a hang;
 * it is never an assertion about speed.
 */
export function workTimeout(units: number, msPerUnit: number, floorMs = 60_000): number {
  const load = Math.max(1, os.loadavg()[0] / os.availableParallelism());
  return Math.max(floorMs, Math.ceil(units * msPerUnit * load * 5));
}
