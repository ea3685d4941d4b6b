/** The model registry: every architecture the lab can build, by name. */
import { LabError } from '../../contract/errors.js';
import { conv3 } from './colt-conv3.js';
import { lenet300100 } from './lenet.js';
import { conv2, conv4, conv6 } from './lth-conv.js';
import { resnet18, resnet20 } from './resnet.js';
import type { ModelDef, ModelEntry, ParamSpec } from './types.js';
import { vgg16, vgg19 } from './vgg.js';

const ENTRIES: readonly ModelEntry[] = [lenet300100, conv2, conv4, conv6, conv3, resnet18, resnet20, vgg16, vgg19];

/** All registered architectures, in a fixed order. */
export function listModels(): ModelEntry[] {
  return [...ENTRIES];
}

/** The architecture of that name; LabError 'invalid_input' naming the known ones otherwise. */
export function getModel(name: string): ModelEntry {
  const entry = ENTRIES.find((e) => e.name === name);
  if (entry === undefined) {
    throw new LabError('invalid_input', `unknown architecture '${name}'; known: ${ENTRIES.map((e) => e.name).join(', ')}`, {
      known: ENTRIES.map((e) => e.name),
    });
  }
  return entry;
}

/** Number of scalar parameters of a model, optionally only of the specs a predicate keeps. */
export function countParams(def: ModelDef, keep: (p: ParamSpec) => boolean = () => true): number {
  return def.params.filter(keep).reduce((n, p) => n + p.shape.reduce((a, d) => a * d, 1), 0);
}

/**
 * Weights of a model as the COLT authors' code counts them for "sparsity over all weights": every
 * conv and dense kernel (the head included) and every batch-norm scale, i.e. PyTorch's `weight`
 * tensors; biases and batch-norm shifts excluded.
 */
export function countWeights(def: ModelDef): number {
  return countParams(def, (p) => p.kind === 'conv' || p.kind === 'dense' || p.kind === 'bn-scale');
}
