/**
 * Registers TF.js's gradient functions. `@tensorflow/tfjs-core` alone registers none, and its
 * per-gradient ES modules cannot be loaded by Node's ESM loader (extensionless imports); the
 * `@tensorflow/tfjs` bundle registers them all onto the same tfjs-core instance the lab uses.
 */
import '@tensorflow/tfjs';
