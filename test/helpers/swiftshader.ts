// The WebGPU adapter the tests use: Chromium's SwiftShader Vulkan driver, a real (software) GPU
// implementation that Dawn drives like any other. Debian's chromium package ships it; .ci/run
// installs chromium and libvulkan1 (the Vulkan loader Dawn opens).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** SwiftShader's Vulkan driver manifest in Debian's chromium package. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** Why the webgpu tests cannot run on this machine (no SwiftShader), or undefined when they can. */
export const NO_SWIFTSHADER: string | undefined = existsSync(SWIFTSHADER_ICD)
  ? undefined
  : `${SWIFTSHADER_ICD} not found: install Debian's chromium and libvulkan1 (as .ci/run does) to run the webgpu tests`;

let runtimeDir: string | undefined;

/** The environment that points the Vulkan loader at SwiftShader only (for child processes). */
export function swiftshaderEnv(): Record<string, string> {
  if (runtimeDir === undefined) {
    runtimeDir = process.env.XDG_RUNTIME_DIR;
    if (runtimeDir === undefined) {
      const dir = mkdtempSync(path.join(tmpdir(), 'colt-xdg-'));
      process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
      runtimeDir = dir;
    }
  }
  return { VK_ICD_FILENAMES: SWIFTSHADER_ICD, XDG_RUNTIME_DIR: runtimeDir };
}

/** Points this process's Vulkan loader at SwiftShader; call before Dawn creates its first instance. */
export function useSwiftshader(): void {
  Object.assign(process.env, swiftshaderEnv());
}
