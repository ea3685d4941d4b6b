/**
 * CIFAR VGG-16 and VGG-19 as in kuangliu/pytorch-cifar models/vgg.py (after Simonyan &
 * Zisserman 2015): the cfg lists of 3x3 convs (pad 1, with bias) each followed by batch-norm and
 * ReLU, 'M' = 2x2 max-pool, then a single linear 512→classes. PyTorch default init.
 * On 32x32 inputs the five pools end at 1x1 and the model is exactly kuangliu's; for other input
 * sizes a global average pool precedes the linear layer (identity at 1x1), and pools use ceil
 * mode so that small inputs (e.g. 28x28) never shrink to nothing (identical to floor on even
 * sizes). On 32x32x3 with 10 classes: VGG-16 14,728,266 and VGG-19 20,040,522 parameters.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkBuildArgs, globalAvgPool, makeModelDef, maxPool2x2, SpecBuilder, type InputShape } from './layers.js';
import type { ModelDef, ModelEntry } from './types.js';

type Cfg = readonly (number | 'M')[];

const CFG16: Cfg = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'];
const CFG19: Cfg = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'];

/**
 * Why VGG cannot be trained on this input, or null: a side that is odd before one of the
 * max-pools makes that ceil-mode pool pad, and the wasm backend's max-pool gradient then fails
 * (an out-of-bounds memory access, seen on 28x28, 16x16 and 48x48 inputs; the forward pass and the
 * cpu backend are fine). Sides that halve evenly through every pool (multiples of 32) train.
 */
function untrainable(arch: string, cfg: Cfg, inputShape: InputShape): string | null {
  const pools = cfg.filter((c) => c === 'M').length;
  for (const side of [inputShape[0], inputShape[1]]) {
    let s = side;
    for (let i = 0; i < pools; i++) {
      if (s % 2 !== 0) {
        return `a ${inputShape[0]}x${inputShape[1]} input reaches an odd side (${s}) before max-pool ${i + 1} of ${pools}, where training on the wasm backend fails; ${arch} trains on inputs whose sides are multiples of ${2 ** pools} (e.g. 32x32)`;
      }
      s /= 2;
    }
  }
  return null;
}

function build(arch: string, cfg: Cfg, inputShape: InputShape, classes: number): ModelDef {
  checkBuildArgs(arch, inputShape, classes);
  const spec = new SpecBuilder();
  let inC = inputShape[2];
  let n = 0;
  for (const item of cfg) {
    if (item === 'M') continue;
    n++;
    spec.conv(`conv${n}`, 3, inC, item, { bias: true, init: 'torch-default' });
    spec.batchNorm(`bn${n}`, item, 9 * inC, 9 * item);
    inC = item;
  }
  spec.dense('head', inC, classes, { init: 'torch-default', biasInit: 'torch-default', head: true });
  return makeModelDef(arch, inputShape, classes, spec, (f, x) => {
    let y = x;
    let i = 0;
    for (const item of cfg) {
      if (item === 'M') {
        y = maxPool2x2(y, true);
        continue;
      }
      i++;
      y = f.conv(y, `conv${i}`, { pad: 1, bias: true });
      y = tf.relu(f.batchNorm(y, `bn${i}`));
    }
    return f.dense(globalAvgPool(y), 'head');
  });
}

/** Registry entry of the CIFAR VGG-16 (kuangliu/pytorch-cifar). */
export const vgg16: ModelEntry = {
  name: 'vgg16',
  description: 'CIFAR VGG-16 with batch-norm (13 convs, 5 max-pools), global average pool, single linear head.',
  source: 'Simonyan & Zisserman, ICLR 2015; CIFAR variant of kuangliu/pytorch-cifar models/vgg.py',
  build: (inputShape, classes) => build('vgg16', CFG16, inputShape, classes),
  untrainable: (inputShape) => untrainable('vgg16', CFG16, inputShape),
};

/** Registry entry of the CIFAR VGG-19 (kuangliu/pytorch-cifar). */
export const vgg19: ModelEntry = {
  name: 'vgg19',
  description: 'CIFAR VGG-19 with batch-norm (16 convs, 5 max-pools), global average pool, single linear head.',
  source: 'Simonyan & Zisserman, ICLR 2015; CIFAR variant of kuangliu/pytorch-cifar models/vgg.py',
  build: (inputShape, classes) => build('vgg19', CFG19, inputShape, classes),
  untrainable: (inputShape) => untrainable('vgg19', CFG19, inputShape),
};
