import type { Mask } from '../lab/masks.js';
import type { ModelDef } from '../lab/models/types.js';

/** A weight layer's parameters and multiply-adds, dense and with the ticket's mask. */
export interface LayerFlops {
  /** The weight's parameter name (`fc1.weight`, `layer2.0.conv1.weight`). */
  readonly name: string;
  readonly kind: 'conv' | 'dense';
  readonly shape: number[];
  readonly weights: number;
  /** Weights the mask keeps (all of them for a layer the ticket does not prune). */
  readonly kept: number;
  /** Whether the ticket's mask covers this layer. */
  readonly pruned: boolean;
  /** Output positions each weight is applied at per image (H × W of a conv's output; 1 for dense). */
  readonly positions: number | null;
  /** FLOPs per image, a multiply-add counting 2: dense network, and with only the kept weights. */
  readonly denseFlops: number | null;
  readonly remainingFlops: number | null;
}

/** A ticket's theoretical cost next to its sparsity. */
export interface TicketFlops {
  readonly layers: LayerFlops[];
  /** Every parameter of the model (weights, biases, batch-norm), and those left after pruning. */
  readonly parameters: { readonly total: number; readonly remaining: number };
  /** Forward-pass FLOPs per image over the weight layers; null where the layer geometry is unknown. */
  readonly flops: { readonly dense: number; readonly remaining: number } | null;
  /** What the figures count and what they do not mean. */
  readonly note: string;
}

/** What the FLOP figures count, and why mask sparsity is not a speed-up. */
export const FLOPS_NOTE =
  'Theoretical FLOPs of one forward pass per image over the conv and dense weights (a multiply-add counts 2; biases, batch-norm, activations and pooling are not counted). ' +
  'Pruned weights save these multiply-adds only with sparse kernels or hardware that skips zeros: this lab, like most frameworks, runs the masked network densely, so a ticket trains and infers no faster than the dense network. Mask sparsity is not a speed-up.';

const VGG_STAGES: Record<string, readonly number[]> = { vgg16: [2, 2, 3, 3, 3], vgg19: [2, 2, 4, 4, 4] };

/**
 * The output size (H, W) of every conv layer of a registered architecture on its input shape,
 * from the architecture's layout (main/lab/models): 'same' 3×3 convs, 2×2 max-pools (floor for
 * Conv-2/4/6 and Conv-3, ceil for VGG), stride-2 first blocks in ResNet stages 2+. Null for an
 * architecture it does not know. Checked against TF.js's own output shapes in the unit test.
 */
export function convOutputSizes(def: ModelDef): Map<string, [number, number]> | null {
  const [h0, w0] = def.inputShape;
  const out = new Map<string, [number, number]>();
  const arch = def.arch;
  if (arch === 'lenet-300-100') return out;
  if (arch === 'conv2' || arch === 'conv4' || arch === 'conv6') {
    let [h, w] = [h0, w0];
    for (let b = 0; b < Number(arch.slice(4)) / 2; b++) {
      out.set(`conv${2 * b + 1}.weight`, [h, w]);
      out.set(`conv${2 * b + 2}.weight`, [h, w]);
      [h, w] = [Math.floor(h / 2), Math.floor(w / 2)];
    }
    return out;
  }
  if (arch === 'conv3') {
    let [h, w] = [h0, w0];
    for (let i = 1; i <= 3; i++) {
      out.set(`conv${i}.weight`, [h, w]);
      [h, w] = [Math.floor(h / 2), Math.floor(w / 2)];
    }
    return out;
  }
  if (arch === 'resnet18' || arch === 'resnet20') {
    out.set('conv1.weight', [h0, w0]);
    let [h, w] = [h0, w0];
    for (const p of def.params) {
      const m = /^layer(\d+)\.(\d+)\.conv1\.weight$/.exec(p.name);
      if (!m) continue;
      // The first block of every stage after the first has stride 2: a 3×3 pad-1 or 1×1 pad-0 conv gives ceil(h / 2).
      if (Number(m[1]) > 1 && Number(m[2]) === 0) [h, w] = [Math.ceil(h / 2), Math.ceil(w / 2)];
      const block = `layer${m[1]}.${m[2]}`;
      out.set(`${block}.conv1.weight`, [h, w]);
      out.set(`${block}.conv2.weight`, [h, w]);
      if (def.params.some((q) => q.name === `${block}.shortcut.conv.weight`)) out.set(`${block}.shortcut.conv.weight`, [h, w]);
    }
    return out;
  }
  const stages = VGG_STAGES[arch];
  if (stages) {
    let [h, w] = [h0, w0];
    let n = 0;
    for (const convs of stages) {
      for (let i = 0; i < convs; i++) out.set(`conv${++n}.weight`, [h, w]);
      [h, w] = [Math.ceil(h / 2), Math.ceil(w / 2)];
    }
    return out;
  }
  return null;
}

/**
 * Parameters and theoretical FLOPs of a ticket, dense and remaining, per weight layer and in
 * total. A kept weight of a conv layer is applied at every output position; of a dense layer once.
 */
export function ticketFlops(def: ModelDef, mask: Mask): TicketFlops {
  const sizes = convOutputSizes(def);
  const layers: LayerFlops[] = [];
  let total = 0;
  let pruned = 0;
  for (const p of def.params) {
    const weights = p.shape.reduce((a, d) => a * d, 1);
    total += weights;
    const m = mask.get(p.name);
    let kept = weights;
    if (m) {
      kept = 0;
      for (let i = 0; i < m.length; i++) kept += m[i] !== 0 ? 1 : 0;
      pruned += weights - kept;
    }
    if (p.kind !== 'conv' && p.kind !== 'dense') continue;
    const hw = p.kind === 'dense' ? [1, 1] : sizes?.get(p.name);
    const positions = hw ? hw[0] * hw[1] : null;
    layers.push({
      name: p.name,
      kind: p.kind,
      shape: [...p.shape],
      weights,
      kept,
      pruned: m !== undefined,
      positions,
      denseFlops: positions === null ? null : 2 * weights * positions,
      remainingFlops: positions === null ? null : 2 * kept * positions,
    });
  }
  const known = layers.every((l) => l.positions !== null);
  return {
    layers,
    parameters: { total, remaining: total - pruned },
    flops: known ? { dense: layers.reduce((s, l) => s + (l.denseFlops as number), 0), remaining: layers.reduce((s, l) => s + (l.remainingFlops as number), 0) } : null,
    note: FLOPS_NOTE,
  };
}
