// Writers of small files in the real binary formats, for the data tests. Written from the format
// specifications independently of the readers under test (big-endian IDX headers, CHW CIFAR records,
// POSIX ustar headers with their octal checksums).
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** A fresh temporary folder, removed after the test file's tests. */
export async function tempDir(prefix = 'colt-data-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return dir;
}

/** IDX3 uint8 images: magic 0x00000803, count, rows, cols (big-endian), then pixels row-major. */
export function idxImages(count: number, rows: number, cols: number, pixel: (i: number, y: number, x: number) => number): Buffer {
  const out = Buffer.alloc(16 + count * rows * cols);
  out.writeUInt32BE(0x803, 0);
  out.writeUInt32BE(count, 4);
  out.writeUInt32BE(rows, 8);
  out.writeUInt32BE(cols, 12);
  let at = 16;
  for (let i = 0; i < count; i++) for (let y = 0; y < rows; y++) for (let x = 0; x < cols; x++) out[at++] = pixel(i, y, x) & 255;
  return out;
}

/** IDX1 uint8 labels: magic 0x00000801, count (big-endian), then one byte per label. */
export function idxLabels(labels: readonly number[]): Buffer {
  const out = Buffer.alloc(8 + labels.length);
  out.writeUInt32BE(0x801, 0);
  out.writeUInt32BE(labels.length, 4);
  labels.forEach((l, i) => (out[8 + i] = l));
  return out;
}

/** A pixel value that differs by image, row, column and channel, so any layout mix-up shows. */
export function cifarPixel(i: number, y: number, x: number, c: number): number {
  return (i * 37 + y * 7 + x * 3 + c * 101) & 255;
}

/** CIFAR binary records: label byte(s), then the red, green and blue 32x32 planes (CHW). */
export function cifarRecords(labels: readonly (readonly number[])[], firstIndex = 0): Buffer {
  const per = labels[0].length + 3072;
  const out = Buffer.alloc(labels.length * per);
  labels.forEach((lab, r) => {
    const at = r * per;
    lab.forEach((l, k) => (out[at + k] = l));
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < 32; y++) {
        for (let x = 0; x < 32; x++) out[at + lab.length + c * 1024 + y * 32 + x] = cifarPixel(firstIndex + r, y, x, c);
      }
    }
  });
  return out;
}

/** One POSIX ustar header block for a regular file ('0') or a directory ('5'). */
export function ustarHeader(name: string, size: number, type: '0' | '5' = '0'): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(size.toString(8).padStart(11, '0') + '\0', 124, 'latin1');
  h.write('14000000000\0', 136, 'latin1');
  h.write('        ', 148, 'latin1');
  h.write(type, 156, 'latin1');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return h;
}

/** A ustar archive of the given files, each body padded to 512 bytes, ended by two zero blocks. */
export function tarArchive(entries: readonly { name: string; data?: Buffer }[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (e.data === undefined) {
      parts.push(ustarHeader(e.name.endsWith('/') ? e.name : `${e.name}/`, 0, '5'));
      continue;
    }
    parts.push(ustarHeader(e.name, e.data.length), e.data, Buffer.alloc((512 - (e.data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** Whether a GNU tar is on the PATH (for archives made by the real tool). */
export function hasTar(): boolean {
  const r = spawnSync('tar', ['--version'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('GNU tar');
}
