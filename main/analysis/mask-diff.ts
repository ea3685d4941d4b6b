import { invalidInput } from '../contract/errors.js';
import type { Mask } from '../lab/masks.js';
import { layerGrid } from './heatmap.js';

/** How two tickets' masks differ in one layer: weights kept by both, by only one, by neither. */
export interface LayerDiff {
  readonly layer: string;
  readonly weights: number;
  readonly both: number;
  readonly onlyA: number;
  readonly onlyB: number;
  readonly neither: number;
  /** |A ∧ B| / |A ∨ B|; 1 when neither keeps anything. */
  readonly jaccard: number;
}

/** Per-layer differences and their sum over all layers. */
export interface MaskDiff {
  readonly layers: LayerDiff[];
  readonly total: Omit<LayerDiff, 'layer'>;
}

/** A layer's difference as heatmap grids (same cells as layerGrid): per cell, the fraction kept by both, only A, only B. */
export interface DiffGrid {
  readonly layer: string;
  readonly shape: number[];
  readonly rows: number;
  readonly cols: number;
  readonly rowsShown: number;
  readonly colsShown: number;
  readonly cellRows: number;
  readonly cellCols: number;
  readonly both: number[];
  readonly onlyA: number[];
  readonly onlyB: number[];
}

function checkPair(layer: string, a: Uint8Array | undefined, b: Uint8Array | undefined): asserts a is Uint8Array {
  if (!a) throw invalidInput(`mask diff: layer '${layer}' is in the second mask only`, { layer });
  if (!b) throw invalidInput(`mask diff: layer '${layer}' is in the first mask only`, { layer });
  if (a.length !== b.length) throw invalidInput(`mask diff: layer '${layer}' has ${a.length} weights in the first mask and ${b.length} in the second`, { layer });
}

/** Counts, per layer of two masks over the same layers, the weights kept by both, only the first, only the second, neither. */
export function diffMasks(a: Mask, b: Mask): MaskDiff {
  for (const name of b.keys()) if (!a.has(name)) checkPair(name, undefined, b.get(name));
  const layers: LayerDiff[] = [];
  const sum = { weights: 0, both: 0, onlyA: 0, onlyB: 0, neither: 0 };
  for (const [layer, ma] of a) {
    const mb = b.get(layer);
    checkPair(layer, ma, mb);
    let both = 0;
    let onlyA = 0;
    let onlyB = 0;
    for (let i = 0; i < ma.length; i++) {
      const x = ma[i] !== 0;
      const y = (mb as Uint8Array)[i] !== 0;
      if (x && y) both++;
      else if (x) onlyA++;
      else if (y) onlyB++;
    }
    const n = ma.length;
    const union = both + onlyA + onlyB;
    layers.push({ layer, weights: n, both, onlyA, onlyB, neither: n - union, jaccard: union === 0 ? 1 : both / union });
    sum.weights += n;
    sum.both += both;
    sum.onlyA += onlyA;
    sum.onlyB += onlyB;
    sum.neither += n - union;
  }
  const union = sum.both + sum.onlyA + sum.onlyB;
  return { layers, total: { ...sum, jaccard: union === 0 ? 1 : sum.both / union } };
}

/**
 * One layer's difference as three grids of at most maxRows × maxCols cells, laid out as the mask
 * heatmap (rows = output units or channels, columns = inputs · kernel positions): each cell the
 * fraction of its weights kept by both masks, by only A and by only B.
 */
export function diffGrid(layer: string, shape: readonly number[], a: Uint8Array, b: Uint8Array, maxRows: number, maxCols: number): DiffGrid {
  checkPair(layer, a, b);
  const both = new Uint8Array(a.length);
  const onlyA = new Uint8Array(a.length);
  const onlyB = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const x = a[i] !== 0 ? 1 : 0;
    const y = b[i] !== 0 ? 1 : 0;
    both[i] = x & y;
    onlyA[i] = x & (1 - y);
    onlyB[i] = (1 - x) & y;
  }
  const g = layerGrid(layer, shape, both, maxRows, maxCols);
  return {
    layer,
    shape: [...shape],
    rows: g.rows,
    cols: g.cols,
    rowsShown: g.rowsShown,
    colsShown: g.colsShown,
    cellRows: g.cellRows,
    cellCols: g.cellCols,
    both: g.density,
    onlyA: layerGrid(layer, shape, onlyA, maxRows, maxCols).density,
    onlyB: layerGrid(layer, shape, onlyB, maxRows, maxCols).density,
  };
}
