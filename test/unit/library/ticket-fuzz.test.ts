import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../main/common/random.js';
import { LabError } from '../../../main/contract/errors.js';
import type { Db } from '../../../main/library/db.js';
import { exportTicketBytes, importTicketBytes } from '../../../main/library/ticket-file/ticket-io.js';
import { rowCounts, tempLibrary } from './helpers.js';
import { makeTicket, storeTicket } from './ticket-fixtures.js';

/** A file split into its parts, so mutations can rebuild it with a consistent header length. */
interface Parts {
  header: Record<string, unknown>;
  data: Buffer;
}

function split(file: Buffer): Parts {
  const n = Number(file.readBigUInt64LE(0));
  return { header: JSON.parse(file.subarray(8, 8 + n).toString('utf8')) as Record<string, unknown>, data: file.subarray(8 + n) };
}

function join(p: Parts, headerText?: string): Buffer {
  const json = Buffer.from(headerText ?? JSON.stringify(p.header), 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, p.data]);
}

type Entry = { dtype: string; shape: number[]; data_offsets: [number, number] };

function tensorNames(p: Parts): string[] {
  return Object.keys(p.header).filter((k) => k !== '__metadata__');
}

function entry(p: Parts, name: string): Entry {
  return p.header[name] as Entry;
}

function meta(p: Parts): Record<string, string> {
  return p.header.__metadata__ as Record<string, string>;
}

