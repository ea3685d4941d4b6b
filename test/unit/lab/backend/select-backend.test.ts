import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { LabError } from '../../../../main/contract/errors.js';
import { backendInfo, selectBackend, type BackendRequest } from '../../../../main/lab/backend/index.js';
import { describeReason } from '../../../../main/lab/backend/select-backend.js';
import { vulkanDriverFiles } from '../../../../main/lab/backend/webgpu-adapter.js';

const require = createRequire(import.meta.url);

/** Whether a tfjs-node package is installed with its libtensorflow binding (never on this machine). */
function nativeUsable(pkg: string): boolean {
  try {
    const lib = path.join(path.dirname(require.resolve(`${pkg}/package.json`)), 'lib');
    return existsSync(lib) && readdirSync(lib).some((d) => existsSync(path.join(lib, d, 'tfjs_binding.node')));
  } catch {
    return false;
  }
}

const native = nativeUsable('@tensorflow/tfjs-node-gpu') || nativeUsable('@tensorflow/tfjs-node');
// A Vulkan driver (this machine has none unless VK_ICD_FILENAMES is set) may bring a hardware WebGPU adapter, which auto would take.
const vulkan = process.platform !== 'linux' || vulkanDriverFiles().length > 0;

// One process, one engine: these run in order and each builds on the previous choice.
describe('selectBackend', () => {
  it('throws before any backend is selected when asked for provenance', () => {
    expect(() => backendInfo()).toThrow(/selectBackend/);
  });

  it.skipIf(native || vulkan)('picks wasm here and says why the native backends and webgpu were passed over', async () => {
    const choice = await selectBackend();
    expect(choice.name).toBe('wasm');
    expect(choice.package).toBe('@tensorflow/tfjs-backend-wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.reason).toMatch(/^wasm: /);
    expect(choice.reason).toContain('@tensorflow/tfjs-node-gpu');
    expect(choice.reason).toContain('@tensorflow/tfjs-node');
    expect(choice.reason).toContain('@tensorflow/tfjs-backend-webgpu found no usable adapter: no Vulkan driver installed');
    expect(choice.reason).not.toContain('\n');
    expect(choice.tried.map((t) => [t.package, t.ok])).toEqual([
      ['@tensorflow/tfjs-node-gpu', false],
      ['@tensorflow/tfjs-backend-webgpu', false],
      ['@tensorflow/tfjs-node', false],
      ['@tensorflow/tfjs-backend-wasm', true],
    ]);
    for (const t of [choice.tried[0], choice.tried[2]]) expect(t?.error).toMatch(/not installed|native binding/);
  });

  it('returns the same choice when called again', async () => {
    const first = await selectBackend();
    expect(await selectBackend()).toBe(first);
    expect(await selectBackend(first.name === 'wasm' ? 'wasm' : 'auto')).toBe(first);
  });

  it('reports name and versions for provenance', async () => {
    const choice = await selectBackend();
    const info = backendInfo();
    expect(info.name).toBe(choice.name);
    expect(info.package).toBe(choice.package);
    expect(info.packageVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.tfjsCoreVersion).toBe(tf.version_core);
    if (info.name === 'wasm') expect(typeof info.details.wasmSimd).toBe('boolean');
  });

  it('registers the gradients training needs', async () => {
    await selectBackend();
    for (const k of ['Conv2D', 'BatchMatMul', 'MaxPool', 'Relu', 'LogSoftmax', 'FusedBatchNorm']) {
      expect(tf.getGradient(k), k).toBeDefined();
    }
  });

  it('honours an explicit cpu request', async () => {
    const choice = await selectBackend('cpu');
    expect(choice).toMatchObject({ name: 'cpu', package: '@tensorflow/tfjs-backend-cpu' });
    expect(choice.reason).toMatch(/^cpu: requested/);
    expect(tf.getBackend()).toBe('cpu');
    expect(await selectBackend()).toBe(choice);
    expect(backendInfo().name).toBe('cpu');
  });

  it.skipIf(native)('fails clearly for tensorflow when tfjs-node cannot load, keeping the current backend', async () => {
    const err = await selectBackend('tensorflow').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).code).toBe('invalid_input');
    expect((err as LabError).message).toMatch(/backend 'tensorflow' is not available: @tensorflow\/tfjs-node/);
    expect((err as LabError).message).toMatch(/libtensorflow/);
    expect(tf.getBackend()).toBe('cpu');
    await expect(selectBackend('tensorflow-gpu')).rejects.toThrow(/tensorflow-gpu.*@tensorflow\/tfjs-node-gpu/);
  });

  it('rejects an unknown backend name', async () => {
    await expect(selectBackend('metal' as BackendRequest)).rejects.toThrow(/backend 'metal'/);
  });

  it('switches to wasm on an explicit request and trains through conv2d there', async () => {
    const choice = await selectBackend('wasm');
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const g = tf.tidy(() =>
      tf.grad((w: tf.Tensor) => tf.sum(tf.conv2d(tf.ones([1, 4, 4, 1]) as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid')))(
        tf.zeros([3, 3, 1, 1]),
      ).dataSync(),
    );
    expect(Array.from(g)).toEqual([4, 4, 4, 4, 4, 4, 4, 4, 4]);
  });
});

describe('describeReason', () => {
  const gpu = { name: 'tensorflow', package: '@tensorflow/tfjs-node-gpu' } as const;
  const node = { name: 'tensorflow', package: '@tensorflow/tfjs-node' } as const;
  const wasm = { name: 'wasm', package: '@tensorflow/tfjs-backend-wasm' } as const;
  const cpu = { name: 'cpu', package: '@tensorflow/tfjs-backend-cpu' } as const;

  it('names both missing native packages in one sentence', () => {
    const tried = [
      { ...gpu, ok: false, error: 'package not installed' },
      { ...node, ok: false, error: 'package not installed' },
      { ...wasm, ok: true },
    ];
    expect(describeReason(wasm, 'auto', tried)).toBe(
      'wasm: @tensorflow/tfjs-node-gpu and @tensorflow/tfjs-node are not installed (optional; their install downloads libtensorflow)',
    );
  });

  it('keeps other failures and their causes', () => {
    const tried = [
      { ...gpu, ok: false, error: 'failed to load: libcudart.so.11.0: cannot open shared object file' },
      { ...node, ok: true },
    ];
    expect(describeReason(node, 'auto', tried)).toBe(
      'tensorflow: @tensorflow/tfjs-node-gpu failed to load: libcudart.so.11.0: cannot open shared object file',
    );
    expect(describeReason(gpu, 'auto', [{ ...gpu, ok: true }])).toBe(
      'tensorflow (CUDA): @tensorflow/tfjs-node-gpu is the best available backend',
    );
    const wasmFailed = [
      { ...gpu, ok: false, error: 'package not installed' },
      { ...node, ok: false, error: 'installed without its native binding' },
      { ...wasm, ok: false, error: 'the wasm backend failed to initialise' },
      { ...cpu, ok: true },
    ];
    expect(describeReason(cpu, 'auto', wasmFailed)).toBe(
      'cpu: @tensorflow/tfjs-node-gpu is not installed (optional; its install downloads libtensorflow); ' +
        '@tensorflow/tfjs-node is installed without libtensorflow (the download failed at install time); ' +
        '@tensorflow/tfjs-backend-wasm the wasm backend failed to initialise',
    );
  });

  it('says an explicit request was honoured', () => {
    expect(describeReason(cpu, 'cpu', [{ ...cpu, ok: true }])).toBe('cpu: requested, via @tensorflow/tfjs-backend-cpu');
  });

  it('names the WebGPU adapter it runs on', () => {
    const webgpu = { name: 'webgpu', package: '@tensorflow/tfjs-backend-webgpu' } as const;
    const adapter = {
      name: 'NVIDIA H200',
      api: 'vulkan',
      vendor: 'nvidia',
      architecture: 'hopper',
      device: '0x2335',
      description: 'NVIDIA: 570.124.06',
      software: false,
      limits: { maxBufferSize: 1, maxStorageBufferBindingSize: 1, maxComputeWorkgroupStorageSize: 1, maxComputeInvocationsPerWorkgroup: 1, maxComputeWorkgroupsPerDimension: 1, maxStorageBuffersPerShaderStage: 1 },
    };
    const tried = [{ ...gpu, ok: false, error: 'loaded, but TensorFlow sees no GPU device: libcudnn.so.8 not found' }, { ...webgpu, ok: true }];
    expect(describeReason(webgpu, 'auto', tried, adapter)).toBe(
      'webgpu on NVIDIA H200 (nvidia hopper, vulkan, NVIDIA: 570.124.06; hardware): @tensorflow/tfjs-node-gpu loaded, but TensorFlow sees no GPU device: libcudnn.so.8 not found',
    );
    expect(describeReason(webgpu, 'webgpu', [{ ...webgpu, ok: true }], adapter)).toBe(
      'webgpu: requested, via @tensorflow/tfjs-backend-webgpu on NVIDIA H200 (nvidia hopper, vulkan, NVIDIA: 570.124.06; hardware)',
    );
  });
});
