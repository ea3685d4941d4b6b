// Why: a JS loop over the wasm heap runs the fused optimizer update at ~10 ns per weight (V8 does
// not vectorise it); this hand-assembled WebAssembly SIMD module, sharing TF.js's wasm memory, does
// four lanes per instruction. There is no wasm toolchain among the dependencies, hence the bytes
// are emitted here, from a few opcodes, at first use.

/** Exported functions of the module; pointers are byte offsets into TF.js's wasm memory. */
export interface SimdOptimizerExports {
  /** Masked Adam over `groups` groups of 4 floats (mask 0 = none); see optimizer-kernels.ts. */
  adam(
    w: number,
    g: number,
    m: number,
    v: number,
    mask: number,
    wo: number,
    mo: number,
    vo: number,
    groups: number,
    beta1: number,
    beta2: number,
    epsilon: number,
    weightDecay: number,
    stepSize: number,
    bc2: number,
  ): void;
  /** out[0..4*groups) += each of `rows` rows of x (row stride 16*groups bytes): column sums. */
  colsum(x: number, out: number, rows: number, groups: number): void;
  /**
   * Gradient of one output row of a 2x2 stride-2 max-pool over C = 4*groups channels: for each of
   * `ow` windows, dy goes to the window's first maximum in raster order (strictly greater wins,
   * as the cpu backend), the other three positions get 0. `rowBytes` is the byte stride of x rows.
   */
  pool2grad(x: number, dy: number, dx: number, ow: number, groups: number, rowBytes: number): void;
  /** Masked SGD over `groups` groups of 4 floats (buf 0 = no momentum, mask 0 = none). */
  sgd(
    w: number,
    g: number,
    buf: number,
    mask: number,
    wo: number,
    bo: number,
    groups: number,
    lr: number,
    momentum: number,
    weightDecay: number,
    nesterov: number,
  ): void;
}

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;

// Core opcodes.
const OP = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  get: 0x20,
  set: 0x21,
  tee: 0x22,
  i32Const: 0x41,
  f32Const: 0x43,
  i32Eqz: 0x45,
  i32GeU: 0x4f,
  f32Gt: 0x5e,
  i32Add: 0x6a,
  i32Shl: 0x74,
} as const;