/** Named generators of malformed files; each call returns one file that must be refused. */
function mutators(valid: Buffer, pytorch: Buffer): Record<string, (rng: Rng) => Buffer> {
  const clone = (f: Buffer = valid): Parts => {
    const p = split(f);
    return { header: structuredClone(p.header), data: Buffer.from(p.data) };
  };
  const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)];
  const headerLength = Number(valid.readBigUInt64LE(0));
  return {
    truncated: (rng) => valid.subarray(0, rng.int(valid.length)),
    'huge header length': (rng) => {
      const f = Buffer.from(valid);
      f.writeBigUInt64LE(pick(rng, [2n ** 64n - 1n, 2n ** 63n, 100_000_001n, BigInt(1 + rng.int(2 ** 30)) * 1024n]));
      return f;
    },
    'header length off': (rng) => {
      const f = Buffer.from(valid);
      const delta = 1 + rng.int(64);
      f.writeBigUInt64LE(BigInt(Math.max(0, rng.next() < 0.5 ? headerLength - delta : headerLength + delta)));
      return f;
    },
    'header length past the end': (rng) => {
      const f = Buffer.from(valid);
      f.writeBigUInt64LE(BigInt(valid.length - 8 + 1 + rng.int(1000)));
      return f;
    },
    'bad JSON': (rng) => {
      const text = valid.subarray(8, 8 + headerLength).toString('latin1').replace(/ +$/, '');
      const at = 1 + rng.int(text.length - 2);
      const bad = pick(rng, ['\u0001', '\u0000', '\u001f', '\u0007']);
      const broken = text.slice(0, at) + bad + text.slice(at + 1);
      return join(split(valid), broken.padEnd(headerLength, ' ').slice(0, headerLength));
    },
    'not an object or not UTF-8': (rng) => {
      const p = clone();
      return pick(rng, [join(p, `[${JSON.stringify(p.header)}]`), join(p, '"ticket"'), Buffer.concat([valid.subarray(0, 9), Buffer.from([0xff, 0xfe]), valid.subarray(11)])]);
    },
    'duplicate key': (rng) => {
      const p = clone();
      const name = pick(rng, tensorNames(p));
      const text = JSON.stringify(p.header);
      return join(p, `${text.slice(0, -1)},${JSON.stringify(name)}:${JSON.stringify(p.header[name])}}`);
    },
    'wrong dtype': (rng) => {
      const p = clone();
      const name = pick(rng, tensorNames(p));
      const e = entry(p, name);
      const others = e.dtype === 'U8' ? ['BOOL', 'I8', 'F8_E4M3', 'U16', 'F32', 'X8', 'u8'] : ['I32', 'U32', 'F16', 'F64', 'BF16', 'U8', 'f32'];
      e.dtype = pick(rng, others);
      return join(p);
    },
    'wrong shape': (rng) => {
      const p = clone();
      const name = pick(rng, tensorNames(p));
      const e = entry(p, name);
      const kind = rng.int(4);
      if (kind === 0) e.shape = [...e.shape, 1];
      else if (kind === 1 && e.shape.length > 1) e.shape = [...e.shape].reverse();
      else if (kind === 2) e.shape = e.shape.map((d, i) => (i === 0 ? d + 1 + rng.int(3) : d));
      else e.shape = [e.shape.reduce((a, b) => a * b, 1)].concat(e.shape.length === 1 ? [1] : []);
      return join(p);
    },
    'overlapping offsets': (rng) => {
      const p = clone();
      const names = tensorNames(p).sort((a, b) => entry(p, a).data_offsets[0] - entry(p, b).data_offsets[0]);
      const i = 1 + rng.int(names.length - 1);
      const e = entry(p, names[i]);
      const prev = entry(p, names[i - 1]);
      const shift = Math.min(prev.data_offsets[1] - prev.data_offsets[0], 1 + rng.int(16)) || 1;
      e.data_offsets = [e.data_offsets[0] - shift, e.data_offsets[1] - shift];
      return join(p);
    },
    'offsets with a gap or out of range': (rng) => {
      const p = clone();
      const name = pick(rng, tensorNames(p));
      const e = entry(p, name);
      const kind = rng.int(4);
      if (kind === 0) e.data_offsets = [e.data_offsets[0] + 4, e.data_offsets[1] + 4];
      else if (kind === 1) e.data_offsets = [e.data_offsets[1], e.data_offsets[0]];
      else if (kind === 2) e.data_offsets = [e.data_offsets[0], p.data.length + 1 + rng.int(100)];
      else e.data_offsets = [-1, e.data_offsets[1]];
      return join(p);
    },
    'trailing bytes': (rng) => Buffer.concat([valid, Buffer.alloc(1 + rng.int(64), 0x41)]),
    'mask value not 0/1': (rng) => {
      const p = clone();
      const masks = tensorNames(p).filter((n) => n.startsWith('mask.'));
      const e = entry(p, pick(rng, masks));
      const at = e.data_offsets[0] + rng.int(e.data_offsets[1] - e.data_offsets[0]);
      p.data[at] = 2 + rng.int(254);
      return join(p);
    },
    'weight not finite': (rng) => {
      const p = clone();
      const weights = tensorNames(p).filter((n) => !n.startsWith('mask.'));
      const e = entry(p, pick(rng, weights));
      const at = e.data_offsets[0] + 4 * rng.int((e.data_offsets[1] - e.data_offsets[0]) / 4);
      p.data.writeUInt32LE(pick(rng, [0x7fc00000, 0x7f800000, 0xff800000, 0xffffffff, 0x7f800001]), at);
      return join(p);
    },
    'missing tensor': (rng) => {
      const p = clone();
      const names = tensorNames(p).sort((a, b) => entry(p, a).data_offsets[0] - entry(p, b).data_offsets[0]);
      const drop = pick(rng, names);
      const [b, e] = entry(p, drop).data_offsets;
      delete p.header[drop];
      for (const n of names) {
        const x = entry(p, n);
        if (x && x.data_offsets[0] >= e) x.data_offsets = [x.data_offsets[0] - (e - b), x.data_offsets[1] - (e - b)];
      }
      p.data = Buffer.concat([p.data.subarray(0, b), p.data.subarray(e)]);
      return join(p);
    },
    'unknown tensor': (rng) => {
      const p = clone();
      const n = 1 + rng.int(16);
      const name = pick(rng, ['mask.fc9.weight', 'init.conv1.weight', 'weights.fc1', 'init.fc1.bias_extra', 'final.head.scale', 'mask.fc1.bias', 'mask.head.bias']);
      p.header[name] = { dtype: 'U8', shape: [n], data_offsets: [p.data.length, p.data.length + n] };
      p.data = Buffer.concat([p.data, Buffer.alloc(n)]);
      return join(p);
    },
    'metadata missing or wrong': (rng) => {
      const p = clone();
      const m = meta(p);
      const kind = rng.int(12);
      if (kind === 0) delete p.header.__metadata__;
      else if (kind === 1) delete m[pick(rng, ['format', 'layout', 'arch', 'input_shape', 'classes'])];
      else if (kind === 2) m.format = pick(rng, ['colt-ticket/2', 'colt', '', 'pt']);
      else if (kind === 3) m.layout = pick(rng, ['pytorch', 'oihw', 'HWIO']);
      else if (kind === 4) m.sparsity = String(Number(m.sparsity) + 0.01 + rng.next());
      else if (kind === 5) m.classes = pick(rng, ['0', '-3', '2.5', 'ten', '4', '99999999999']);
      else if (kind === 6) m.input_shape = pick(rng, ['[4,4]', '[5,5,1]', '[4,4,2]', '{"h":4}', 'nope', '[0,4,1]', '[4,4,1,1]']);
      else if (kind === 7) m.seed = pick(rng, ['-1', 'x', '1.5', '']);
      else if (kind === 8) (m as Record<string, unknown>).round = 3;
      else if (kind === 9) m.prunable = pick(rng, ['conv', 'all']);
      else if (kind === 10) m.layer_sparsity = pick(rng, ['{', '{"fc1.weight": 0.99}', '[]', '{"nope": 0.1}']);
      else p.header.__metadata__ = pick(rng, [[], 'meta', null, 7]);
      return join(p);
    },
    'wrong architecture': (rng) => {
      const p = clone();
      meta(p).arch = pick(rng, ['conv2', 'conv4', 'conv6', 'conv3', 'resnet18', 'resnet20', 'vgg16', 'vgg19', 'lenet-5', 'LeNet-300-100', '']);
      return join(p);
    },
    'PyTorch file malformed': (rng) => {
      const p = clone(pytorch);
      const names = tensorNames(p);
      const kind = rng.int(5);
      if (kind === 0) {
        const masks = names.filter((n) => n.endsWith('_mask'));
        const e = entry(p, pick(rng, masks));
        p.data.writeFloatLE(pick(rng, [0.5, 2, -1, NaN]), e.data_offsets[0] + 4 * rng.int((e.data_offsets[1] - e.data_offsets[0]) / 4));
      } else if (kind === 1) {
        const e = entry(p, pick(rng, names.filter((n) => n.endsWith('_orig'))));
        e.shape = [...e.shape].reverse();
      } else if (kind === 2) {
        const n = pick(rng, names);
        p.header[n.replace(/^[a-z0-9]+/, 'bogus')] = p.header[n];
        delete p.header[n];
      } else if (kind === 3) {
        const n = pick(rng, names.filter((x) => x.endsWith('_orig')));
        p.header[n.replace('_orig', '')] = p.header[n];
        delete p.header[n];
      } else {
        meta(p).arch = pick(rng, ['conv2', 'resnet20', 'vgg16']);
      }
      return join(p);
    },
  };
}

