import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchNorm, BN_EPSILON, BN_MOMENTUM } from '../../../../main/lab/models/layers.js';
import { getModel } from '../../../../main/lab/models/registry.js';
import { disposeAll, makeBuffers, makeInput, makeParams, useCpu } from './helpers.js';

beforeAll(useCpu);

function close(actual: ArrayLike<number>, expected: number[], digits = 5): void {
  expect(actual.length).toBe(expected.length);
  Array.from(actual).forEach((a, i) => expect(a).toBeCloseTo(expected[i], digits));
}

describe('batch-norm', () => {
  it('uses PyTorch constants', () => {
    expect(BN_MOMENTUM).toBe(0.1);
    expect(BN_EPSILON).toBe(1e-5);
  });

  // x is [N=2, H=1, W=2, C=2]; channel 0 holds 1, 2, 3, 6 and channel 1 holds 0, 0, 4, 4.
  const xs = [1, 0, 2, 0, 3, 4, 6, 4];
  const scale = [2, 1];
  const shift = [0.5, -1];

  it('training: normalises with batch statistics and returns running stats with the unbiased variance', () => {
    const r = tf.tidy(() => {
      const out = batchNorm(
        tf.tensor4d(xs, [2, 1, 2, 2]),
        tf.tensor1d(scale),
        tf.tensor1d(shift),
        tf.tensor1d([0.5, 0]),
        tf.tensor1d([1, 2]),
        true,
      );
      return [out.y, out.runningMean!, out.runningVariance!];
    });
    // Channel 0: mean 3, biased var (4+1+0+9)/4 = 3.5, unbiased 14/3.
    // Channel 1: mean 2, biased var 4, unbiased 16/3.
    const y0 = [1, 2, 3, 6].map((v) => ((v - 3) / Math.sqrt(3.5 + 1e-5)) * 2 + 0.5);
    const y1 = [0, 0, 4, 4].map((v) => ((v - 2) / Math.sqrt(4 + 1e-5)) * 1 - 1);
    close(r[0].dataSync(), [y0[0], y1[0], y0[1], y1[1], y0[2], y1[2], y0[3], y1[3]]);
    close(r[1].dataSync(), [0.9 * 0.5 + 0.1 * 3, 0.9 * 0 + 0.1 * 2]);
    close(r[2].dataSync(), [0.9 * 1 + 0.1 * (14 / 3), 0.9 * 2 + 0.1 * (16 / 3)]);
    tf.dispose(r);
  });

  it('eval: normalises with the running statistics and returns no update', () => {
    const r = tf.tidy(() => {
      const out = batchNorm(
        tf.tensor4d(xs, [2, 1, 2, 2]),
        tf.tensor1d(scale),
        tf.tensor1d(shift),
        tf.tensor1d([0.5, 1]),
        tf.tensor1d([4, 0.25]),
        false,
      );
      expect(out.runningMean).toBeUndefined();
      return out.y;
    });
    const expected = xs.map((v, i) =>
      i % 2 === 0 ? ((v - 0.5) / Math.sqrt(4 + 1e-5)) * 2 + 0.5 : ((v - 1) / Math.sqrt(0.25 + 1e-5)) * 1 - 1,
    );
    close(r.dataSync(), expected);
    r.dispose();
  });

  it('conv3: the first layer\'s running stats match a hand computation of conv1 on a tiny input', () => {
    const def = getModel('conv3').build([8, 8, 1], 3);
    const params = makeParams(def);
    const buffers = makeBuffers(def);
    const x = makeInput(2, [8, 8, 1]);
    const r = def.apply(params, buffers, x, true);
    // Hand computation: conv1 output per channel over N, H, W, with PyTorch's update rule.
    const k = params['conv1.weight'].arraySync() as number[][][][];
    const b = params['conv1.bias'].dataSync();
    const xv = x.arraySync() as number[][][][];
    const channels = 64;
    const sums = new Array<number>(channels).fill(0);
    const squares = new Array<number>(channels).fill(0);
    for (let n = 0; n < 2; n++)
      for (let i = 0; i < 8; i++)
        for (let j = 0; j < 8; j++)
          for (let c = 0; c < channels; c++) {
            let v = b[c];
            for (let di = -1; di <= 1; di++)
              for (let dj = -1; dj <= 1; dj++) {
                const ii = i + di;
                const jj = j + dj;
                if (ii >= 0 && ii < 8 && jj >= 0 && jj < 8) v += xv[n][ii][jj][0] * k[di + 1][dj + 1][0][c];
              }
            sums[c] += v;
            squares[c] += v * v;
          }
    const count = 2 * 8 * 8;
    const mean = sums.map((s) => s / count);
    const unbiased = squares.map((q, c) => (q - count * mean[c] * mean[c]) / (count - 1));
    close(r.buffers['bn1.mean'].dataSync(), mean.map((m) => 0.1 * m), 4);
    close(r.buffers['bn1.variance'].dataSync(), unbiased.map((v) => 0.9 + 0.1 * v), 4);
    tf.dispose([r.logits, ...Object.values(r.buffers)]);
    disposeAll(params, buffers);
    x.dispose();
  });

  for (const name of ['conv3', 'resnet20', 'resnet18', 'vgg16']) {
    it(`${name}: eval with running stats equal to the batch statistics reproduces the training output`, () => {
      const shape: [number, number, number] = [8, 8, 3];
      const def = getModel(name).build(shape, 4);
      const params = makeParams(def);
      const buffers = makeBuffers(def);
      const x = makeInput(3, shape);
      // Training ignores the running stats it is given; start them at zero so that the updates
      // are mean' = 0.1 m and var' = 0.1 v n/(n-1), and recover the biased batch variance (what
      // training normalises with) for each layer.
      const zeros = Object.fromEntries(def.buffers.map((b) => [b.name, tf.zeros([...b.shape])]));
      const train = def.apply(params, zeros, x, true);
      const batchStats: Record<string, tf.Tensor> = {};
      tf.tidy(() => {
        for (const b of def.buffers) {
          const u = train.buffers[b.name];
          if (b.name.endsWith('.mean')) batchStats[b.name] = tf.keep(tf.div(u, 0.1));
        }
      });
      // Each BN layer's count N*H*W: read it off the spatial size reached by the layer.
      const counts = layerCounts(def.apply, params, zeros, x, def.buffers.map((b) => b.name));
      tf.tidy(() => {
        for (const b of def.buffers) {
          if (!b.name.endsWith('.variance')) continue;
          const n = counts[b.name];
          const unbiased = tf.div(train.buffers[b.name], 0.1);
          batchStats[b.name] = tf.keep(tf.mul(unbiased, (n - 1) / n));
        }
      });
      const evalStats = def.apply(params, batchStats, x, false);
      const evalInit = def.apply(params, buffers, x, false);
      // float32 round-off grows through the layers where a channel's batch variance is near eps
      // (VGG's last convs see 1x1 maps of three samples), hence the loose tolerance there; the
      // initial stats are far off in every case.
      const maxDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
      expect(maxDiff(evalStats.logits, train.logits)).toBeLessThan(name === 'vgg16' ? 2e-2 : 2e-3);
      expect(maxDiff(evalInit.logits, train.logits)).toBeGreaterThan(0.2);
      tf.dispose([train.logits, ...Object.values(train.buffers), evalStats.logits, evalInit.logits]);
      disposeAll(params, buffers, batchStats, zeros);
      x.dispose();
    });
  }
});

