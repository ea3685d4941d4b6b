// The app's side of webgpu: system.info names the adapter, and a run too large for it is refused
// by experiments.validate and experiments.create before the library records anything.
import { totalmem } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { LabError } from '../../../main/contract/errors.js';
import { selectBackend } from '../../../main/lab/backend/index.js';
import { LabService } from '../../../main/service/lab-service.js';
import { tempHome } from '../../helpers/cli.js';
import { NO_SWIFTSHADER, useSwiftshader } from '../../helpers/swiftshader.js';

useSwiftshader();

// ResNet-18's step at batch 4096 needs ~115 GB: more than the host memory a software adapter computes in.
const TOO_LARGE = { name: 'too-large', arch: 'resnet18', dataset: 'fashion-mnist-sample', methods: ['imp'], training: { batchSize: 4096 } };

describe.skipIf(NO_SWIFTSHADER !== undefined)(`LabService on webgpu (SwiftShader)${NO_SWIFTSHADER ? ` (skipped: ${NO_SWIFTSHADER})` : ''}`, () => {
  let service: LabService;
  beforeAll(async () => {
    const home = tempHome();
    process.env.COLT_HOME = home;
    service = new LabService({ dataDir: home, libraryPath: `${home}/library.sqlite`, backend: await selectBackend('webgpu'), fileRoots: [home] });
  });
  afterAll(() => service.close());

  it('names the adapter in system.info', async () => {
    const info = (await service.call('system.info', {})) as { backend: string; backendReason: string; adapter: { name: string; software: boolean; vendor: string; limits: Record<string, number> } };
    expect(info.backend).toBe('webgpu');
    expect(info.adapter).toMatchObject({ name: 'SwiftShader Device (Subzero)', vendor: 'google', software: true });
    expect(info.adapter.limits.maxBufferSize).toBeGreaterThan(0);
    expect(info.backendReason).toContain('SwiftShader Device (Subzero)');
  });

  it.skipIf(totalmem() > 100e9)('refuses a run too large for the adapter in validate and create, naming training.batchSize, and records nothing', async () => {
    const v = (await service.call('experiments.validate', { config: TOO_LARGE })) as { ok: boolean; error?: { field: string; message: string } };
    expect(v.ok).toBe(false);
    expect(v.error?.field).toBe('training.batchSize');
    expect(v.error?.message).toMatch(/a resnet18 training step at batch 4096 needs about [\d.]+ GB, more than this machine's [\d.]+ GB of memory, which the software adapter SwiftShader Device \(Subzero\) \(software\) uses/);
    const err = await service.call('experiments.create', { config: TOO_LARGE }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).code).toBe('invalid_input');
    expect((err as LabError).message).toMatch(/^config field 'training\.batchSize'/);
    expect(await service.call('experiments.list', {})).toEqual([]);
    expect(await service.call('runs.list', {})).toEqual([]);
  });
});
