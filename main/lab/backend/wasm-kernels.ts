// Why: tfjs-backend-wasm 4.22 lacks Conv2DBackpropFilter and UnsortedSegmentSum (no conv/gather gradients), its Conv2DBackpropInput and transposed BatchMatMul are naive seconds-long loops, and its MaxPoolGrad drops windows whose max is <= 0 (starts at FLT_MIN); these replace them with compositions of wasm's fast XNNPACK kernels (MaxPoolGrad: a plain JS loop).
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-wasm';
import {
  backend_util,
  getKernel,
  registerKernel,
  unregisterKernel,
  util,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

import { LabError, invalidInput } from '../../contract/errors.js';
import { simdForWasmBackend } from './simd-module.js';

/** Attributes TF.js passes to Conv2DBackpropFilter and Conv2DBackpropInput (pad as in tf.conv2d). */
interface ConvBackpropAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dilations?: number | [number, number];
}

type Pair = [number, number];
type Explicit4 = [Pair, Pair, Pair, Pair];

const BACKEND = 'wasm';

/** Marks kernel functions installed by this module, so registering twice is a no-op. */
const MARK = Symbol.for('colt-lab.wasm-kernel');

/** The kernels this module installs on the wasm backend, in registration order. */
export const WASM_KERNEL_NAMES = [
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'BatchMatMul',
  'MaxPoolGrad',
  'UnsortedSegmentSum',
  'Sum',
] as const;

/** Original wasm kernels that an override delegates to (captured before unregistering them). */
const originals = new Map<string, KernelConfig>();

/** Temporary TensorInfos created inside a kernel; all are released before the kernel returns. */
class Scratch {
  private readonly infos: TensorInfo[] = [];
  constructor(readonly backend: KernelBackend) {}

  /** Runs a wasm kernel (the original one where this module overrides it) and tracks its output. */
  run(name: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
    const config = originals.get(name) ?? getKernel(name, BACKEND);
    if (config === undefined) throw new LabError('internal', `wasm kernel ${name} is not registered`);
    const out = config.kernelFunc({ inputs, backend: this.backend, attrs });
    if (Array.isArray(out)) throw new LabError('internal', `wasm kernel ${name} returned several outputs`);
    this.infos.push(out);
    return out;
  }

  /** Releases `info` with the scope (for outputs made directly with makeOutput). */
  track(info: TensorInfo): TensorInfo {
    this.infos.push(info);
    return info;
  }

  /** Hands `info` to the caller: it is no longer released by `dispose`. */
  keep(info: TensorInfo): TensorInfo {
    const i = this.infos.lastIndexOf(info);
    if (i >= 0) this.infos.splice(i, 1);
    return info;
  }

  /** Releases every tracked output (reshapes share data by refcount, so each is released once). */
  dispose(): void {
    for (const info of this.infos) this.backend.disposeData(info.dataId);
    this.infos.length = 0;
  }
}

/** Runs `body` with a scratch scope; what it returns is kept, everything else is released. */
function withScratch(backend: unknown, body: (s: Scratch) => TensorInfo): TensorInfo {
  const s = new Scratch(backend as KernelBackend);
  try {
    return s.keep(body(s));
  } finally {
    s.dispose();
  }
}

/** Throws unless the convolution is NHWC with dilation 1 (all TF.js conv gradients require both). */
function checkConvAttrs(kernel: string, attrs: ConvBackpropAttrs): void {
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') {
    throw invalidInput(`${kernel} on wasm supports dataFormat NHWC only, got ${attrs.dataFormat}`);
  }
  const d = attrs.dilations;
  if (d !== undefined && !(d === 1 || (Array.isArray(d) && d[0] === 1 && d[1] === 1))) {
    throw invalidInput(`${kernel} on wasm supports dilation 1 only, got ${JSON.stringify(d)}`);
  }
}

/** Explicit NHWC padding for a Conv2D call: only the spatial dims are padded. */
function spatialPad(top: number, bottom: number, left: number, right: number): Explicit4 {
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}

