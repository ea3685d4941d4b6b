import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfWasm from '@tensorflow/tfjs-backend-wasm';

import { LabError, invalidInput } from '../../contract/errors.js';
import { BACKEND_REQUESTS, type BackendRequest } from '../../contract/sweep-config.js';
import '../gradients.js';
import './wasm-kernels.js';
import './optimizer-kernels.js';
import { threadsSupported, useThreadedWasm, wasmThreadChoice } from './wasm-threads.js';
import { cudaDeviceProblem, type TensorflowBackendLike } from './cuda-check.js';
import { adapterLabel, type GpuAdapter } from './webgpu-adapter.js';
import { activateWebgpu, WEBGPU_PACKAGE, webgpuAdapter } from './webgpu-backend.js';
import { hardwareAdapterProblem } from './webgpu-adapter-check.js';

/** What the user may ask for, in the order help texts list them: defined with the contract, which carries it (sweeps.create). */
export { BACKEND_REQUESTS, type BackendRequest };

/** The TF.js backend names this app runs on. */
export type BackendName = 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

/** One backend tried during selection, with why it failed when it did. */
export interface BackendAttempt {
  name: BackendName;
  package: string;
  ok: boolean;
  error?: string;
}

/** The backend in use, the package providing it, a one-line human reason, and what was tried. */
export interface BackendChoice {
  name: BackendName;
  package: string;
  reason: string;
  tried: BackendAttempt[];
  /** webgpu: the adapter it runs on. */
  adapter?: GpuAdapter;
}

/** Backend provenance for run records: name, package and versions. */
export interface BackendInfo {
  name: BackendName;
  package: string;
  packageVersion: string;
  tfjsCoreVersion: string;
  details: Record<string, string | number | boolean>;
}

interface Candidate {
  name: BackendName;
  package: string;
  native: boolean;
}

const NODE_GPU: Candidate = { name: 'tensorflow', package: '@tensorflow/tfjs-node-gpu', native: true };
const WEBGPU: Candidate = { name: 'webgpu', package: WEBGPU_PACKAGE, native: false };
const NODE: Candidate = { name: 'tensorflow', package: '@tensorflow/tfjs-node', native: true };
const WASM: Candidate = { name: 'wasm', package: '@tensorflow/tfjs-backend-wasm', native: false };
const CPU: Candidate = { name: 'cpu', package: '@tensorflow/tfjs-backend-cpu', native: false };

/** Candidates in the order they are tried, per request (auto: webgpu on a hardware adapter only). */
const ORDER: Record<BackendRequest, Candidate[]> = {
  auto: [NODE_GPU, WEBGPU, NODE, WASM, CPU],
  'tensorflow-gpu': [NODE_GPU],
  webgpu: [WEBGPU],
  tensorflow: [NODE, NODE_GPU],
  wasm: [WASM],
  cpu: [CPU],
};

const NOT_INSTALLED = 'package not installed';
const NO_BINDING = 'installed without its native binding';

const require = createRequire(import.meta.url);

let current: { request: BackendRequest; choice: BackendChoice; details: BackendInfo['details'] } | undefined;
let queue: Promise<unknown> = Promise.resolve();

/** First line of an error's message. */
function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0]?.trim() || 'unknown error';
}

/** Whether a tfjs-node package ships its compiled binding (absent when libtensorflow's download failed). */
function hasNativeBinding(packageDir: string): boolean {
  const lib = path.join(packageDir, 'lib');
  if (!existsSync(lib)) return false;
  return readdirSync(lib, { withFileTypes: true }).some(
    (d) => d.isDirectory() && existsSync(path.join(lib, d.name, 'tfjs_binding.node')),
  );
}

/** Runs `body` with TF.js warnings muted (a failed native import leaves kernels that re-register noisily). */
async function quietly<T>(body: () => Promise<T>): Promise<T> {
  const env = tf.env();
  const before = env.getBool('PROD');
  env.set('PROD', true);
  try {
    return await body();
  } finally {
    env.set('PROD', before);
  }
}

