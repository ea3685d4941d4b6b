import { invalidInput } from '../contract/errors.js';

/** Where a layer's heatmap cells lie: the layer, its shape as rows × cols, the cells shown and the weights per cell. */
export interface GridGeometry {
  readonly layer: string;
  readonly shape: number[];
  /** Output units / channels (the last axis of our layouts). */
  readonly rows: number;
  /** Inputs per output: dense `in`, conv `in·kh·kw` (PyTorch's flattening order: channel-major). */
  readonly cols: number;
  readonly rowsShown: number;
  readonly colsShown: number;
  /** Weights per cell along each axis (edge cells may hold fewer when the size does not divide). */
  readonly cellRows: number;
  readonly cellCols: number;
}

/** A layer's mask reduced to a grid of kept fractions, for a heatmap. */
export interface MaskGrid extends GridGeometry {
  readonly kept: number;
  readonly weights: number;
  /** Row-major rowsShown × colsShown kept fraction of each cell, 0..1. */
  readonly density: number[];
}

/**
 * Reduces a mask in our layout (dense [in, out], conv HWIO [kh, kw, in, out]) to an
 * out × (in·kh·kw) grid of at most maxRows × maxCols cells, each the kept fraction of a block of
 * ceil(rows/maxRows) × ceil(cols/maxCols) weights. One pass over the mask in storage order.
 */
export function layerGrid(layer: string, shape: readonly number[], mask: Uint8Array, maxRows: number, maxCols: number): MaskGrid {
  for (const [field, v] of [['maxRows', maxRows], ['maxCols', maxCols]] as const) {
    if (!Number.isInteger(v) || v < 1) throw invalidInput(`layerGrid: '${field}' must be a positive integer, got ${v}`, { layer });
  }
  if (shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw invalidInput(`layerGrid: layer '${layer}' has an invalid shape [${shape.join(', ')}]`, { layer });
  }
  const weights = shape.reduce((a, d) => a * d, 1);
  if (weights !== mask.length) {
    throw invalidInput(`layerGrid: layer '${layer}' has shape [${shape.join(', ')}] (${weights} weights) but its mask has ${mask.length}`, {
      layer,
    });
  }
  // Storage order is [...spatial, in, out]: index = (k·in + c)·out + o, with k the flattened spatial offset.
  const rows = shape.length === 1 ? shape[0] : shape[shape.length - 1];
  const inputs = shape.length === 1 ? 1 : shape[shape.length - 2];
  const spatial = shape.length <= 2 ? 1 : weights / (rows * inputs);
  const cols = inputs * spatial;
  const cellRows = Math.ceil(rows / maxRows);
  const cellCols = Math.ceil(cols / maxCols);
  const rowsShown = Math.ceil(rows / cellRows);
  const colsShown = Math.ceil(cols / cellCols);

  const rowOffset = new Int32Array(rows);
  for (let o = 0; o < rows; o++) rowOffset[o] = Math.floor(o / cellRows) * colsShown;
  const keptPerCell = new Uint32Array(rowsShown * colsShown);
  let kept = 0;
  let i = 0;
  for (let k = 0; k < spatial; k++) {
    for (let c = 0; c < inputs; c++) {
      const cellCol = Math.floor((c * spatial + k) / cellCols);
      let keptHere = 0;
      for (let o = 0; o < rows; o++) {
        // Branch-free: masks hold exactly 0 or 1 (validated where they are built).
        const m = mask[i++];
        keptPerCell[rowOffset[o] + cellCol] += m;
        keptHere += m;
      }
      kept += keptHere;
    }
  }

  const density = new Array<number>(rowsShown * colsShown);
  for (let r = 0; r < rowsShown; r++) {
    const h = Math.min(cellRows, rows - r * cellRows);
    for (let c = 0; c < colsShown; c++) {
      const w = Math.min(cellCols, cols - c * cellCols);
      density[r * colsShown + c] = keptPerCell[r * colsShown + c] / (h * w);
    }
  }
  return { layer, shape: [...shape], rows, cols, rowsShown, colsShown, cellRows, cellCols, kept, weights, density };
}
