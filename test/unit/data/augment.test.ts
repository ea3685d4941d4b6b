import { describe, expect, it } from 'vitest';
import { Rng } from '../../../main/common/random.js';
import { type AugmentDraw, ImageRenderer, checkAugmentation, drawAugmentation } from '../../../main/data/augment.js';
import type { ImageShape } from '../../../main/data/types.js';

// A 5x5 image with 3 channels, every value distinct and non-zero; normalisation mean 0.1, std 0.5.
const SHAPE: ImageShape = [5, 5, 3];
const px = (y: number, x: number, c: number): number => 1 + y * 40 + x * 7 + c * 2;
const image = Uint8Array.from({ length: 75 }, (_, i) => px(Math.floor(i / 15), Math.floor(i / 3) % 5, i % 3));
const NORM = { mean: [0.1, 0.1, 0.1], std: [0.5, 0.5, 0.5] };
const n = (v: number): number => (v / 255 - 0.1) / 0.5;

function render(draw: AugmentDraw | undefined, interpolation: 'nearest' | 'bilinear' = 'nearest'): Float32Array {
  const out = new Float32Array(75 + 6).fill(99); // guard values around the target range
  new ImageRenderer(SHAPE, NORM, interpolation).render(image, 0, out, 3, draw);
  expect([...out.subarray(0, 3)]).toEqual([99, 99, 99]);
  expect([...out.subarray(78)]).toEqual([99, 99, 99]);
  return out.subarray(3, 78);
}

/** Expects out(y, x, c) = normalised source(y, x) (or a zero pixel where source returns undefined). */
function expectImage(out: Float32Array, source: (y: number, x: number) => [number, number] | undefined, digits = 5): void {
  for (let y = 0; y < 5; y++) {
    for (let x = 0; x < 5; x++) {
      const s = source(y, x);
      for (let c = 0; c < 3; c++) {
        const want = s === undefined ? n(0) : n(px(s[0], s[1], c));
        expect(out[(y * 5 + x) * 3 + c], `(${y},${x},${c})`).toBeCloseTo(want, digits);
      }
    }
  }
}

const inside = (y: number, x: number): [number, number] | undefined => (y >= 0 && y < 5 && x >= 0 && x < 5 ? [y, x] : undefined);
const draw = (d: Partial<AugmentDraw>): AugmentDraw => ({ dy: 0, dx: 0, flip: false, angle: 0, ...d });

describe('augmentation', () => {
  it('without a draw, copies the image normalised', () => {
    expectImage(render(undefined), (y, x) => [y, x]);
  });

  it('crops after zero padding: shifts the image and fills the uncovered border with zero pixels', () => {
    expectImage(render(draw({ dy: 1, dx: -2 })), (y, x) => inside(y + 1, x - 2));
    expectImage(render(draw({ dy: -4, dx: 4 })), (y, x) => inside(y - 4, x + 4));
    expectImage(render(draw({ dy: 5 })), () => undefined);
  });

  it('flips horizontally after the crop', () => {
    expectImage(render(draw({ flip: true })), (y, x) => [y, 4 - x]);
    expectImage(render(draw({ flip: true, dx: 1, dy: -1 })), (y, x) => inside(y - 1, 4 - x + 1));
  });

  it('rotates a quarter turn exactly with nearest and bilinear sampling', () => {
    expectImage(render(draw({ angle: Math.PI / 2 })), (y, x) => [x, 4 - y]);
    expectImage(render(draw({ angle: Math.PI / 2 }), 'bilinear'), (y, x) => [x, 4 - y], 4);
  });

  it('rotates the cropped, flipped image, with zero fill outside it', () => {
    // Crop dx = 1: C(a, b) = I(a, b + 1); the quarter turn alone: out(y, x) = C(x, 4 - y).
    expectImage(render(draw({ angle: Math.PI / 2, dx: 1 })), (y, x) => inside(x, 4 - y + 1));
    // With the flip as well: F(a, b) = C(a, 4 - b) = I(a, 5 - b), so out(y, x) = F(x, 4 - y) = I(x, y + 1).
    expectImage(render(draw({ angle: Math.PI / 2, dx: 1, flip: true })), (y, x) => inside(x, y + 1));
    const out = render(draw({ angle: Math.PI / 4 }));
    for (let c = 0; c < 3; c++) expect(out[c]).toBeCloseTo(n(0), 5); // the corner comes from outside the image
    expect(out[(2 * 5 + 2) * 3]).toBeCloseTo(n(px(2, 2, 0)), 5); // the centre stays
  });

  it('interpolates bilinearly between neighbours at a small angle', () => {
    const a = 0.1;
    const out = render(draw({ angle: a }), 'bilinear');
    // Output (2, 3): u = 1, v = 0 → source (2 + sin a, 2 + cos a).
    const ys = 2 + Math.sin(a);
    const xs = 2 + Math.cos(a);
    const fy = ys - 2;
    const fx = xs - 2;
    const v = (1 - fy) * (1 - fx) * px(2, 2, 1) + (1 - fy) * fx * px(2, 3, 1) + fy * (1 - fx) * px(3, 2, 1) + fy * fx * px(3, 3, 1);
    expect(out[(2 * 5 + 3) * 3 + 1]).toBeCloseTo(n(v), 5);
  });

  it('draws crops, flips and angles within range, the same for the same seed', () => {
    const aug = { cropPadding: 4, horizontalFlip: true, rotationDegrees: 15 };
    const a = new Rng(3);
    const b = new Rng(3);
    let flips = 0;
    for (let i = 0; i < 2000; i++) {
      const d = drawAugmentation(aug, a, draw({}));
      expect(drawAugmentation(aug, b, draw({}))).toEqual(d);
      expect(Math.abs(d.dy)).toBeLessThanOrEqual(4);
      expect(Math.abs(d.dx)).toBeLessThanOrEqual(4);
      expect(Math.abs(d.angle)).toBeLessThanOrEqual((15 * Math.PI) / 180);
      if (d.flip) flips++;
    }
    expect(flips).toBeGreaterThan(900);
    expect(flips).toBeLessThan(1100);
  });

  it('rejects augmentation fields out of range, naming them', () => {
    expect(() => checkAugmentation({ cropPadding: -1, horizontalFlip: false, rotationDegrees: 0 }, SHAPE)).toThrow(/'cropPadding'/);
    expect(() => checkAugmentation({ cropPadding: 0, horizontalFlip: false, rotationDegrees: 400 }, SHAPE)).toThrow(/'rotationDegrees'/);
  });
});
