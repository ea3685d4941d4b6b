/**
 * How our parameters map onto a PyTorch state dict, for `torch.nn.utils.prune` style ticket files
 * (`<module>.weight_orig` + `<module>.weight_mask`, other tensors as `<module>.weight|bias`).
 *
 * Names: our parameter names already follow PyTorch module paths (`conv1.weight`,
 * `layer2.0.conv1.weight`, `fc1.weight`), with these differences:
 *   - batch-norm `<bn>.scale` / `<bn>.shift` are PyTorch's `<bn>.weight` / `<bn>.bias`; running
 *     statistics (`running_mean`, `running_var`, `num_batches_tracked`) are accepted and ignored;
 *   - the classifier `head` is written as `linear` (ResNets, as kuangliu/pytorch-cifar),
 *     `classifier` (VGGs) or `fc` (the others); on import any of head, fc, linear, classifier;
 *   - ResNet projection shortcuts `<block>.shortcut.conv|bn` are written `<block>.shortcut.0|1`
 *     (kuangliu); on import torchvision's `<block>.downsample.0|1` are accepted too;
 *   - a leading `module.` (DataParallel) is stripped on import.
 * Layouts: conv kernels are [kh, kw, in, out] here and [out, in, kh, kw] in PyTorch; dense kernels
 * [in, out] here and [out, in] there. The first dense layer after a flatten of an h×w×c feature
 * map also has its inputs reordered, because we flatten (h, w, c) and PyTorch flattens (c, h, w).
 */
import { invalidInput } from '../../contract/errors.js';
import type { ModelDef, ParamSpec } from '../../lab/models/types.js';

/** PyTorch's names of one of our parameters: module path and leaf. */
export interface TorchParamName {
  readonly module: string;
  readonly leaf: 'weight' | 'bias';
}

/** Splits `layer1.0.bn1.scale` into module and leaf. */
function split(name: string): { module: string; leaf: string } {
  const at = name.lastIndexOf('.');
  return { module: name.slice(0, at), leaf: name.slice(at + 1) };
}

function headName(arch: string): string {
  if (arch.startsWith('resnet')) return 'linear';
  if (arch.startsWith('vgg')) return 'classifier';
  return 'fc';
}

/** PyTorch module names accepted for one of our modules; the first is what export writes. */
export function torchModuleAliases(arch: string, module: string): string[] {
  if (module === 'head') return [...new Set([headName(arch), 'head', 'fc', 'linear', 'classifier'])];
  const shortcut = /^(.*)\.shortcut\.(conv|bn)$/.exec(module);
  if (shortcut) {
    const k = shortcut[2] === 'conv' ? 0 : 1;
    return [`${shortcut[1]}.shortcut.${k}`, `${shortcut[1]}.downsample.${k}`, module];
  }
  return [module];
}

/** The PyTorch state-dict name (canonical) of one of our parameters. */
export function torchName(def: ModelDef, spec: ParamSpec): TorchParamName {
  const { module, leaf } = split(spec.name);
  return { module: torchModuleAliases(def.arch, module)[0], leaf: leaf === 'scale' || leaf === 'weight' ? 'weight' : 'bias' };
}

/** Every accepted PyTorch module name → our module name, for one model. */
export function torchModuleIndex(def: ModelDef): Map<string, string> {
  const index = new Map<string, string>();
  for (const spec of def.params) {
    const { module } = split(spec.name);
    for (const alias of torchModuleAliases(def.arch, module)) if (!index.has(alias)) index.set(alias, module);
  }
  return index;
}

/** Our parameter for a PyTorch module and leaf (`weight`/`bias`), or undefined. */
export function ourParam(def: ModelDef, module: string, leaf: string): ParamSpec | undefined {
  const candidates = leaf === 'weight' ? ['weight', 'scale'] : leaf === 'bias' ? ['bias', 'shift'] : [];
  for (const c of candidates) {
    const spec = def.params.find((p) => p.name === `${module}.${c}`);
    if (spec) return spec;
  }
  return undefined;
}

/** A parameter's shape in PyTorch's layout. */
export function torchShape(spec: ParamSpec): number[] {
  const s = spec.shape;
  if (spec.kind === 'conv') return [s[3], s[2], s[0], s[1]];
  if (spec.kind === 'dense') return [s[1], s[0]];
  return [...s];
}

/**
 * For each of our element indices k, the PyTorch element index holding the same weight
 * (ours[k] = torch[index[k]]); undefined when the layouts agree.
 */
export function torchIndex(def: ModelDef, spec: ParamSpec): Int32Array | undefined {
  if (spec.kind === 'conv') {
    const [kh, kw, cin, cout] = spec.shape;
    const index = new Int32Array(kh * kw * cin * cout);
    let k = 0;
    for (let y = 0; y < kh; y++)
      for (let x = 0; x < kw; x++)
        for (let i = 0; i < cin; i++) for (let o = 0; o < cout; o++) index[k++] = ((o * cin + i) * kh + y) * kw + x;
    return index;
  }
  if (spec.kind === 'dense') {
    const [fin, fout] = spec.shape;
    const hwc = flattenSource(def, spec);
    const index = new Int32Array(fin * fout);
    for (let r = 0; r < fin; r++) {
      let j = r;
      if (hwc) {
        // Our input r = (y*W + x)*C + c is PyTorch's input c*H*W + y*W + x.
        const [h, w, c] = hwc;
        const ch = r % c;
        const pixel = (r - ch) / c;
        j = ch * h * w + pixel;
      }
      for (let o = 0; o < fout; o++) index[r * fout + o] = o * fin + j;
    }
    return index;
  }
  return undefined;
}

/**
 * The h×w×c feature map a dense layer flattens, when it is the first dense layer and its input
 * is a flattened map with more than one pixel and channel; undefined when no reordering is needed.
 */
export function flattenSource(def: ModelDef, spec: ParamSpec): readonly [number, number, number] | undefined {
  const firstDense = def.params.find((p) => p.kind === 'dense');
  if (firstDense !== spec) return undefined;
  const convs = def.params.slice(0, def.params.indexOf(spec)).filter((p) => p.kind === 'conv');
  const fin = spec.shape[0];
  let hwc: [number, number, number] | undefined;
  if (convs.length === 0) hwc = [...def.inputShape];
  else {
    const c = convs[convs.length - 1].shape[3];
    let [h, w] = def.inputShape;
    for (let k = 0; k < 16 && hwc === undefined; k++) {
      if (h * w * c === fin) hwc = [h, w, c];
      h = Math.floor(h / 2);
      w = Math.floor(w / 2);
    }
    if (hwc === undefined) {
      throw invalidInput(`${def.arch}: cannot tell which feature map ${spec.name} flattens, so its PyTorch layout is unknown`);
    }
  }
  if (hwc[0] * hwc[1] === 1 || hwc[2] === 1) return undefined;
  return hwc;
}

/** Rewrites our values in PyTorch's layout. */
export function toTorchLayout<T extends Float32Array | Uint8Array>(values: T, index: Int32Array | undefined): T {
  if (!index) return values;
  const out = new (values.constructor as new (n: number) => T)(values.length);
  for (let k = 0; k < index.length; k++) out[index[k]] = values[k];
  return out;
}

/** Rewrites PyTorch-layout values in ours. */
export function fromTorchLayout<T extends Float32Array | Uint8Array>(values: T, index: Int32Array | undefined): T {
  if (!index) return values;
  const out = new (values.constructor as new (n: number) => T)(values.length);
  for (let k = 0; k < index.length; k++) out[k] = values[index[k]];
  return out;
}