/**
 * The number of values per channel each BN layer saw (N*H*W), read off the running-variance
 * updates from zero buffers: v' = 0.1 v n/(n-1). The same batch stacked twice has the same biased
 * variance v but factor 2n/(2n-1), so r = v'(x) / v'(x;x) = (2n-1) / (2(n-1)) gives n.
 */
function layerCounts(
  apply: (p: Record<string, tf.Tensor>, b: Record<string, tf.Tensor>, x: tf.Tensor4D, t: boolean) => { buffers: Readonly<Record<string, tf.Tensor>>; logits: tf.Tensor },
  params: Record<string, tf.Tensor>,
  zeros: Record<string, tf.Tensor>,
  x: tf.Tensor4D,
  names: string[],
): Record<string, number> {
  const once = apply(params, zeros, x, true);
  const doubled = tf.concat([x, x]) as tf.Tensor4D;
  const twice = apply(params, zeros, doubled, true);
  const out: Record<string, number> = {};
  for (const name of names.filter((n) => n.endsWith('.variance'))) {
    const a = once.buffers[name].dataSync();
    const b = twice.buffers[name].dataSync();
    let c = 0;
    for (let i = 1; i < a.length; i++) if (a[i] > a[c]) c = i;
    const r = a[c] / b[c];
    out[name] = Math.round((2 * r - 1) / (2 * r - 2));
  }
  tf.dispose([once.logits, twice.logits, doubled, ...Object.values(once.buffers), ...Object.values(twice.buffers)]);
  return out;
}