/** Imports a native TF.js package; returns why it failed, or undefined when its backend is active. */
async function tryNative(c: Candidate): Promise<string | undefined> {
  let packageDir: string;
  try {
    packageDir = path.dirname(require.resolve(`${c.package}/package.json`));
  } catch {
    return NOT_INSTALLED;
  }
  if (!hasNativeBinding(packageDir)) return NO_BINDING;
  try {
    // A variable specifier: the package is optional and has no type declarations here.
    const specifier: string = c.package;
    await quietly(() => import(specifier));
  } catch (err) {
    return `failed to load: ${firstLine(err)}`;
  }
  if (tf.findBackendFactory('tensorflow') == null) return 'loaded but registered no tensorflow backend';
  if (!(await quietly(() => tf.setBackend('tensorflow')))) return 'the tensorflow backend failed to initialise';
  // The CUDA build without a usable GPU runs on the CPU: not what tensorflow-gpu promises.
  if (c === NODE_GPU) {
    const problem = cudaDeviceProblem(tf.backend() as unknown as TensorflowBackendLike);
    if (problem !== undefined) return `loaded, but ${problem}`;
  }
  return undefined;
}

/** Activates webgpu on Dawn's adapter; auto-selection takes only a hardware one. */
async function tryWebgpu(request: BackendRequest): Promise<string | undefined> {
  try {
    // Auto-selection asks in a child first, so a machine with only software Vulkan drivers (whose
    // warnings Dawn prints to stderr) never loads Dawn here.
    if (request !== 'webgpu') {
      const problem = await hardwareAdapterProblem();
      if (problem !== undefined) return `found no usable adapter: ${problem}`;
    }
    const why = await activateWebgpu({ allowSoftware: request === 'webgpu' });
    return why === undefined ? undefined : `found no usable adapter: ${why}`;
  } catch (err) {
    return `failed: ${firstLine(err)}`;
  }
}

/** Points the wasm backend at the .wasm binaries inside node_modules (works offline, from any cwd). */
function configureWasmPaths(): void {
  if (tf.findBackend('wasm') != null) return;
  const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  tfWasm.setWasmPaths(dist + path.sep);
}

/** Why the wasm build in use was chosen (recorded in the backend details). */
let wasmThreadsNote: string | undefined;

/**
 * Activates the threaded wasm build (wasm-threads.ts) when more than one thread is wanted;
 * returns true when it is active, false after restoring the single-threaded build.
 */
async function tryThreadedWasm(): Promise<boolean> {
  const { threads, why } = wasmThreadChoice();
  if (threads <= 1) {
    wasmThreadsNote = `single-threaded build: ${why} (COLT_WASM_THREADS=2..8 or auto asks for threads)`;
    return false;
  }
  if (!threadsSupported()) {
    wasmThreadsNote = 'no SharedArrayBuffer/Atomics in this runtime';
    return false;
  }
  const restore = useThreadedWasm(threads);
  try {
    if (await quietly(() => tf.setBackend('wasm'))) {
      wasmThreadsNote = `threaded build: ${why}`;
      return true;
    }
    wasmThreadsNote = 'the threaded build failed to initialise';
  } catch (err) {
    wasmThreadsNote = `the threaded build failed: ${firstLine(err)}`;
  }
  restore();
  return false;
}

