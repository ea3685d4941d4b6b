import type { Rng } from '../common/random.js';
import type { ExperimentConfig } from '../contract/experiment-config.js';
import { invalidInput } from '../contract/errors.js';
import type { Mask } from './masks.js';
import type { ModelDef, ParamSpec } from './models/types.js';
import type { WeightMap } from './weights.js';

/**
 * How one round prunes: layer-wise (each layer loses `rate` of its remaining weights) or global
 * (the smallest weights over all listed layers together lose `rate` of the remaining total).
 */
export type PrunePlan =
  | { readonly strategy: 'layerwise'; readonly rates: ReadonlyMap<string, number> }
  | { readonly strategy: 'global'; readonly layers: readonly string[]; readonly rate: number };

/** The parameters a config makes prunable: conv kernels, conv+dense kernels except the head, or all kernels. */
export function prunableParams(def: ModelDef, layers: ExperimentConfig['pruning']['layers']): ParamSpec[] {
  return def.params.filter((p) => {
    if (p.kind !== 'conv' && p.kind !== 'dense') return false;
    if (layers === 'conv') return p.kind === 'conv';
    if (layers === 'conv+dense') return !p.head;
    return true;
  });
}

/** Element counts of the prunable parameters, in model order. */
export function prunableSizes(def: ModelDef, layers: ExperimentConfig['pruning']['layers']): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const p of prunableParams(def, layers)) sizes.set(p.name, p.shape.reduce((a, b) => a * b, 1));
  return sizes;
}

/** Builds a round's plan from the config; `methodRate` is the method's base rate (COLT's or IMP's). */
export function planFromConfig(def: ModelDef, pruning: ExperimentConfig['pruning'], methodRate: number): PrunePlan {
  const specs = prunableParams(def, pruning.layers);
  if (specs.length === 0) {
    throw invalidInput(`config field 'pruning.layers': '${pruning.layers}' selects no weights of ${def.arch}`);
  }
  if (pruning.strategy === 'global') {
    return { strategy: 'global', layers: specs.map((s) => s.name), rate: methodRate };
  }
  const rates = new Map<string, number>();
  for (const s of specs) {
    let r = methodRate;
    if (s.head && pruning.headRate !== undefined) r = pruning.headRate;
    else if (s.kind === 'conv' && pruning.convRate !== undefined) r = pruning.convRate;
    else if (s.kind === 'dense' && !s.head && pruning.denseRate !== undefined) r = pruning.denseRate;
    rates.set(s.name, r);
  }
  return { strategy: 'layerwise', rates };
}

/** How many of `remaining` weights a rate removes: the nearest whole number, so a layer is off by at most half a weight. */
export function pruneCount(remaining: number, rate: number): number {
  return Math.min(remaining, Math.round(rate * remaining));
}

/**
 * Magnitude pruning (LTH §2, COLT-SPEC): returns a new mask with the smallest-|w| kept weights removed.
 * Ties at the threshold are broken by index, so the result is a pure function of the inputs.
 */
export function pruneByMagnitude(weights: WeightMap, mask: Mask, plan: PrunePlan): Mask {
  const out: Mask = new Map();
  for (const [k, v] of mask) out.set(k, v.slice());
  const groups = plan.strategy === 'layerwise' ? [...plan.rates].map(([name, rate]) => ({ layers: [name], rate })) : [{ layers: [...plan.layers], rate: plan.rate }];
  for (const group of groups) {
    const layers = group.layers.map((name) => {
      const w = weights.get(name);
      const m = out.get(name);
      if (!w || !m || w.length !== m.length) throw invalidInput(`prune: layer '${name}' has no weights or mask of matching size`);
      return { w, m };
    });
    let remaining = 0;
    for (const { m } of layers) for (let i = 0; i < m.length; i++) remaining += m[i];
    const k = pruneCount(remaining, group.rate);
    if (k === 0) continue;
    // Step 1: the k-th smallest magnitude among kept weights is the threshold.
    const mags = new Float32Array(remaining);
    let j = 0;
    for (const { w, m } of layers) for (let i = 0; i < m.length; i++) if (m[i]) mags[j++] = Math.abs(w[i]);
    mags.sort();
    const threshold = mags[k - 1];
    // Step 2: remove everything strictly below it, then equal values in index order until k are gone.
    let removed = 0;
    for (const { w, m } of layers) {
      for (let i = 0; i < m.length; i++) {
        if (m[i] && Math.abs(w[i]) < threshold) {
          m[i] = 0;
          removed++;
        }
      }
    }
    for (const { w, m } of layers) {
      for (let i = 0; i < m.length && removed < k; i++) {
        if (m[i] && Math.abs(w[i]) === threshold) {
          m[i] = 0;
          removed++;
        }
      }
    }
  }
  return out;
}

