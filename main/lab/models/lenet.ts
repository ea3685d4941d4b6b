/**
 * LeNet-300-100, the fully-connected MNIST network of the Lottery Ticket Hypothesis paper
 * (Frankle & Carbin, ICLR 2019, figure 2 and appendix; after LeCun et al. 1998): flatten →
 * dense 300 → ReLU → dense 100 → ReLU → dense classes. Glorot-normal weights, zero biases.
 * 266,610 parameters on 28x28x1 with 10 classes.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkBuildArgs, flatten, makeModelDef, SpecBuilder, type InputShape } from './layers.js';
import type { ModelDef, ModelEntry } from './types.js';

const HIDDEN = [300, 100] as const;

function build(inputShape: InputShape, classes: number): ModelDef {
  const arch = 'lenet-300-100';
  checkBuildArgs(arch, inputShape, classes);
  const spec = new SpecBuilder();
  const dense = { init: 'glorot-normal', biasInit: 'zeros' } as const;
  let width = inputShape[0] * inputShape[1] * inputShape[2];
  HIDDEN.forEach((h, i) => {
    spec.dense(`fc${i + 1}`, width, h, dense);
    width = h;
  });
  spec.dense('head', width, classes, { ...dense, head: true });
  return makeModelDef(arch, inputShape, classes, spec, (f, x) => {
    let h = flatten(x);
    HIDDEN.forEach((_, i) => {
      h = tf.relu(f.dense(h, `fc${i + 1}`));
    });
    return f.dense(h, 'head');
  });
}

/** Registry entry of LeNet-300-100 (LTH paper). */
export const lenet300100: ModelEntry = {
  name: 'lenet-300-100',
  description: 'Fully-connected 300-100 network (flatten, dense 300, dense 100, head); the LTH MNIST baseline.',
  source: 'Frankle & Carbin, The Lottery Ticket Hypothesis, ICLR 2019, fig. 2 / appendix (LeNet-300-100 of LeCun et al. 1998)',
  build,
};
