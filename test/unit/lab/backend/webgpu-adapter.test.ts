import path from 'node:path';
import { describe, expect, it } from 'vitest';

import { adapterLabel, describeAdapter, isSoftwareAdapter, parseAdapterList, platformObstacle, vulkanDriverFiles } from '../../../../main/lab/backend/webgpu-adapter.js';

// What Dawn reports for the adapters named here: SwiftShader as measured on this machine; the
// hardware ones are written from their drivers' published adapter strings (no such GPU here).
const SWIFTSHADER = { vendor: 'google', architecture: 'swiftshader', device: 'swiftshader-device-subzero-', description: 'SwiftShader driver 5.0.0', isFallbackAdapter: true };
const NVIDIA = { vendor: 'nvidia', architecture: 'hopper', device: '0x2335', description: 'NVIDIA: 570.124.06 570.124.6.0', isFallbackAdapter: false };
const LLVMPIPE = { vendor: 'mesa', architecture: '', device: '', description: 'Mesa 22.3.6 (LLVM 15.0.6)', isFallbackAdapter: false, name: 'llvmpipe (LLVM 15.0.6, 256 bits)' };
const LIMITS = { maxBufferSize: 1 << 30, maxStorageBufferBindingSize: 1 << 30, maxComputeWorkgroupStorageSize: 32768, maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupsPerDimension: 65535, maxStorageBuffersPerShaderStage: 8 };

describe('WebGPU adapters', () => {
  it('tells software adapters (SwiftShader, llvmpipe, Dawn fallback) from hardware ones', () => {
    expect(isSoftwareAdapter(SWIFTSHADER)).toBe(true);
    expect(isSoftwareAdapter({ ...SWIFTSHADER, isFallbackAdapter: false })).toBe(true);
    expect(isSoftwareAdapter(LLVMPIPE)).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'microsoft', architecture: '', device: '', description: 'Microsoft Basic Render Driver' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'x', architecture: '', device: '', description: '', isFallbackAdapter: true })).toBe(true);
    expect(isSoftwareAdapter(NVIDIA)).toBe(false);
    expect(isSoftwareAdapter({ vendor: 'apple', architecture: 'metal-3', device: '', description: 'Apple M2 Max' })).toBe(false);
  });

  it('reads Dawn\'s adapter listing', () => {
    const text = "no suitable backends found\nAvailable adapters:\n * backend: 'vulkan', name: 'NVIDIA H200'\n * backend: 'vulkan', name: 'SwiftShader Device (Subzero)'\n";
    expect(parseAdapterList(text)).toEqual([
      { api: 'vulkan', name: 'NVIDIA H200' },
      { api: 'vulkan', name: 'SwiftShader Device (Subzero)' },
    ]);
    expect(parseAdapterList('no suitable backends found')).toEqual([]);
  });

  it('describes an adapter with its limits, and labels it', () => {
    const a = describeAdapter({ info: SWIFTSHADER, limits: LIMITS }, { name: 'SwiftShader Device (Subzero)', api: 'vulkan' });
    expect(a).toEqual({
      name: 'SwiftShader Device (Subzero)',
      api: 'vulkan',
      vendor: 'google',
      architecture: 'swiftshader',
      device: 'swiftshader-device-subzero-',
      description: 'SwiftShader driver 5.0.0',
      software: true,
      limits: LIMITS,
    });
    expect(adapterLabel(a)).toBe('SwiftShader Device (Subzero) (google swiftshader, vulkan, SwiftShader driver 5.0.0; software)');
    const h = describeAdapter({ info: NVIDIA, limits: LIMITS });
    expect(h.software).toBe(false);
    expect(h.api).toBe('unknown');
    expect(adapterLabel(h)).toMatch(/; hardware\)$/);
  });

  it('finds Vulkan drivers where the loader looks, and says why there is no adapter without one', () => {
    const files: Record<string, string[]> = { '/usr/share/vulkan/icd.d': ['nvidia_icd.json', 'README'], '/etc/vulkan/icd.d': [] };
    const list = (d: string): string[] => files[d] ?? [];
    const exists = (f: string): boolean => f === '/usr/lib/chromium/vk_swiftshader_icd.json';
    expect(vulkanDriverFiles({ HOME: '/home/u' }, exists, list)).toEqual([path.join('/usr/share/vulkan/icd.d', 'nvidia_icd.json')]);
    expect(vulkanDriverFiles({ HOME: '/home/u', VK_ICD_FILENAMES: '/usr/lib/chromium/vk_swiftshader_icd.json' }, exists, list)).toEqual(['/usr/lib/chromium/vk_swiftshader_icd.json']);
    expect(vulkanDriverFiles({ HOME: '/home/u', VK_ICD_FILENAMES: '/nope.json' }, exists, list)).toEqual([]);
    expect(vulkanDriverFiles({ HOME: '/home/u', XDG_DATA_DIRS: '/opt/share' }, exists, (d) => (d === '/opt/share/vulkan/icd.d' ? ['lvp_icd.x86_64.json'] : []))).toEqual([
      '/opt/share/vulkan/icd.d/lvp_icd.x86_64.json',
    ]);
    expect(platformObstacle('darwin', {})).toBeUndefined();
    expect(platformObstacle('linux', { HOME: '/nonexistent-home', XDG_CONFIG_DIRS: '/nonexistent', XDG_DATA_DIRS: '/nonexistent', VK_ICD_FILENAMES: '/nope.json' })).toMatch(
      /no Vulkan driver: VK_ICD_FILENAMES=\/nope.json names no existing file/,
    );
  });
});
