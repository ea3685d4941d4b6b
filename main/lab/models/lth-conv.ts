/**
 * Conv-2, Conv-4 and Conv-6, the VGG-like CIFAR-10 networks of the Lottery Ticket Hypothesis
 * paper (Frankle & Carbin, ICLR 2019, figure 2 and appendix; after Simonyan & Zisserman 2014):
 * pairs of 3x3 'same' convs with ReLU, each pair followed by a 2x2 max-pool (64,64 | 128,128 |
 * 256,256), then flatten → dense 256 → ReLU → dense 256 → ReLU → dense classes. Glorot-normal
 * weights, zero biases. Pools are floor mode (valid). On 32x32x3 with 10 classes:
 * Conv-2 4,301,642, Conv-4 2,425,930, Conv-6 2,262,602 parameters (paper: 4.3M, 2.4M, 2.3M).
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  checkBuildArgs,
  checkMinInput,
  flatten,
  makeModelDef,
  maxPool2x2,
  pooledSize,
  SpecBuilder,
  type InputShape,
} from './layers.js';
import type { ModelDef, ModelEntry } from './types.js';

const BLOCK_WIDTHS = [64, 128, 256] as const;
const FC = [256, 256] as const;

function build(arch: string, blocks: number, inputShape: InputShape, classes: number): ModelDef {
  checkBuildArgs(arch, inputShape, classes);
  checkMinInput(arch, inputShape, blocks);
  const spec = new SpecBuilder();
  const conv = { bias: true, init: 'glorot-normal', biasInit: 'zeros' } as const;
  const dense = { init: 'glorot-normal', biasInit: 'zeros' } as const;
  let inC = inputShape[2];
  let h = inputShape[0];
  let w = inputShape[1];
  for (let b = 0; b < blocks; b++) {
    const width = BLOCK_WIDTHS[b];
    spec.conv(`conv${2 * b + 1}`, 3, inC, width, conv);
    spec.conv(`conv${2 * b + 2}`, 3, width, width, conv);
    inC = width;
    h = pooledSize(h);
    w = pooledSize(w);
  }
  let features = h * w * inC;
  FC.forEach((units, i) => {
    spec.dense(`fc${i + 1}`, features, units, dense);
    features = units;
  });
  spec.dense('head', features, classes, { ...dense, head: true });
  return makeModelDef(arch, inputShape, classes, spec, (f, x) => {
    let y = x;
    for (let b = 0; b < blocks; b++) {
      y = tf.relu(f.conv(y, `conv${2 * b + 1}`, { pad: 1, bias: true }));
      y = tf.relu(f.conv(y, `conv${2 * b + 2}`, { pad: 1, bias: true }));
      y = maxPool2x2(y);
    }
    let z = flatten(y);
    FC.forEach((_, i) => {
      z = tf.relu(f.dense(z, `fc${i + 1}`));
    });
    return f.dense(z, 'head');
  });
}

function entry(blocks: number): ModelEntry {
  const name = `conv${2 * blocks}`;
  const widths = BLOCK_WIDTHS.slice(0, blocks)
    .map((c) => `${c},${c},pool`)
    .join(', ');
  return {
    name,
    description: `LTH Conv-${2 * blocks}: 3x3 convs ${widths}; dense 256, 256, head. Glorot-normal init.`,
    source: 'Frankle & Carbin, The Lottery Ticket Hypothesis, ICLR 2019, fig. 2 / appendix (Conv-2/4/6)',
    build: (inputShape, classes) => build(name, blocks, inputShape, classes),
  };
}

/** Registry entry of the LTH Conv-2 (64,64,pool). */
export const conv2: ModelEntry = entry(1);
/** Registry entry of the LTH Conv-4 (+128,128,pool). */
export const conv4: ModelEntry = entry(2);
/** Registry entry of the LTH Conv-6 (+256,256,pool). */
export const conv6: ModelEntry = entry(3);
