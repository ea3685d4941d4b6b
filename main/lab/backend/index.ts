// The TF.js engine layer: backend selection and the wasm kernels convnet training needs.
// Importing this module registers the wasm kernels (side effect of './wasm-kernels.js').
import './wasm-kernels.js';

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