/** The forward conv's geometry (NHWC, dilation 1) that a gradient kernel undoes. */
function backpropConvInfo(xShape: [number, number, number, number], filterShape: [number, number, number, number], attrs: ConvBackpropAttrs): backend_util.Conv2DInfo {
  return backend_util.computeConv2DInfo(xShape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
}

/**
 * dW[kh,kw,ci,co] = sum_{n,oh,ow} xpad[n, oh*s+kh, ow*s+kw, ci] * dy[n,oh,ow,co] is itself a
 * convolution: input x as [Ci, H, W, N] (batch Ci, channels N), filter dy as [OH, OW, N, Co],
 * stride 1, dilation s, the forward conv's padding; it yields [Ci, kh, kw, Co].
 */
function conv2DBackpropFilter(args: Parameters<KernelFunc>[0]): TensorInfo {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const attrs = args.attrs as unknown as ConvBackpropAttrs & { filterShape: [number, number, number, number] };
  checkConvAttrs('Conv2DBackpropFilter', attrs);
  const info = backpropConvInfo(x.shape as [number, number, number, number], attrs.filterShape, attrs);
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { inHeight: H, inWidth: W, outHeight: OH, outWidth: OW } = info;
  const expectDy = [info.batchSize, OH, OW, info.outChannels];
  if (!util.arraysEqual(dy.shape, expectDy)) {
    throw invalidInput(`Conv2DBackpropFilter: dy has shape [${dy.shape}], expected [${expectDy}]`);
  }
  if (sh === 1 && sw === 1 && wasmKernelOptions.shiftGemmFilterGrad) {
    return conv2DBackpropFilterShiftGemm(args.backend as BackendWasm, x, dy, info);
  }
  return withScratch(args.backend, (s) => {
    const { top, left } = info.padInfo;
    // Rows/cols of padded x the forward conv actually read; extra ones are cropped from the output.
    const bottom = (OH - 1) * sh + kh - H - top;
    const right = (OW - 1) * sw + kw - W - left;
    const xT = s.run('Transpose', { x }, { perm: [3, 1, 2, 0] });
    const dyT = s.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
    let out = s.run(
      'Conv2D',
      { x: xT, filter: dyT },
      {
        strides: [1, 1],
        pad: spatialPad(top, Math.max(bottom, 0), left, Math.max(right, 0)),
        dilations: [sh, sw],
        dataFormat: 'NHWC',
      },
    );
    if (out.shape[1] !== kh || out.shape[2] !== kw) {
      out = s.run('Slice', { x: out }, { begin: [0, 0, 0, 0], size: [out.shape[0], kh, kw, out.shape[3]] });
    }
    return s.run('Transpose', { x: out }, { perm: [1, 2, 0, 3] });
  });
}

/** Switches for the measured alternatives (tests run both paths). */
export const wasmKernelOptions = { shiftGemmFilterGrad: true, simdPoolGrad: true, simdColumnSum: true };

/** The parts of BackendWasm this module reaches into for the shift-GEMM filter gradient. */
interface WasmInternals {
  dataIdNextNumber: number;
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } };
  wasm: BackendWasm['wasm'] & {
    tfjs: { registerTensor(id: number, size: number, offset: number): void; disposeData(id: number): void };
  };
}

let wasmBatchMatMul: ((...args: (number | Uint8Array)[]) => void) | undefined;
let wasmBatchMatMulOwner: unknown;

/**
 * Stride-1 filter gradient as matrix products on shifted views, with no im2col copy: with x padded
 * to [Hp, Wp] and stored per image channel-major, xT[n][ci][p][q], the input window of tap
 * (kh, kw) is image n's flat array shifted by s = kh*Wp + kw, so
 *   dW[kh,kw] = sum_n A_{n,s} . dyG_n,
 * where A_{n,s} is the [Ci, Hp*Wp] view of xT[n] starting at s and dyG_n is image n's dy
 * zero-padded to [Hp*Wp, Co] (zero wherever no output exists, so a view's reads past its row only
 * ever meet zeros; one zero image at the end keeps the last view inside the buffer). The views are
 * tensors registered on xT's memory and fed to wasm's XNNPACK matmul, which packs dyG_n once for
 * the KH*KW taps; products land in their blocks of a [N, KH, KW, Ci, Co] buffer, summed over n.
 * Per image, both operands stay in cache (one product over the whole batch streams from memory).
 */