/** Activates the wasm or cpu backend; returns why it failed, or undefined on success. */
async function tryBuiltin(c: Candidate): Promise<string | undefined> {
  try {
    if (c.name === 'wasm') {
      configureWasmPaths();
      if (tf.findBackend('wasm') == null && (await tryThreadedWasm())) return undefined;
    }
    if (!(await tf.setBackend(c.name))) return `the ${c.name} backend failed to initialise`;
  } catch (err) {
    return firstLine(err);
  }
  if (c.name === 'cpu') {
    // The cpu backend prints a "use tfjs-node" banner on its first write; the reason says it instead.
    (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
  }
  return undefined;
}

/** "A is"/"A and B are" + `what`, for a group of packages that failed the same way. */
function listPackages(pkgs: string[], what: string): string {
  const list = pkgs.length === 1 ? `${pkgs[0]} is` : `${pkgs.slice(0, -1).join(', ')} and ${pkgs.at(-1)} are`;
  return `${list} ${what}`;
}

/** The one-line reason for a choice, naming what better candidates failed and why (exported for tests). */
export function describeReason(
  chosen: Pick<BackendAttempt, 'name' | 'package'>,
  request: BackendRequest,
  tried: BackendAttempt[],
  adapter?: GpuAdapter,
): string {
  const label = chosen.package === NODE_GPU.package ? 'tensorflow (CUDA)' : chosen.name;
  const on = adapter !== undefined ? ` on ${adapterLabel(adapter)}` : '';
  if (request !== 'auto') return `${label}: requested, via ${chosen.package}${on}`;
  const failed = tried.filter((t) => !t.ok);
  if (failed.length === 0) return `${label}: ${chosen.package}${on} is the best available backend`;
  const parts: string[] = [];
  const missing = failed.filter((t) => t.error === NOT_INSTALLED).map((t) => t.package);
  if (missing.length > 0) {
    const its = missing.length === 1 ? 'its' : 'their';
    parts.push(listPackages(missing, `not installed (optional; ${its} install downloads libtensorflow)`));
  }
  const unbound = failed.filter((t) => t.error === NO_BINDING).map((t) => t.package);
  if (unbound.length > 0) {
    parts.push(listPackages(unbound, 'installed without libtensorflow (the download failed at install time)'));
  }
  for (const t of failed) {
    if (t.error !== NOT_INSTALLED && t.error !== NO_BINDING) parts.push(`${t.package} ${t.error}`);
  }
  return `${label}${on}: ${parts.join('; ')}`;
}

/** Whether an existing choice already satisfies `request` (so selecting again changes nothing). */
function satisfies(request: BackendRequest, choice: BackendChoice): boolean {
  if (request === 'auto') return true;
  if (request === 'tensorflow-gpu') return choice.package === NODE_GPU.package;
  return request === choice.name;
}

/** Runtime details worth recording with a run (wasm SIMD/threads, the webgpu adapter). */
async function collectDetails(name: BackendName): Promise<BackendInfo['details']> {
  const adapter = webgpuAdapter();
  if (name === 'webgpu' && adapter !== undefined) {
    return { adapter: adapter.name, adapterApi: adapter.api, adapterDescription: adapter.description, adapterSoftware: adapter.software, ...adapter.limits };
  }
  if (name !== 'wasm') return {};
  return {
    wasmSimd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
    wasmThreads: tfWasm.getThreadsCount(),
    ...(wasmThreadsNote !== undefined ? { wasmThreadsNote } : {}),
  };
}

async function select(request: BackendRequest): Promise<BackendChoice> {
  if (current !== undefined && satisfies(request, current.choice)) return current.choice;
  const candidates = ORDER[request];
  if (candidates === undefined) {
    throw invalidInput(`backend '${String(request)}': expected ${BACKEND_REQUESTS.join(', ')}`);
  }
  const tried: BackendAttempt[] = [];
  for (const c of candidates) {
    const error = c === WEBGPU ? await tryWebgpu(request) : c.native ? await tryNative(c) : await tryBuiltin(c);
    tried.push({ name: c.name, package: c.package, ok: error === undefined, ...(error !== undefined ? { error } : {}) });
    if (error !== undefined) continue;
    await tf.ready();
    const adapter = c === WEBGPU ? webgpuAdapter() : undefined;
    const choice: BackendChoice = {
      name: c.name,
      package: c.package,
      reason: describeReason(c, request, tried, adapter),
      tried,
      ...(adapter !== undefined ? { adapter } : {}),
    };
    current = { request, choice, details: await collectDetails(c.name) };
    return choice;
  }
  const why = tried.map((t) => `${t.package}: ${t.error ?? 'unknown error'}`).join('; ');
  const hint = candidates.some((c) => c.native)
    ? ' (optional packages; their install downloads libtensorflow)'
    : candidates.includes(WEBGPU) && process.platform === 'linux'
      ? ' (without a GPU, Chromium\'s SwiftShader is a software Vulkan driver: VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json)'
      : '';
  throw invalidInput(`backend '${request}' is not available: ${why}${hint}`, { backend: request, tried });
}

/**
 * Picks and activates the TF.js backend: the requested one, or for 'auto' the best of
 * tfjs-node-gpu (with a CUDA device), webgpu (on a hardware adapter), tfjs-node, wasm, cpu.
 * Also registers the kernels and gradients training needs.
 * Idempotent: once a backend is active, 'auto' or a request it satisfies returns the same choice.
 */
export function selectBackend(requested: BackendRequest = 'auto'): Promise<BackendChoice> {
  const run = queue.then(() => select(requested));
  queue = run.catch(() => undefined);
  return run;
}

/** Version of an installed package, or 'unknown'. */
function packageVersion(pkg: string): string {
  try {
    return (require(`${pkg}/package.json`) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Name and versions of the selected backend, for provenance; throws before `selectBackend`. */
export function backendInfo(): BackendInfo {
  if (current === undefined) throw new LabError('internal', 'no TF.js backend selected yet: call selectBackend() first');
  const { choice, details } = current;
  return {
    name: choice.name,
    package: choice.package,
    packageVersion: packageVersion(choice.package),
    tfjsCoreVersion: tf.version_core,
    details: { ...details },
  };
}
