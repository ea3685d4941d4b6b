import { describe, expect, it } from 'vitest';
import { INITIALISERS } from '../../../main/contract/experiment-config.js';
import type { ModelDef, ParamSpec } from '../../../main/lab/models/types.js';
import { getModel } from '../../../main/lab/models/registry.js';
import { initParam, withInitialiser } from '../../../main/lab/weights.js';

// Each initialiser's moments over many draws: mean, standard deviation and bounds.

const fanIn = 300;
const fanOut = 100;

function moments(x: Float32Array): { mean: number; std: number; min: number; max: number } {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of x) {
    sum += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const mean = sum / x.length;
  let sq = 0;
  for (const v of x) sq += (v - mean) ** 2;
  return { mean, std: Math.sqrt(sq / (x.length - 1)), min, max };
}

/** The dense layer 300 → 100 of LeNet, initialised by `scheme`. */
function layer(scheme: (typeof INITIALISERS)[number]): { weight: ParamSpec; bias: ParamSpec; def: ModelDef } {
  const def = withInitialiser(getModel('lenet-300-100').build([28, 28, 1], 10), scheme);
  return { weight: def.params.find((p) => p.name === 'fc2.weight')!, bias: def.params.find((p) => p.name === 'fc2.bias')!, def };
}

describe('initialisers', () => {
  const n = fanIn * fanOut;
  it.each([
    // [scheme, weight std, weight bound (or null: unbounded normal)]
    ['glorot-uniform', Math.sqrt(6 / (fanIn + fanOut)) / Math.sqrt(3), Math.sqrt(6 / (fanIn + fanOut))],
    ['kaiming-normal', Math.sqrt(2 / fanIn), null],
    ['kaiming-uniform', Math.sqrt(6 / fanIn) / Math.sqrt(3), Math.sqrt(6 / fanIn)],
    ['pytorch-default', 1 / Math.sqrt(fanIn) / Math.sqrt(3), 1 / Math.sqrt(fanIn)],
    // Keras' truncated normal at 2 sd, rescaled so the truncated draws have the Glorot variance.
    ['glorot-normal', Math.sqrt(2 / (fanIn + fanOut)), (2 * Math.sqrt(2 / (fanIn + fanOut))) / 0.87962566103423978],
  ] as const)('%s draws weights with the right mean, std and bounds', (scheme, std, bound) => {
    const { weight } = layer(scheme);
    const m = moments(initParam(weight, 7));
    // Standard error of the mean is std/√n (≈ 0.006 std here); of the std about std/√(2n).
    expect(Math.abs(m.mean)).toBeLessThan((4 * std) / Math.sqrt(n));
    expect(Math.abs(m.std / std - 1)).toBeLessThan(0.02);
    if (bound !== null) {
      expect(m.max).toBeLessThanOrEqual(bound);
      expect(m.min).toBeGreaterThanOrEqual(-bound);
      // Uniform and truncated draws reach close to their bounds.
      expect(m.max).toBeGreaterThan(bound * 0.98);
    }
  });

  it('pytorch-default draws biases uniform ±1/√fan_in; Glorot and Kaiming leave biases at zero', () => {
    const torch = moments(initParam(layer('pytorch-default').bias, 7));
    expect(torch.max).toBeLessThanOrEqual(1 / Math.sqrt(fanIn));
    expect(torch.min).toBeGreaterThanOrEqual(-1 / Math.sqrt(fanIn));
    expect(torch.std).toBeGreaterThan(0);
    for (const scheme of ['glorot-normal', 'glorot-uniform', 'kaiming-normal', 'kaiming-uniform'] as const) {
      expect(initParam(layer(scheme).bias, 7).every((v) => v === 0)).toBe(true);
    }
  });

  it('"default" keeps each architecture\'s own initialisers, and batch-norm starts at ones / zeros under every scheme', () => {
    const lenet = getModel('lenet-300-100').build([28, 28, 1], 10);
    expect(withInitialiser(lenet, 'default')).toBe(lenet);
    expect(lenet.params.map((p) => p.init)).toEqual(['glorot-normal', 'zeros', 'glorot-normal', 'zeros', 'glorot-normal', 'zeros']);
    const conv3 = withInitialiser(getModel('conv3').build([8, 8, 1], 4), 'kaiming-normal');
    for (const p of conv3.params) {
      if (p.kind === 'bn-scale') expect(p.init).toBe('ones');
      if (p.kind === 'bn-shift') expect(p.init).toBe('zeros');
      if (p.kind === 'conv' || p.kind === 'dense') expect(p.init).toBe('he-normal');
    }
  });

  it('draws from (seed, parameter name): the same under every scheme change elsewhere, different per seed', () => {
    const { weight } = layer('pytorch-default');
    expect(initParam(weight, 3)).toEqual(initParam(weight, 3));
    expect(initParam(weight, 3)).not.toEqual(initParam(weight, 4));
  });
});
