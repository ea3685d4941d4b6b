/**
 * Ticket files (DESIGN.md, Ticket): `colt-ticket/1` safetensors with `mask.<layer>` (U8 0/1),
 * `init.<layer>` (F32) and optional `final.<layer>` (F32) in our layout (conv [kh, kw, in, out],
 * dense [in, out]; metadata `layout: "hwio"`), and PyTorch `torch.nn.utils.prune` style files
 * (see pytorch-layout.ts). Decoding validates everything and returns tensors ready to store.
 */
import { invalidInput, LabError } from '../../contract/errors.js';
import { METHODS } from '../../contract/experiment-config.js';
import { sparsity, type Mask } from '../../lab/masks.js';
import { countWeights, getModel } from '../../lab/models/registry.js';
import type { ModelDef, ParamSpec } from '../../lab/models/types.js';
import type { WeightMap } from '../../lab/weights.js';
import { f32ToLeBytes, firstNonFinite, leBytesAsF32, leBytesToF32 } from '../tensors.js';
import { prunableSetOf, type PrunableSet, type StoredTicket } from '../tickets.js';
import { fromTorchLayout, ourParam, torchIndex, torchModuleAliases, torchModuleIndex, torchName, torchShape, toTorchLayout } from './pytorch-layout.js';
import { DTYPE_SIZES, parseSafetensors, tensorBytes, writeSafetensors, type Dtype, type SafetensorsFile, type TensorEntry, type TensorToWrite } from './safetensors.js';

/** The format tag in `__metadata__.format`. */
export const TICKET_FORMAT = 'colt-ticket/1';
/** Our tensor layout tag: conv kernels [kh, kw, in, out], dense kernels [in, out]. */
export const TICKET_LAYOUT = 'hwio';
/** The format tag of PyTorch-style files this app writes (`__metadata__.colt_format`). */
export const PYTORCH_FORMAT = 'pytorch-prune/1';

/** Which file flavour to write. */
export type TicketFileFormat = 'colt' | 'pytorch';

/** A ticket decoded from a file and validated against its architecture. */
export interface DecodedTicket {
  readonly format: typeof TICKET_FORMAT | typeof PYTORCH_FORMAT;
  readonly def: ModelDef;
  readonly prunable: PrunableSet;
  readonly mask: Mask;
  readonly init: WeightMap;
  readonly final?: WeightMap;
  readonly method: string | null;
  readonly dataset: string | null;
  readonly datasetChecksum: string | null;
  readonly seed: number | null;
  readonly round: number | null;
  /** What the reader assumed (e.g. an input shape a PyTorch file does not state). */
  readonly notes: readonly string[];
  /** The file's `__metadata__` (its accuracy and provenance are read from it on import). */
  readonly metadata: Readonly<Record<string, string>>;
}

/** What a PyTorch-style file may not say and the user can: its architecture, input shape and classes. */
export interface DecodeOptions {
  readonly arch?: string;
  readonly inputShape?: readonly [number, number, number];
  readonly classes?: number;
}

// ---------------------------------------------------------------------------------------------
// Writing

/** The `__metadata__` of a stored ticket (strings only, as safetensors requires). */
export function ticketMetadata(t: StoredTicket, format: TicketFileFormat, appVersion: string): Record<string, string> {
  const r = t.row;
  const meta: Record<string, string> = {
    format: format === 'colt' ? TICKET_FORMAT : 'pt',
    ...(format === 'pytorch' ? { colt_format: PYTORCH_FORMAT } : {}),
    layout: format === 'colt' ? TICKET_LAYOUT : 'pytorch',
    arch: r.arch,
    input_shape: JSON.stringify(r.inputShape),
    classes: String(r.classes),
    prunable: r.prunable,
    sparsity: String(r.sparsity),
    sparsity_all: String(r.sparsityAll),
    layer_sparsity: JSON.stringify(r.layerSparsity),
    app_version: appVersion,
    ticket_app_version: r.appVersion,
    created: r.created,
  };
  if (r.method !== null) meta.method = r.method;
  if (r.dataset !== null) meta.dataset = r.dataset;
  if (r.datasetChecksum !== null) meta.dataset_checksum = r.datasetChecksum;
  if (r.seed !== null) meta.seed = String(r.seed);
  if (r.round !== null) meta.round = String(r.round);
  if (r.runId !== null) meta.run = String(r.runId);
  if (r.sourceSha256 !== null) meta.source_sha256 = r.sourceSha256;
  return meta;
}

