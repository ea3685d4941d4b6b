import { invalidInput } from '../contract/errors.js';

/** Summary of some weights' values: all of them, and split by what the mask kept and pruned. */
export interface ValueStats {
  readonly mean: number;
  readonly meanAbs: number;
  readonly min: number;
  readonly max: number;
  /** Mean |value| of the kept and of the pruned weights (null when there are none). */
  readonly keptMeanAbs: number | null;
  readonly prunedMeanAbs: number | null;
}

/** One weight: its place in the heatmap (row = output unit, col = input · kernel position), mask bit and values. */
export interface WeightValue {
  readonly row: number;
  readonly col: number;
  readonly index: number;
  readonly kept: boolean;
  readonly init: number;
  readonly final: number | null;
}

/** The weights of a rectangle of a layer's heatmap. */
export interface WeightBlock {
  readonly weights: number;
  readonly kept: number;
  readonly init: ValueStats;
  readonly final: ValueStats | null;
  /** Every weight of the block when it holds at most `maxValues`, else empty. */
  readonly values: WeightValue[];
}

/**
 * Rows (output units / channels, the last axis) and columns (inputs · kernel positions, in
 * channel-major order) of a parameter in our layouts, as the heatmaps lay them out; a 1-D
 * parameter (a bias) is one column.
 */
export function heatmapAxes(shape: readonly number[]): { rows: number; cols: number; inputs: number; spatial: number } {
  const weights = shape.reduce((a, d) => a * d, 1);
  const rows = shape.length === 1 ? shape[0] : shape[shape.length - 1];
  const inputs = shape.length === 1 ? 1 : shape[shape.length - 2];
  const spatial = shape.length <= 2 ? 1 : weights / (rows * inputs);
  return { rows, cols: inputs * spatial, inputs, spatial };
}

/** Storage index of heatmap cell (row, col): col = c · spatial + k, index = (k · inputs + c) · rows + row. */
export function storageIndex(axes: { rows: number; inputs: number; spatial: number }, row: number, col: number): number {
  const c = Math.floor(col / axes.spatial);
  const k = col % axes.spatial;
  return (k * axes.inputs + c) * axes.rows + row;
}

function stats(values: Float32Array, indices: readonly number[], mask: Uint8Array | undefined): ValueStats {
  let sum = 0;
  let sumAbs = 0;
  let min = Infinity;
  let max = -Infinity;
  let keptAbs = 0;
  let keptN = 0;
  let prunedAbs = 0;
  let prunedN = 0;
  for (const i of indices) {
    const v = values[i];
    sum += v;
    sumAbs += Math.abs(v);
    if (v < min) min = v;
    if (v > max) max = v;
    if (!mask || mask[i] !== 0) {
      keptAbs += Math.abs(v);
      keptN++;
    } else {
      prunedAbs += Math.abs(v);
      prunedN++;
    }
  }
  const n = indices.length;
  return { mean: sum / n, meanAbs: sumAbs / n, min, max, keptMeanAbs: keptN ? keptAbs / keptN : null, prunedMeanAbs: prunedN ? prunedAbs / prunedN : null };
}

/**
 * The weights under heatmap rows rowFrom..rowTo and columns colFrom..colTo (inclusive) of one
 * parameter: counts, θ0 (and final) statistics, and each weight's values when there are few. A
 * parameter the ticket does not prune has no mask: every weight counts as kept.
 */
export function weightBlock(
  layer: string,
  shape: readonly number[],
  init: Float32Array,
  final: Float32Array | undefined,
  mask: Uint8Array | undefined,
  area: { rowFrom: number; rowTo: number; colFrom: number; colTo: number },
  maxValues = 64,
): WeightBlock {
  const axes = heatmapAxes(shape);
  const n = shape.reduce((a, d) => a * d, 1);
  if (init.length !== n || (final && final.length !== n) || (mask && mask.length !== n)) {
    throw invalidInput(`weights of '${layer}': shape [${shape.join(', ')}] does not match the stored tensors`, { field: 'layer' });
  }
  const check = (field: string, v: number, limit: number): void => {
    if (!Number.isInteger(v) || v < 0 || v >= limit) throw invalidInput(`field 'input.${field}': ${v} is outside 0..${limit - 1} of layer '${layer}'`, { field });
  };
  check('rowFrom', area.rowFrom, axes.rows);
  check('rowTo', area.rowTo, axes.rows);
  check('colFrom', area.colFrom, axes.cols);
  check('colTo', area.colTo, axes.cols);
  if (area.rowTo < area.rowFrom) throw invalidInput(`field 'input.rowTo': ${area.rowTo} is before rowFrom ${area.rowFrom}`, { field: 'rowTo' });
  if (area.colTo < area.colFrom) throw invalidInput(`field 'input.colTo': ${area.colTo} is before colFrom ${area.colFrom}`, { field: 'colTo' });
  const indices: number[] = [];
  const cells: [number, number][] = [];
  for (let r = area.rowFrom; r <= area.rowTo; r++) {
    for (let c = area.colFrom; c <= area.colTo; c++) {
      indices.push(storageIndex(axes, r, c));
      cells.push([r, c]);
    }
  }
  let kept = 0;
  for (const i of indices) kept += !mask || mask[i] !== 0 ? 1 : 0;
  return {
    weights: indices.length,
    kept,
    init: stats(init, indices, mask),
    final: final ? stats(final, indices, mask) : null,
    values:
      indices.length <= maxValues
        ? indices.map((index, k) => ({ row: cells[k][0], col: cells[k][1], index, kept: !mask || mask[index] !== 0, init: init[index], final: final ? final[index] : null }))
        : [],
  };
}
