/** Colours of a diverging value map: negative, zero and positive ends. */
export interface ValueColors {
  readonly negative: readonly [number, number, number];
  readonly zero: readonly [number, number, number];
  readonly positive: readonly [number, number, number];
}

/** Blue (negative) – paper (0) – red (positive) in the light theme; the same hues around the dark background. */
export const VALUE_COLORS: Readonly<Record<'light' | 'dark', ValueColors>> = {
  light: { negative: [33, 102, 172], zero: [247, 247, 247], positive: [178, 24, 43] },
  dark: { negative: [103, 169, 207], zero: [22, 26, 32], positive: [239, 138, 98] },
};

const mix = (a: readonly number[], b: readonly number[], t: number): number[] => a.map((v, i) => Math.round(v + (b[i] - v) * t));

/**
 * RGBA pixels of a value grid on a symmetric scale: value / maxAbs in −1 … 1 → negative … zero …
 * positive colour, so the sign and relative size of θ0 or final weights read at a glance.
 */
export function valuePixels(values: ArrayLike<number>, maxAbs: number, colors: ValueColors): Uint8ClampedArray {
  const out = new Uint8ClampedArray(values.length * 4);
  const scale = maxAbs > 0 ? 1 / maxAbs : 0;
  for (let i = 0; i < values.length; i++) {
    const t = Math.max(-1, Math.min(1, (Number.isFinite(values[i]) ? values[i] : 0) * scale));
    const c = t < 0 ? mix(colors.zero, colors.negative, -t) : mix(colors.zero, colors.positive, t);
    out.set([c[0], c[1], c[2], 255], i * 4);
  }
  return out;
}

/** Colours of a mask difference: kept by both, only by A, only by B, by neither. */
export interface DiffColors {
  readonly both: readonly [number, number, number];
  readonly onlyA: readonly [number, number, number];
  readonly onlyB: readonly [number, number, number];
  readonly neither: readonly [number, number, number];
}

/** Both dark, only-A orange, only-B sky blue (Okabe–Ito, colour-blind safe), neither the background. */
export const DIFF_COLORS: Readonly<Record<'light' | 'dark', DiffColors>> = {
  light: { both: [40, 40, 40], onlyA: [230, 159, 0], onlyB: [86, 180, 233], neither: [247, 251, 255] },
  dark: { both: [235, 235, 235], onlyA: [230, 159, 0], onlyB: [86, 180, 233], neither: [22, 26, 32] },
};

/** RGBA pixels of a difference grid: each cell the mix of the four colours weighted by its fractions. */
export function diffPixels(grid: { both: ArrayLike<number>; onlyA: ArrayLike<number>; onlyB: ArrayLike<number> }, colors: DiffColors): Uint8ClampedArray {
  const n = grid.both.length;
  if (grid.onlyA.length !== n || grid.onlyB.length !== n) throw new Error(`difference grid: ${n}, ${grid.onlyA.length} and ${grid.onlyB.length} cells`);
  const out = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    const b = grid.both[i];
    const a = grid.onlyA[i];
    const o = grid.onlyB[i];
    const none = Math.max(0, 1 - a - b - o);
    for (let c = 0; c < 3; c++) out[i * 4 + c] = Math.round(colors.both[c] * b + colors.onlyA[c] * a + colors.onlyB[c] * o + colors.neither[c] * none);
    out[i * 4 + 3] = 255;
  }
  return out;
}
