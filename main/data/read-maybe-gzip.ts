import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { invalidInput } from '../contract/errors.js';

const gunzipAsync = promisify(gunzip);

/** True when the bytes start with the gzip magic number 0x1f 0x8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Reads a whole file, gunzipping it when it starts with the gzip magic bytes (whatever its name says). */
export async function readMaybeGzip(path: string): Promise<Buffer> {
  const raw = await readFile(path);
  if (!isGzip(raw)) return raw;
  try {
    return await gunzipAsync(raw);
  } catch (err) {
    throw invalidInput(`${basename(path)}: gzip stream is corrupt or truncated (zlib: ${(err as Error).message})`, {
      path,
    });
  }
}