describe('ticket import fuzzing', () => {
  let db: Db;
  let cleanup: () => void;
  let valid: Buffer;
  let pytorch: Buffer;

  beforeAll(() => {
    const lib = tempLibrary();
    db = lib.db;
    cleanup = lib.cleanup;
    const source = tempLibrary();
    const id = storeTicket(source.db, makeTicket('lenet-300-100', [4, 4, 1], 3, { final: true }));
    valid = Buffer.concat(exportTicketBytes(source.db, id, { appVersion: 'test' }));
    pytorch = Buffer.concat(exportTicketBytes(source.db, id, { appVersion: 'test', format: 'pytorch' }));
    source.cleanup();
  });
  afterAll(() => cleanup());

  it('accepts the unmutated files (the fuzzing base is valid)', () => {
    const a = importTicketBytes(db, valid, 'valid.safetensors', { appVersion: 'test' });
    const b = importTicketBytes(db, pytorch, 'valid-torch.safetensors', { appVersion: 'test' });
    expect(a.duplicate).toBe(false);
    // The PyTorch file holds the same masks and θ0: the ticket just imported.
    expect(b).toMatchObject({ duplicate: true, ticketId: a.ticketId });
  });

  it('refuses 1,300 malformed ticket files with a clear error each, never crashing or writing', () => {
    const before = rowCounts(db);
    const rng = new Rng('ticket-fuzz');
    const gens = mutators(valid, pytorch);
    const perKind = new Map<string, number>();
    const messages = new Set<string>();
    let files = 0;
    for (const [kind, gen] of Object.entries(gens)) {
      for (let k = 0; k < 65; k++) {
        const file = gen(rng);
        let error: unknown;
        try {
          importTicketBytes(db, file, `${kind}-${k}.safetensors`, { appVersion: 'test' });
        } catch (e) {
          error = e;
        }
        expect(error, `${kind} #${k} was accepted`).toBeInstanceOf(LabError);
        const e = error as LabError;
        expect(e.code, `${kind} #${k}: ${e.message}`).toBe('invalid_input');
        expect(e.message.startsWith(`${kind}-${k}.safetensors: `), e.message).toBe(true);
        expect(e.message.length, e.message).toBeLessThan(400);
        expect(e.message, `${kind}: ${e.message}`).toMatch(/tensor|byte|header|__metadata__|masks|file|architecture|layer/);
        messages.add(e.message.replace(/^[^:]+: /, '').replace(/[0-9]+/g, 'N'));
        perKind.set(kind, (perKind.get(kind) ?? 0) + 1);
        files++;
      }
    }
    expect(files).toBeGreaterThanOrEqual(1000);
    expect(perKind.size).toBe(Object.keys(gens).length);
    expect(messages.size).toBeGreaterThan(40);
    expect(rowCounts(db)).toEqual(before);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });
});
