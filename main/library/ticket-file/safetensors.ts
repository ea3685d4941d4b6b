/**
 * The safetensors container (huggingface/safetensors, "Format"): 8 bytes little-endian u64 N,
 * N bytes of UTF-8 JSON header {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__":
 * {string: string}}, then the data area. Offsets are relative to the data area, which the
 * tensors must cover exactly: no holes, no overlaps, nothing after the last tensor. Values are
 * little-endian, row-major. This reader trusts nothing and names the tensor or byte at fault.
 */
import { invalidInput, type LabError } from '../../contract/errors.js';
import { JsonSyntaxError, parseStrictJson, type JsonValue } from './strict-json.js';

/** safetensors dtypes and their element sizes in bytes. */
export const DTYPE_SIZES = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
} as const;

/** A safetensors element type. */
export type Dtype = keyof typeof DTYPE_SIZES;

/**
 * The header's size limit. The reference implementation allows 100 MB; a ticket's header holds a
 * few hundred tensor entries and its metadata (a ResNet-18 ticket's is under 20 kB), and a header
 * this size still parses in well under a second on the thread that serves requests.
 */
export const MAX_HEADER_BYTES = 4 * 1024 * 1024;

/** Most tensors a ticket file may hold (every architecture here has well under a thousand). */
export const MAX_TENSORS = 10_000;

/** One tensor of a parsed file; `begin`/`end` are absolute byte offsets in the file. */
export interface TensorEntry {
  readonly name: string;
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  readonly begin: number;
  readonly end: number;
}

/** A structurally valid safetensors file: tensors in header order, and the metadata map if any. */
export interface SafetensorsFile {
  readonly bytes: Uint8Array;
  readonly tensors: ReadonlyMap<string, TensorEntry>;
  readonly metadata: Readonly<Record<string, string>> | null;
  readonly dataStart: number;
}

/** A tensor to write: its raw little-endian bytes. */
export interface TensorToWrite {
  readonly name: string;
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  readonly data: Uint8Array;
}

function fault(message: string, details: Record<string, unknown> = {}): LabError {
  return invalidInput(message, details);
}

/** Checks the header length in a file's first 8 bytes against the limit and the file's length; returns it. */
export function checkHeaderLength(prefix: Uint8Array, fileLength: number): number {
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) {
    throw fault(`header length ${n} (bytes 0-7) is over the ${MAX_HEADER_BYTES}-byte limit`, { byte: 0 });
  }
  const headerLength = Number(n);
  if (8 + headerLength > fileLength) {
    throw fault(`header length ${headerLength} (bytes 0-7) runs past the end of the ${fileLength}-byte file`, { byte: 0 });
  }
  if (headerLength < 2) throw fault(`header length ${headerLength} (bytes 0-7) is too small for a JSON object`, { byte: 0 });
  return headerLength;
}

/** Parses and validates the container (not the tensors' values). Throws invalid_input naming the byte or tensor. */
export function parseSafetensors(bytes: Uint8Array): SafetensorsFile {
  if (bytes.length < 8) throw fault(`file is ${bytes.length} bytes; a safetensors file starts with an 8-byte header length`, { byte: 0 });
  const headerLength = checkHeaderLength(bytes.subarray(0, 8), bytes.length);
  const headerBytes = bytes.subarray(8, 8 + headerLength);
  if (headerBytes[0] !== 0x7b) throw fault(`header does not start with '{' (byte 8 is 0x${headerBytes[0].toString(16).padStart(2, '0')})`, { byte: 8 });
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(headerBytes);
  } catch {
    throw fault(`header is not valid UTF-8 (near byte ${8 + firstBadUtf8(headerBytes)})`, { byte: 8 + firstBadUtf8(headerBytes) });
  }
  let header: JsonValue;
  try {
    header = parseStrictJson(text, { maxArrayLength: 64, maxObjectKeys: MAX_TENSORS + 1 });
  } catch (e) {
    if (e instanceof JsonSyntaxError) {
      const byte = 8 + Buffer.byteLength(text.slice(0, e.offset), 'utf8');
      throw fault(`header JSON: ${e.message} at byte ${byte}`, { byte });
    }
    throw e;
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw fault('header JSON is not an object', { byte: 8 });
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  let metadata: Record<string, string> | null = null;
  const tensors = new Map<string, TensorEntry>();
  const names = Object.keys(header);
  if (names.length > MAX_TENSORS + 1) throw fault(`header lists ${names.length} entries; a ticket file holds at most ${MAX_TENSORS} tensors`, { byte: 8 });
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = parseMetadata(raw);
      continue;
    }
    tensors.set(name, parseEntry(name, raw, dataStart, dataLength));
  }
  checkTiling([...tensors.values()], dataStart, bytes.length);
  return { bytes, tensors, metadata, dataStart };
}

function parseMetadata(raw: JsonValue): Record<string, string> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw fault('header field __metadata__ is not an object of strings', { tensor: '__metadata__' });
  const out = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== 'string') throw fault(`__metadata__.${k} is not a string (safetensors metadata holds only strings)`, { tensor: '__metadata__' });
    out[k] = v;
  }
  return out;
}

/** Longest tensor name accepted (PyTorch module paths are well under this). */
export const MAX_NAME_LENGTH = 512;
/** Most dimensions a tensor may have (tickets hold 1-d to 4-d tensors). */
const MAX_DIMS = 8;

