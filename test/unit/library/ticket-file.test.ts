import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LabError } from '../../../main/contract/errors.js';
import type { ModelDef } from '../../../main/lab/models/types.js';
import type { Db } from '../../../main/library/db.js';
import { f32ToLeBytes } from '../../../main/library/tensors.js';
import { decodeTicketFile, TICKET_FORMAT } from '../../../main/library/ticket-file/colt-ticket.js';
import { writeSafetensors, type TensorToWrite } from '../../../main/library/ticket-file/safetensors.js';
import { parseStrictJson } from '../../../main/library/ticket-file/strict-json.js';
import { exportTicketBytes, exportTicketFile, importTicketBytes, importTicketFile } from '../../../main/library/ticket-file/ticket-io.js';
import { loadTicket } from '../../../main/library/tickets.js';
import { rowCounts, tempLibrary } from './helpers.js';
import { makeTicket, storeTicket } from './ticket-fixtures.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function library(): { db: Db; dir: string } {
  const t = tempLibrary();
  cleanups.push(t.cleanup);
  return t;
}

const concat = (chunks: Uint8Array[]): Buffer => Buffer.concat(chunks);
const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * A second, minimal safetensors reader written from the format description (not from our
 * reader): it also checks the layout rules the reference writer follows.
 */
function minimalRead(file: Uint8Array): { meta: Record<string, string>; tensors: Map<string, { dtype: string; shape: number[]; bytes: Uint8Array }> } {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const n = Number(view.getBigUint64(0, true));
  expect(n % 8, 'header padded to 8 bytes').toBe(0);
  const header = JSON.parse(Buffer.from(file.subarray(8, 8 + n)).toString('utf8')) as Record<string, unknown>;
  const meta = (header.__metadata__ ?? {}) as Record<string, string>;
  delete header.__metadata__;
  const tensors = new Map<string, { dtype: string; shape: number[]; bytes: Uint8Array }>();
  let expectedBegin = 0;
  const entries = Object.entries(header as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>).sort(
    (a, b) => a[1].data_offsets[0] - b[1].data_offsets[0],
  );
  let lastDtype = 'F32';
  let lastName = '';
  for (const [name, e] of entries) {
    expect(e.data_offsets[0], `${name} follows the previous tensor`).toBe(expectedBegin);
    if (e.dtype === 'F32') expect((8 + n + e.data_offsets[0]) % 4, `${name} aligned`).toBe(0);
    // The reference writer's order: F32 before U8, names ascending within a dtype.
    if (e.dtype === lastDtype) expect(name > lastName, `${name} after ${lastName}`).toBe(true);
    else expect([lastDtype, e.dtype]).toEqual(['F32', 'U8']);
    lastDtype = e.dtype;
    lastName = name;
    expectedBegin = e.data_offsets[1];
    tensors.set(name, { dtype: e.dtype, shape: e.shape, bytes: file.subarray(8 + n + e.data_offsets[0], 8 + n + e.data_offsets[1]) });
  }
  expect(8 + n + expectedBegin).toBe(file.length);
  return { meta, tensors };
}

const PYTHON = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;

