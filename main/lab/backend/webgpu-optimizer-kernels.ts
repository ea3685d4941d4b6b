// Why: as TF.js ops, the masked optimizer update is ~15 kernels per parameter per step, each with
// its own output buffer; these WGSL programs do it in two (SGD with momentum) or three (Adam)
// element-wise passes, one per output, with the same order of operations as the wasm/cpu kernels.
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { getKernel, registerKernel, util, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';

import { LabError } from '../../contract/errors.js';
import { checkSameShape, MASKED_ADAM, MASKED_SGD, type MaskedAdamAttrs, type MaskedSgdAttrs } from './optimizer-kernels.js';
import { webgpuDeviceError } from './webgpu-backend.js';

const WORKGROUP = 64;

/** A uniform the backend writes next to the shapes: one f32. */
type Uniform = { type: 'float32'; data: number[] };

/**
 * One element-wise pass over `size` floats: `inputs` are the WGSL arrays it reads, `body` computes
 * `out` from `x` values named after them (vec4 lanes when the size allows).
 */
class ElementwiseProgram implements WebGPUProgram {
  readonly variableNames: string[];
  readonly outputShape: number[];
  readonly dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  readonly workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];
  readonly size = true;
  readonly outputComponent: number;
  readonly variableComponents: number[];
  readonly uniforms: string;
  shaderKey: string;

  constructor(
    key: string,
    inputs: string[],
    uniforms: string[],
    private readonly body: string,
    shape: number[],
  ) {
    const n = util.sizeFromShape(shape);
    this.outputComponent = n % 4 === 0 ? 4 : 1;
    this.variableNames = inputs;
    this.variableComponents = inputs.map(() => this.outputComponent);
    this.outputShape = [...shape];
    this.dispatchLayout = { x: shape.map((_, i) => i) };
    this.dispatch = [Math.ceil(n / this.outputComponent / WORKGROUP), 1, 1];
    this.uniforms = uniforms.map((u) => `${u} : f32,`).join(' ');
    this.shaderKey = `colt_${key}_${inputs.join('')}_${this.outputComponent}`;
  }

  getUserCode(): string {
    const t = this.outputComponent === 4 ? 'vec4<f32>' : 'f32';
    const reads = this.variableNames.map((v) => `let ${v.toLowerCase()} = ${t}(${v}[index]);`).join('\n          ');
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          ${reads}
          ${this.body.replaceAll('T(', `${t}(`)}
          result[index] = out;
        }
      }`;
  }
}

/** The masked gradient g := (g + wd·w) ⊙ mask, as WGSL over the lanes w, g and k. */
function maskedGradient(masked: boolean): string {
  return `let gm = (g + w * uniforms.wd)${masked ? ' * k' : ''};`;
}

function run(backend: WebGPUBackend, p: ElementwiseProgram, inputs: TensorInfo[], uniforms: number[]): TensorInfo {
  const data: Uniform[] = uniforms.map((u) => ({ type: 'float32', data: [u] }));
  return backend.runWebGPUProgram(p, inputs, 'float32', data);
}

function checkDevice(kernel: string): void {
  const error = webgpuDeviceError();
  if (error !== undefined) throw new LabError('internal', `${kernel}: the GPU reported an error, so this run's results cannot be trusted: ${error}`);
}