/** Encodes a stored ticket as safetensors chunks (our format, or PyTorch prune style); `provenance` adds its accuracy and origin to the metadata. */
export function encodeTicketFile(t: StoredTicket, options: { format?: TicketFileFormat; final?: boolean; appVersion: string; provenance?: Record<string, string> }): Uint8Array[] {
  const format = options.format ?? 'colt';
  const tensors: TensorToWrite[] = [];
  const shape = (name: string): readonly number[] => {
    const s = t.shapes.get(name);
    if (!s) throw new LabError('storage', `ticket ${t.row.id}: no shape stored for ${name}`);
    return s;
  };
  if (format === 'colt') {
    for (const [name, m] of t.mask) tensors.push({ name: `mask.${name}`, dtype: 'U8', shape: shape(name), data: m });
    for (const [name, v] of t.init) tensors.push({ name: `init.${name}`, dtype: 'F32', shape: shape(name), data: f32ToLeBytes(v) });
    if (options.final !== false) for (const [name, v] of t.final ?? []) tensors.push({ name: `final.${name}`, dtype: 'F32', shape: shape(name), data: f32ToLeBytes(v) });
  } else {
    const def = buildDef(t.row.arch, t.row.inputShape, t.row.classes, 'ticket');
    for (const spec of def.params) {
      const values = t.init.get(spec.name);
      if (!values) continue;
      const { module, leaf } = torchName(def, spec);
      const index = torchIndex(def, spec);
      const mask = t.mask.get(spec.name);
      const torchValues = toTorchLayout(values, index);
      if (mask) {
        tensors.push({ name: `${module}.weight_orig`, dtype: 'F32', shape: torchShape(spec), data: f32ToLeBytes(torchValues) });
        // torch.nn.utils.prune keeps masks in the weight's dtype.
        const m = toTorchLayout(mask, index);
        tensors.push({ name: `${module}.weight_mask`, dtype: 'F32', shape: torchShape(spec), data: f32ToLeBytes(Float32Array.from(m)) });
      } else {
        tensors.push({ name: `${module}.${leaf}`, dtype: 'F32', shape: torchShape(spec), data: f32ToLeBytes(torchValues) });
      }
    }
  }
  return writeSafetensors(tensors, { ...(options.provenance ?? {}), ...ticketMetadata(t, format, options.appVersion) });
}

// ---------------------------------------------------------------------------------------------
// Reading

/** Parses and validates a ticket file (either flavour); throws invalid_input naming the tensor or byte at fault. */
export function decodeTicketFile(bytes: Uint8Array, options: DecodeOptions = {}): DecodedTicket {
  const file = parseSafetensors(bytes);
  const meta = file.metadata ?? {};
  const format = meta.format;
  if (format === TICKET_FORMAT) return decodeColt(file, meta, options);
  if (format !== undefined && format.startsWith('colt-ticket/')) {
    throw invalidInput(`__metadata__.format '${format}' is not supported: this version reads ${TICKET_FORMAT}`, { tensor: '__metadata__' });
  }
  if ([...file.tensors.keys()].some((n) => n.endsWith('.weight_mask'))) return decodePytorch(file, meta, options);
  throw invalidInput(
    file.metadata === null
      ? `no __metadata__ (expected format '${TICKET_FORMAT}') and no PyTorch '<layer>.weight_mask' tensors: not a ticket file`
      : `__metadata__.format is ${format === undefined ? 'missing' : `'${format}'`} (expected '${TICKET_FORMAT}') and there are no PyTorch '<layer>.weight_mask' tensors: not a ticket file`,
    { tensor: '__metadata__' },
  );
}