// numpy only: reads both files from the bytes, reports what it read, and checks the PyTorch layout
// against our layout with its own transposes (an independent implementation of pytorch-layout.ts).
const NUMPY_READER = String.raw`
import sys, json, struct, hashlib
import numpy as np
def load(path):
    data = open(path, 'rb').read()
    n = struct.unpack('<Q', data[:8])[0]
    header = json.loads(data[8:8 + n])
    meta = header.pop('__metadata__', {})
    arrays = {}
    for name, e in header.items():
        b, end = e['data_offsets']
        dt = {'F32': '<f4', 'U8': 'u1'}[e['dtype']]
        arrays[name] = np.frombuffer(data[8 + n + b:8 + n + end], dtype=dt).reshape(e['shape'])
    return meta, arrays
meta, colt = load(sys.argv[1])
report = {'meta': meta, 'tensors': {k: {'dtype': str(v.dtype), 'shape': list(v.shape), 'sha256': hashlib.sha256(np.ascontiguousarray(v).tobytes()).hexdigest()} for k, v in colt.items()}}
if len(sys.argv) > 2:
    tmeta, torch = load(sys.argv[2])
    arch = meta['arch']
    head = 'linear' if arch.startswith('resnet') else 'classifier' if arch.startswith('vgg') else 'fc'
    def torch_module(m):
        if m == 'head': return head
        if m.endswith('.shortcut.conv'): return m[:-len('conv')] + '0'
        if m.endswith('.shortcut.bn'): return m[:-len('bn')] + '1'
        return m
    inits = [k for k in colt if k.startswith('init.')]
    # Which dense layer flattens a feature map, per the documented architectures: LTH Conv-2/4/6
    # flatten their last conv's output into fc1, LeNet flattens the image; the others pool to 1x1.
    first_dense = None
    if arch in ('conv2', 'conv4', 'conv6'):
        first_dense = ('init.fc1.weight', colt['init.conv%d.weight' % int(arch[4:])].shape[3])
    elif arch == 'lenet-300-100':
        first_dense = ('init.fc1.weight', json.loads(meta['input_shape'])[2])
    checked, bad = 0, []
    for k in inits:
        layer = k[len('init.'):]
        module, leaf = layer.rsplit('.', 1)
        v = colt[k]
        m = colt.get('mask.' + layer)
        def to_torch(a):
            if a.ndim == 4: return a.transpose(3, 2, 0, 1)
            if a.ndim == 2:
                if first_dense and first_dense[0] == k:
                    c = first_dense[1]
                    hw = a.shape[0] // c
                    h = int(round(hw ** 0.5))
                    if c > 1 and hw > 1:
                        return a.reshape(h, hw // h, c, a.shape[1]).transpose(3, 2, 0, 1).reshape(a.shape[1], a.shape[0])
                return a.T
            return a
        tleaf = 'weight' if leaf in ('weight', 'scale') else 'bias'
        name = torch_module(module) + '.' + (tleaf + '_orig' if m is not None else tleaf)
        if name not in torch or not np.array_equal(torch[name], to_torch(v)): bad.append(name)
        if m is not None:
            mname = torch_module(module) + '.weight_mask'
            if mname not in torch or not np.array_equal(torch[mname], to_torch(m).astype('<f4')): bad.append(mname)
        checked += 1
    report['layout_checked'] = checked
    report['layout_mismatches'] = bad
    report['torch_tensors'] = len(torch)
print(json.dumps(report))
`;

