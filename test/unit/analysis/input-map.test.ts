import { describe, expect, it } from 'vitest';
import { inputPixelMap } from '../../../main/analysis/input-map.js';

describe('inputPixelMap', () => {
  it("draws a first dense layer's mask over the input image: per pixel, the kept share of its weights", () => {
    // 2×3 input, 2 channels, 4 output units: [12, 4] kernel, storage index ((y·3 + x)·2 + c)·4 + unit.
    const mask = new Uint8Array(12 * 4);
    // Pixel (y=0, x=1): both channels keep all 4 units → 1. Pixel (y=1, x=2): channel 1 keeps 2 units → 2/8.
    for (let c = 0; c < 2; c++) for (let u = 0; u < 4; u++) mask[((0 * 3 + 1) * 2 + c) * 4 + u] = 1;
    mask[((1 * 3 + 2) * 2 + 1) * 4 + 0] = 1;
    mask[((1 * 3 + 2) * 2 + 1) * 4 + 3] = 1;
    const m = inputPixelMap('fc1.weight', [12, 4], mask, [2, 3, 2])!;
    expect([m.rows, m.cols, m.channels]).toEqual([2, 3, 2]);
    expect(m.density).toEqual([0, 1, 0, 0, 0, 0.25]);
  });

  it('is null for layers that are not dense over the flattened input', () => {
    expect(inputPixelMap('fc2.weight', [300, 100], new Uint8Array(30_000), [28, 28, 1])).toBeNull();
    expect(inputPixelMap('conv1.weight', [3, 3, 1, 8], new Uint8Array(72), [28, 28, 1])).toBeNull();
  });

  it('refuses a mask of the wrong size', () => {
    expect(() => inputPixelMap('fc1.weight', [4, 2], new Uint8Array(7), [2, 2, 1])).toThrow(/fc1\.weight/);
  });
});
