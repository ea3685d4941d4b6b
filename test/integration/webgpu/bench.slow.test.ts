// `colt bench --json` on a machine whose only WebGPU adapter is SwiftShader: one webgpu entry per
// adapter, labelled software, with LeNet's batch-60 throughput and the largest batch that fits.
import { describe, expect, it } from 'vitest';

import { colt, tempHome } from '../../helpers/cli.js';
import { NO_SWIFTSHADER, swiftshaderEnv } from '../../helpers/swiftshader.js';

interface Figure {
  model: string;
  batch: 'default' | 'largest';
  batchSize: number;
  imagesPerSecond?: number;
  skipped?: string;
}

describe.skipIf(NO_SWIFTSHADER !== undefined)(`colt bench on webgpu (SwiftShader)${NO_SWIFTSHADER ? ` (skipped: ${NO_SWIFTSHADER})` : ''}`, () => {
  it('has a webgpu entry per adapter found, labelled hardware or software', async () => {
    const args = ['bench', '--json', '--steps', '1', '--skip-round', '--skip-library', '--skip-jobs', '--skip-ui', '--no-pytorch', '--webgpu-models', 'lenet-300-100'];
    const r = await colt(args, { COLT_HOME: tempHome(), ...swiftshaderEnv() });
    expect(r.code, r.stderr).toBe(0);
    const bench = r.lines.find((l) => l.type === 'bench') as { backend: string; webgpu: { adapters: { adapter: { name: string; software: boolean }; kind: string; throughput: Figure[]; largestBatch: Record<string, number>; error?: string }[] } };
    // Auto-selection passed over the software adapter; the webgpu section measured it anyway.
    expect(bench.backend).not.toBe('webgpu');
    expect(bench.webgpu.adapters.map((a) => a.adapter.name)).toEqual(['SwiftShader Device (Subzero)']);
    const [a] = bench.webgpu.adapters;
    expect(a?.error).toBeUndefined();
    expect(a?.kind).toBe('software');
    expect(a?.adapter.software).toBe(true);
    const [timed, largest] = a?.throughput ?? [];
    expect(timed).toMatchObject({ model: 'lenet-300-100', batch: 'default', batchSize: 60 });
    expect(timed?.imagesPerSecond).toBeGreaterThan(0);
    expect(a?.largestBatch['lenet-300-100']).toBeGreaterThan(4096);
    expect(largest).toMatchObject({ model: 'lenet-300-100', batch: 'largest', skipped: expect.stringMatching(/software adapter/) });
  });
});
