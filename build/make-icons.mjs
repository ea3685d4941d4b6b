// Draws the app icon with pngjs (no image tools needed): a ticket's mask as a grid, the weights two
// overlapping partitions both kept lit, on a dark rounded square. Writes build/icon.png (512×512,
// electron-builder converts it for macOS and Windows) and build/icons/<N>x<N>.png (the Linux set).
// Run: node build/make-icons.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The icon at `size`×`size` as a PNG buffer. */
export function drawIcon(size) {
  const png = new PNG({ width: size, height: size });
  const s = size / 512;
  const radius = 96 * s;
  const cells = 8;
  const pad = 72 * s;
  const cell = (size - 2 * pad) / cells;
  const gap = Math.max(1, 10 * s);
  // Deterministic "mask": partition A keeps the upper-left band, partition B a lower-right band; COLT keeps the overlap.
  const keptA = (r, c) => r + c < 10;
  const keptB = (r, c) => r + c > 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      const dx = Math.max(radius - x - 0.5, x + 0.5 - (size - radius), 0);
      const dy = Math.max(radius - y - 0.5, y + 0.5 - (size - radius), 0);
      const inside = dx * dx + dy * dy <= radius * radius;
      let rgb = [22, 33, 62];
      const gx = Math.floor((x - pad) / cell);
      const gy = Math.floor((y - pad) / cell);
      const inCell = gx >= 0 && gx < cells && gy >= 0 && gy < cells && (x - pad) % cell < cell - gap && (y - pad) % cell < cell - gap;
      if (inCell) {
        const a = keptA(gy, gx);
        const b = keptB(gy, gx) && (gx * 3 + gy * 5) % 7 !== 0;
        rgb = a && b ? [56, 214, 170] : a || b ? [52, 84, 140] : [34, 48, 84];
      }
      png.data[i] = rgb[0];
      png.data[i + 1] = rgb[1];
      png.data[i + 2] = rgb[2];
      png.data[i + 3] = inside ? 255 : 0;
    }
  }
  return PNG.sync.write(png);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(path.join(here, 'icon.png'), drawIcon(512));
  mkdirSync(path.join(here, 'icons'), { recursive: true });
  for (const size of [16, 32, 48, 64, 128, 256, 512]) writeFileSync(path.join(here, 'icons', `${size}x${size}.png`), drawIcon(size));
}
