import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { LabError } from '../../../main/contract/errors.js';
import { loadIdxFolder, readIdxImages } from '../../../main/data/idx.js';
import { readRegularFile } from '../../../main/data/regular-file.js';
import { idxImages, idxLabels, tempDir } from './fixtures.js';

let dir: string;
beforeAll(async () => {
  dir = await tempDir();
});

async function errorOf(p: Promise<unknown>): Promise<LabError> {
  try {
    await p;
  } catch (err) {
    return err as LabError;
  }
  throw new Error('expected a rejection');
}

/** An IDX image header promising `count` images of 28x28, followed by `body` bytes. */
function header(count: number, body: number): Buffer {
  const out = Buffer.alloc(16 + body);
  out.writeUInt32BE(0x803, 0);
  out.writeUInt32BE(count, 4);
  out.writeUInt32BE(28, 8);
  out.writeUInt32BE(28, 12);
  return out;
}

describe('IDX readers against hostile files', () => {
  it('refuses a small gzip file promising more images than it can decode to, from its header alone', async () => {
    // 1.3 M images of 28x28 (1 GB) promised by a file of a few kB.
    const file = join(dir, 'bomb-images-idx3-ubyte.gz');
    await writeFile(file, gzipSync(header(1_300_000, 4096)));
    const e = await errorOf(readIdxImages(file));
    expect(e.message).toMatch(/bomb-images-idx3-ubyte\.gz: the header promises 1300000 images x 28x28 = 1019200016 bytes, more than a \d+-byte gzip file can hold/);
  });

  it('stops decoding a gzip stream at what the header promises', async () => {
    // The header promises 2 images; the stream goes on for 64 MB of zeros (a 64 kB file).
    const file = join(dir, 'long-images-idx3-ubyte.gz');
    await writeFile(file, gzipSync(Buffer.concat([header(2, 2 * 784), Buffer.alloc(64 * 1024 * 1024)])));
    const e = await errorOf(readIdxImages(file));
    expect(e.message).toMatch(/long-images-idx3-ubyte\.gz: unexpected trailing bytes after byte 1584 \(header promises 2 images x 28x28\)/);
  });

  it('refuses a raw file whose size does not match its header before reading it', async () => {
    const file = join(dir, 'short-idx3-ubyte');
    await writeFile(file, header(1_000_000, 10));
    expect((await errorOf(readIdxImages(file))).message).toMatch(/truncated: the header promises 1000000 images x 28x28 = 784000000 bytes after byte 16, the file has 10/);
  });

  it('refuses a stray label byte instead of inventing classes for it', async () => {
    const folder = join(dir, 'stray');
    await mkdir(folder);
    const labels = Array.from({ length: 50 }, (_, i) => i % 10);
    labels[17] = 255;
    await writeFile(join(folder, 'train-images-idx3-ubyte'), idxImages(50, 2, 2, () => 1));
    await writeFile(join(folder, 'train-labels-idx1-ubyte'), idxLabels(labels));
    await writeFile(join(folder, 't10k-images-idx3-ubyte'), idxImages(5, 2, 2, () => 1));
    await writeFile(join(folder, 't10k-labels-idx1-ubyte'), idxLabels([0, 1, 2, 3, 4]));
    const e = await errorOf(loadIdxFolder(folder));
    expect(e.message).toMatch(/train-labels-idx1-ubyte: label 255 at byte 25 is not a class: no label between 10 and 254 occurs/);
    // More than ten classes are fine when every one of them occurs (EMNIST-style files).
    await writeFile(join(folder, 'train-labels-idx1-ubyte'), idxLabels(Array.from({ length: 50 }, (_, i) => i % 12)));
    expect((await loadIdxFolder(folder)).classes).toBe(12);
  });

  it.skipIf(process.platform === 'win32')('refuses a FIFO at once instead of waiting for a writer (mkfifo: not on Windows)', async () => {
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    const e = await errorOf(readRegularFile(join(dir, 'pipe'), { maxBytes: 1000, what: 'test file' }));
    expect(e.message).toMatch(/is a FIFO \(named pipe\); only regular files are read/);
  });
});
