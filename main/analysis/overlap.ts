import { invalidInput } from '../contract/errors.js';
import type { Mask } from '../lab/masks.js';

/** Jaccard index of the kept sets of two 0/1 masks: |a ∧ b| / |a ∨ b|, 1 when both keep nothing. */
export function jaccard(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw invalidInput(`jaccard: masks have ${a.length} and ${b.length} weights`);
  const { inter, union } = counts(a, b);
  return union === 0 ? 1 : inter / union;
}

/**
 * Expected Jaccard of two independent uniformly random masks keeping fractions kA and kB of the
 * weights (large-layer limit): P(both) / P(either) = kA·kB / (kA + kB − kA·kB); 1 when both keep nothing.
 * The baseline a measured overlap is compared with: above it, the masks agree more than chance.
 */
export function expectedRandomJaccard(keptA: number, keptB: number): number {
  for (const [field, k] of [['keptA', keptA], ['keptB', keptB]] as const) {
    if (!(k >= 0 && k <= 1)) throw invalidInput(`expectedRandomJaccard: '${field}' must be a fraction in [0, 1], got ${k}`);
  }
  const union = keptA + keptB - keptA * keptB;
  return union === 0 ? 1 : (keptA * keptB) / union;
}

/** The overlap of two masks in one layer. */
export interface LayerOverlap {
  readonly layer: string;
  readonly weights: number;
  /** Pruned fraction of mask A in this layer. */
  readonly sparsityA: number;
  readonly sparsityB: number;
  readonly jaccard: number;
  /** What two independent random masks with the same sparsities would give. */
  readonly expectedRandom: number;
}

/** Overall overlap of two masks (all layers pooled). */
export interface MaskOverlap {
  readonly layers: LayerOverlap[];
  readonly overall: { readonly weights: number; readonly jaccard: number; readonly expectedRandom: number };
}

/** Per-layer and pooled Jaccard of two masks over the same layers, each with its random-chance baseline. */
export function compareMasks(a: Mask, b: Mask): MaskOverlap {
  for (const name of b.keys()) {
    if (!a.has(name)) throw invalidInput(`compareMasks: layer '${name}' is in the second mask only`, { layer: name });
  }
  const layers: LayerOverlap[] = [];
  let inter = 0;
  let union = 0;
  let weights = 0;
  for (const [layer, ma] of a) {
    const mb = b.get(layer);
    if (!mb) throw invalidInput(`compareMasks: layer '${layer}' is in the first mask only`, { layer });
    if (mb.length !== ma.length) {
      throw invalidInput(`compareMasks: layer '${layer}' has ${ma.length} weights in the first mask and ${mb.length} in the second`, { layer });
    }
    const c = counts(ma, mb);
    const n = ma.length;
    const fa = n === 0 ? 1 : c.keptA / n;
    const fb = n === 0 ? 1 : c.keptB / n;
    layers.push({
      layer,
      weights: n,
      sparsityA: 1 - fa,
      sparsityB: 1 - fb,
      jaccard: c.union === 0 ? 1 : c.inter / c.union,
      expectedRandom: expectedRandomJaccard(fa, fb),
    });
    inter += c.inter;
    union += c.union;
    weights += n;
  }
  // The pooled baseline: random masks with each layer's sparsity, expected intersections over expected unions.
  let expInter = 0;
  let expUnion = 0;
  for (const l of layers) {
    const fa = 1 - l.sparsityA;
    const fb = 1 - l.sparsityB;
    expInter += l.weights * fa * fb;
    expUnion += l.weights * (fa + fb - fa * fb);
  }
  return {
    layers,
    overall: {
      weights,
      jaccard: union === 0 ? 1 : inter / union,
      expectedRandom: expUnion === 0 ? 1 : expInter / expUnion,
    },
  };
}

function counts(a: Uint8Array, b: Uint8Array): { inter: number; union: number; keptA: number; keptB: number } {
  let inter = 0;
  let keptA = 0;
  let keptB = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] !== 0 ? 1 : 0;
    const y = b[i] !== 0 ? 1 : 0;
    inter += x & y;
    keptA += x;
    keptB += y;
  }
  return { inter, union: keptA + keptB - inter, keptA, keptB };
}