/** A header value as JSON, cut short: errors quote what they found without repeating megabytes of it. */
function shown(v: JsonValue | undefined): string {
  const text = JSON.stringify(v ?? null);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function parseEntry(name: string, raw: JsonValue, dataStart: number, dataLength: number): TensorEntry {
  if (name.length > MAX_NAME_LENGTH) throw fault(`a tensor name is ${name.length} characters long (at most ${MAX_NAME_LENGTH}): '${name.slice(0, 40)}...'`, { tensor: name.slice(0, 40) });
  const where = { tensor: name };
  if (name.length === 0) throw fault('a tensor has an empty name', where);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw fault(`tensor '${name}': header entry is not an object`, where);
  const extra = Object.keys(raw).filter((k) => k !== 'dtype' && k !== 'shape' && k !== 'data_offsets');
  if (extra.length > 0) throw fault(`tensor '${name}': unknown header field '${extra[0]}'`, where);
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, JsonValue>;
  if (typeof dtype !== 'string' || !Object.prototype.hasOwnProperty.call(DTYPE_SIZES, dtype)) {
    throw fault(`tensor '${name}': dtype ${shown(dtype)} is not a safetensors dtype (${Object.keys(DTYPE_SIZES).join(', ')})`, where);
  }
  if (Array.isArray(shape) && shape.length > MAX_DIMS) throw fault(`tensor '${name}': shape has ${shape.length} dimensions (at most ${MAX_DIMS})`, where);
  if (!Array.isArray(shape) || shape.some((d) => typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0)) {
    throw fault(`tensor '${name}': shape ${shown(shape)} is not a list of non-negative integers`, where);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || offsets.some((d) => typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0)) {
    throw fault(`tensor '${name}': data_offsets ${shown(offsets)} is not [begin, end] with non-negative integers`, where);
  }
  const [begin, end] = offsets as number[];
  if (begin > end) throw fault(`tensor '${name}': data_offsets [${begin}, ${end}] end before they begin`, where);
  if (end > dataLength) {
    throw fault(`tensor '${name}': data_offsets [${begin}, ${end}] run past the end of the data area (${dataLength} bytes from byte ${dataStart})`, {
      ...where,
      byte: dataStart + Math.min(begin, dataLength),
    });
  }
  const size = DTYPE_SIZES[dtype as Dtype];
  let elements = 1;
  for (const d of shape as number[]) {
    elements *= d;
    if (elements * size > dataLength) {
      throw fault(`tensor '${name}': shape [${(shape as number[]).join(', ')}] of ${dtype} needs more bytes than the data area holds`, where);
    }
  }
  if (end - begin !== elements * size) {
    throw fault(
      `tensor '${name}': shape [${(shape as number[]).join(', ')}] of ${dtype} is ${elements * size} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`,
      where,
    );
  }
  return { name, dtype: dtype as Dtype, shape: shape as number[], begin: dataStart + begin, end: dataStart + end };
}

/** The tensors must cover the data area exactly once, in some order (safetensors forbids holes). */
function checkTiling(entries: TensorEntry[], dataStart: number, fileLength: number): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = dataStart;
  let previous: TensorEntry | undefined;
  for (const t of sorted) {
    if (t.begin < at) {
      throw fault(`tensor '${t.name}' overlaps tensor '${previous?.name ?? '?'}' at byte ${t.begin}`, { tensor: t.name, byte: t.begin });
    }
    if (t.begin > at) throw fault(`bytes ${at}-${t.begin - 1} of the data area belong to no tensor (before tensor '${t.name}')`, { tensor: t.name, byte: at });
    at = t.end;
    previous = t;
  }
  if (at !== fileLength) throw fault(`bytes ${at}-${fileLength - 1} after the last tensor belong to no tensor`, { byte: at });
}

function firstBadUtf8(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let lo = 0;
  let hi = bytes.length;
  // Binary search for the shortest invalid prefix (a truncated sequence at the end counts as invalid).
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    try {
      decoder.decode(bytes.subarray(0, mid + 1));
      lo = mid + 1;
    } catch {
      hi = mid;
    }
  }
  return lo;
}

/** The element values of a tensor as little-endian bytes (a view into the file). */
export function tensorBytes(file: SafetensorsFile, t: TensorEntry): Uint8Array {
  return file.bytes.subarray(t.begin, t.end);
}

/**
 * Serialises tensors as safetensors the way the reference writer does: sorted by dtype
 * (larger-aligned types first, so every float32 starts 4-byte aligned) then by name, header padded
 * with spaces to a multiple of 8 bytes. Returns the chunks to write in order.
 */
export function writeSafetensors(tensors: readonly TensorToWrite[], metadata: Readonly<Record<string, string>> | null): Uint8Array[] {
  const order = Object.keys(DTYPE_SIZES);
  const sorted = [...tensors].sort((a, b) => order.indexOf(b.dtype) - order.indexOf(a.dtype) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of sorted) {
    const bytes = t.shape.reduce((a, b) => a * b, 1) * DTYPE_SIZES[t.dtype];
    if (bytes !== t.data.length) throw new Error(`writeSafetensors: tensor ${t.name} has ${t.data.length} bytes, its shape needs ${bytes}`);
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (8 - (json.length % 8)) % 8;
  if (pad > 0) json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return [length, json, ...sorted.map((t) => t.data)];
}
