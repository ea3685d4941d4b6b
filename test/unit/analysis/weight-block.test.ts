import { describe, expect, it } from 'vitest';
import { heatmapAxes, storageIndex, weightBlock } from '../../../main/analysis/weight-block.js';
import { LabError } from '../../../main/contract/errors.js';

describe('heatmapAxes and storageIndex', () => {
  it('use the mask heatmap layout: rows = outputs, cols = input channel · kernel position', () => {
    expect(heatmapAxes([784, 300])).toEqual({ rows: 300, cols: 784, inputs: 784, spatial: 1 });
    expect(heatmapAxes([3, 3, 16, 32])).toEqual({ rows: 32, cols: 144, inputs: 16, spatial: 9 });
    expect(heatmapAxes([10])).toEqual({ rows: 10, cols: 1, inputs: 1, spatial: 1 });
    // Dense [in, out]: cell (row = unit 2, col = input 5) is index 5·out + 2.
    expect(storageIndex(heatmapAxes([8, 4]), 2, 5)).toBe(22);
    // Conv [kh, kw, in, out]: col = c·9 + k → index (k·in + c)·out + row.
    const conv = heatmapAxes([3, 3, 2, 4]);
    expect(storageIndex(conv, 1, 9 + 4)).toBe((4 * 2 + 1) * 4 + 1);
  });
});

describe('weightBlock', () => {
  const shape = [3, 2]; // dense: 3 inputs, 2 outputs; index in·2 + out
  const init = Float32Array.from([0.5, -1, 0.25, 2, -0.75, 0]);
  const final = Float32Array.from([1, 0, 0.5, 3, 0, 0]);
  const mask = Uint8Array.from([1, 0, 1, 1, 0, 0]);

  it("gives one weight's mask bit, θ0 and final value", () => {
    const b = weightBlock('fc', shape, init, final, mask, { rowFrom: 1, rowTo: 1, colFrom: 1, colTo: 1 });
    expect(b.weights).toBe(1);
    expect(b.values).toEqual([{ row: 1, col: 1, index: 3, kept: true, init: 2, final: 3 }]);
  });

  it('summarises a block: kept count and mean |θ0| of kept and pruned weights', () => {
    const b = weightBlock('fc', shape, init, final, mask, { rowFrom: 0, rowTo: 1, colFrom: 0, colTo: 2 });
    expect(b.weights).toBe(6);
    expect(b.kept).toBe(3);
    expect(b.init.min).toBe(-1);
    expect(b.init.max).toBe(2);
    expect(b.init.keptMeanAbs).toBeCloseTo((0.5 + 0.25 + 2) / 3, 6);
    expect(b.init.prunedMeanAbs).toBeCloseTo((1 + 0.75 + 0) / 3, 6);
    expect(b.final!.mean).toBeCloseTo(4.5 / 6, 6);
    expect(b.values).toHaveLength(6);
    expect(weightBlock('fc', shape, init, undefined, mask, { rowFrom: 0, rowTo: 1, colFrom: 0, colTo: 2 }, 4).values).toEqual([]);
  });

  it('treats a parameter without a mask (a head, a bias) as all kept', () => {
    const b = weightBlock('head.bias', [3], Float32Array.from([1, -2, 3]), undefined, undefined, { rowFrom: 0, rowTo: 2, colFrom: 0, colTo: 0 });
    expect(b).toMatchObject({ weights: 3, kept: 3, final: null });
    expect(b.init.prunedMeanAbs).toBeNull();
  });

  it('refuses rows and columns outside the layer, naming the field', () => {
    const call = (area: { rowFrom: number; rowTo: number; colFrom: number; colTo: number }) => () => weightBlock('fc', shape, init, final, mask, area);
    expect(call({ rowFrom: 0, rowTo: 2, colFrom: 0, colTo: 0 })).toThrow(/input\.rowTo.*0\.\.1/);
    expect(call({ rowFrom: 1, rowTo: 0, colFrom: 0, colTo: 0 })).toThrow(/input\.rowTo.*before/);
    expect(call({ rowFrom: 0, rowTo: 0, colFrom: -1, colTo: 0 })).toThrow(LabError);
  });
});