function conv2DBackpropFilterShiftGemm(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const internals = backend as unknown as WasmInternals;
  if (wasmBatchMatMul === undefined || wasmBatchMatMulOwner !== backend.wasm) {
    const module = backend.wasm as unknown as { cwrap(name: string, ret: null, args: string[]): unknown };
    wasmBatchMatMul = module.cwrap('BatchMatMul', null, [
      'number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number',
    ]) as unknown as (...args: (number | Uint8Array)[]) => void;
    wasmBatchMatMulOwner = backend.wasm;
  }
  const matmul = wasmBatchMatMul;
  const { batchSize: N, inChannels: Ci, outChannels: Co, filterHeight: KH, filterWidth: KW } = info;
  const { inHeight: H, inWidth: W, outHeight: OH, outWidth: OW } = info;
  const { top, left } = info.padInfo;
  const Hp = OH + KH - 1;
  const Wp = OW + KW - 1;
  const P = Hp * Wp;
  const taps = KH * KW;
  return withScratch(backend, (s) => {
    const xT = s.run('Transpose', { x }, { perm: [0, 3, 1, 2] });
    const xP = s.run(
      'PadV2',
      { x: xT },
      {
        paddings: [
          [0, 1],
          [0, 0],
          [top, Hp - H - top],
          [left, Wp - W - left],
        ],
        constantValue: 0,
      },
    );
    const dyG = s.run(
      'PadV2',
      { x: dy },
      {
        paddings: [
          [0, 0],
          [0, Hp - OH],
          [0, Wp - OW],
          [0, 0],
        ],
        constantValue: 0,
      },
    );
    const parts = backend.makeOutput([N, taps * Ci * Co], 'float32');
    s.track(parts);
    const xBase = internals.dataIdMap.get(xP.dataId).memoryOffset;
    const dyBase = internals.dataIdMap.get(dyG.dataId).memoryOffset;
    const outBase = internals.dataIdMap.get(parts.dataId).memoryOffset;
    const aShape = new Uint8Array(new Int32Array([1, Ci, P]).buffer);
    const bShape = new Uint8Array(new Int32Array([1, P, Co]).buffer);
    const tfjs = internals.wasm.tfjs;
    for (let n = 0; n < N; n++) {
      // Registering dyG_n under its own id lets XNNPACK pack it once for all taps (its operator
      // cache is keyed by the weights' id and dropped when that id is disposed).
      const bId = internals.dataIdNextNumber++;
      tfjs.registerTensor(bId, P * Co, dyBase + 4 * n * P * Co);
      try {
        for (let tap = 0; tap < taps; tap++) {
          const shift = Math.floor(tap / KW) * Wp + (tap % KW);
          const aId = internals.dataIdNextNumber++;
          const oId = internals.dataIdNextNumber++;
          tfjs.registerTensor(aId, Ci * P, xBase + 4 * (n * Ci * P + shift));
          tfjs.registerTensor(oId, Ci * Co, outBase + 4 * (n * taps + tap) * Ci * Co);
          try {
            matmul(aId, aShape, 3, bId, bShape, 3, 0, 0, oId);
          } finally {
            tfjs.disposeData(aId);
            tfjs.disposeData(oId);
          }
        }
      } finally {
        tfjs.disposeData(bId);
      }
    }
    const sum = s.run('Sum', { x: parts }, { axis: [0], keepDims: false });
    return s.run('Reshape', { x: sum }, { shape: [KH, KW, Ci, Co] });
  });
}

/**
 * dx is the forward correlation of dy (zero-stuffed by the stride) with the filter flipped in
 * space and transposed to [kh, kw, Co, Ci], padded by kh-1-top in front.
 */