describe('ticket files', () => {
  it.each([
    ['conv2', [8, 8, 3], 5, 'conv+dense'],
    ['resnet20', [8, 8, 3], 10, 'conv'],
    ['lenet-300-100', [6, 6, 3], 4, 'all'],
  ] as const)('%s: exports colt-ticket/1 that an independent reader reads back, and imports it unchanged', async (arch, shape, classes, prunable) => {
    const { db, dir } = library();
    const t = makeTicket(arch, [...shape], classes, { prunable, final: true });
    const id = storeTicket(db, t);
    const file = path.join(dir, 'ticket.safetensors');
    const size = await exportTicketFile(db, id, file, { appVersion: '9.9.9' });
    const bytes = readFileSync(file);
    expect(bytes.length).toBe(size);

    const { meta, tensors } = minimalRead(bytes);
    expect(meta).toMatchObject({
      format: TICKET_FORMAT,
      layout: 'hwio',
      arch,
      input_shape: JSON.stringify(shape),
      classes: String(classes),
      prunable,
      method: 'colt',
      dataset: 'cifar10',
      seed: '7',
      round: '3',
      app_version: '9.9.9',
    });
    expect(Number(meta.sparsity)).toBeGreaterThan(0.6);
    expect(Object.keys(JSON.parse(meta.layer_sparsity) as object).sort()).toEqual([...t.mask.keys()].sort());
    for (const spec of t.def.params) {
      const init = tensors.get(`init.${spec.name}`)!;
      expect(init.dtype).toBe('F32');
      expect(init.shape).toEqual(spec.shape);
      expect(Buffer.from(init.bytes).equals(Buffer.from(f32ToLeBytes(t.init.get(spec.name)!)))).toBe(true);
      expect(Buffer.from(tensors.get(`final.${spec.name}`)!.bytes).equals(Buffer.from(f32ToLeBytes(t.final!.get(spec.name)!)))).toBe(true);
      const mask = t.mask.get(spec.name);
      if (mask) {
        const m = tensors.get(`mask.${spec.name}`)!;
        expect(m.dtype).toBe('U8');
        expect(m.shape).toEqual(spec.shape);
        expect(Buffer.from(m.bytes).equals(Buffer.from(mask))).toBe(true);
      } else expect(tensors.has(`mask.${spec.name}`)).toBe(false);
    }
    expect(tensors.size).toBe(2 * t.def.params.length + t.mask.size);

    const other = library().db;
    const result = await importTicketFile(other, file, { appVersion: 'test' });
    expect(result).toMatchObject({ duplicate: false, format: TICKET_FORMAT, arch });
    const back = loadTicket(other, result.ticketId);
    expect(back.row).toMatchObject({ arch, classes, prunable, method: 'colt', seed: 7, round: 3, dataset: 'cifar10', sourceFile: 'ticket.safetensors', sourceSha256: sha(bytes), sourceFormat: TICKET_FORMAT });
    for (const [name, m] of t.mask) expect(Buffer.from(back.mask.get(name)!).equals(Buffer.from(m))).toBe(true);
    for (const [name, v] of t.init) expect(Buffer.from(f32ToLeBytes(back.init.get(name)!)).equals(Buffer.from(f32ToLeBytes(v)))).toBe(true);
    expect(back.final?.size).toBe(t.def.params.length);
    // Importing the same file again writes nothing.
    const counts = rowCounts(other);
    expect(await importTicketFile(other, file, { appVersion: 'test' })).toMatchObject({ ticketId: result.ticketId, duplicate: true });
    expect(rowCounts(other)).toEqual(counts);
  });

  it.skipIf(!PYTHON)('reads the same arrays with a numpy-only Python reader, and the PyTorch layout matches numpy transposes', () => {
    const { db, dir } = library();
    for (const [arch, shape, classes] of [
      ['conv2', [8, 8, 3], 5],
      ['resnet20', [8, 8, 3], 10],
    ] as const) {
      const t = makeTicket(arch, [...shape], classes, { prunable: 'conv+dense' });
      const id = storeTicket(db, t, arch);
      const colt = path.join(dir, `${arch}.safetensors`);
      const torch = path.join(dir, `${arch}-torch.safetensors`);
      writeFileSync(colt, concat(exportTicketBytes(db, id, { appVersion: 'test' })));
      writeFileSync(torch, concat(exportTicketBytes(db, id, { appVersion: 'test', format: 'pytorch' })));
      const py = spawnSync('python3', ['-c', NUMPY_READER, colt, torch], { encoding: 'utf8', maxBuffer: 1 << 26 });
      expect(py.status, py.stderr).toBe(0);
      const report = JSON.parse(py.stdout) as {
        meta: Record<string, string>;
        tensors: Record<string, { dtype: string; shape: number[]; sha256: string }>;
        layout_checked: number;
        layout_mismatches: string[];
      };
      expect(report.meta.arch).toBe(arch);
      for (const spec of t.def.params) {
        expect(report.tensors[`init.${spec.name}`]).toEqual({ dtype: 'float32', shape: [...spec.shape], sha256: sha(f32ToLeBytes(t.init.get(spec.name)!)) });
        const m = t.mask.get(spec.name);
        if (m) expect(report.tensors[`mask.${spec.name}`]).toEqual({ dtype: 'uint8', shape: [...spec.shape], sha256: sha(m) });
      }
      expect(report.layout_checked).toBe(t.def.params.length);
      expect(report.layout_mismatches).toEqual([]);
    }
  });

  it('writes PyTorch prune-style files in PyTorch layout and names, and imports them back to the same ticket', () => {
    const { db } = library();
    const t = makeTicket('conv2', [8, 8, 3], 5, { prunable: 'conv+dense' });
    const id = storeTicket(db, t);
    const bytes = concat(exportTicketBytes(db, id, { appVersion: 'test', format: 'pytorch' }));
    const { meta, tensors } = minimalRead(bytes);
    expect(meta).toMatchObject({ format: 'pt', colt_format: 'pytorch-prune/1', layout: 'pytorch', arch: 'conv2' });
    expect([...tensors.keys()].sort()).toEqual(
      ['conv1', 'conv2', 'fc1', 'fc2'].flatMap((m) => [`${m}.bias`, `${m}.weight_mask`, `${m}.weight_orig`]).concat(['fc.bias', 'fc.weight']).sort(),
    );
    // Conv: ours [kh, kw, in, out], PyTorch [out, in, kh, kw].
    const conv = tensors.get('conv2.weight_orig')!;
    expect(conv.shape).toEqual([64, 64, 3, 3]);
    const f = (b: Uint8Array, i: number): number => new DataView(b.buffer, b.byteOffset).getFloat32(i * 4, true);
    const ours = t.init.get('conv2.weight')!;
    for (const [y, x, i, o] of [
      [0, 0, 0, 0],
      [2, 1, 5, 63],
      [1, 2, 63, 7],
    ]) {
      expect(f(conv.bytes, ((o * 64 + i) * 3 + y) * 3 + x)).toBe(ours[((y * 3 + x) * 64 + i) * 64 + o]);
    }
    // First dense after the flatten of a 4x4x64 map: inputs (h, w, c) here, (c, h, w) in PyTorch.
    const fc1 = tensors.get('fc1.weight_orig')!;
    expect(fc1.shape).toEqual([256, 1024]);
    const w = t.init.get('fc1.weight')!;
    for (const [y, x, c, o] of [
      [0, 0, 1, 0],
      [3, 2, 17, 200],
      [1, 3, 63, 255],
    ]) {
      expect(f(fc1.bytes, o * 1024 + c * 16 + y * 4 + x)).toBe(w[((y * 4 + x) * 64 + c) * 256 + o]);
    }
    const m = tensors.get('fc1.weight_mask')!;
    expect(m.dtype).toBe('F32');
    expect(f(m.bytes, 5 * 1024 + 3 * 16 + 2 * 4 + 1)).toBe(t.mask.get('fc1.weight')![((2 * 4 + 1) * 64 + 3) * 256 + 5]);

    const other = library().db;
    const result = importTicketBytes(other, bytes, 'torch.safetensors', { appVersion: 'test' });
    expect(result.format).toBe('pytorch-prune/1');
    const back = loadTicket(other, result.ticketId);
    for (const [name, v] of t.mask) expect(Buffer.from(back.mask.get(name)!).equals(Buffer.from(v)), name).toBe(true);
    for (const [name, v] of t.init) expect(Buffer.from(f32ToLeBytes(back.init.get(name)!)).equals(Buffer.from(f32ToLeBytes(v))), name).toBe(true);
  });

  it('reads PyTorch state dicts with DataParallel prefixes, torchvision shortcut names, batch-norm buffers and no metadata', () => {
    const t = makeTicket('resnet20', [32, 32, 3], 10, { prunable: 'conv' });
    const { db } = library();
    const id = storeTicket(db, t);
    const exported = minimalRead(concat(exportTicketBytes(db, id, { appVersion: 'test', format: 'pytorch' })));
    const tensors: TensorToWrite[] = [];
    for (const [name, e] of exported.tensors) {
      const renamed = `module.${name.replace('.shortcut.0.', '.downsample.0.').replace('.shortcut.1.', '.downsample.1.')}`;
      tensors.push({ name: renamed, dtype: e.dtype as 'F32', shape: e.shape, data: e.bytes });
      if (/bn\d?\.weight$|shortcut\.1\.weight$/.test(name)) {
        const module = renamed.slice(0, -'.weight'.length);
        const c = e.shape[0];
        tensors.push({ name: `${module}.running_mean`, dtype: 'F32', shape: [c], data: new Uint8Array(4 * c) });
        tensors.push({ name: `${module}.running_var`, dtype: 'F32', shape: [c], data: f32ToLeBytes(new Float32Array(c).fill(1)) });
        tensors.push({ name: `${module}.num_batches_tracked`, dtype: 'I64', shape: [], data: new Uint8Array(8) });
      }
    }
    const decoded = decodeTicketFile(concat(writeSafetensors(tensors, null)));
    expect(decoded.def.arch).toBe('resnet20');
    expect(decoded.def.classes).toBe(10);
    expect(decoded.def.inputShape).toEqual([32, 32, 3]);
    expect(decoded.notes.join(' ')).toMatch(/assumed 32x32x3/);
    expect(decoded.prunable).toBe('conv');
    for (const [name, v] of t.mask) expect(Buffer.from(decoded.mask.get(name)!).equals(Buffer.from(v))).toBe(true);
  });

  it('names the tensor and byte at fault', () => {
    const { db } = library();
    const t = makeTicket('lenet-300-100', [4, 4, 1], 3);
    const bytes = concat(exportTicketBytes(db, storeTicket(db, t), { appVersion: 'test' }));
    const { tensors } = minimalRead(bytes);
    const mask = tensors.get('mask.fc2.weight')!;
    const bad = Buffer.from(bytes);
    bad[mask.bytes.byteOffset - bytes.byteOffset + 10] = 7;
    const e = (() => {
      try {
        importTicketBytes(db, bad, 'bad.safetensors', { appVersion: 'test' });
      } catch (err) {
        return err as LabError;
      }
      throw new Error('accepted');
    })();
    expect(e).toBeInstanceOf(LabError);
    expect(e.code).toBe('invalid_input');
    expect(e.message).toBe(`bad.safetensors: tensor 'mask.fc2.weight': element 10 (byte ${mask.bytes.byteOffset - bytes.byteOffset + 10}) is 7; masks hold only 0 and 1`);
    expect(e.details).toMatchObject({ tensor: 'mask.fc2.weight', element: 10, file: 'bad.safetensors' });
  });

  it('parses strict JSON and refuses duplicate keys and prototype tricks', () => {
    expect(parseStrictJson(' {"a": [1, -2.5e3, true, null, "x\\u0041"]} ')).toEqual({ a: [1, -2500, true, null, 'xA'] });
    expect(() => parseStrictJson('{"a": 1, "a": 2}')).toThrow(/duplicate key "a"/);
    expect(() => parseStrictJson('{"a": 01}')).toThrow();
    expect(() => parseStrictJson('[' .repeat(100) + ']'.repeat(100))).toThrow(/nesting/);
    const o = parseStrictJson('{"__proto__": {"polluted": 1}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(o)).toBe(null);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('decodes for a model that fits its metadata only', () => {
    const { db } = library();
    const t = makeTicket('conv2', [8, 8, 3], 5);
    const bytes = concat(exportTicketBytes(db, storeTicket(db, t), { appVersion: 'test' }));
    const decoded = decodeTicketFile(bytes);
    expect((decoded.def as ModelDef).inputShape).toEqual([8, 8, 3]);
    expect(() => decodeTicketFile(bytes, { arch: 'conv4' })).toThrow(/conv2 ticket, not conv4/);
  });
});
