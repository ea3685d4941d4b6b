import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileError } from './file-errors.js';

/**
 * Writes chunks to `path` through a temporary file in the same folder and a rename, so readers never
 * see half a file. Failures (a full disk, a read-only file system, a folder in the way) are LabErrors
 * naming the path, and the temporary file is removed.
 */
export async function writeFileAtomic(path: string, chunks: readonly Uint8Array[]): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
  } catch (e) {
    throw fileError(e, dirname(path), 'create the folder of');
  }
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  try {
    // 'wx': the temporary name is created fresh, never opened through something already there.
    const fh = await open(tmp, 'wx');
    try {
      for (const chunk of chunks) {
        // Large typed arrays go in slices: a single write is capped near 2 GiB.
        for (let at = 0; at < chunk.length; at += 1 << 30) {
          const part = chunk.subarray(at, Math.min(chunk.length, at + (1 << 30)));
          let written = 0;
          while (written < part.length) written += (await fh.write(part, written, part.length - written)).bytesWritten;
        }
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw fileError(err, path, 'write');
  }
}