function conv2DBackpropInput(args: Parameters<KernelFunc>[0]): TensorInfo {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const attrs = args.attrs as unknown as ConvBackpropAttrs & { inputShape: [number, number, number, number] };
  checkConvAttrs('Conv2DBackpropInput', attrs);
  const info = backpropConvInfo(attrs.inputShape, filter.shape as [number, number, number, number], attrs);
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { batchSize: N, inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, outChannels: Co } = info;
  const expectDy = [N, OH, OW, Co];
  if (!util.arraysEqual(dy.shape, expectDy)) {
    throw invalidInput(`Conv2DBackpropInput: dy has shape [${dy.shape}], expected [${expectDy}]`);
  }
  return withScratch(args.backend, (s) => {
    // 1. Zero-stuff dy by the stride: [N,OH,OW,Co] -> [N, OH*sh, OW*sw, Co], dy at multiples of s.
    let d = dy;
    if (sh > 1 || sw > 1) {
      const six = s.run('Reshape', { x: dy }, { shape: [N, OH, 1, OW, 1, Co] });
      const padded = s.run(
        'PadV2',
        { x: six },
        {
          paddings: [
            [0, 0],
            [0, 0],
            [0, sh - 1],
            [0, 0],
            [0, sw - 1],
            [0, 0],
          ],
          constantValue: 0,
        },
      );
      d = s.run('Reshape', { x: padded }, { shape: [N, OH * sh, OW * sw, Co] });
    }
    // 2. Front/back padding so a stride-1 'valid' correlation yields exactly H x W.
    let top = kh - 1 - info.padInfo.top;
    let left = kw - 1 - info.padInfo.left;
    let bottom = H + kh - 1 - top - d.shape[1];
    let right = W + kw - 1 - left - d.shape[2];
    if (top < 0 || left < 0 || bottom < 0 || right < 0) {
      const begin = [0, Math.max(-top, 0), Math.max(-left, 0), 0];
      const size = [N, d.shape[1] - begin[1] + Math.min(bottom, 0), d.shape[2] - begin[2] + Math.min(right, 0), Co];
      d = s.run('Slice', { x: d }, { begin, size });
      [top, left, bottom, right] = [top, left, bottom, right].map((v) => Math.max(v, 0)) as [
        number,
        number,
        number,
        number,
      ];
    }
    // 3. Filter flipped in space, channels swapped: [kh,kw,Ci,Co] -> [kh,kw,Co,Ci].
    const flipped = s.run('Reverse', { x: filter }, { dims: [0, 1] });
    const wT = s.run('Transpose', { x: flipped }, { perm: [0, 1, 3, 2] });
    return s.run(
      'Conv2D',
      { x: d, filter: wT },
      { strides: [1, 1], pad: spatialPad(top, bottom, left, right), dilations: [1, 1], dataFormat: 'NHWC' },
    );
  });
}

/** Swaps the last two axes of `t` with the wasm Transpose kernel. */
function swapLastTwo(s: Scratch, t: TensorInfo): TensorInfo {
  const perm = t.shape.map((_, i) => i);
  const r = perm.length;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return s.run('Transpose', { x: t }, { perm });
}

/**
 * wasm BatchMatMul is fast (XNNPACK) only without transposes and with batch 1; the dense-layer
 * gradients use transposeA/transposeB, so operands are transposed explicitly first. Either
 * A'.B' or (B'^T.A'^T)^T is computed, whichever moves fewer elements (XNNPACK also repacks
 * the right operand on every call): dy.W^T becomes (W.dy^T)^T, never transposing big W.
 */
function batchMatMul(args: Parameters<KernelFunc>[0]): TensorInfo {
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA: tA, transposeB: tB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
  const original = originals.get('BatchMatMul');
  if (original === undefined) throw new LabError('internal', 'original wasm BatchMatMul kernel missing');
  const batchA = util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = util.sizeFromShape(b.shape.slice(0, -2));
  if (!(tA || tB) || batchA !== 1 || batchB !== 1 || a.dtype !== 'float32') {
    return original.kernelFunc(args) as TensorInfo;
  }
  const sizeA = util.sizeFromShape(a.shape);
  const sizeB = util.sizeFromShape(b.shape);
  const rowsC = a.shape[a.shape.length - (tA ? 1 : 2)] as number;
  const colsC = b.shape[b.shape.length - (tB ? 2 : 1)] as number;
  const direct = (tA ? sizeA : 0) + (tB ? sizeB : 0) + sizeB;
  const swapped = (tB ? 0 : sizeB) + (tA ? 0 : sizeA) + sizeA + rowsC * colsC;
  return withScratch(args.backend, (s) => {
    if (direct <= swapped) {
      const a2 = tA ? swapLastTwo(s, a) : a;
      const b2 = tB ? swapLastTwo(s, b) : b;
      return s.run('BatchMatMul', { a: a2, b: b2 }, { transposeA: false, transposeB: false });
    }
    const bT = tB ? b : swapLastTwo(s, b);
    const aT = tA ? a : swapLastTwo(s, a);
    const cT = s.run('BatchMatMul', { a: bT, b: aT }, { transposeA: false, transposeB: false });
    return swapLastTwo(s, cT);
  });
}

