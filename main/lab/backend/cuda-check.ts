// Why: @tensorflow/tfjs-node-gpu 4.22 loads libtensorflow 2.9.1 (CUDA 11.2, cuDNN 8.1); without
// those libraries TensorFlow logs a warning and quietly runs on the CPU. The lab checks after
// loading that TensorFlow sees a GPU device, and says which library is missing when it does not.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/** The shared libraries libtensorflow 2.9.1's GPU build opens: the NVIDIA driver, CUDA 11.2 and cuDNN 8.1. */
export const CUDA_LIBRARIES = [
  'libcuda.so.1',
  'libcudart.so.11.0',
  'libcublas.so.11',
  'libcublasLt.so.11',
  'libcufft.so.10',
  'libcurand.so.10',
  'libcusolver.so.11',
  'libcusparse.so.11',
  'libcudnn.so.8',
] as const;

/** Where the dynamic loader finds libraries: LD_LIBRARY_PATH, the ldconfig cache, CUDA's usual folders. */
export interface LibraryLookup {
  /** Directories searched in order (LD_LIBRARY_PATH first). */
  readonly dirs: readonly string[];
  /** Library names the ldconfig cache lists. */
  readonly cached: ReadonlySet<string>;
}

/** The lookup of this machine (reads LD_LIBRARY_PATH and runs `ldconfig -p`). */
export function systemLibraryLookup(env: NodeJS.ProcessEnv = process.env): LibraryLookup {
  const dirs = [...(env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), '/usr/local/cuda/lib64', '/usr/local/cuda-11.2/lib64', '/usr/lib/x86_64-linux-gnu', '/usr/lib64'];
  const cached = new Set<string>();
  for (const ldconfig of ['/sbin/ldconfig', '/usr/sbin/ldconfig', 'ldconfig']) {
    const r = spawnSync(ldconfig, ['-p'], { encoding: 'utf8', timeout: 10_000 });
    if (r.status !== 0 || typeof r.stdout !== 'string') continue;
    for (const line of r.stdout.split('\n')) {
      const name = line.trim().split(' ')[0];
      if (name) cached.add(name);
    }
    break;
  }
  return { dirs, cached };
}

/** The CUDA/cuDNN libraries the lookup cannot find (pure; exported for tests). */
export function missingCudaLibraries(lookup: LibraryLookup, exists: (p: string) => boolean = existsSync): string[] {
  return CUDA_LIBRARIES.filter((lib) => !lookup.cached.has(lib) && !lookup.dirs.some((d) => exists(path.join(d, lib))));
}

/** What a loaded tfjs-node(-gpu) backend says about its device (NodeJSKernelBackend.isUsingGpuDevice). */
export interface TensorflowBackendLike {
  readonly isUsingGpuDevice?: boolean;
}

/**
 * Why tfjs-node-gpu must not be used, or undefined when TensorFlow sees a GPU device. The
 * lookup and file test are injectable: tests give them what a machine without CUDA would.
 */
export function cudaDeviceProblem(
  backend: TensorflowBackendLike,
  o: { platform?: NodeJS.Platform; lookup?: () => LibraryLookup; exists?: (p: string) => boolean } = {},
): string | undefined {
  if (backend.isUsingGpuDevice === true) return undefined;
  const platform = o.platform ?? process.platform;
  if (platform !== 'linux') return `TensorFlow sees no GPU device (tfjs-node-gpu uses CUDA on Linux only; this is ${platform})`;
  const missing = missingCudaLibraries((o.lookup ?? systemLibraryLookup)(), o.exists ?? existsSync);
  if (missing.length > 0) {
    return `TensorFlow sees no GPU device: ${missing.join(', ')} not found (libtensorflow 2.9.1 needs the NVIDIA driver, CUDA 11.2 and cuDNN 8.1; searched LD_LIBRARY_PATH, the ldconfig cache and /usr/local/cuda/lib64)`;
  }
  return 'TensorFlow sees no GPU device although the CUDA 11.2 and cuDNN 8.1 libraries are found: check the NVIDIA driver (nvidia-smi) and that the GPU has compute capability 3.5 or more';
}
