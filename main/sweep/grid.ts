import { createHash } from 'node:crypto';
import { invalidInput, LabError } from '../contract/errors.js';
import { parseExperimentConfig, type ExperimentConfig, type Method } from '../contract/experiment-config.js';
import { gridPoints, mergeAxes, pointLabel, splitSweepSection, type GridAxis, type GridPoint } from '../contract/sweep-config.js';
import { applyOverrides } from '../cli/config-overrides.js';

/** One point of a sweep: its axis values and the experiment config they give. */
export interface SweepPointPlan {
  readonly index: number;
  readonly point: GridPoint;
  /** `pruning.rate=0.1, colt.partitions=2` (empty without axes). */
  readonly label: string;
  readonly config: ExperimentConfig;
}

/** One task: the runs of a point and seed that train together (one method; IMP with its reinit control). */
export interface SweepTaskPlan {
  readonly task: number;
  readonly pointIndex: number;
  readonly methods: Method[];
  readonly seed: number;
}

/** A sweep expanded and validated: every point's config, every task, and the key naming these settings. */
export interface SweepPlan {
  readonly name: string;
  readonly axes: GridAxis[];
  readonly points: SweepPointPlan[];
  readonly tasks: SweepTaskPlan[];
  /** sha256 of the points' configs: the same settings give the same key, so a resubmission finds its sweep. */
  readonly key: string;
}

/** The experiment name of a point: the base name with the point's values, so the library tells the points apart. */
function pointName(base: string, label: string): string {
  if (label === '') return base;
  const name = `${base} (${label})`;
  return name.length <= 200 ? name : `${name.slice(0, 199)}…`;
}

/**
 * Expands a raw config (with an optional `sweep` section) and `--grid` axes into a sweep: the
 * cross product of the axes, each point's config validated (the error names the point and the
 * field), and its runs (seeds × methods) grouped into tasks. Nothing is recorded or submitted.
 */
export function planSweep(raw: Record<string, unknown>, gridAxes: readonly GridAxis[] = []): SweepPlan {
  const { base, axes: fileAxes } = splitSweepSection(raw);
  const axes = mergeAxes(fileAxes, gridAxes);
  const baseName = typeof base.name === 'string' && base.name !== '' ? base.name : 'experiment';
  const setsName = axes.some((a) => a.path === 'name');
  const points: SweepPointPlan[] = gridPoints(axes).map((point, index) => {
    const label = pointLabel(point);
    // The --set logic sets each axis's field, so a grid path behaves exactly like --set path=value.
    const sets = point.map((a) => `${a.path}=${JSON.stringify(a.value)}`);
    let config: ExperimentConfig;
    try {
      const withPoint = applyOverrides(base, sets);
      config = parseExperimentConfig(setsName ? withPoint : { ...withPoint, name: pointName(baseName, label) });
    } catch (e) {
      if (e instanceof LabError && label !== '') throw invalidInput(`sweep point ${index + 1} (${label}): ${e.message}`, { ...e.details, point: index });
      throw e;
    }
    return { index, point, label, config };
  });
  const tasks: SweepTaskPlan[] = [];
  for (const p of points) {
    for (const seed of p.config.seeds) {
      for (const method of p.config.methods) {
        // The reinit control retrains IMP's masks: it runs in its IMP run's task.
        if (method === 'reinit') continue;
        const methods: Method[] = method === 'imp' && p.config.methods.includes('reinit') ? ['imp', 'reinit'] : [method];
        tasks.push({ task: tasks.length, pointIndex: p.index, methods, seed });
      }
    }
  }
  const key = createHash('sha256')
    .update(JSON.stringify(points.map((p) => p.config)))
    .digest('hex');
  return { name: baseName, axes, points, tasks, key };
}

/** Runs of a sweep: every method × seed of every point. */
export function runCount(plan: SweepPlan): number {
  return plan.points.reduce((n, p) => n + p.config.methods.length * p.config.seeds.length, 0);
}