function decodeColt(file: SafetensorsFile, meta: Record<string, string>, options: DecodeOptions): DecodedTicket {
  if (meta.layout !== TICKET_LAYOUT) {
    throw invalidInput(
      `__metadata__.layout is ${meta.layout === undefined ? 'missing' : `'${meta.layout}'`}; ${TICKET_FORMAT} files hold '${TICKET_LAYOUT}' tensors (conv [kh, kw, in, out], dense [in, out])`,
      { tensor: '__metadata__' },
    );
  }
  const arch = required(meta, 'arch');
  const inputShape = parseShape(required(meta, 'input_shape'), '__metadata__.input_shape');
  const classes = parseCount(required(meta, 'classes'), '__metadata__.classes');
  if (options.arch !== undefined && options.arch !== arch) throw invalidInput(`the file is a ${arch} ticket, not ${options.arch}`, { tensor: '__metadata__' });
  const def = buildDef(arch, inputShape, classes, '__metadata__');
  const specs = new Map(def.params.map((p) => [p.name, p]));
  const mask: Mask = new Map();
  const init: WeightMap = new Map();
  const final: WeightMap = new Map();
  for (const entry of file.tensors.values()) {
    const m = /^(mask|init|final)\.(.+)$/.exec(entry.name);
    if (!m) throw invalidInput(`tensor '${entry.name}' is not part of a ${TICKET_FORMAT} file (expected mask.<layer>, init.<layer> or final.<layer>)`, { tensor: entry.name });
    const [, role, layer] = m;
    const spec = specs.get(layer);
    if (!spec) throw invalidInput(`tensor '${entry.name}': ${def.arch} has no parameter '${layer}'`, { tensor: entry.name });
    checkShape(entry, spec.shape);
    if (role === 'mask') {
      if (spec.kind !== 'conv' && spec.kind !== 'dense') throw invalidInput(`tensor '${entry.name}': '${layer}' is a ${spec.kind}, not a prunable kernel`, { tensor: entry.name });
      if (entry.dtype !== 'U8') throw invalidInput(`tensor '${entry.name}': dtype ${entry.dtype}, masks are U8`, { tensor: entry.name });
      mask.set(layer, readMask(file, entry));
    } else {
      if (entry.dtype !== 'F32') throw invalidInput(`tensor '${entry.name}': dtype ${entry.dtype}, weights are F32`, { tensor: entry.name });
      (role === 'init' ? init : final).set(layer, readWeights(file, entry));
    }
  }
  const result = assemble(def, mask, init, final, (p) => `init.${p.name}`, (p) => `final.${p.name}`);
  checkStatedSparsity(meta, def, result.mask, result.prunable);
  return {
    format: TICKET_FORMAT,
    ...result,
    ...originOf(meta),
    notes: [],
    metadata: meta,
  };
}

const TORCH_IGNORED = ['running_mean', 'running_var', 'num_batches_tracked'];

