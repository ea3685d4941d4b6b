/** A safetensors file's `__metadata__` (strings) and tensor entries, read from its header. */
export function safetensorsHeader(file: Buffer): { metadata: Record<string, string>; tensors: Record<string, { data_offsets: [number, number] }>; dataStart: number } {
  const n = Number(file.readBigUInt64LE(0));
  const header = JSON.parse(file.subarray(8, 8 + n).toString('utf8')) as Record<string, unknown>;
  const { __metadata__: metadata, ...tensors } = header;
  return { metadata: (metadata ?? {}) as Record<string, string>, tensors: tensors as Record<string, { data_offsets: [number, number] }>, dataStart: 8 + n };
}

/** The same ticket file with its first θ0 value changed: another ticket, still valid. */
export function withInitChanged(file: Buffer): Buffer {
  const copy = Buffer.from(file);
  const h = safetensorsHeader(copy);
  const [, entry] = Object.entries(h.tensors).find(([name]) => name.startsWith('init.'))!;
  const at = h.dataStart + entry.data_offsets[0];
  copy.writeFloatLE(copy.readFloatLE(at) + 0.5, at);
  return copy;
}
