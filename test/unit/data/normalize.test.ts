import { describe, expect, it } from 'vitest';
import { makeImageSet } from '../../../main/data/image-set.js';
import { computeNormalization, normalizationTable, normalizeImages } from '../../../main/data/normalize.js';

describe('normalisation', () => {
  it('computes per-channel mean and population std of [0,1] pixels', () => {
    // Channel 0: 0 and 255 → mean 0.5, std 0.5; channel 1: 51, 51 → mean 0.2, std 0 (flat → 1).
    const set = makeImageSet(Uint8Array.from([0, 51, 255, 51]), Int32Array.from([0, 0]), [1, 1, 2]);
    expect(computeNormalization(set)).toEqual({ mean: [0.5, 0.2], std: [0.5, 1] });
  });

  it('maps each byte through (v/255 - mean)/std per channel', () => {
    const norm = { mean: [0.5, 0.25], std: [0.5, 0.25] };
    const lut = normalizationTable(norm, 2);
    expect(lut[0]).toBeCloseTo(-1, 6);
    expect(lut[255]).toBeCloseTo(1, 6);
    expect(lut[256 + 0]).toBeCloseTo(-1, 6);
    expect(lut[256 + 255]).toBeCloseTo(3, 6);
    const set = makeImageSet(Uint8Array.from([255, 0, 0, 255]), Int32Array.from([0, 1]), [1, 1, 2]);
    expect([...normalizeImages(set, norm)].map((v) => Math.round(v * 1e5) / 1e5)).toEqual([1, -1, -1, 3]);
  });

  it('rejects statistics that do not fit the channels or have zero std', () => {
    expect(() => normalizationTable({ mean: [0.5], std: [0.5] }, 3)).toThrow(/1\/1 values, images have 3 channels/);
    expect(() => normalizationTable({ mean: [0.5], std: [0] }, 1)).toThrow(/std\[0\] = 0 must be positive/);
  });
});
