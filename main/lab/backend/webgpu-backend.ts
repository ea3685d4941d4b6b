// The TF.js `webgpu` backend on a Dawn device of this thread (each worker thread has its own).
import * as tf from '@tensorflow/tfjs-core';

import { pickAdapter, type AdapterRequest, type DawnAdapter, type FoundAdapter, type GpuAdapter } from './webgpu-adapter.js';
import { registerWebgpuKernelFixes } from './webgpu-kernels.js';
import { registerWebgpuOptimizerKernels } from './webgpu-optimizer-kernels.js';

/** The TF.js package whose backend runs on the device. */
export const WEBGPU_PACKAGE = '@tensorflow/tfjs-backend-webgpu';

/** The parts of a Dawn GPUDevice this module touches. */
interface DawnDevice {
  readonly lost: Promise<{ reason: string; message: string }>;
  onuncapturederror: ((e: { error: { message: string } }) => void) | null;
}

let active: { found: FoundAdapter; device: DawnDevice } | undefined;
let deviceError: string | undefined;

/** The adapter of this thread's webgpu backend, once activated. */
export function webgpuAdapter(): GpuAdapter | undefined {
  return active?.found.info;
}

/**
 * The first error the device reported (out of memory, a lost device, a failed validation), or
 * undefined. WebGPU reports these asynchronously; the fused optimizer kernel checks every step.
 */
export function webgpuDeviceError(): string | undefined {
  return deviceError;
}

/** The device limits TF.js's backend asks for, at the adapter's maximum (as tfjs-backend-webgpu's own factory does). */
function requiredLimits(adapter: DawnAdapter): Record<string, number> {
  const names = [
    'maxComputeWorkgroupStorageSize',
    'maxComputeWorkgroupsPerDimension',
    'maxStorageBufferBindingSize',
    'maxBufferSize',
    'maxComputeWorkgroupSizeX',
    'maxComputeInvocationsPerWorkgroup',
    'maxStorageBuffersPerShaderStage',
  ];
  return Object.fromEntries(names.map((n) => [n, adapter.limits[n] as number]));
}

/** WebGPUBackend refuses to start without navigator.gpu (Node 20 has no navigator, Node 21+ one without gpu). */
function exposeGpu(found: FoundAdapter): void {
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (g.navigator === undefined) Object.defineProperty(globalThis, 'navigator', { value: { gpu: found.gpu }, configurable: true, writable: true });
  else if (g.navigator.gpu === undefined) Object.defineProperty(g.navigator, 'gpu', { value: found.gpu, configurable: true });
}

/**
 * Activates TF.js's webgpu backend on this thread's adapter (picked once per thread); returns
 * why it cannot, or undefined when `webgpu` is the active backend.
 */
export async function activateWebgpu(r: AdapterRequest): Promise<string | undefined> {
  if (active === undefined) {
    const found = await pickAdapter(r);
    if (typeof found === 'string') return found;
    let device: DawnDevice;
    try {
      device = (await found.adapter.requestDevice({ requiredLimits: requiredLimits(found.adapter) })) as DawnDevice;
    } catch (err) {
      return `the adapter ${found.info.name} refused a device: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`;
    }
    device.onuncapturederror = (e) => {
      deviceError ??= e.error.message.split('\n')[0];
    };
    void device.lost.then((l) => {
      deviceError ??= `the GPU device was lost (${l.reason}): ${l.message}`;
    });
    exposeGpu(found);
    // Imported here: the package is large and only this backend needs it.
    const { WebGPUBackend } = await import(WEBGPU_PACKAGE);
    const backend = new WebGPUBackend(device as unknown as ConstructorParameters<typeof WebGPUBackend>[0], found.adapter.info as never);
    // tfjs-backend-webgpu registers its own factory when a global navigator.gpu exists; ours picks the adapter.
    if (tf.findBackendFactory('webgpu') != null) tf.removeBackend('webgpu');
    tf.registerBackend('webgpu', () => backend, 1);
    registerWebgpuKernelFixes();
    registerWebgpuOptimizerKernels();
    active = { found, device };
  } else if (!r.allowSoftware && active.found.info.software) {
    return `the adapter in use, ${active.found.info.name}, is a software adapter`;
  }
  return (await tf.setBackend('webgpu')) ? undefined : 'the webgpu backend failed to initialise';
}