// SIMD opcodes (after the 0xfd prefix).
const SIMD = {
  load: 0x00,
  store: 0x0b,
  f32x4Splat: 0x13,
  f32x4Sqrt: 0xe3,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  f32x4Div: 0xe7,
  f32x4Gt: 0x44,
  v128Not: 0x4d,
  v128And: 0x4e,
  v128Or: 0x50,
  v128Bitselect: 0x52,
} as const;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function f32Bytes(x: number): number[] {
  return [...new Uint8Array(new Float32Array([x]).buffer)];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

/** A tiny function-body builder: locals are numbered after the parameters. */
class Body {
  readonly code: number[] = [];
  private readonly extra: number[] = [];
  constructor(private readonly nParams: number) {}

  local(type: number): number {
    this.extra.push(type);
    return this.nParams + this.extra.length - 1;
  }

  op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }
  get(i: number): this {
    return this.op(OP.get, ...uleb(i));
  }
  set(i: number): this {
    return this.op(OP.set, ...uleb(i));
  }
  simd(op: number): this {
    return this.op(0xfd, ...uleb(op));
  }
  /** v128.load at (ptr local + offset local). */
  load(ptr: number, off: number): this {
    return this.get(ptr).get(off).op(OP.i32Add).simd(SIMD.load).op(4, 0);
  }
  /** v128.store of the value produced by `value` at (ptr local + offset local). */
  store(ptr: number, off: number, value: () => void): this {
    this.get(ptr).get(off).op(OP.i32Add);
    value();
    return this.simd(SIMD.store).op(4, 0);
  }
  splat(fromF32Local: number): number {
    const l = this.local(V128);
    this.get(fromF32Local).simd(SIMD.f32x4Splat).set(l);
    return l;
  }
  splatConst(x: number): number {
    const l = this.local(V128);
    this.op(OP.f32Const, ...f32Bytes(x)).simd(SIMD.f32x4Splat).set(l);
    return l;
  }

  encode(): number[] {
    const groups: number[][] = [];
    for (const t of this.extra) {
      const last = groups[groups.length - 1];
      if (last !== undefined && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    const locals = [...uleb(groups.length), ...groups.flatMap(([n, t]) => [...uleb(n as number), t as number])];
    const body = [...locals, ...this.code, OP.end];
    return [...uleb(body.length), ...body];
  }
}

/**
 * Emits the loop `for (off = 0; off < groups*16; off += 16) body(off)`, with `groups` the i32
 * parameter `groupsParam`.
 */
function loop16(b: Body, groupsParam: number, body: (off: number) => void): void {
  const off = b.local(I32);
  const end = b.local(I32);
  b.get(groupsParam).op(OP.i32Const, ...sleb(4), OP.i32Shl).set(end);
  b.op(OP.i32Const, 0).set(off);
  b.op(OP.block, 0x40, OP.loop, 0x40);
  b.get(off).get(end).op(OP.i32GeU, OP.brIf, 1);
  body(off);
  b.get(off).op(OP.i32Const, ...sleb(16), OP.i32Add).set(off);
  b.op(OP.br, 0, OP.end, OP.end);
}

/** g := (g + wd·w) ⊙ k on the stack-free locals; leaves k in `k`. */
function gradient(b: Body, w: number, g: number, k: number, ptrG: number, ptrMask: number, off: number, hasWd: number, wd: number, ones: number): void {
  b.load(ptrG, off).set(g);
  b.get(hasWd).op(OP.if, 0x40).get(g).get(w).get(wd).simd(SIMD.f32x4Mul).simd(SIMD.f32x4Add).set(g).op(OP.end);
  b.get(ptrMask).op(OP.i32Eqz, OP.if, V128).get(ones).op(OP.else);
  b.load(ptrMask, off);
  b.op(OP.end).set(k);
  b.get(g).get(k).simd(SIMD.f32x4Mul).set(g);
}

function adamBody(): number[] {
  // Params: 0 w, 1 g, 2 m, 3 v, 4 mask, 5 wo, 6 mo, 7 vo, 8 groups, 9 b1, 10 b2, 11 eps, 12 wd, 13 step, 14 bc2.
  const b = new Body(15);
  const hasWd = b.local(I32);
  b.get(12).op(OP.f32Const, ...f32Bytes(0), OP.f32Gt).set(hasWd);
  const b1 = b.splat(9);
  const b2 = b.splat(10);
  const eps = b.splat(11);
  const wd = b.splat(12);
  const step = b.splat(13);
  const bc2 = b.splat(14);
  const ones = b.splatConst(1);
  const c1 = b.local(V128);
  const c2 = b.local(V128);
  b.get(ones).get(b1).simd(SIMD.f32x4Sub).set(c1);
  b.get(ones).get(b2).simd(SIMD.f32x4Sub).set(c2);
  const w = b.local(V128);
  const g = b.local(V128);
  const k = b.local(V128);
  const m2 = b.local(V128);
  const v2 = b.local(V128);
  loop16(b, 8, (off) => {
    b.load(0, off).set(w);
    gradient(b, w, g, k, 1, 4, off, hasWd, wd, ones);
    b.load(2, off).get(b1).simd(SIMD.f32x4Mul).get(g).get(c1).simd(SIMD.f32x4Mul).simd(SIMD.f32x4Add).set(m2);
    b.load(3, off).get(b2).simd(SIMD.f32x4Mul).get(g).get(g).simd(SIMD.f32x4Mul).get(c2).simd(SIMD.f32x4Mul).simd(SIMD.f32x4Add).set(v2);
    b.store(6, off, () => b.get(m2));
    b.store(7, off, () => b.get(v2));
    b.store(5, off, () => {
      b.get(w);
      b.get(m2).get(step).simd(SIMD.f32x4Mul);
      b.get(v2).get(bc2).simd(SIMD.f32x4Div).simd(SIMD.f32x4Sqrt).get(eps).simd(SIMD.f32x4Add);
      b.simd(SIMD.f32x4Div).simd(SIMD.f32x4Sub).get(k).simd(SIMD.f32x4Mul);
    });
  });
  return b.encode();
}

function sgdBody(): number[] {
  // Params: 0 w, 1 g, 2 buf, 3 mask, 4 wo, 5 bo, 6 groups, 7 lr, 8 momentum, 9 wd, 10 nesterov.
  const b = new Body(11);
  const hasWd = b.local(I32);
  b.get(9).op(OP.f32Const, ...f32Bytes(0), OP.f32Gt).set(hasWd);
  const lr = b.splat(7);
  const mom = b.splat(8);
  const wd = b.splat(9);
  const ones = b.splatConst(1);
  const w = b.local(V128);
  const g = b.local(V128);
  const k = b.local(V128);
  const next = b.local(V128);
  const stepV = b.local(V128);
  loop16(b, 6, (off) => {
    b.load(0, off).set(w);
    gradient(b, w, g, k, 1, 3, off, hasWd, wd, ones);
    b.get(g).set(stepV);
    b.get(2).op(OP.if, 0x40);
    b.load(2, off).get(mom).simd(SIMD.f32x4Mul).get(g).simd(SIMD.f32x4Add).set(next);
    b.store(5, off, () => b.get(next));
    b.get(next).set(stepV);
    b.get(10).op(OP.if, 0x40).get(g).get(next).get(mom).simd(SIMD.f32x4Mul).simd(SIMD.f32x4Add).set(stepV).op(OP.end);
    b.op(OP.end);
    b.store(4, off, () => {
      b.get(w).get(stepV).get(lr).simd(SIMD.f32x4Mul).simd(SIMD.f32x4Sub).get(k).simd(SIMD.f32x4Mul);
    });
  });
  return b.encode();
}

function colsumBody(): number[] {
  // Params: 0 x, 1 out, 2 rows, 3 groups.
  const b = new Body(4);
  const row = b.local(I32);
  const ptr = b.local(I32);
  b.get(1).set(ptr); // unused initialiser keeps local numbering simple
  b.op(OP.i32Const, 0).set(row);
  b.op(OP.block, 0x40, OP.loop, 0x40);
  b.get(row).get(2).op(OP.i32GeU, OP.brIf, 1);
  loop16(b, 3, (off) => {
    b.store(1, off, () => {
      b.load(1, off).load(0, off).simd(SIMD.f32x4Add);
    });
  });
  // x += 16 * groups bytes; row++.
  b.get(0).get(3).op(OP.i32Const, ...sleb(4), OP.i32Shl, OP.i32Add).set(0);
  b.get(row).op(OP.i32Const, 1, OP.i32Add).set(row);
  b.op(OP.br, 0, OP.end, OP.end);
  return b.encode();
}

function pool2gradBody(): number[] {
  // Params: 0 x, 1 dy, 2 dx, 3 ow, 4 groups, 5 rowBytes.
  const b = new Body(6);
  const i = b.local(I32);
  const cBytes = b.local(I32);
  const xa = b.local(I32);
  const xc = b.local(I32);
  const da = b.local(I32);
  const dc = b.local(I32);
  const best = b.local(V128);
  const va = b.local(V128);
  const vb = b.local(V128);
  const vc = b.local(V128);
  const vd = b.local(V128);
  const gb = b.local(V128);
  const gc = b.local(V128);
  const gd = b.local(V128);
  const taken = b.local(V128);
  const g = b.local(V128);
  b.get(4).op(OP.i32Const, ...sleb(4), OP.i32Shl).set(cBytes);
  b.op(OP.i32Const, 0).set(i);
  b.op(OP.block, 0x40, OP.loop, 0x40);
  b.get(i).get(3).op(OP.i32GeU, OP.brIf, 1);
  // Window pointers: a at x, b at x + C, c at x + rowBytes, d at c + C (same for dx).
  b.get(0).get(5).op(OP.i32Add).set(xc);
  b.get(2).get(5).op(OP.i32Add).set(dc);
  b.get(0).get(cBytes).op(OP.i32Add).set(xa); // xa = x + C (position b)
  b.get(2).get(cBytes).op(OP.i32Add).set(da);
  loop16(b, 4, (off) => {
    b.load(0, off).set(va);
    b.load(xa, off).set(vb);
    b.load(xc, off).set(vc);
    b.get(xc).get(cBytes).op(OP.i32Add).get(off).op(OP.i32Add).simd(SIMD.load).op(4, 0).set(vd);
    b.load(1, off).set(g);
    // gb: b > best(a); best = max-so-far with the first strict maximum winning.
    b.get(vb).get(va).simd(SIMD.f32x4Gt).set(gb);
    b.get(vb).get(va).get(gb).simd(SIMD.v128Bitselect).set(best);
    b.get(vc).get(best).simd(SIMD.f32x4Gt).set(gc);
    b.get(vc).get(best).get(gc).simd(SIMD.v128Bitselect).set(best);
    b.get(vd).get(best).simd(SIMD.f32x4Gt).set(gd);
    // Winner masks: d if gd; c if gc and not gd; b if gb and not (gc or gd); a otherwise.
    b.get(gd).set(taken);
    b.get(gc).get(taken).simd(SIMD.v128Not).simd(SIMD.v128And).set(gc);
    b.get(taken).get(gc).simd(SIMD.v128Or).set(taken);
    b.get(gb).get(taken).simd(SIMD.v128Not).simd(SIMD.v128And).set(gb);
    b.get(taken).get(gb).simd(SIMD.v128Or).set(taken);
    b.store(2, off, () => b.get(g).get(taken).simd(SIMD.v128Not).simd(SIMD.v128And));
    b.store(da, off, () => b.get(g).get(gb).simd(SIMD.v128And));
    b.store(dc, off, () => b.get(g).get(gc).simd(SIMD.v128And));
    b.get(dc).get(cBytes).op(OP.i32Add).get(off).op(OP.i32Add);
    b.get(g).get(gd).simd(SIMD.v128And).simd(SIMD.store).op(4, 0);
  });
  // Next window: x, dx += 2C; dy += C.
  b.get(0).get(cBytes).get(cBytes).op(OP.i32Add, OP.i32Add).set(0);
  b.get(2).get(cBytes).get(cBytes).op(OP.i32Add, OP.i32Add).set(2);
  b.get(1).get(cBytes).op(OP.i32Add).set(1);
  b.get(i).op(OP.i32Const, 1, OP.i32Add).set(i);
  b.op(OP.br, 0, OP.end, OP.end);
  return b.encode();
}

/** The module's bytes, importing `env.memory` (shared or not, as TF.js's memory is). */
export function simdOptimizerModuleBytes(sharedMemory: boolean): Uint8Array {
  const adamType = [0x60, ...vec([...Array(9).fill([I32]), ...Array(6).fill([F32])]), 0];
  const sgdType = [0x60, ...vec([...Array(7).fill([I32]), ...Array(3).fill([F32]), [I32]]), 0];
  const colsumType = [0x60, ...vec(Array(4).fill([I32])), 0];
  const poolType = [0x60, ...vec(Array(6).fill([I32])), 0];
  const memLimits = sharedMemory ? [0x03, ...uleb(1), ...uleb(65536)] : [0x00, ...uleb(1)];
  const name = (s: string): number[] => vec([...s].map((c) => [c.charCodeAt(0)]));
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([adamType, sgdType, colsumType, poolType])),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, ...memLimits]])),
    ...section(3, vec([[0], [1], [2], [3]])),
    ...section(7, vec([
      [...name('adam'), 0x00, 0],
      [...name('sgd'), 0x00, 1],
      [...name('colsum'), 0x00, 2],
      [...name('pool2grad'), 0x00, 3],
    ])),
    ...section(10, vec([adamBody(), sgdBody(), colsumBody(), pool2gradBody()])),
  ];
  return Uint8Array.from(bytes);
}

/** A WebAssembly.Memory (main/tsconfig has neither the DOM nor the WebAssembly declarations). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

const instances = new WeakMap<WasmMemory, SimdOptimizerExports | null>();

/** The module instantiated on `memory`, or null where this runtime lacks wasm SIMD. */
export function simdOptimizer(memory: WasmMemory): SimdOptimizerExports | null {
  const cached = instances.get(memory);
  if (cached !== undefined) return cached;
  let exports: SimdOptimizerExports | null = null;
  try {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const wa = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const module = new wa.Module(simdOptimizerModuleBytes(shared));
    exports = new wa.Instance(module, { env: { memory } }).exports as unknown as SimdOptimizerExports;
  } catch {
    exports = null;
  }
  instances.set(memory, exports);
  return exports;
}

/** The SIMD module on a wasm backend's memory (single-threaded builds export it, the threaded one imports it). */
export function simdForWasmBackend(backend: { wasm: unknown }): SimdOptimizerExports | null {
  const m = backend.wasm as { asm?: { memory?: WasmMemory }; wasmMemory?: WasmMemory } | null;
  const memory = m?.wasmMemory ?? m?.asm?.memory;
  return memory !== undefined ? simdOptimizer(memory) : null;
}