function decodePytorch(file: SafetensorsFile, meta: Record<string, string>, options: DecodeOptions): DecodedTicket {
  const notes: string[] = [];
  const { def, assumed } = pytorchModel(file, meta, options);
  if (assumed) notes.push(assumed);
  const modules = torchModuleIndex(def);
  const mask: Mask = new Map();
  const init: WeightMap = new Map();
  const seen = new Map<string, string>();
  for (const entry of file.tensors.values()) {
    const name = entry.name.startsWith('module.') ? entry.name.slice('module.'.length) : entry.name;
    const at = name.lastIndexOf('.');
    const torchModule = name.slice(0, Math.max(0, at));
    const leaf = name.slice(at + 1);
    const module = modules.get(torchModule);
    if (at <= 0 || module === undefined) throw invalidInput(`tensor '${entry.name}' maps onto no layer of ${def.arch}`, { tensor: entry.name });
    if (TORCH_IGNORED.includes(leaf)) {
      if (!def.params.some((p) => p.name === `${module}.scale`)) throw invalidInput(`tensor '${entry.name}': ${module} of ${def.arch} is not a batch-norm layer`, { tensor: entry.name });
      continue;
    }
    if (leaf === 'bias_orig' || leaf === 'bias_mask') throw invalidInput(`tensor '${entry.name}': pruned biases are not supported (only weight masks)`, { tensor: entry.name });
    const isMask = leaf === 'weight_mask';
    const spec = ourParam(def, module, leaf === 'weight_orig' || isMask ? 'weight' : leaf);
    if (!spec) throw invalidInput(`tensor '${entry.name}': ${module} of ${def.arch} has no '${leaf}'`, { tensor: entry.name });
    if ((isMask || leaf === 'weight_orig') && spec.kind !== 'conv' && spec.kind !== 'dense') {
      throw invalidInput(`tensor '${entry.name}': ${spec.name} is a ${spec.kind}, not a prunable kernel`, { tensor: entry.name });
    }
    const key = `${spec.name}/${isMask ? 'mask' : 'value'}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) throw invalidInput(`tensors '${earlier}' and '${entry.name}' both give ${isMask ? 'the mask of ' : ''}${spec.name}`, { tensor: entry.name });
    seen.set(key, entry.name);
    checkShape(entry, torchShape(spec));
    const index = torchIndex(def, spec);
    if (isMask) mask.set(spec.name, fromTorchLayout(readMask(file, entry), index));
    else init.set(spec.name, fromTorchLayout(readWeights(file, entry), index));
  }
  for (const [layer, name] of [...seen].filter(([k]) => k.endsWith('/mask')).map(([k, v]) => [k.slice(0, -5), v])) {
    const orig = seen.get(`${layer}/value`);
    if (orig === undefined || !orig.endsWith('.weight_orig')) {
      throw invalidInput(`tensor '${name}' has no matching '.weight_orig' tensor`, { tensor: name });
    }
  }
  const torch = (p: ParamSpec): string => {
    const t = torchName(def, p);
    return mask.has(p.name) ? `${t.module}.weight_orig` : `${t.module}.${t.leaf}`;
  };
  const result = assemble(def, mask, init, new Map(), torch, torch);
  checkStatedSparsity(meta, def, result.mask, result.prunable);
  return {
    format: PYTORCH_FORMAT,
    ...result,
    ...originOf(meta),
    notes,
    metadata: meta,
  };
}

/** Input shapes tried, in order, when a PyTorch file does not state one. */
const GUESSED_SPATIAL = [32, 28, 64];

/** The architecture of a PyTorch-style file: from options, then metadata, then the tensor names and shapes. */
function pytorchModel(file: SafetensorsFile, meta: Record<string, string>, options: DecodeOptions): { def: ModelDef; assumed?: string } {
  const arch = options.arch ?? meta.arch;
  const statedShape = options.inputShape ?? (meta.input_shape !== undefined ? parseShape(meta.input_shape, '__metadata__.input_shape') : undefined);
  const statedClasses = options.classes ?? (meta.classes !== undefined ? parseCount(meta.classes, '__metadata__.classes') : undefined);
  if (arch !== undefined && statedShape && statedClasses !== undefined) return { def: buildDef(arch, statedShape, statedClasses, '__metadata__') };
  const names = new Map([...file.tensors.values()].map((t) => [t.name.startsWith('module.') ? t.name.slice(7) : t.name, t]));
  const archs = arch !== undefined ? [getModel(arch).name] : ['lenet-300-100', 'conv2', 'conv4', 'conv6', 'conv3', 'resnet18', 'resnet20', 'vgg16', 'vgg19'];
  const matches: { def: ModelDef; guessed: boolean }[] = [];
  for (const name of archs) {
    // Probe with a nominal shape to learn the head's module and the first layer's inputs.
    const probe = tryBuild(name, [32, 32, 3], 10);
    if (!probe) continue;
    const head = probe.params.find((p) => p.head && p.kind === 'dense');
    const headEntry = head && findTorch(names, probe, head);
    const classes = statedClasses ?? (headEntry ? headEntry.shape[0] : undefined);
    if (classes === undefined || classes <= 0) continue;
    const first = probe.params[0];
    const firstEntry = findTorch(names, probe, first);
    if (!firstEntry) continue;
    const shapes: (readonly [number, number, number])[] = [];
    if (statedShape) shapes.push(statedShape);
    else if (first.kind === 'conv') for (const s of GUESSED_SPATIAL) shapes.push([s, s, firstEntry.shape[1]]);
    else for (const s of GUESSED_SPATIAL) for (const c of [1, 3]) shapes.push([s, s, c]);
    for (const shape of shapes) {
      const def = tryBuild(name, shape, classes);
      if (def && def.params.every((p) => shapeMatches(findTorch(names, def, p), torchShape(p)))) {
        matches.push({ def, guessed: !statedShape });
        break;
      }
    }
  }
  if (matches.length === 0) {
    throw invalidInput(
      `the PyTorch tensor names and shapes match no known architecture${arch !== undefined ? ` (${arch})` : ''}; pass --arch, --input-shape and --classes, or check the layer names (see \`colt tickets --help\`)`,
      { tensor: '(all)' },
    );
  }
  if (matches.length > 1) {
    throw invalidInput(`the PyTorch tensors fit several architectures (${matches.map((m) => m.def.arch).join(', ')}); pass --arch`, { tensor: '(all)' });
  }
  const { def, guessed } = matches[0];
  const gap = def.params.some((p) => p.kind === 'conv') && !def.params.some((p) => p.kind === 'dense' && !p.head);
  return {
    def,
    ...(guessed && gap
      ? { assumed: `the file does not state its input size; assumed ${def.inputShape.join('x')} (weights do not depend on it; pass --input-shape to record another)` }
      : {}),
  };
}