/**
 * dx of max pooling: each window's dy goes to the first maximum of x in that window (raster
 * order, as the cpu backend and TensorFlow do); windows overlap by adding up.
 */
function maxPoolGrad(args: Parameters<KernelFunc>[0]): TensorInfo {
  const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
  const attrs = args.attrs as unknown as {
    filterSize: number | [number, number];
    strides: number | [number, number];
    pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  const backend = args.backend as BackendWasm;
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const expectDy = [N, OH, OW, C];
  if (!util.arraysEqual(dy.shape, expectDy)) {
    throw invalidInput(`MaxPoolGrad: dy has shape [${dy.shape}], expected [${expectDy}]`);
  }
  const simd = wasmKernelOptions.simdPoolGrad ? simdForWasmBackend(backend) : null;
  if (simd && fh === 2 && fw === 2 && sh === 2 && sw === 2 && top === 0 && left === 0 && C % 4 === 0 && input.dtype === 'float32') {
    // Non-overlapping 2x2 windows: one SIMD pass per output row (pool2grad in simd-module.ts).
    const out = backend.makeOutput(input.shape, 'float32');
    if (H !== 2 * OH || W !== 2 * OW) (backend.typedArrayFromHeap(out) as Float32Array).fill(0);
    const ptr = (t: TensorInfo): number => backend.getMemoryOffset(t.dataId);
    const [xb, gb, ob] = [ptr(input), ptr(dy), ptr(out)];
    for (let n = 0; n < N; n++) {
      for (let oh = 0; oh < OH; oh++) {
        const xRow = 4 * (n * H + 2 * oh) * W * C;
        simd.pool2grad(xb + xRow, gb + 4 * (n * OH + oh) * OW * C, ob + xRow, OW, C / 4, 4 * W * C);
      }
    }
    return out;
  }
  // Copies of the inputs first: allocating the output may grow (and detach) the wasm heap.
  const x = backend.readSync(input.dataId) as Float32Array;
  const g = backend.readSync(dy.dataId) as Float32Array;
  const out = backend.makeOutput(input.shape, 'float32');
  const dx = backend.typedArrayFromHeap(out) as Float32Array;
  dx.fill(0);
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * sh - top;
      const hBegin = Math.max(h0, 0);
      const hEnd = Math.min(h0 + fh, H);
      for (let ow = 0; ow < OW; ow++) {
        const w0 = ow * sw - left;
        const wBegin = Math.max(w0, 0);
        const wEnd = Math.min(w0 + fw, W);
        const dyBase = ((n * OH + oh) * OW + ow) * C;
        for (let c = 0; c < C; c++) {
          let best = -Infinity;
          let at = -1;
          for (let h = hBegin; h < hEnd; h++) {
            for (let w = wBegin; w < wEnd; w++) {
              const i = ((n * H + h) * W + w) * C + c;
              const v = x[i] as number;
              if (v > best || at < 0) {
                best = v;
                at = i;
              }
            }
          }
          if (at >= 0) dx[at] = (dx[at] as number) + (g[dyBase + c] as number);
        }
      }
    }
  }
  return out;
}

