// Why: tfjs-backend-webgpu 4.22's pad shader does not compile for rank-5 tensors (it indexes a
// WGSL struct), and the gradient of the rank-5 slice in ResNet-20's option-A shortcut
// (layers.ts subsample2) is such a pad. Padding the merged dimensions is the same operation.
import { getKernel, registerKernel, unregisterKernel, util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';

/** Adjacent dimensions merged for a pad: a dimension joins the one before when it is not padded (exported for tests). */
export function mergePadDims(shape: readonly number[], paddings: readonly (readonly [number, number])[]): { shape: number[]; paddings: [number, number][] } {
  const outShape: number[] = [];
  const outPad: [number, number][] = [];
  for (let i = 0; i < shape.length; i++) {
    const [before, after] = paddings[i] as readonly [number, number];
    const size = shape[i] as number;
    if (i > 0 && before === 0 && after === 0) {
      const last = outShape.length - 1;
      outShape[last] = (outShape[last] as number) * size;
      const p = outPad[last] as [number, number];
      outPad[last] = [p[0] * size, p[1] * size];
    } else {
      outShape.push(size);
      outPad.push([before, after]);
    }
  }
  return { shape: outShape, paddings: outPad };
}

const MARK = Symbol.for('colt-lab.webgpu-kernel-fix');

/** Re-registers webgpu's PadV2 so tensors of rank above 4 are padded as their merged rank-≤4 view (idempotent). */
export function registerWebgpuKernelFixes(): void {
  const original = getKernel('PadV2', 'webgpu');
  const reshape = getKernel('Reshape', 'webgpu');
  if (original === undefined || reshape === undefined || (original.kernelFunc as { [MARK]?: boolean })[MARK] === true) return;
  const pad = original.kernelFunc;
  const kernelFunc: KernelFunc = (args) => {
    const x = args.inputs.x as TensorInfo;
    const paddings = args.attrs?.paddings as [number, number][];
    if (x.shape.length <= 4) return pad(args);
    const merged = mergePadDims(x.shape, paddings);
    if (merged.shape.length > 4) return pad(args);
    const backend = args.backend as unknown as { disposeData(id: object): void };
    const view = reshape.kernelFunc({ inputs: { x }, backend: args.backend, attrs: { shape: merged.shape } }) as TensorInfo;
    const padded = pad({ ...args, inputs: { x: view }, attrs: { ...args.attrs, paddings: merged.paddings } }) as TensorInfo;
    const outShape = x.shape.map((d, i) => d + (paddings[i] as [number, number])[0] + (paddings[i] as [number, number])[1]);
    const out = reshape.kernelFunc({ inputs: { x: padded }, backend: args.backend, attrs: { shape: outShape } }) as TensorInfo;
    backend.disposeData(view.dataId);
    backend.disposeData(padded.dataId);
    util.assert(util.sizeFromShape(out.shape) === util.sizeFromShape(outShape), () => 'padded size mismatch');
    return out;
  };
  (kernelFunc as { [MARK]?: boolean })[MARK] = true;
  unregisterKernel('PadV2', 'webgpu');
  registerKernel({ ...(original as KernelConfig), kernelFunc });
}