/** The tensor giving a parameter's values under any accepted PyTorch name (names without `module.`). */
function findTorch(names: ReadonlyMap<string, TensorEntry>, def: ModelDef, spec: ParamSpec): TensorEntry | undefined {
  const { leaf } = torchName(def, spec);
  const module = spec.name.slice(0, spec.name.lastIndexOf('.'));
  for (const alias of torchModuleAliases(def.arch, module)) {
    for (const suffix of leaf === 'weight' ? ['weight', 'weight_orig'] : ['bias']) {
      const found = names.get(`${alias}.${suffix}`);
      if (found) return found;
    }
  }
  return undefined;
}

function shapeMatches(entry: TensorEntry | undefined, shape: readonly number[]): boolean {
  return entry !== undefined && entry.shape.length === shape.length && entry.shape.every((d, i) => d === shape[i]);
}

/** Completeness and consistency shared by both flavours: masks form a prunable set, θ0 covers every parameter. */
function assemble(
  def: ModelDef,
  masks: Mask,
  init: WeightMap,
  final: WeightMap,
  initName: (p: ParamSpec) => string,
  finalName: (p: ParamSpec) => string,
): { def: ModelDef; prunable: PrunableSet; mask: Mask; init: WeightMap; final?: WeightMap } {
  const prunable = prunableSetOf(def, masks.keys());
  if (!prunable) {
    const kernels = def.params.filter((p) => p.kind === 'conv' || p.kind === 'dense');
    const missing = kernels.filter((p) => !masks.has(p.name) && !p.head && p.kind === 'conv').map((p) => p.name);
    throw invalidInput(
      `the masks cover ${masks.size} layers (${[...masks.keys()].join(', ') || 'none'}), which is not a prunable set of ${def.arch} (all conv kernels, conv and dense kernels but the head, or all kernels)${missing.length ? `; e.g. '${missing[0]}' has no mask` : ''}`,
      { tensor: '(masks)' },
    );
  }
  const orderedMask: Mask = new Map();
  const orderedInit: WeightMap = new Map();
  const orderedFinal: WeightMap = new Map();
  for (const p of def.params) {
    const m = masks.get(p.name);
    if (m) orderedMask.set(p.name, m);
    const v = init.get(p.name);
    if (!v) throw invalidInput(`tensor '${initName(p)}' is missing: the initial weights must cover every parameter of ${def.arch}`, { tensor: initName(p) });
    orderedInit.set(p.name, v);
    const f = final.get(p.name);
    if (final.size > 0 && !f) throw invalidInput(`tensor '${finalName(p)}' is missing: final weights must cover every parameter when present`, { tensor: finalName(p) });
    if (f) orderedFinal.set(p.name, f);
  }
  return { def, prunable, mask: orderedMask, init: orderedInit, ...(orderedFinal.size > 0 ? { final: orderedFinal } : {}) };
}

