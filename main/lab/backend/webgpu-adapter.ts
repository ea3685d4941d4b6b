// WebGPU adapters through Dawn for Node (the optional npm package `webgpu`): finding them, telling
// hardware from software ones, and describing them for the user and the run records.
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

import { throttleDawnPolling } from './dawn-polling.js';

/** The adapter limits the lab reads (sizes in bytes): what a run must fit. */
export interface GpuLimits {
  readonly maxBufferSize: number;
  readonly maxStorageBufferBindingSize: number;
  readonly maxComputeWorkgroupStorageSize: number;
  readonly maxComputeInvocationsPerWorkgroup: number;
  readonly maxComputeWorkgroupsPerDimension: number;
  readonly maxStorageBuffersPerShaderStage: number;
}

/** A WebGPU adapter as the lab reports and records it (JSON-safe). */
export interface GpuAdapter {
  /** Dawn's adapter name, e.g. "NVIDIA H200" or "SwiftShader Device (Subzero)". */
  readonly name: string;
  /** Dawn's native API under WebGPU: vulkan, metal, d3d12, … ('unknown' when Dawn did not list it). */
  readonly api: string;
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  /** The driver as the adapter describes itself (on Vulkan: driver name and version). */
  readonly description: string;
  /** A CPU implementation (SwiftShader, llvmpipe, Dawn's fallback adapter): never chosen automatically. */
  readonly software: boolean;
  readonly limits: GpuLimits;
}

/** The subset of Dawn's GPUAdapterInfo the lab reads. */
export interface DawnAdapterInfo {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  readonly isFallbackAdapter?: boolean;
}

/** The subset of a Dawn GPUAdapter the lab uses. */
export interface DawnAdapter {
  readonly info: DawnAdapterInfo;
  readonly limits: Readonly<Record<string, number>>;
  readonly features: { has(name: string): boolean };
  requestDevice(descriptor?: Record<string, unknown>): Promise<unknown>;
}

/** navigator.gpu as Dawn's `create()` returns it. */
export interface DawnGpu {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<DawnAdapter | null>;
}

/** The `webgpu` package's exports. */
export interface DawnModule {
  create(flags: string[]): DawnGpu;
  readonly globals: Readonly<Record<string, unknown>>;
}

/** An adapter Dawn returned, with its description. */
export interface FoundAdapter {
  readonly adapter: DawnAdapter;
  readonly info: GpuAdapter;
  /** The Dawn instance the adapter belongs to (kept alive as long as its device is used). */
  readonly gpu: DawnGpu;
}

/** The npm package providing Dawn. */
export const DAWN_PACKAGE = 'webgpu';

/** Software rasterisers that present themselves as GPUs (matched against name, architecture, device, description). */
const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|software|microsoft basic render/i;

/** Whether an adapter runs on the CPU (Dawn's fallback adapter, SwiftShader, Mesa's llvmpipe/lavapipe, WARP). */
export function isSoftwareAdapter(info: DawnAdapterInfo & { readonly name?: string }): boolean {
  if (info.isFallbackAdapter === true) return true;
  return [info.name ?? '', info.vendor, info.architecture, info.device, info.description].some((s) => SOFTWARE.test(s));
}

const LIMIT_NAMES: readonly (keyof GpuLimits)[] = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
];

/** The adapter's description for the user and the run records. */
export function describeAdapter(adapter: Pick<DawnAdapter, 'info' | 'limits'>, listed?: { name: string; api: string }): GpuAdapter {
  const i = adapter.info;
  const limits = Object.fromEntries(LIMIT_NAMES.map((n) => [n, Number(adapter.limits[n] ?? 0)])) as unknown as GpuLimits;
  const name = listed?.name ?? (i.device || i.description || i.vendor || 'unnamed adapter');
  return {
    name,
    api: listed?.api ?? 'unknown',
    vendor: i.vendor,
    architecture: i.architecture,
    device: i.device,
    description: i.description,
    software: isSoftwareAdapter({ ...i, name }),
    limits,
  };
}

