import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { createGunzip } from 'node:zlib';
import { invalidInput } from '../contract/errors.js';
import { ByteReader } from './byte-reader.js';
import { isGzip } from './read-maybe-gzip.js';

/** Entry kinds the reader distinguishes; links, devices and fifos are 'other'. */
export type TarEntryType = 'file' | 'directory' | 'other';

/** One tar entry; `data` is present only for regular files the caller asked for. */
export interface TarEntry {
  readonly name: string;
  readonly type: TarEntryType;
  readonly size: number;
  /** Byte offset of the entry's header in the (uncompressed) tar stream. */
  readonly headerOffset: number;
  readonly data?: Buffer;
}

const BLOCK = 512;

/** Parses a NUL/space-terminated octal field, or a GNU base-256 number (high bit of the first byte set). */
function parseNumber(header: Buffer, start: number, length: number): number | undefined {
  const field = header.subarray(start, start + length);
  if ((field[0] & 0x80) !== 0) {
    let value = field[0] & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i];
    return value;
  }
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) return undefined;
  return parseInt(text, 8);
}

/** A NUL-terminated string field. */
function parseString(header: Buffer, start: number, length: number): string {
  const field = header.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? field.length : end).toString('utf8');
}

/** Header checksum: byte sum with the checksum field counted as spaces (unsigned, and the signed variant old tars wrote). */
function headerChecksums(header: Buffer): [number, number] {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : header[i];
    unsigned += b;
    signed += b >= 0x80 ? b - 256 : b;
  }
  return [unsigned, signed];
}

/** The `path` (and `size`) records of a pax extended header. */
function parsePax(data: Buffer): { path?: string; size?: number } {
  const out: { path?: string; size?: number } = {};
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space === -1) break;
    const length = parseInt(data.subarray(pos, space).toString('latin1'), 10);
    if (!(length > 0)) break;
    const record = data.subarray(space + 1, pos + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    const key = record.slice(0, eq);
    const value = record.slice(eq + 1);
    if (key === 'path') out.path = value;
    if (key === 'size' && /^\d+$/.test(value)) out.size = Number(value);
    pos += length;
  }
  return out;
}

/**
 * Reads a ustar/GNU/pax tar stream entry by entry without holding the archive in memory: bodies of
 * regular files for which `want(name)` is true come back in `data`, others are skipped. Every header's
 * checksum is verified; errors name `label`, the entry and its byte offset.
 */
export async function* readTar(
  source: AsyncIterable<Uint8Array>,
  label: string,
  want: (name: string) => boolean,
): AsyncGenerator<TarEntry> {
  const reader = new ByteReader(source[Symbol.asyncIterator]());
  let longName: string | undefined;
  let paxPath: string | undefined;
  let paxSize: number | undefined;
  try {
    for (;;) {
      const headerOffset = reader.position;
      const header = await reader.read(BLOCK);
      if (header.length === 0) return; // no end-of-archive blocks: tolerated, as GNU tar does with a warning
      if (header.length < BLOCK) {
        throw invalidInput(`${label}: truncated tar header at byte ${headerOffset} (${header.length} of 512 bytes)`);
      }
      if (header.every((b) => b === 0)) return; // end-of-archive marker
      const rawName = parseString(header, 0, 100);
      const prefix = header.toString('latin1', 257, 262) === 'ustar' ? parseString(header, 345, 155) : '';
      const headerName = prefix !== '' ? `${prefix}/${rawName}` : rawName;
      const stored = parseNumber(header, 148, 8);
      const [unsigned, signed] = headerChecksums(header);
      if (stored === undefined || (stored !== unsigned && stored !== signed)) {
        throw invalidInput(
          `${label}: tar header checksum mismatch for entry '${headerName}' at byte ${headerOffset} (stored ${
            stored === undefined ? 'unreadable' : stored
          }, computed ${unsigned})`,
        );
      }
      const headerSize = parseNumber(header, 124, 12);
      if (headerSize === undefined) {
        throw invalidInput(`${label}: entry '${headerName}' at byte ${headerOffset} has an unreadable size field (byte ${headerOffset + 124})`);
      }
      const typeflag = String.fromCharCode(header[156]);
      const size = paxSize ?? headerSize;
      const name = paxPath ?? longName ?? headerName;
      const padded = Math.ceil(size / BLOCK) * BLOCK;

      // Metadata entries describe the next header: GNU long names ('L'), pax extended headers ('x').
      if (typeflag === 'L' || typeflag === 'x' || typeflag === 'g' || typeflag === 'K') {
        const body = await reader.read(size);
        if (body.length < size) throw truncated(label, name, headerOffset, reader.position);
        await reader.skip(padded - size);
        if (typeflag === 'L') longName = parseString(body, 0, body.length);
        if (typeflag === 'x') {
          const pax = parsePax(body);
          paxPath = pax.path;
          paxSize = pax.size;
        }
        continue;
      }
      longName = undefined;
      paxPath = undefined;
      paxSize = undefined;

      const type: TarEntryType =
        typeflag === '0' || typeflag === '\0' || typeflag === '7' ? 'file' : typeflag === '5' ? 'directory' : 'other';
      // Links, devices, fifos and directories carry no data; unknown types are sized like files (POSIX).
      const body = '123456'.includes(typeflag) ? 0 : size;
      if (type === 'file' && want(name)) {
        const data = await reader.read(size);
        if (data.length < size) throw truncated(label, name, headerOffset, reader.position);
        if ((await reader.skip(padded - size)) < padded - size) throw truncated(label, name, headerOffset, reader.position);
        yield { name, type, size, headerOffset, data };
      } else {
        const skip = Math.ceil(body / BLOCK) * BLOCK;
        if ((await reader.skip(skip)) < skip) throw truncated(label, name, headerOffset, reader.position);
        yield { name, type, size, headerOffset };
      }
    }
  } finally {
    await reader.close();
  }
}

function truncated(label: string, name: string, headerOffset: number, at: number): Error {
  return invalidInput(`${label}: archive truncated at byte ${at} inside entry '${name}' (header at byte ${headerOffset})`);
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
    yield* file;
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
