import { describe, expect, it } from 'vitest';
import { jaccardMatrix } from '../../../main/analysis/jaccard-matrix.js';
import { compareMasks } from '../../../main/analysis/overlap.js';
import { Rng } from '../../../main/common/random.js';

function randomMask(sizes: Record<string, number>, keep: number, rng: Rng): Map<string, Uint8Array> {
  return new Map(Object.entries(sizes).map(([name, n]) => [name, Uint8Array.from({ length: n }, () => (rng.next() < keep ? 1 : 0))]));
}

describe('jaccardMatrix', () => {
  it('agrees with compareMasks for every pair, Jaccard and random-chance value, and is symmetric with 1 on the diagonal', () => {
    const rng = new Rng(3);
    // Sizes that are not multiples of 32, so packing crosses word and layer boundaries.
    const sizes = { 'conv1.weight': 37, 'fc1.weight': 1000, 'fc2.weight': 65 };
    const masks = [0.9, 0.5, 0.2, 0.5].map((k) => randomMask(sizes, k, rng));
    const m = jaccardMatrix(masks);
    expect(m.n).toBe(4);
    for (let i = 0; i < 4; i++) {
      expect(m.jaccard[i * 4 + i]).toBe(1);
      for (let j = 0; j < 4; j++) {
        const ref = compareMasks(masks[i], masks[j]).overall;
        expect(m.jaccard[i * 4 + j]).toBeCloseTo(ref.jaccard, 12);
        expect(m.expectedRandom[i * 4 + j]).toBeCloseTo(ref.expectedRandom, 12);
        expect(m.jaccard[i * 4 + j]).toBe(m.jaccard[j * 4 + i]);
      }
    }
  });

  it('is empty for no masks, and refuses masks with other layers naming the ticket', () => {
    expect(jaccardMatrix([])).toEqual({ n: 0, jaccard: [], expectedRandom: [] });
    const a = new Map([['w', new Uint8Array(4)]]);
    const b = new Map([['v', new Uint8Array(4)]]);
    expect(() => jaccardMatrix([a, b])).toThrow(/ticket 2 has no layer 'w'/);
    expect(() => jaccardMatrix([a, new Map([['w', new Uint8Array(5)]])])).toThrow(/ticket 2 has 5 weights in layer 'w', not 4/);
  });
});
