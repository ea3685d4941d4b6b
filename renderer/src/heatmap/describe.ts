/** Names a heatmap cell's weight in the layer's own terms: output unit and input for a dense layer; filter, input channel and kernel position for a conv; index for a bias. */
export function describeWeight(shape: readonly number[], row: number, col: number): string {
  if (shape.length === 1) return `element ${row}`;
  if (shape.length === 2) return `output unit ${row}, input ${col}`;
  const kh = shape[0];
  const kw = shape.length >= 4 ? shape[1] : 1;
  const spatial = shape.length >= 4 ? kh * kw : kh;
  const c = Math.floor(col / spatial);
  const k = col % spatial;
  return shape.length >= 4 ? `filter ${row}, input channel ${c}, kernel (${Math.floor(k / kw)}, ${k % kw})` : `output ${row}, input ${c}, position ${k}`;
}

/** A value with four significant digits, signed ("−0.04120"), or a dash. */
export function signed(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const t = Math.abs(v) >= 1e-3 || v === 0 ? v.toPrecision(4) : v.toExponential(3);
  return t.startsWith('-') ? `−${t.slice(1)}` : t;
}