/** Refuses metadata whose stated sparsity or prunable set disagrees with the masks. */
function checkStatedSparsity(meta: Record<string, string>, def: ModelDef, mask: Mask, prunable: PrunableSet): void {
  const s = sparsity(mask, countWeights(def));
  if (meta.sparsity !== undefined) {
    const stated = Number(meta.sparsity);
    if (meta.sparsity.trim() === '' || !Number.isFinite(stated) || Math.abs(stated - s.overall) > 1e-6) {
      throw invalidInput(`__metadata__.sparsity '${meta.sparsity}' disagrees with the masks (${s.overall})`, { tensor: '__metadata__' });
    }
  }
  if (meta.prunable !== undefined && meta.prunable !== prunable) {
    throw invalidInput(`__metadata__.prunable '${meta.prunable}' disagrees with the masks, which cover '${prunable}'`, { tensor: '__metadata__' });
  }
  if (meta.layer_sparsity !== undefined) {
    let stated: unknown;
    try {
      stated = JSON.parse(meta.layer_sparsity);
    } catch {
      throw invalidInput('__metadata__.layer_sparsity is not JSON', { tensor: '__metadata__' });
    }
    if (stated === null || typeof stated !== 'object' || Array.isArray(stated)) throw invalidInput('__metadata__.layer_sparsity is not a JSON object', { tensor: '__metadata__' });
    for (const [layer, value] of Object.entries(stated as Record<string, unknown>)) {
      const actual = s.perLayer[layer];
      if (actual === undefined || typeof value !== 'number' || Math.abs(value - actual) > 1e-6) {
        throw invalidInput(`__metadata__.layer_sparsity.${layer} disagrees with the masks`, { tensor: '__metadata__' });
      }
    }
  }
}

function checkShape(entry: TensorEntry, shape: readonly number[]): void {
  if (!shapeMatches(entry, shape)) {
    throw invalidInput(`tensor '${entry.name}': shape [${entry.shape.join(', ')}], expected [${shape.join(', ')}]`, { tensor: entry.name });
  }
}

/** A mask's values as 0/1 bytes; any other value is an error naming the element and byte. */
function readMask(file: SafetensorsFile, entry: TensorEntry): Uint8Array {
  const size = DTYPE_SIZES[entry.dtype];
  const n = (entry.end - entry.begin) / size;
  if (entry.dtype === 'U8' || entry.dtype === 'BOOL') {
    // The common case: check the bytes in place and copy once.
    const bytes = tensorBytes(file, entry);
    for (let i = 0; i < n; i++) if (bytes[i] > 1) badMaskValue(entry, i, bytes[i]);
    return bytes.slice();
  }
  const values = decodeNumbers(file, entry);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === 1) out[i] = 1;
    else if (v !== 0) badMaskValue(entry, i, v);
  }
  return out;
}

function badMaskValue(entry: TensorEntry, i: number, v: number): never {
  const byte = entry.begin + i * DTYPE_SIZES[entry.dtype];
  throw invalidInput(`tensor '${entry.name}': element ${i} (byte ${byte}) is ${Number.isNaN(v) ? 'NaN' : v}; masks hold only 0 and 1`, {
    tensor: entry.name,
    byte,
    element: i,
  });
}

/** Float weights as float32 (a view into the file when possible); NaN or infinity is an error naming the element and byte. */
function readWeights(file: SafetensorsFile, entry: TensorEntry): Float32Array {
  if (!['F32', 'F64', 'F16', 'BF16'].includes(entry.dtype)) throw invalidInput(`tensor '${entry.name}': dtype ${entry.dtype}, weights must be floats`, { tensor: entry.name });
  const values = entry.dtype === 'F32' ? leBytesAsF32(tensorBytes(file, entry)) : Float32Array.from(decodeNumbers(file, entry));
  const i = firstNonFinite(values);
  if (i >= 0) {
    const byte = entry.begin + i * DTYPE_SIZES[entry.dtype];
    throw invalidInput(`tensor '${entry.name}': element ${i} (byte ${byte}) is ${values[i]}; weights must be finite`, { tensor: entry.name, byte, element: i });
  }
  return values;
}

/** Element values of any numeric dtype as JS numbers (64-bit integers beyond 2^53 lose precision, which masks reject anyway). */
function decodeNumbers(file: SafetensorsFile, entry: TensorEntry): ArrayLike<number> {
  const bytes = tensorBytes(file, entry);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = DTYPE_SIZES[entry.dtype];
  const n = bytes.length / size;
  switch (entry.dtype as Dtype) {
    case 'U8':
    case 'BOOL':
      return bytes;
    case 'F32':
      return leBytesToF32(bytes);
    default: {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = readNumber(view, i * size, entry.dtype);
      return out;
    }
  }
}

