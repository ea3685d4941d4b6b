import { describe, expect, it } from 'vitest';
import { parseExperimentConfig } from '../../../main/contract/experiment-config.js';
import { backendRequestFor, defaultConcurrency, GPU_PARTITIONS, JobPool, partitionWorkersFor } from '../../../main/jobs/pool.js';

const GPU = { name: 'tensorflow' as const, package: '@tensorflow/tfjs-node-gpu' };
const NODE = { name: 'tensorflow' as const, package: '@tensorflow/tfjs-node' };
const WASM = { name: 'wasm' as const, package: '@tensorflow/tfjs-backend-wasm' };
const WEBGPU = { name: 'webgpu' as const, package: '@tensorflow/tfjs-backend-webgpu' };
const config = (partitions: number) => parseExperimentConfig({ arch: 'lenet-300-100', dataset: 'x', methods: ['imp', 'colt'], colt: { partitions } });

describe('pool policy', () => {
  it('defaults to one job per GPU on CUDA and one per core otherwise', () => {
    expect(defaultConcurrency(GPU, 1, 16)).toBe(1);
    expect(defaultConcurrency(GPU, 2, 16)).toBe(2);
    expect(defaultConcurrency(NODE, 1, 16)).toBe(16);
    expect(defaultConcurrency(WASM, 1, 2)).toBe(2);
  });

  it('treats webgpu as a GPU backend: one job per GPU, partitions sequential unless interleaved is asked for', () => {
    expect(defaultConcurrency(WEBGPU, 1, 16)).toBe(1);
    expect(defaultConcurrency(WEBGPU, 2, 16)).toBe(2);
    const spec = { method: 'colt' as const, config: config(2) };
    expect(GPU_PARTITIONS).toBe('sequential');
    expect(partitionWorkersFor(spec, WEBGPU, 1, 16)).toBe(0);
    expect(partitionWorkersFor(spec, WEBGPU, 1, 16, 'interleaved')).toBe(2);
    expect(partitionWorkersFor({ method: 'colt', config: config(4) }, WEBGPU, 1, 2, 'interleaved')).toBe(4);
    expect(partitionWorkersFor({ ...spec, parallelPartitions: false }, WEBGPU, 1, 16, 'interleaved')).toBe(0);
    expect(partitionWorkersFor({ ...spec, method: 'imp' }, WEBGPU, 1, 16, 'interleaved')).toBe(0);
    expect(partitionWorkersFor(spec, GPU, 1, 16, 'interleaved')).toBe(2);
    expect(backendRequestFor(WEBGPU)).toBe('webgpu');
  });

  it('gives a COLT job parallel partition workers only on CPU backends with free slots', () => {
    const spec = { method: 'colt' as const, config: config(2) };
    expect(partitionWorkersFor(spec, WASM, 2, 2)).toBe(2);
    expect(partitionWorkersFor(spec, WASM, 1, 2)).toBe(0);
    expect(partitionWorkersFor(spec, GPU, 8, 8)).toBe(0);
    expect(partitionWorkersFor({ ...spec, parallelPartitions: false }, WASM, 2, 2)).toBe(0);
    expect(partitionWorkersFor({ ...spec, method: 'imp' }, WASM, 2, 2)).toBe(0);
    expect(partitionWorkersFor({ method: 'colt', config: config(4) }, WASM, 3, 8)).toBe(3);
    expect(partitionWorkersFor({ method: 'colt', config: config(4) }, WASM, 8, 2)).toBe(2);
  });

  it('asks workers for the backend the main thread was given', () => {
    expect(backendRequestFor(GPU)).toBe('tensorflow-gpu');
    expect(backendRequestFor(NODE)).toBe('tensorflow');
    expect(backendRequestFor(WASM)).toBe('wasm');
    expect(backendRequestFor({ name: 'cpu', package: '@tensorflow/tfjs-backend-cpu' })).toBe('cpu');
  });

  it('refuses a job that is not a run of its experiment', () => {
    const pool = new JobPool({ backend: WASM, concurrency: 1 });
    expect(() => pool.submit({ config: config(2), method: 'random', seed: 0, dataDir: '/nowhere' })).toThrow(/random, seed 0 is not a run/);
    expect(() => pool.submit({ config: config(2), method: 'imp', seed: 3, dataDir: '/nowhere' })).toThrow(/seed 3/);
  });
});
