// The TF.js engine layer: backend selection and the wasm kernels convnet training needs.
// Importing this module registers the wasm kernels and the fused optimizer kernels (side effects).
import './wasm-kernels.js';
import './optimizer-kernels.js';

export {
  selectBackend,
  backendInfo,
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
