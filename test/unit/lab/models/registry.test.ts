import { describe, expect, it } from 'vitest';
import { LabError } from '../../../../main/contract/errors.js';
import { countParams, getModel, listModels } from '../../../../main/lab/models/registry.js';

const NAMES = ['lenet-300-100', 'conv2', 'conv4', 'conv6', 'conv3', 'resnet18', 'resnet20', 'vgg16', 'vgg19'];

describe('model registry', () => {
  it('lists exactly the expected architectures', () => {
    expect(listModels().map((e) => e.name)).toEqual(NAMES);
    for (const e of listModels()) {
      expect(e.description.length).toBeGreaterThan(10);
      expect(e.source.length).toBeGreaterThan(10);
    }
  });

  it('finds each model by name and builds it with that arch name', () => {
    for (const name of NAMES) expect(getModel(name).build([32, 32, 3], 10).arch).toBe(name);
  });

  it('refuses an unknown name with invalid_input naming the known ones', () => {
    let err: unknown;
    try {
      getModel('resnet50');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).code).toBe('invalid_input');
    expect((err as LabError).message).toBe(`unknown architecture 'resnet50'; known: ${NAMES.join(', ')}`);
  });

  it('refuses bad input shapes and class counts', () => {
    const e = getModel('conv2');
    expect(() => e.build([32, 32] as unknown as [number, number, number], 10)).toThrow(LabError);
    expect(() => e.build([32, 0, 3], 10)).toThrow(/input shape/);
    expect(() => e.build([32, 32.5, 3], 10)).toThrow(/input shape/);
    expect(() => e.build([32, 32, 3], 0)).toThrow(/classes/);
    expect(() => e.build([32, 32, 3], 2.5)).toThrow(/classes/);
  });

  it('refuses inputs the pooling would shrink to nothing, and accepts the smallest that fits', () => {
    expect(() => getModel('conv6').build([7, 7, 3], 10)).toThrow(/at least 8x8/);
    expect(getModel('conv6').build([8, 8, 3], 10).params.length).toBeGreaterThan(0);
    expect(() => getModel('conv3').build([4, 4, 3], 10)).toThrow(LabError);
    expect(() => getModel('conv2').build([1, 5, 3], 10)).toThrow(LabError);
  });

  it('counts parameters with an optional filter', () => {
    const def = getModel('lenet-300-100').build([28, 28, 1], 10);
    expect(countParams(def)).toBe(266_610);
    expect(countParams(def, (p) => p.head)).toBe(1010);
    expect(countParams(def, (p) => p.kind === 'dense')).toBe(784 * 300 + 300 * 100 + 100 * 10);
  });
});
