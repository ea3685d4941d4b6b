import { invalidInput } from '../contract/errors.js';
import { heatmapAxes } from './weight-block.js';

/** A parameter's values on the heatmap's grid: per cell the mean value, with the largest |value| for a symmetric colour scale. */
export interface ValueGrid {
  readonly layer: string;
  readonly shape: number[];
  readonly rows: number;
  readonly cols: number;
  readonly rowsShown: number;
  readonly colsShown: number;
  readonly cellRows: number;
  readonly cellCols: number;
  /** Row-major rowsShown × colsShown mean value of each cell (the value itself where a cell is one weight). */
  readonly mean: number[];
  /** Largest |value| of the whole parameter. */
  readonly maxAbs: number;
}

/**
 * Downsamples a parameter's values (θ0 or final weights, a head, a bias) to at most
 * maxRows × maxCols cells laid out as the mask heatmaps (rows = output units, columns = inputs ·
 * kernel positions; a bias is one column), each cell the mean of its block.
 */
export function valueGrid(layer: string, shape: readonly number[], values: Float32Array, maxRows: number, maxCols: number): ValueGrid {
  const n = shape.reduce((a, d) => a * d, 1);
  if (values.length !== n) throw invalidInput(`value grid: '${layer}' has shape [${shape.join(', ')}] but ${values.length} values`, { field: 'layer' });
  const { rows, cols, inputs, spatial } = heatmapAxes(shape);
  const cellRows = Math.ceil(rows / maxRows);
  const cellCols = Math.ceil(cols / maxCols);
  const rowsShown = Math.ceil(rows / cellRows);
  const colsShown = Math.ceil(cols / cellCols);
  const sums = new Float64Array(rowsShown * colsShown);
  const counts = new Uint32Array(rowsShown * colsShown);
  let maxAbs = 0;
  let i = 0;
  for (let k = 0; k < spatial; k++) {
    for (let c = 0; c < inputs; c++) {
      const cellCol = Math.floor((c * spatial + k) / cellCols);
      for (let o = 0; o < rows; o++) {
        const v = values[i++];
        const cell = Math.floor(o / cellRows) * colsShown + cellCol;
        sums[cell] += v;
        counts[cell]++;
        const a = Math.abs(v);
        if (a > maxAbs) maxAbs = a;
      }
    }
  }
  const mean = Array.from(sums, (s, j) => (counts[j] ? s / counts[j] : 0));
  return { layer, shape: [...shape], rows, cols, rowsShown, colsShown, cellRows, cellCols, mean, maxAbs };
}