/** One line naming an adapter: "SwiftShader Device (Subzero) (google swiftshader, vulkan, SwiftShader driver 5.0.0; software)". */
export function adapterLabel(a: GpuAdapter): string {
  const what = [[a.vendor, a.architecture].filter(Boolean).join(' '), a.api, a.description].filter(Boolean).join(', ');
  return `${a.name} (${what}; ${a.software ? 'software' : 'hardware'})`;
}

/** Dawn's adapter listing: lines "* backend: 'vulkan', name: 'SwiftShader Device (Subzero)'" (exported for tests). */
export function parseAdapterList(text: string): { name: string; api: string }[] {
  const out: { name: string; api: string }[] = [];
  for (const m of text.matchAll(/backend: '([^']*)', name: '([^']*)'/g)) out.push({ api: m[1] as string, name: m[2] as string });
  return out;
}

/**
 * The Vulkan driver manifests (ICD files) the Vulkan loader would find on Linux, in its search
 * order: VK_DRIVER_FILES / VK_ICD_FILENAMES, else the icd.d folders of the XDG and system dirs.
 * None means Dawn can find no adapter; checking first keeps Dawn's own warnings off the terminal.
 */
export function vulkanDriverFiles(env: NodeJS.ProcessEnv = process.env, exists: (p: string) => boolean = existsSync, list: (dir: string) => string[] = readdirSafe): string[] {
  const explicit = env.VK_DRIVER_FILES || env.VK_ICD_FILENAMES;
  if (explicit) return explicit.split(':').filter((f) => f !== '' && exists(f));
  const home = env.HOME ?? os.homedir();
  const config = [env.XDG_CONFIG_HOME || path.join(home, '.config'), ...(env.XDG_CONFIG_DIRS || '/etc/xdg').split(':'), '/etc'];
  const data = [env.XDG_DATA_HOME || path.join(home, '.local/share'), ...(env.XDG_DATA_DIRS || '/usr/local/share:/usr/share').split(':')];
  const found: string[] = [];
  for (const base of [...config, ...data]) {
    if (!base) continue;
    const dir = path.join(base, 'vulkan', 'icd.d');
    for (const f of list(dir)) if (f.endsWith('.json')) found.push(path.join(dir, f));
  }
  const extra = (env.VK_ADD_DRIVER_FILES ?? '').split(':').filter((f) => f !== '' && exists(f));
  return [...found, ...extra];
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Why this machine cannot have a WebGPU adapter before Dawn is even asked, or undefined. */
export function platformObstacle(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (platform !== 'linux') return undefined;
  if (vulkanDriverFiles(env).length > 0) return undefined;
  const set = env.VK_DRIVER_FILES || env.VK_ICD_FILENAMES;
  return set
    ? `no Vulkan driver: ${env.VK_DRIVER_FILES ? 'VK_DRIVER_FILES' : 'VK_ICD_FILENAMES'}=${set} names no existing file`
    : 'no Vulkan driver installed (no ICD file in /etc/vulkan/icd.d or /usr/share/vulkan/icd.d; install the GPU vendor\'s Vulkan driver)';
}

const require = createRequire(import.meta.url);
let dawn: DawnModule | string | undefined;

/** Loads Dawn once per thread; returns the module, or why it is unavailable. */
export async function loadDawn(): Promise<DawnModule | string> {
  if (dawn !== undefined) return dawn;
  try {
    require.resolve(`${DAWN_PACKAGE}/package.json`);
  } catch {
    dawn = `${DAWN_PACKAGE} (Dawn) is not installed (an optional dependency)`;
    return dawn;
  }
  try {
    // A variable specifier: the package is optional.
    const specifier: string = DAWN_PACKAGE;
    const m = (await import(specifier)) as DawnModule;
    // tfjs-backend-webgpu reads GPUBufferUsage, GPUMapMode, … as globals, as in a browser.
    Object.assign(globalThis, m.globals);
    throttleDawnPolling();
    dawn = m;
  } catch (err) {
    dawn = `${DAWN_PACKAGE} (Dawn) failed to load: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`;
  }
  return dawn;
}

/** Dawn's list of adapters (name and native API), asked with an adapter name that matches none. */
async function listedAdapters(m: DawnModule): Promise<{ name: string; api: string }[]> {
  try {
    // With no adapter at all Dawn answers null instead of listing.
    await m.create(['adapter=\u0000colt-lab-lists-adapters']).requestAdapter();
    return [];
  } catch (err) {
    return parseAdapterList(err instanceof Error ? err.message : String(err));
  }
}

function sameAdapter(a: DawnAdapterInfo, b: DawnAdapterInfo): boolean {
  return a.vendor === b.vendor && a.architecture === b.architecture && a.device === b.device && a.description === b.description;
}

/**
 * Every adapter Dawn finds here, each from its own Dawn instance, Dawn's high-performance choice
 * first; or why there is none.
 */
export async function findAdapters(): Promise<{ adapters: FoundAdapter[]; error?: string }> {
  const obstacle = platformObstacle();
  if (obstacle !== undefined) return { adapters: [], error: obstacle };
  const m = await loadDawn();
  if (typeof m === 'string') return { adapters: [], error: m };
  const request = (gpu: DawnGpu): Promise<DawnAdapter | null> => gpu.requestAdapter({ powerPreference: 'high-performance' }).catch(() => null);
  const preferredGpu = m.create([]);
  const preferred = await request(preferredGpu);
  const adapters: FoundAdapter[] = [];
  for (const l of await listedAdapters(m)) {
    const gpu = m.create([`adapter=${l.name}`]);
    const adapter = await request(gpu);
    if (adapter === null) continue;
    const found = { adapter, gpu, info: describeAdapter(adapter, l) };
    if (preferred !== null && sameAdapter(adapter.info, preferred.info)) adapters.unshift(found);
    else adapters.push(found);
  }
  // Dawn did not list (another message format): its default choice alone.
  if (adapters.length === 0 && preferred !== null) adapters.push({ adapter: preferred, gpu: preferredGpu, info: describeAdapter(preferred) });
  return adapters.length > 0 ? { adapters } : { adapters, error: 'Dawn found no WebGPU adapter (no supported GPU, or its Vulkan/Metal/D3D12 driver is missing)' };
}

/** The environment variable that picks an adapter by (part of) its name, e.g. on a machine with several GPUs. */
export const ADAPTER_ENV = 'COLT_WEBGPU_ADAPTER';

/** How to pick an adapter. */
export interface AdapterRequest {
  /** Accept a software adapter (an explicit `--backend webgpu`); auto-selection never does. */
  readonly allowSoftware: boolean;
}

/**
 * The adapter training uses: the one COLT_WEBGPU_ADAPTER names, else the first hardware adapter
 * of findAdapters' order (Dawn's high-performance choice first); a software one only when
 * allowed and no hardware one exists.
 */
export async function pickAdapter(r: AdapterRequest): Promise<FoundAdapter | string> {
  const { adapters, error } = await findAdapters();
  const wanted = process.env[ADAPTER_ENV];
  if (wanted) {
    const named = adapters.find((a) => a.info.name === wanted) ?? adapters.find((a) => a.info.name.toLowerCase().includes(wanted.toLowerCase()));
    if (named === undefined) return `no adapter matches ${ADAPTER_ENV}=${wanted} (found: ${adapters.map((a) => a.info.name).join(', ') || error || 'none'})`;
    if (named.info.software && !r.allowSoftware) return `${ADAPTER_ENV}=${wanted} names a software adapter (${adapterLabel(named.info)}), never chosen automatically; --backend webgpu uses it`;
    return named;
  }
  const hardware = adapters.find((a) => !a.info.software);
  if (hardware !== undefined) return hardware;
  if (adapters.length === 0) return error ?? 'Dawn found no WebGPU adapter';
  if (r.allowSoftware) return adapters[0] as FoundAdapter;
  return `only software adapters (${adapters.map((a) => adapterLabel(a.info)).join('; ')}): never chosen automatically; --backend webgpu uses one`;
}
