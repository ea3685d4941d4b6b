import { describe, expect, it } from 'vitest';

import { CUDA_LIBRARIES, cudaDeviceProblem, missingCudaLibraries } from '../../../../main/lab/backend/cuda-check.js';

// tfjs-node-gpu cannot be installed here (its install downloads libtensorflow), so the check is
// fed what its inputs would be: the loaded backend's isUsingGpuDevice and the library lookup.
const none = { dirs: ['/usr/local/cuda/lib64'], cached: new Set<string>() };
const all = { dirs: [], cached: new Set<string>(CUDA_LIBRARIES) };

describe('tfjs-node-gpu device check', () => {
  it('accepts a backend that sees a GPU device', () => {
    expect(cudaDeviceProblem({ isUsingGpuDevice: true }, { platform: 'linux', lookup: () => none })).toBeUndefined();
  });

  it('names the missing CUDA 11.2 / cuDNN 8.1 libraries when TensorFlow runs on the CPU', () => {
    const cuda12 = { dirs: ['/usr/local/cuda/lib64'], cached: new Set(['libcuda.so.1', 'libcudart.so.12', 'libcublas.so.12']) };
    const problem = cudaDeviceProblem({ isUsingGpuDevice: false }, { platform: 'linux', lookup: () => cuda12, exists: () => false });
    expect(problem).toMatch(/^TensorFlow sees no GPU device: libcudart.so.11.0, libcublas.so.11, .*libcudnn.so.8 not found/);
    expect(problem).not.toMatch(/libcuda.so.1[,\s]/);
    expect(problem).toMatch(/CUDA 11.2 and cuDNN 8.1/);
  });

  it('finds libraries in LD_LIBRARY_PATH folders as well as the ldconfig cache', () => {
    const lookup = { dirs: ['/opt/cudnn/lib'], cached: new Set(CUDA_LIBRARIES.filter((l) => l !== 'libcudnn.so.8')) };
    expect(missingCudaLibraries(lookup, () => false)).toEqual(['libcudnn.so.8']);
    expect(missingCudaLibraries(lookup, (p) => p === '/opt/cudnn/lib/libcudnn.so.8')).toEqual([]);
  });

  it('points at the driver when every library is there but still no GPU, and at the OS elsewhere', () => {
    expect(cudaDeviceProblem({ isUsingGpuDevice: false }, { platform: 'linux', lookup: () => all })).toMatch(/check the NVIDIA driver \(nvidia-smi\)/);
    expect(cudaDeviceProblem({}, { platform: 'darwin' })).toMatch(/Linux only; this is darwin/);
  });
});
