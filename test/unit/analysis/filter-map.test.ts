import { describe, expect, it } from 'vitest';
import { filterMap } from '../../../main/analysis/filter-map.js';

describe('filterMap', () => {
  it('gives each filter its kh × kw tile of kept fractions over the input channels', () => {
    // [kh=2, kw=2, in=2, out=3], index ((y·2 + x)·2 + c)·3 + f.
    const shape = [2, 2, 2, 3];
    const mask = new Uint8Array(24);
    const at = (y: number, x: number, c: number, f: number) => ((y * 2 + x) * 2 + c) * 3 + f;
    mask[at(0, 0, 0, 1)] = 1; // filter 1, position (0,0): 1 of 2 channels
    mask[at(0, 0, 1, 1)] = 1; // → 1
    mask[at(1, 1, 1, 2)] = 1; // filter 2, position (1,1): 1 of 2 → 0.5
    const m = filterMap('conv1.weight', shape, mask)!;
    expect([m.filters, m.kh, m.kw, m.inputs]).toEqual([3, 2, 2, 2]);
    expect(m.density.slice(0, 4)).toEqual([0, 0, 0, 0]);
    expect(m.density.slice(4, 8)).toEqual([1, 0, 0, 0]);
    expect(m.density.slice(8, 12)).toEqual([0, 0, 0, 0.5]);
    expect(m.filterKept).toEqual([0, 2 / 8, 1 / 8]);
  });

  it('is null for a dense kernel and refuses a mask of the wrong size', () => {
    expect(filterMap('fc1.weight', [4, 2], new Uint8Array(8))).toBeNull();
    expect(() => filterMap('conv1.weight', [1, 1, 2, 2], new Uint8Array(3))).toThrow(/conv1\.weight/);
  });
});