/** MASKED_SGD on webgpu: buf := momentum·buf + g̃ (when momentum > 0); w := (w − lr·step) ⊙ mask. */
function maskedSgd(args: Parameters<KernelFunc>[0]): TensorInfo[] {
  const { w, g, buf, mask } = args.inputs as { w: TensorInfo; g: TensorInfo; buf?: TensorInfo; mask?: TensorInfo };
  const a = args.attrs as unknown as MaskedSgdAttrs;
  checkDevice(MASKED_SGD);
  checkSameShape(MASKED_SGD, w, { g, buf, mask });
  const backend = args.backend as WebGPUBackend;
  const masked = mask !== undefined;
  const k = masked ? ['K'] : [];
  const kIn = mask ? [mask] : [];
  const useBuf = a.momentum > 0;
  if (useBuf && buf === undefined) throw new LabError('invalid_input', `${MASKED_SGD}: momentum ${a.momentum} needs the buf input`);
  if (!useBuf) {
    const p = new ElementwiseProgram('sgd_w', ['W', 'G', ...k], ['lr', 'wd'], `${maskedGradient(masked)} let out = (w - gm * uniforms.lr)${masked ? ' * k' : ''};`, w.shape);
    return [run(backend, p, [w, g, ...kIn], [a.lr, a.weightDecay])];
  }
  const pb = new ElementwiseProgram('sgd_buf', ['W', 'G', 'B', ...k], ['momentum', 'wd'], `${maskedGradient(masked)} let out = b * uniforms.momentum + gm;`, w.shape);
  const bufOut = run(backend, pb, [w, g, buf!, ...kIn], [a.momentum, a.weightDecay]);
  const step = a.nesterov ? 'gm + n * uniforms.momentum' : 'n';
  const pw = new ElementwiseProgram(
    `sgd_w_momentum${a.nesterov ? '_nesterov' : ''}`,
    ['W', 'G', 'N', ...k],
    ['lr', 'momentum', 'wd'],
    `${maskedGradient(masked)} let out = (w - (${step}) * uniforms.lr)${masked ? ' * k' : ''};`,
    w.shape,
  );
  const wOut = run(backend, pw, [w, g, bufOut, ...kIn], [a.lr, a.momentum, a.weightDecay]);
  return [wOut, bufOut];
}

/** MASKED_ADAM on webgpu: m := β1·m + (1−β1)·g̃; v := β2·v + (1−β2)·g̃²; w := (w − (lr/bc1)·m / (sqrt(v/bc2) + ε)) ⊙ mask. */
function maskedAdam(args: Parameters<KernelFunc>[0]): TensorInfo[] {
  const { w, g, m, v, mask } = args.inputs as { w: TensorInfo; g: TensorInfo; m: TensorInfo; v: TensorInfo; mask?: TensorInfo };
  const a = args.attrs as unknown as MaskedAdamAttrs;
  checkDevice(MASKED_ADAM);
  checkSameShape(MASKED_ADAM, w, { g, m, v, mask });
  const backend = args.backend as WebGPUBackend;
  const masked = mask !== undefined;
  const k = masked ? ['K'] : [];
  const kIn = mask ? [mask] : [];
  const pm = new ElementwiseProgram('adam_m', ['W', 'G', 'M', ...k], ['beta1', 'c', 'wd'], `${maskedGradient(masked)} let out = m * uniforms.beta1 + gm * uniforms.c;`, w.shape);
  const mOut = run(backend, pm, [w, g, m, ...kIn], [a.beta1, 1 - a.beta1, a.weightDecay]);
  const pv = new ElementwiseProgram('adam_v', ['W', 'G', 'V', ...k], ['beta2', 'c', 'wd'], `${maskedGradient(masked)} let out = v * uniforms.beta2 + gm * gm * uniforms.c;`, w.shape);
  const vOut = run(backend, pv, [w, g, v, ...kIn], [a.beta2, 1 - a.beta2, a.weightDecay]);
  const pw = new ElementwiseProgram(
    'adam_w',
    ['W', 'M', 'V', ...k],
    ['stepSize', 'bc2', 'eps'],
    `let out = (w - (m * uniforms.stepSize) / (sqrt(v / uniforms.bc2) + uniforms.eps))${masked ? ' * k' : ''};`,
    w.shape,
  );
  const wOut = run(backend, pw, [w, mOut, vOut, ...kIn], [a.lr / a.bc1, a.bc2, a.epsilon]);
  return [wOut, mOut, vOut];
}

const MARK = Symbol.for('colt-lab.webgpu-optimizer-kernel');

/** Registers MASKED_SGD and MASKED_ADAM on webgpu (idempotent); returns what it newly registered. */
export function registerWebgpuOptimizerKernels(): string[] {
  const installed: string[] = [];
  for (const [kernelName, fn] of [
    [MASKED_SGD, maskedSgd],
    [MASKED_ADAM, maskedAdam],
  ] as const) {
    const existing = getKernel(kernelName, 'webgpu');
    if (existing !== undefined && (existing.kernelFunc as { [MARK]?: boolean })[MARK] === true) continue;
    const kernelFunc = fn as unknown as KernelFunc;
    (kernelFunc as { [MARK]?: boolean })[MARK] = true;
    registerKernel({ kernelName, backendName: 'webgpu', kernelFunc });
    installed.push(`${kernelName}@webgpu`);
  }
  return installed;
}
