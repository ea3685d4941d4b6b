import { invalidInput } from '../contract/errors.js';
import type { Mask } from '../lab/masks.js';

/** Pairwise overlap of many tickets' masks: row-major n × n matrices. */
export interface JaccardMatrix {
  readonly n: number;
  /** |A ∧ B| / |A ∨ B| of every pair (1 on the diagonal). */
  readonly jaccard: number[];
  /** What independent random masks with each layer's sparsities would give (expected intersections over expected unions, layers pooled). */
  readonly expectedRandom: number[];
}

interface Packed {
  readonly words: Uint32Array;
  /** Kept fraction per layer, in the layer order of the first mask. */
  readonly kept: number[];
}

/** Bits set in a 32-bit word. */
function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

function pack(mask: Mask, layers: readonly string[], sizes: readonly number[], index: number): Packed {
  const total = sizes.reduce((a, b) => a + b, 0);
  const words = new Uint32Array(Math.ceil(total / 32));
  const kept: number[] = [];
  let bit = 0;
  layers.forEach((layer, l) => {
    const m = mask.get(layer);
    if (!m || m.length !== sizes[l]) {
      throw invalidInput(`jaccard matrix: ticket ${index + 1} ${m ? `has ${m.length} weights in layer '${layer}', not ${sizes[l]}` : `has no layer '${layer}'`}`, { layer });
    }
    let k = 0;
    for (let i = 0; i < m.length; i++, bit++) {
      if (m[i] !== 0) {
        words[bit >>> 5] |= 1 << (bit & 31);
        k++;
      }
    }
    kept.push(m.length === 0 ? 1 : k / m.length);
  });
  if (mask.size !== layers.length) throw invalidInput(`jaccard matrix: ticket ${index + 1} has ${mask.size} layers, the first has ${layers.length}`);
  return { words, kept };
}

/**
 * Jaccard of every pair of masks over the same layers (seeds × methods × rounds of an experiment),
 * each next to its random-chance value. Masks are bit-packed once; a pair then costs one pass of
 * AND + popcount over 32-bit words.
 */
export function jaccardMatrix(masks: readonly Mask[]): JaccardMatrix {
  const n = masks.length;
  if (n === 0) return { n: 0, jaccard: [], expectedRandom: [] };
  const layers = [...masks[0].keys()];
  const sizes = layers.map((l) => (masks[0].get(l) as Uint8Array).length);
  const packed = masks.map((m, i) => pack(m, layers, sizes, i));
  const ones = packed.map((p) => p.words.reduce((s, w) => s + popcount(w), 0));
  const jaccard = new Array<number>(n * n);
  const expectedRandom = new Array<number>(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let inter = 0;
      const a = packed[i].words;
      const b = packed[j].words;
      for (let w = 0; w < a.length; w++) inter += popcount(a[w] & b[w]);
      const union = ones[i] + ones[j] - inter;
      const jac = union === 0 ? 1 : inter / union;
      let expInter = 0;
      let expUnion = 0;
      sizes.forEach((size, l) => {
        const fa = packed[i].kept[l];
        const fb = packed[j].kept[l];
        expInter += size * fa * fb;
        expUnion += size * (fa + fb - fa * fb);
      });
      const chance = expUnion === 0 ? 1 : expInter / expUnion;
      jaccard[i * n + j] = jaccard[j * n + i] = jac;
      expectedRandom[i * n + j] = expectedRandom[j * n + i] = chance;
    }
  }
  return { n, jaccard, expectedRandom };
}