/** out[s, ...] = sum over i with segmentIds[i] = s of x[i, ...], as oneHot(segmentIds)^T . x. */
function unsortedSegmentSum(args: Parameters<KernelFunc>[0]): TensorInfo {
  const { x, segmentIds } = args.inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = args.attrs as unknown as { numSegments: number };
  if (x.dtype !== 'float32') throw invalidInput(`UnsortedSegmentSum on wasm supports float32 x only, got ${x.dtype}`);
  const r = segmentIds.shape.length;
  if (!util.arraysEqual(x.shape.slice(0, r), segmentIds.shape)) {
    throw invalidInput(`UnsortedSegmentSum: segmentIds shape [${segmentIds.shape}] is not a prefix of x shape [${x.shape}]`);
  }
  const m = util.sizeFromShape(segmentIds.shape);
  const rest = x.shape.slice(r);
  return withScratch(args.backend, (s) => {
    const ids = s.run('Reshape', { x: segmentIds }, { shape: [m] });
    // wasm OneHot always writes int32 values whatever its dtype attr says, hence the Cast.
    const hotInt = s.run('OneHot', { indices: ids }, { depth: numSegments, onValue: 1, offValue: 0, dtype: 'int32' });
    const hot = s.run('Cast', { x: hotInt }, { dtype: 'float32' });
    const flat = s.run('Reshape', { x }, { shape: [m, util.sizeFromShape(rest)] });
    const sums = batchMatMulKernel(s, hot, flat, true);
    return s.run('Reshape', { x: sums }, { shape: [numSegments, ...rest] });
  });
}

/**
 * Sum over leading axes (bias gradients: dy [N, H, W, C] summed to [C]) as SIMD column sums in one
 * pass; wasm's own Sum first transposes the reduced axes innermost, a full copy of dy. Other
 * reductions go to the original kernel.
 */
function sum(args: Parameters<KernelFunc>[0]): TensorInfo {
  const { x } = args.inputs as { x: TensorInfo };
  const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
  const backend = args.backend as BackendWasm;
  const original = originals.get('Sum');
  if (original === undefined) throw new LabError('internal', 'original wasm Sum kernel missing');
  const axes = util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
  const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((a, i) => a === i);
  const cols = util.sizeFromShape(x.shape.slice(axes.length));
  const simd = wasmKernelOptions.simdColumnSum && leading && x.dtype === 'float32' && cols % 4 === 0 ? simdForWasmBackend(backend) : null;
  if (simd === null) return original.kernelFunc(args) as TensorInfo;
  const rows = util.sizeFromShape(x.shape.slice(0, axes.length));
  const outShape = keepDims ? x.shape.map((d, i) => (i < axes.length ? 1 : d)) : x.shape.slice(axes.length);
  const out = backend.makeOutput(outShape, 'float32');
  (backend.typedArrayFromHeap(out) as Float32Array).fill(0);
  simd.colsum(backend.getMemoryOffset(x.dataId), backend.getMemoryOffset(out.dataId), rows, cols / 4);
  return out;
}

/** a^T . b (transposeA) or a . b through the fast path of this module's BatchMatMul. */
function batchMatMulKernel(s: Scratch, a: TensorInfo, b: TensorInfo, transposeA: boolean): TensorInfo {
  const a2 = transposeA ? swapLastTwo(s, a) : a;
  return s.run('BatchMatMul', { a: a2, b }, { transposeA: false, transposeB: false });
}

const implementations: Record<(typeof WASM_KERNEL_NAMES)[number], KernelFunc> = {
  Conv2DBackpropFilter: conv2DBackpropFilter as KernelFunc,
  Conv2DBackpropInput: conv2DBackpropInput as KernelFunc,
  BatchMatMul: batchMatMul as KernelFunc,
  MaxPoolGrad: maxPoolGrad as KernelFunc,
  UnsortedSegmentSum: unsortedSegmentSum as KernelFunc,
  Sum: sum as KernelFunc,
};

/** Installs this module's wasm kernels (idempotent); returns the names it newly registered. */
export function registerWasmKernels(): string[] {
  const installed: string[] = [];
  for (const name of WASM_KERNEL_NAMES) {
    const existing = getKernel(name, BACKEND);
    if (existing !== undefined && (existing.kernelFunc as { [MARK]?: boolean })[MARK] === true) continue;
    const kernelFunc: KernelFunc = implementations[name];
    (kernelFunc as { [MARK]?: boolean })[MARK] = true;
    let setupFunc: KernelConfig['setupFunc'];
    if (existing !== undefined) {
      // Keep the original (and its setup, which binds its wasm function) for delegation.
      originals.set(name, existing);
      setupFunc = existing.setupFunc;
      unregisterKernel(name, BACKEND);
    }
    registerKernel({ kernelName: name, backendName: BACKEND, kernelFunc, ...(setupFunc ? { setupFunc } : {}) });
    installed.push(name);
  }
  return installed;
}

registerWasmKernels();
