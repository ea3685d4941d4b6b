import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { invalidInput, LabError } from '../contract/errors.js';
import { isGzip } from './read-maybe-gzip.js';

/** Entry kinds the reader distinguishes; links, devices and fifos are 'other'. */
export type TarEntryType = 'file' | 'directory' | 'other';

/** One tar entry; `data` is present only for regular files the caller asked for. */
export interface TarEntry {
  readonly name: string;
  readonly type: TarEntryType;
  readonly size: number;
  readonly data?: Buffer;
}

function entryType(type: tar.Header['type']): TarEntryType {
  if (type === 'file' || type === 'contiguous-file') return 'file';
  return type === 'directory' ? 'directory' : 'other';
}

/** Writes `source` into the extractor with back-pressure; a failing source destroys it with that error. */
async function feed(source: AsyncIterable<Uint8Array>, extract: tar.Extract): Promise<void> {
  try {
    for await (const chunk of source) {
      if (extract.destroyed) return;
      if (!extract.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            extract.off('drain', done);
            extract.off('close', done);
            resolve();
          };
          extract.on('drain', done);
          extract.on('close', done);
        });
      }
    }
    if (!extract.destroyed) extract.end(undefined);
  } catch (err) {
    extract.destroy(err as Error);
  }
}

/**
 * Reads a ustar/GNU/pax tar stream (tar-stream: header checksums verified, long names and pax
 * records applied) entry by entry without holding the archive in memory: bodies of regular files
 * for which `want(name)` is true come back in `data`, others are skipped. Errors name `label` and the
 * last entry read.
 */
export async function* readTar(
  source: AsyncIterable<Uint8Array>,
  label: string,
  want: (name: string) => boolean,
): AsyncGenerator<TarEntry> {
  // Archives without the ustar magic (v7 tars) are read too, as GNU tar does.
  const extract = tar.extract({ allowUnknownFormat: true } as Parameters<typeof tar.extract>[0]);
  const feeding = feed(source, extract);
  let last: string | undefined;
  try {
    for await (const entry of extract) {
      const { name, size = 0 } = entry.header;
      const type = entryType(entry.header.type);
      if (type === 'file' && want(name)) {
        const chunks: Buffer[] = [];
        for await (const chunk of entry) chunks.push(chunk as Buffer);
        last = name;
        yield { name, type, size, data: Buffer.concat(chunks) };
      } else {
        entry.resume();
        last = name;
        yield { name, type, size };
      }
    }
  } catch (err) {
    if (err instanceof LabError) throw err;
    const where = last === undefined ? 'at its first entry' : `after entry '${last}'`;
    throw invalidInput(`${label}: not a readable tar archive ${where} (${(err as Error).message})`);
  } finally {
    extract.destroy();
    await feeding;
  }
}

/** The bytes of a .tar, .tar.gz or .tgz file as a stream, gunzipped when it starts with the gzip magic bytes. */
export async function* tarFileStream(path: string): AsyncGenerator<Uint8Array> {
  const fh = await open(path, 'r');
  const magic = Buffer.alloc(2);
  try {
    await fh.read(magic, 0, 2, 0);
  } finally {
    await fh.close();
  }
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  if (!isGzip(magic)) {
    try {
      yield* file;
    } finally {
      file.destroy();
    }
    return;
  }
  const gunzip = createGunzip();
  file.on('error', (err) => gunzip.destroy(err));
  const stream = file.pipe(gunzip);
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (err) {
    throw invalidInput(`${basename(path)}: gzip stream is corrupt or truncated (zlib: ${(err as Error).message})`, {
      path,
    });
  } finally {
    file.destroy();
    gunzip.destroy();
  }
}

/** Reads a tar file (optionally gzipped) from disk; see readTar. */
export function readTarFile(path: string, want: (name: string) => boolean): AsyncGenerator<TarEntry> {
  return readTar(tarFileStream(path), basename(path), want);
}