/** Random pruning control: removes the same number of kept weights per group as the plan would, chosen at random. */
export function pruneRandomly(mask: Mask, plan: PrunePlan, rng: Rng): Mask {
  const out: Mask = new Map();
  for (const [k, v] of mask) out.set(k, v.slice());
  const groups = plan.strategy === 'layerwise' ? [...plan.rates].map(([name, rate]) => ({ layers: [name], rate })) : [{ layers: [...plan.layers], rate: plan.rate }];
  for (const group of groups) {
    const layers = group.layers.map((name) => {
      const m = out.get(name);
      if (!m) throw invalidInput(`prune: layer '${name}' has no mask`);
      return m;
    });
    // Kept positions as (layer, index) pairs packed in two typed arrays: no per-weight objects.
    let remaining = 0;
    for (const m of layers) for (let i = 0; i < m.length; i++) remaining += m[i];
    const layerOf = new Uint16Array(remaining);
    const indexOf = new Uint32Array(remaining);
    let j = 0;
    layers.forEach((m, l) => {
      for (let i = 0; i < m.length; i++) {
        if (m[i]) {
          layerOf[j] = l;
          indexOf[j++] = i;
        }
      }
    });
    const k = pruneCount(remaining, group.rate);
    // Partial Fisher–Yates: the first k entries become a uniform random sample.
    for (let a = 0; a < k; a++) {
      const b = a + rng.int(remaining - a);
      const tl = layerOf[a];
      const ti = indexOf[a];
      layerOf[a] = layerOf[b];
      indexOf[a] = indexOf[b];
      layerOf[b] = tl;
      indexOf[b] = ti;
      layers[layerOf[a]][indexOf[a]] = 0;
    }
  }
  return out;
}

/**
 * The kept-weight counts IMP reaches round after round (exact: they depend only on the rates),
 * used to check a stop target before a run starts.
 */
export function simulateKeptCounts(sizes: ReadonlyMap<string, number>, plan: PrunePlan, rounds: number): number[] {
  const kept = new Map(sizes);
  const totals: number[] = [sum(kept)];
  for (let r = 0; r < rounds; r++) {
    if (plan.strategy === 'layerwise') {
      for (const [name, rate] of plan.rates) kept.set(name, (kept.get(name) ?? 0) - pruneCount(kept.get(name) ?? 0, rate));
      totals.push(sum(kept));
    } else {
      const total = totals[totals.length - 1];
      totals.push(total - pruneCount(total, plan.rate));
    }
  }
  return totals;
}

function sum(m: ReadonlyMap<string, number>): number {
  let s = 0;
  for (const v of m.values()) s += v;
  return s;
}

/**
 * Whether a round prunes the weights at its training's selected point rather than its last ones
 * (`pruning.pruneFrom`): "authors" is the COLT authors' code, whose LTH prunes the best snapshot
 * and whose COLT the best snapshot in round 0 and the last epoch afterwards.
 */
export function prunesFromSelected(pruneFrom: ExperimentConfig['pruning']['pruneFrom'], method: 'imp' | 'random' | 'colt', round: number): boolean {
  if (pruneFrom === 'last') return false;
  if (pruneFrom === 'best') return true;
  return method === 'colt' ? round === 0 : true;
}