function readNumber(view: DataView, at: number, dtype: Dtype): number {
  switch (dtype) {
    case 'I8':
      return view.getInt8(at);
    case 'I16':
      return view.getInt16(at, true);
    case 'U16':
      return view.getUint16(at, true);
    case 'I32':
      return view.getInt32(at, true);
    case 'U32':
      return view.getUint32(at, true);
    case 'I64':
      return Number(view.getBigInt64(at, true));
    case 'U64':
      return Number(view.getBigUint64(at, true));
    case 'F64':
      return view.getFloat64(at, true);
    case 'F16':
      return halfToFloat(view.getUint16(at, true));
    case 'BF16': {
      const buf = new DataView(new ArrayBuffer(4));
      buf.setUint32(0, view.getUint16(at, true) << 16);
      return buf.getFloat32(0);
    }
    default:
      // 8-bit float formats: not meaningful for masks or weights here.
      return NaN;
  }
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

// ---------------------------------------------------------------------------------------------
// Metadata helpers

function required(meta: Record<string, string>, key: string): string {
  const v = meta[key];
  if (v === undefined) throw invalidInput(`__metadata__.${key} is missing`, { tensor: '__metadata__' });
  return v;
}

/** Where a ticket file says it came from (its optional metadata keys), checked. */
function originOf(meta: Record<string, string>): { method: string | null; dataset: string | null; datasetChecksum: string | null; seed: number | null; round: number | null } {
  return {
    method: optionalText(meta, 'method'),
    dataset: optionalText(meta, 'dataset'),
    datasetChecksum: optionalText(meta, 'dataset_checksum'),
    seed: optionalCount(meta, 'seed'),
    round: optionalCount(meta, 'round'),
  };
}

function optionalText(meta: Record<string, string>, key: string): string | null {
  const v = meta[key];
  if (v === undefined) return null;
  if (v.length > 200) throw invalidInput(`__metadata__.${key} is longer than 200 characters`, { tensor: '__metadata__' });
  if (key === 'method' && !(METHODS as readonly string[]).includes(v) && !/^[a-z0-9][a-z0-9_.+-]*$/i.test(v)) {
    throw invalidInput(`__metadata__.method '${v}' is not a method name`, { tensor: '__metadata__' });
  }
  return v;
}

function optionalCount(meta: Record<string, string>, key: string): number | null {
  const v = meta[key];
  return v === undefined ? null : parseCount(v, `__metadata__.${key}`, 0);
}

function parseCount(text: string, field: string, min = 1): number {
  if (!/^(0|[1-9][0-9]{0,9})$/.test(text) || Number(text) < min || Number(text) > 2 ** 31 - 1) {
    throw invalidInput(`${field} '${text.slice(0, 40)}' is not an integer ≥ ${min}`, { tensor: '__metadata__' });
  }
  return Number(text);
}

function parseShape(text: string, field: string): [number, number, number] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw invalidInput(`${field} '${text.slice(0, 40)}' is not JSON such as [32, 32, 3]`, { tensor: '__metadata__' });
  }
  if (!Array.isArray(v) || v.length !== 3 || v.some((d) => !Number.isInteger(d) || d < 1 || d > 4096)) {
    throw invalidInput(`${field} '${text.slice(0, 40)}' is not [height, width, channels] with sizes 1-4096`, { tensor: '__metadata__' });
  }
  return v as [number, number, number];
}

function tryBuild(arch: string, shape: readonly [number, number, number], classes: number): ModelDef | undefined {
  try {
    return getModel(arch).build(shape, classes);
  } catch {
    return undefined;
  }
}

/** Builds the named architecture for an input shape and class count; invalid_input when it does not fit. */
export function buildDef(arch: string, shape: readonly [number, number, number], classes: number, where: string): ModelDef {
  const entry = getModel(arch);
  try {
    return entry.build(shape, classes);
  } catch (e) {
    throw invalidInput(`${where}: ${arch} cannot be built for input ${shape.join('x')} and ${classes} classes (${(e as Error).message})`, { tensor: where });
  }
}
