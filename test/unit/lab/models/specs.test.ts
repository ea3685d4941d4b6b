import { describe, expect, it } from 'vitest';
import { listModels } from '../../../../main/lab/models/registry.js';
import type { ParamSpec } from '../../../../main/lab/models/types.js';

const SHAPES: [number, number, number][] = [
  [32, 32, 3],
  [28, 28, 1],
  [64, 64, 3],
];

describe('parameter and buffer specs', () => {
  for (const entry of listModels()) {
    describe(entry.name, () => {
      const def = entry.build([32, 32, 3], 10);

      it('has unique names, usable in file names', () => {
        const names = [...def.params.map((p) => p.name), ...def.buffers.map((b) => b.name)];
        expect(new Set(names).size).toBe(names.length);
        for (const n of names) expect(n).toMatch(/^[a-z][a-z0-9]*(\.[a-z0-9]+)*$/);
      });

      it('marks only the last linear layer as head', () => {
        const head = def.params.filter((p) => p.head);
        expect(head.map((p) => p.name)).toEqual(['head.weight', 'head.bias']);
        expect(head[0].shape[1]).toBe(10);
        expect(head[1].shape).toEqual([10]);
        expect(def.params.slice(-2)).toEqual(head);
      });

      it('gives each tensor a kind, shape and fans consistent with its layer', () => {
        const byName = new Map(def.params.map((p) => [p.name, p] as const));
        for (const p of def.params) {
          const layer = p.name.slice(0, p.name.lastIndexOf('.'));
          if (p.kind === 'conv') {
            expect(p.name.endsWith('.weight')).toBe(true);
            expect(p.shape.length).toBe(4);
            const [kh, kw, ci, co] = p.shape;
            expect(p.fanIn).toBe(kh * kw * ci);
            expect(p.fanOut).toBe(kh * kw * co);
          } else if (p.kind === 'dense') {
            expect(p.name.endsWith('.weight')).toBe(true);
            expect(p.shape.length).toBe(2);
            expect([p.fanIn, p.fanOut]).toEqual([...p.shape]);
          } else if (p.kind === 'bias') {
            expect(p.name.endsWith('.bias')).toBe(true);
            const w = byName.get(`${layer}.weight`) as ParamSpec;
            expect(p.shape).toEqual([w.shape[w.shape.length - 1]]);
            expect([p.fanIn, p.fanOut]).toEqual([w.fanIn, w.fanOut]);
          } else {
            expect(p.name).toMatch(p.kind === 'bn-scale' ? /\.scale$/ : /\.shift$/);
            expect(p.init).toBe(p.kind === 'bn-scale' ? 'ones' : 'zeros');
            expect(def.buffers.find((b) => b.name === `${layer}.mean`)?.init).toBe('zeros');
            expect(def.buffers.find((b) => b.name === `${layer}.variance`)?.init).toBe('ones');
          }
        }
        for (const b of def.buffers) expect(b.name).toMatch(/\.(mean|variance)$/);
      });

      it('keeps every non-head spec and buffer identical for other class counts', () => {
        for (const shape of SHAPES) {
          const a = entry.build(shape, 10);
          const b = entry.build(shape, 5);
          expect(b.params.filter((p) => !p.head)).toEqual(a.params.filter((p) => !p.head));
          expect(b.buffers).toEqual(a.buffers);
          const hb = b.params.filter((p) => p.head);
          expect(hb[0].shape).toEqual([a.params.filter((p) => p.head)[0].shape[0], 5]);
        }
      });

      it('records its input shape and classes', () => {
        const d = entry.build([28, 28, 1], 7);
        expect(d.inputShape).toEqual([28, 28, 1]);
        expect(d.classes).toBe(7);
        expect(d.arch).toBe(entry.name);
      });
    });
  }

  it('uses the documented initialisers', () => {
    const inits = (name: string): Set<string> =>
      new Set(
        listModels()
          .find((e) => e.name === name)!
          .build([32, 32, 3], 10)
          .params.filter((p) => p.kind === 'conv' || p.kind === 'dense')
          .map((p) => p.init),
      );
    for (const n of ['lenet-300-100', 'conv2', 'conv4', 'conv6']) expect(inits(n)).toEqual(new Set(['glorot-normal']));
    for (const n of ['conv3', 'resnet18', 'vgg16', 'vgg19']) expect(inits(n)).toEqual(new Set(['torch-default']));
    expect(inits('resnet20')).toEqual(new Set(['he-normal']));
    const lenetBiases = listModels()[0].build([28, 28, 1], 10).params.filter((p) => p.kind === 'bias');
    expect(lenetBiases.every((p) => p.init === 'zeros')).toBe(true);
  });

  it('resnet18 has projection shortcuts exactly at the first block of stages 2-4; resnet20 none', () => {
    const r18 = listModels().find((e) => e.name === 'resnet18')!.build([32, 32, 3], 10);
    const sc = r18.params.filter((p) => p.name.includes('shortcut') && p.kind === 'conv');
    expect(sc.map((p) => [p.name, p.shape])).toEqual([
      ['layer2.0.shortcut.conv.weight', [1, 1, 64, 128]],
      ['layer3.0.shortcut.conv.weight', [1, 1, 128, 256]],
      ['layer4.0.shortcut.conv.weight', [1, 1, 256, 512]],
    ]);
    expect(r18.params.filter((p) => p.kind === 'conv').length).toBe(20);
    expect(r18.params.some((p) => p.kind === 'bias' && !p.head)).toBe(false);
    const r20 = listModels().find((e) => e.name === 'resnet20')!.build([32, 32, 3], 10);
    expect(r20.params.some((p) => p.name.includes('shortcut'))).toBe(false);
    expect(r20.params.filter((p) => p.kind === 'conv').length).toBe(19);
  });
});
