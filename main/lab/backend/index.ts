// The TF.js engine layer: backend selection, the wasm kernels convnet training needs, and the
// webgpu backend on Dawn. Importing this module registers the wasm kernels and the fused
// optimizer kernels (side effects); the webgpu ones are registered when webgpu is activated.
import './wasm-kernels.js';
import './optimizer-kernels.js';

export {
  selectBackend,
  backendInfo,
  BACKEND_REQUESTS,
  type BackendRequest,
  type BackendName,
  type BackendAttempt,
  type BackendChoice,
  type BackendInfo,
} from './select-backend.js';
export { registerWasmKernels, WASM_KERNEL_NAMES } from './wasm-kernels.js';
export {
  registerOptimizerKernels,
  hasFusedOptimizer,
  MASKED_ADAM,
  MASKED_SGD,
  FUSED_OPTIMIZER_BACKENDS,
  type MaskedAdamAttrs,
  type MaskedSgdAttrs,
} from './optimizer-kernels.js';
export { adapterLabel, findAdapters, isSoftwareAdapter, type GpuAdapter, type GpuLimits } from './webgpu-adapter.js';
export { webgpuAdapter, WEBGPU_PACKAGE } from './webgpu-backend.js';
export { checkRunFits, estimateMemory, stepFootprint, type MemoryEstimate, type StepFootprint } from './gpu-memory.js';
