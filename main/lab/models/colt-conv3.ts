/**
 * Conv-3 of the COLT authors' code (Hossain et al., Cyclic Overlapping Lottery Ticket, arXiv
 * 2212.12770, authors' PyTorch code): three 3x3 convs with bias and padding 1 (3→64, 64→128,
 * 128→256), each followed by batch-norm, 2x2 max-pool (floor) and ReLU in that order; global
 * average pool; linear 256→classes. PyTorch default init ('torch-default'), BN ones/zeros.
 * 374,282 parameters on 32x32x3 with 10 classes (BN scale/shift included, running stats not).
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkBuildArgs, checkMinInput, globalAvgPool, makeModelDef, maxPool2x2, SpecBuilder, type InputShape } from './layers.js';
import type { ModelDef, ModelEntry } from './types.js';

const WIDTHS = [64, 128, 256] as const;

function build(inputShape: InputShape, classes: number): ModelDef {
  const arch = 'conv3';
  checkBuildArgs(arch, inputShape, classes);
  checkMinInput(arch, inputShape, WIDTHS.length);
  const spec = new SpecBuilder();
  let inC = inputShape[2];
  WIDTHS.forEach((width, i) => {
    spec.conv(`conv${i + 1}`, 3, inC, width, { bias: true, init: 'torch-default' });
    spec.batchNorm(`bn${i + 1}`, width, 9 * inC, 9 * width);
    inC = width;
  });
  spec.dense('head', inC, classes, { init: 'torch-default', biasInit: 'torch-default', head: true });
  return makeModelDef(arch, inputShape, classes, spec, (f, x) => {
    let y = x;
    WIDTHS.forEach((_, i) => {
      y = f.conv(y, `conv${i + 1}`, { pad: 1, bias: true });
      y = f.batchNorm(y, `bn${i + 1}`);
      y = tf.relu(maxPool2x2(y));
    });
    return f.dense(globalAvgPool(y), 'head');
  });
}

/** Registry entry of the COLT authors' Conv-3. */
export const conv3: ModelEntry = {
  name: 'conv3',
  description: 'COLT Conv-3: conv 64, 128, 256 (3x3, bias), each + batch-norm, max-pool, ReLU; global average pool; head.',
  source: "Hossain et al., Cyclic Overlapping Lottery Ticket (arXiv 2212.12770), authors' PyTorch code (Conv-3)",
  build,
};
