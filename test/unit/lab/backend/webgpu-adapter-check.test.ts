// Auto-selection's adapter check in a child process, on this machine's real Vulkan drivers:
// SwiftShader (Chromium's) is a software adapter, which auto-selection never takes.
import { describe, expect, it } from 'vitest';
import { hardwareAdapterProblem } from '../../../../main/lab/backend/webgpu-adapter-check.js';
import { NO_SWIFTSHADER, swiftshaderEnv } from '../../../helpers/swiftshader.js';

describe('the adapter check in a child process', () => {
  it.skipIf(NO_SWIFTSHADER !== undefined)(`names the software adapter it will not take${NO_SWIFTSHADER ? ` (skipped: ${NO_SWIFTSHADER})` : ''}`, async () => {
    const saved = { ...process.env };
    Object.assign(process.env, swiftshaderEnv());
    try {
      expect(await hardwareAdapterProblem()).toMatch(/^only software adapters \(SwiftShader.*never chosen automatically/);
    } finally {
      process.env = saved;
    }
  });

  it('says there is no Vulkan driver without asking Dawn', async () => {
    const saved = { ...process.env };
    process.env.VK_ICD_FILENAMES = '/no/such/icd.json';
    try {
      expect(await hardwareAdapterProblem()).toMatch(/no Vulkan driver: VK_ICD_FILENAMES=\/no\/such\/icd.json names no existing file/);
    } finally {
      process.env = saved;
    }
  });
});
