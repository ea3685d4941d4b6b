import { describe, expect, it } from 'vitest';
import { applyOverrides } from '../../../main/cli/config-overrides.js';

describe('--set overrides', () => {
  it('sets nested fields, parsing JSON values', () => {
    expect(applyOverrides({ training: { lr: 1 } }, ['training.lr=0.5', 'seeds=[0,1]', 'name=x y'])).toEqual({ training: { lr: 0.5 }, seeds: [0, 1], name: 'x y' });
  });

  it.each(['__proto__.polluted=1', 'training.__proto__.polluted=1', 'constructor.prototype.polluted=1', 'prototype=1', 'training..lr=1', 'a.constructor=1'])(
    'refuses %s, and Object.prototype stays clean',
    (set) => {
      expect(() => applyOverrides({ training: {} }, [set])).toThrow(/is not a config field/);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('polluted');
    },
  );

  it('does not walk into inherited properties', () => {
    // 'toString' is inherited by every object: a path through it makes a new own object instead.
    expect(applyOverrides({}, ['toString.x=1'])).toEqual({ toString: { x: 1 } });
    expect(typeof ({} as { toString: unknown }).toString).toBe('function');
  });
});
