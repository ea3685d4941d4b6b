import { invalidInput } from '../contract/errors.js';

/**
 * A binary mask per prunable tensor (1 = kept, 0 = pruned), keyed by parameter name.
 * Values are exactly 0 or 1; validated whenever a mask is built from outside data.
 */
export type Mask = Map<string, Uint8Array>;

/** An all-ones mask over the given tensors (name → element count). */
export function onesMask(sizes: ReadonlyMap<string, number>): Mask {
  const mask: Mask = new Map();
  for (const [name, size] of sizes) mask.set(name, new Uint8Array(size).fill(1));
  return mask;
}

/** Deep copy. */
export function cloneMask(mask: Mask): Mask {
  const out: Mask = new Map();
  for (const [k, v] of mask) out.set(k, v.slice());
  return out;
}

/** Elementwise AND of several masks over the same layers (COLT-SPEC: keep what every model kept). */
export function intersectMasks(masks: readonly Mask[]): Mask {
  if (masks.length === 0) throw invalidInput('intersectMasks: no masks given');
  const first = masks[0];
  const out: Mask = new Map();
  for (const [name, a] of first) {
    const result = a.slice();
    for (let k = 1; k < masks.length; k++) {
      const b = masks[k].get(name);
      if (!b || b.length !== a.length) throw invalidInput(`intersectMasks: layer '${name}' differs between masks`);
      for (let i = 0; i < result.length; i++) result[i] &= b[i];
    }
    out.set(name, result);
  }
  return out;
}

/** Counts of kept and total weights in one layer. */
export interface LayerCount {
  readonly kept: number;
  readonly total: number;
}

/** Kept and total weights per layer. */
export function countMask(mask: Mask): Map<string, LayerCount> {
  const out = new Map<string, LayerCount>();
  for (const [name, m] of mask) {
    let kept = 0;
    for (let i = 0; i < m.length; i++) kept += m[i];
    out.set(name, { kept, total: m.length });
  }
  return out;
}

/** Sparsity report: pruned fraction per layer, over prunable weights, and over all weights of the model (models/registry countWeights). */
export interface SparsityReport {
  readonly perLayer: Record<string, number>;
  /** Pruned / prunable weights (the spec's definition). */
  readonly overall: number;
  /** Pruned / all weights: conv and dense kernels (head included) and batch-norm scales, biases excluded (what the authors' code prints). */
  readonly overAll: number;
  readonly kept: number;
  readonly prunable: number;
}

/** Sparsity of a mask; `totalWeights` is the model's weight count (models/registry countWeights). */
export function sparsity(mask: Mask, totalWeights: number): SparsityReport {
  const perLayer: Record<string, number> = {};
  let kept = 0;
  let prunable = 0;
  for (const [name, c] of countMask(mask)) {
    perLayer[name] = c.total === 0 ? 0 : (c.total - c.kept) / c.total;
    kept += c.kept;
    prunable += c.total;
  }
  const pruned = prunable - kept;
  return {
    perLayer,
    overall: prunable === 0 ? 0 : pruned / prunable,
    overAll: totalWeights === 0 ? 0 : pruned / totalWeights,
    kept,
    prunable,
  };
}

/** Jaccard index |A∩B| / |A∪B| of the kept weights of two masks, per layer and overall. */
export function jaccard(a: Mask, b: Mask): { overall: number; perLayer: Record<string, number> } {
  const perLayer: Record<string, number> = {};
  let inter = 0;
  let union = 0;
  for (const [name, ma] of a) {
    const mb = b.get(name);
    if (!mb || mb.length !== ma.length) throw invalidInput(`jaccard: layer '${name}' differs between masks`);
    let i2 = 0;
    let u2 = 0;
    for (let i = 0; i < ma.length; i++) {
      i2 += ma[i] & mb[i];
      u2 += ma[i] | mb[i];
    }
    perLayer[name] = u2 === 0 ? 1 : i2 / u2;
    inter += i2;
    union += u2;
  }
  return { overall: union === 0 ? 1 : inter / union, perLayer };
}

/** Mean pairwise Jaccard overlap of several masks (COLT's per-round overlap for P > 2). */
export function meanPairwiseJaccard(masks: readonly Mask[]): number {
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < masks.length; i++) {
    for (let j = i + 1; j < masks.length; j++) {
      sum += jaccard(masks[i], masks[j]).overall;
      pairs++;
    }
  }
  return pairs === 0 ? 1 : sum / pairs;
}

/** Throws unless two masks cover the same layers with the same sizes and hold only 0/1. */
export function assertMaskLike(mask: Mask, sizes: ReadonlyMap<string, number>): void {
  for (const [name, size] of sizes) {
    const m = mask.get(name);
    if (!m) throw invalidInput(`mask: layer '${name}' is missing`);
    if (m.length !== size) throw invalidInput(`mask: layer '${name}' has ${m.length} values, expected ${size}`);
    for (let i = 0; i < m.length; i++) {
      if (m[i] > 1) throw invalidInput(`mask: layer '${name}' holds ${m[i]} at index ${i}; masks hold only 0 and 1`);
    }
  }
  for (const name of mask.keys()) {
    if (!sizes.has(name)) throw invalidInput(`mask: layer '${name}' is not prunable in this architecture`);
  }
}

/** Weights that are not exactly zero where the mask is 0 (the mask check; 0 when masking held). */
export function countViolations(weights: ArrayLike<number>, mask: ArrayLike<number>): number {
  let bad = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] === 0 && weights[i] !== 0) bad++;
  return bad;
}
