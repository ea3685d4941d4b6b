/**
 * CIFAR ResNets built from BasicBlocks (He et al., Deep Residual Learning, CVPR 2016).
 *
 * - `resnet18` follows kuangliu/pytorch-cifar models/resnet.py, the variant the COLT authors use:
 *   3x3 stem conv 64 (stride 1, no bias) + BN + ReLU, no max-pool, 4 stages of 2 blocks
 *   (64/128/256/512, stride 2 at the first block of stages 2-4), 1x1 conv + BN projection
 *   shortcut when the shape changes (option B), global average pool (kuangliu's avg_pool2d(4) on
 *   32x32), linear head. PyTorch default init. 11,173,962 parameters for 32x32x3 / 10 classes.
 * - `resnet20` follows section 4.2 of the paper (and akamaster/pytorch_resnet_cifar10): stem conv
 *   16, 3 stages of 3 blocks (16/32/64), parameter-free option-A shortcuts (subsample by 2 and
 *   zero-pad the new channels, half on each side), global average pool, linear head. He-normal
 *   (fan-in) weights as in the paper, head bias PyTorch default. 269,722 parameters for 10 classes.
 *
 * Convs have no bias; every conv is followed by batch-norm. 3x3 convs pad 1 (strided ones with
 * PyTorch's symmetric padding); 1x1 shortcut convs pad 0.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkBuildArgs, globalAvgPool, makeModelDef, SpecBuilder, subsample2, type Forward, type InputShape } from './layers.js';
import type { InitKind, ModelDef, ModelEntry } from './types.js';

type Shortcut = 'projection' | 'zero-pad';

interface ResNetConfig {
  readonly arch: string;
  readonly stem: number;
  readonly widths: readonly number[];
  readonly blocks: readonly number[];
  readonly shortcut: Shortcut;
  readonly init: InitKind;
  readonly headBiasInit: InitKind;
}

interface Block {
  readonly name: string;
  readonly inC: number;
  readonly outC: number;
  readonly stride: number;
  readonly project: boolean;
}

function layout(cfg: ResNetConfig): Block[] {
  const blocks: Block[] = [];
  let inC = cfg.stem;
  cfg.widths.forEach((outC, s) => {
    for (let i = 0; i < cfg.blocks[s]; i++) {
      const stride = s > 0 && i === 0 ? 2 : 1;
      const changes = stride !== 1 || inC !== outC;
      blocks.push({ name: `layer${s + 1}.${i}`, inC, outC, stride, project: changes && cfg.shortcut === 'projection' });
      inC = outC;
    }
  });
  return blocks;
}

/** Option-A shortcut: x[:, ::s, ::s, :] with (outC - inC) zero channels split over both sides. */
function zeroPadShortcut(x: tf.Tensor4D, stride: number, outC: number): tf.Tensor4D {
  const y = stride === 2 ? subsample2(x) : x;
  const extra = outC - x.shape[3];
  if (extra === 0) return y;
  const before = Math.floor(extra / 2);
  return tf.pad(y, [[0, 0], [0, 0], [0, 0], [before, extra - before]]);
}

function basicBlock(f: Forward, x: tf.Tensor4D, b: Block, shortcut: Shortcut): tf.Tensor4D {
  let y = f.conv(x, `${b.name}.conv1`, { stride: b.stride, pad: 1, bias: false });
  y = tf.relu(f.batchNorm(y, `${b.name}.bn1`));
  y = f.conv(y, `${b.name}.conv2`, { pad: 1, bias: false });
  y = f.batchNorm(y, `${b.name}.bn2`);
  let s = x;
  if (b.project) {
    s = f.conv(x, `${b.name}.shortcut.conv`, { stride: b.stride, pad: 0, bias: false });
    s = f.batchNorm(s, `${b.name}.shortcut.bn`);
  } else if (shortcut === 'zero-pad' && (b.stride !== 1 || b.inC !== b.outC)) {
    s = zeroPadShortcut(x, b.stride, b.outC);
  }
  return tf.relu(tf.add(y, s) as tf.Tensor4D);
}

function build(cfg: ResNetConfig, inputShape: InputShape, classes: number): ModelDef {
  checkBuildArgs(cfg.arch, inputShape, classes);
  const spec = new SpecBuilder();
  const conv = { bias: false, init: cfg.init } as const;
  spec.conv('conv1', 3, inputShape[2], cfg.stem, conv);
  spec.batchNorm('bn1', cfg.stem, 9 * inputShape[2], 9 * cfg.stem);
  const blocks = layout(cfg);
  for (const b of blocks) {
    spec.conv(`${b.name}.conv1`, 3, b.inC, b.outC, conv);
    spec.batchNorm(`${b.name}.bn1`, b.outC, 9 * b.inC, 9 * b.outC);
    spec.conv(`${b.name}.conv2`, 3, b.outC, b.outC, conv);
    spec.batchNorm(`${b.name}.bn2`, b.outC, 9 * b.outC, 9 * b.outC);
    if (b.project) {
      spec.conv(`${b.name}.shortcut.conv`, 1, b.inC, b.outC, conv);
      spec.batchNorm(`${b.name}.shortcut.bn`, b.outC, b.inC, b.outC);
    }
  }
  const last = cfg.widths[cfg.widths.length - 1];
  spec.dense('head', last, classes, { init: cfg.init, biasInit: cfg.headBiasInit, head: true });
  return makeModelDef(cfg.arch, inputShape, classes, spec, (f, x) => {
    let y = f.conv(x, 'conv1', { pad: 1, bias: false });
    y = tf.relu(f.batchNorm(y, 'bn1'));
    for (const b of blocks) y = basicBlock(f, y, b, cfg.shortcut);
    return f.dense(globalAvgPool(y), 'head');
  });
}

const RESNET18: ResNetConfig = {
  arch: 'resnet18',
  stem: 64,
  widths: [64, 128, 256, 512],
  blocks: [2, 2, 2, 2],
  shortcut: 'projection',
  init: 'torch-default',
  headBiasInit: 'torch-default',
};

const RESNET20: ResNetConfig = {
  arch: 'resnet20',
  stem: 16,
  widths: [16, 32, 64],
  blocks: [3, 3, 3],
  shortcut: 'zero-pad',
  init: 'he-normal',
  headBiasInit: 'torch-default',
};

/** Registry entry of the CIFAR ResNet-18 (kuangliu/pytorch-cifar, as used by the COLT authors). */
export const resnet18: ModelEntry = {
  name: 'resnet18',
  description: 'CIFAR ResNet-18: 3x3 stem 64, no max-pool, [2,2,2,2] basic blocks 64/128/256/512, projection shortcuts, GAP, head.',
  source: 'He et al., CVPR 2016; CIFAR variant of kuangliu/pytorch-cifar models/resnet.py (COLT authors\' ResNet-18)',
  build: (inputShape, classes) => build(RESNET18, inputShape, classes),
};

/** Registry entry of He et al.'s CIFAR ResNet-20 (option-A shortcuts). */
export const resnet20: ModelEntry = {
  name: 'resnet20',
  description: 'CIFAR ResNet-20: stem 16, [3,3,3] basic blocks 16/32/64, option-A (zero-pad) shortcuts, GAP, head.',
  source: 'He et al., Deep Residual Learning, CVPR 2016, section 4.2 (6n+2 with n=3, option A)',
  build: (inputShape, classes) => build(RESNET20, inputShape, classes),
};
