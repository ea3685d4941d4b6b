import { describe, expect, it } from 'vitest';
import { adapterLabel } from '../../../renderer/src/format.js';

describe('adapterLabel', () => {
  it('names the adapter, whether it is hardware or software, and its vendor, architecture, API and driver', () => {
    expect(adapterLabel({ name: 'SwiftShader Device (Subzero)', api: 'vulkan', vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader driver 5.0.0', software: true })).toBe(
      'SwiftShader Device (Subzero) (software: google, swiftshader, vulkan, SwiftShader driver 5.0.0)',
    );
    expect(adapterLabel({ name: 'NVIDIA H200', api: 'vulkan', vendor: 'nvidia', architecture: '', description: '', software: false })).toBe('NVIDIA H200 (hardware: nvidia, vulkan)');
  });

  it('leaves out what Dawn did not report, and shows a dash for no adapter', () => {
    expect(adapterLabel({ name: 'Dawn fallback', api: 'unknown', vendor: '', architecture: '', description: '', software: true })).toBe('Dawn fallback (software)');
    expect(adapterLabel(null)).toBe('—');
  });
});
