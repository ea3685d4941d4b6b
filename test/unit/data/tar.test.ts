import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { type TarEntry, readTar, readTarFile } from '../../../main/data/tar.js';
import { hasTar, tarArchive, tempDir } from './fixtures.js';

let dir: string;
beforeAll(async () => {
  dir = await tempDir();
});

async function collect(file: string, want: (name: string) => boolean = () => true): Promise<TarEntry[]> {
  const out: TarEntry[] = [];
  for await (const e of readTarFile(file, want)) out.push(e);
  return out;
}

/** Feeds a buffer in small, odd-sized chunks, as a slow stream would. */
async function* chunked(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

const body = (n: number, seed: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * seed + 1) & 255));

describe('tar reader', () => {
  it('reads the files of a ustar archive with their exact bytes', async () => {
    const a = body(1000, 3);
    const b = body(512, 5);
    const archive = tarArchive([{ name: 'top' }, { name: 'top/a.bin', data: a }, { name: 'top/b.bin', data: b }]);
    const entries: TarEntry[] = [];
    for await (const e of readTar(chunked(archive, 77), 'x.tar', () => true)) entries.push(e);
    expect(entries.map((e) => [e.name, e.type, e.size])).toEqual([
      ['top/', 'directory', 0],
      ['top/a.bin', 'file', 1000],
      ['top/b.bin', 'file', 512],
    ]);
    expect(entries[1].data?.equals(a)).toBe(true);
    expect(entries[2].data?.equals(b)).toBe(true);
  });

  it('skips the bodies of entries the caller does not want', async () => {
    const file = join(dir, 'skip.tar.gz');
    await writeFile(file, gzipSync(tarArchive([{ name: 'a', data: body(3000, 7) }, { name: 'b', data: body(10, 9) }])));
    const entries = await collect(file, (n) => n === 'b');
    expect(entries[0].data).toBeUndefined();
    expect(entries[1].data?.equals(body(10, 9))).toBe(true);
  });

  it('rejects a header whose checksum does not match, naming the last good entry', async () => {
    const archive = tarArchive([{ name: 'ok.bin', data: body(600, 1) }, { name: 'dir/bad.bin', data: body(5, 2) }]);
    archive[1536 + 130] ^= 1; // flip a bit of the second header's size field
    const file = join(dir, 'bad.tar.gz');
    await writeFile(file, gzipSync(archive));
    await expect(collect(file)).rejects.toThrow(/^bad\.tar\.gz: not a readable tar archive after entry 'ok\.bin' \(Invalid tar header/);
  });

  it('rejects an archive cut inside an entry body', async () => {
    const archive = tarArchive([{ name: 'big.bin', data: body(5000, 3) }]);
    const file = join(dir, 'cut.tar');
    await writeFile(file, archive.subarray(0, 512 + 2000));
    await expect(collect(file)).rejects.toThrow(/^cut\.tar: not a readable tar archive at its first entry \(Unexpected end of data\)$/);
  });

  it('rejects a truncated gzip stream', async () => {
    const gz = gzipSync(tarArchive([{ name: 'big.bin', data: body(50000, 3) }]));
    const file = join(dir, 'cut.tar.gz');
    await writeFile(file, gz.subarray(0, gz.length >> 1));
    await expect(collect(file)).rejects.toThrow(/^cut\.tar\.gz: gzip stream is corrupt or truncated/);
  });

  it('stops reading when the caller stops early', async () => {
    const file = join(dir, 'early.tar.gz');
    await writeFile(file, gzipSync(tarArchive([{ name: 'a', data: body(10, 1) }, { name: 'b', data: body(10, 2) }])));
    const names: string[] = [];
    for await (const e of readTarFile(file, () => false)) {
      names.push(e.name);
      break;
    }
    expect(names).toEqual(['a']);
  });

  it.skipIf(!hasTar())('reads GNU and pax archives made by GNU tar, long names included', async () => {
    const src = join(dir, 'src');
    const longDir = `${'d'.repeat(60)}/${'e'.repeat(60)}`;
    await mkdir(join(src, longDir), { recursive: true });
    const longName = `${longDir}/${'f'.repeat(90)}.bin`;
    await writeFile(join(src, longName), body(1234, 11));
    await writeFile(join(src, 'short.txt'), 'hello\n');
    for (const format of ['gnu', 'pax', 'ustar']) {
      const file = join(dir, `real-${format}.tar.gz`);
      const r = spawnSync('tar', [`--format=${format}`, '-czf', file, '-C', src, 'short.txt', longName], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const files = (await collect(file)).filter((e) => e.type === 'file');
      expect(files.map((e) => e.name)).toEqual(['short.txt', longName]);
      expect(files[0].data?.toString()).toBe('hello\n');
      expect(files[1].data?.equals(body(1234, 11))).toBe(true);
    }
  });
});
