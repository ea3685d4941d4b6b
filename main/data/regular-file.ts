import { constants, lstatSync, statSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { invalidInput } from '../contract/errors.js';
import { fileError } from './file-errors.js';

/** What a non-regular file is, for messages ("a FIFO", "a folder", …). */
export function kindOf(st: Stats): string {
  if (st.isFile()) return 'a regular file';
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

// O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, holding one of libuv's few file threads forever.
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/**
 * Opens an existing regular file for reading: the open never blocks (FIFOs), and fstat on the
 * opened handle (not the path, which could change in between) refuses FIFOs, devices and folders.
 */
export async function openRegularFile(file: string, field?: string): Promise<{ fh: FileHandle; size: number }> {
  let fh: FileHandle;
  try {
    fh = await open(file, READ_FLAGS);
  } catch (e) {
    throw fileError(e, file, 'open', field);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw invalidInput(`${file} is ${kindOf(st)}; only regular files are read`, { ...(field !== undefined ? { field } : {}), file, reason: 'not-a-file' });
    return { fh, size: st.size };
  } catch (e) {
    await fh.close();
    throw e;
  }
}

/** Options of readRegularFile. */
export interface ReadLimits {
  /** Larger files are refused before anything is read. */
  readonly maxBytes: number;
  /** What the file is, for the size error ("ticket file", "IDX file"). */
  readonly what: string;
  readonly field?: string;
}

/** Reads a whole regular file, refusing it by its size before reading when it is over the limit. */
export async function readRegularFile(file: string, limits: ReadLimits): Promise<Buffer> {
  const { fh, size } = await openRegularFile(file, limits.field);
  try {
    if (size > limits.maxBytes) {
      throw invalidInput(`${file}: ${size} bytes is over the ${limits.maxBytes}-byte limit for a ${limits.what}`, { ...(limits.field !== undefined ? { field: limits.field } : {}), file, reason: 'too-large' });
    }
    return await readAt(fh, file, 0, size, limits.field);
  } finally {
    await fh.close();
  }
}

/** Reads `length` bytes at `position` of an open file (fewer only where the file ends), naming the file in errors. */
export async function readAt(fh: FileHandle, file: string, position: number, length: number, field?: string): Promise<Buffer> {
  const bytes = Buffer.allocUnsafe(length);
  let at = 0;
  while (at < length) {
    let bytesRead: number;
    try {
      ({ bytesRead } = await fh.read(bytes, at, Math.min(length - at, 1 << 30), position + at));
    } catch (e) {
      throw fileError(e, file, 'read', field);
    }
    if (bytesRead === 0) break;
    at += bytesRead;
  }
  return at === length ? bytes : bytes.subarray(0, at);
}

/**
 * Checks a path about to be written: absent, or a regular file (a link is judged by what it points
 * to). Returns whether a file is there. Folders, FIFOs and devices are refused with a clear error.
 */
export function checkWriteTarget(file: string, field?: string): 'absent' | 'file' {
  let st: Stats;
  try {
    st = lstatSync(file);
    if (st.isSymbolicLink()) st = statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'absent';
    throw fileError(e, file, 'write', field);
  }
  if (!st.isFile()) throw invalidInput(`${file} is ${kindOf(st)}; only regular files are written`, { ...(field !== undefined ? { field } : {}), file, reason: 'not-a-file' });
  return 'file';
}
