/** A conv layer's per-filter mask (tickets.layerViews filters), as far as drawing needs it. */
export interface FilterMapIn {
  readonly filters: number;
  readonly kh: number;
  readonly kw: number;
  readonly density: ArrayLike<number>;
}

/** Filters laid out as tiles: a grid of kh × kw tiles with one-pixel gaps. */
export interface TileLayout {
  readonly columns: number;
  readonly rows: number;
  readonly width: number;
  readonly height: number;
  /** Per pixel of the width × height image: the kept fraction, or NaN in a gap. */
  readonly values: Float64Array;
}

/** Arranges filters in rows of `columns` tiles (default: as square a layout as the count allows). */
export function filterTiles(map: FilterMapIn, columns = Math.ceil(Math.sqrt(map.filters))): TileLayout {
  const cols = Math.max(1, Math.min(columns, map.filters));
  const rows = Math.ceil(map.filters / cols);
  const width = cols * (map.kw + 1) - 1;
  const height = rows * (map.kh + 1) - 1;
  const values = new Float64Array(width * height).fill(Number.NaN);
  for (let f = 0; f < map.filters; f++) {
    const x0 = (f % cols) * (map.kw + 1);
    const y0 = Math.floor(f / cols) * (map.kh + 1);
    for (let y = 0; y < map.kh; y++) for (let x = 0; x < map.kw; x++) values[(y0 + y) * width + x0 + x] = map.density[f * map.kh * map.kw + y * map.kw + x];
  }
  return { columns: cols, rows, width, height, values };
}

/** The filter and kernel position under a point (fractions of the drawn image), or null in a gap or outside. */
export function tileAt(map: FilterMapIn, layout: TileLayout, fx: number, fy: number): { filter: number; y: number; x: number; kept: number } | null {
  if (!(fx >= 0 && fx < 1 && fy >= 0 && fy < 1)) return null;
  const px = Math.floor(fx * layout.width);
  const py = Math.floor(fy * layout.height);
  const x = px % (map.kw + 1);
  const y = py % (map.kh + 1);
  if (x === map.kw || y === map.kh) return null;
  const filter = Math.floor(py / (map.kh + 1)) * layout.columns + Math.floor(px / (map.kw + 1));
  if (filter >= map.filters) return null;
  return { filter, y, x, kept: map.density[filter * map.kh * map.kw + y * map.kw + x] };
}

/** RGBA pixels of a tile layout: kept fraction through the colour table, gaps in the gap colour. */
export function tilePixels(layout: TileLayout, lut: Uint32Array, gap: readonly [number, number, number], scale = 1): Uint8ClampedArray {
  const out = new Uint8ClampedArray(layout.values.length * 4);
  const words = new Uint32Array(out.buffer);
  const gapWord = ((255 << 24) | (gap[2] << 16) | (gap[1] << 8) | gap[0]) >>> 0;
  for (let i = 0; i < layout.values.length; i++) {
    const v = layout.values[i] / scale;
    words[i] = Number.isNaN(v) ? gapWord : lut[v > 0 ? (v < 1 ? (v * 255 + 0.5) | 0 : 255) : 0];
  }
  return out;
}
