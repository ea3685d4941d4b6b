// `colt run --backend webgpu` end to end on SwiftShader: the real CLI, job pool, worker threads
// (each with its own Dawn device) and library; and the errors that stop a run before it starts.
import { existsSync } from 'node:fs';
import { totalmem } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

import { colt, tempHome } from '../../helpers/cli.js';
import { NO_SWIFTSHADER, swiftshaderEnv } from '../../helpers/swiftshader.js';

// The quick preset shrunk: IMP and COLT, 2 pruning rounds of one epoch on 216 training images.
const shrunk = ['--set', 'methods=["imp","colt"]', '--set', 'stop.maxRounds=2', '--set', 'data.trainLimit=240', '--set', 'data.testLimit=60', '--set', 'training.duration=1ep'];

describe.skipIf(NO_SWIFTSHADER !== undefined)(`colt run --backend webgpu (SwiftShader)${NO_SWIFTSHADER ? ` (skipped: ${NO_SWIFTSHADER})` : ''}`, () => {
  it('runs a shrunk quick preset through the job pool into the library, one job at a time, with IMP\'s exact sparsity schedule', async () => {
    const home = tempHome();
    const library = path.join(home, 'lab.sqlite');
    const r = await colt(['run', '--preset', 'quick', '--backend', 'webgpu', '--json', '--library', library, ...shrunk], { COLT_HOME: home, ...swiftshaderEnv() });
    expect(r.code, r.stderr).toBe(0);
    const start = r.lines[0] as { type: string; backend: string; backendReason: string; adapter: { name: string; software: boolean; api: string } };
    expect(start).toMatchObject({ type: 'start', backend: 'webgpu', adapter: { name: 'SwiftShader Device (Subzero)', software: true, api: 'vulkan' } });
    expect(start.backendReason).toMatch(/^webgpu: requested, via @tensorflow\/tfjs-backend-webgpu on SwiftShader Device \(Subzero\) \(.*; software\)$/);
    const rounds = r.lines.filter((l) => l.type === 'round') as { method: string; round: number; sparsity: number; testAccuracy: number; overlap?: number }[];
    // One job per GPU: IMP's rounds all come before COLT's.
    expect(rounds.map((l) => `${l.method}${l.round}`)).toEqual(['imp0', 'imp1', 'imp2', 'colt0', 'colt1', 'colt2']);
    // 20 % of the remaining weights of each layer per round (265,200 prunable weights: exact counts).
    expect(rounds.filter((l) => l.method === 'imp').map((l) => l.sparsity)).toEqual([0, 0.2, 0.36]);
    const colt2 = rounds.find((l) => l.method === 'colt' && l.round === 2);
    expect(colt2?.sparsity).toBeGreaterThanOrEqual(0.36);
    expect(colt2?.overlap).toBeGreaterThan(0);
    for (const l of rounds) expect(l.testAccuracy).toBeGreaterThan(0.1);
    expect(r.lines[r.lines.length - 1]?.type).toBe('summary');

    const db = new Database(library, { readonly: true });
    try {
      const runs = db.prepare('SELECT method, status, backend, backend_package, backend_adapter FROM runs ORDER BY id').all() as { method: string; status: string; backend: string; backend_package: string; backend_adapter: string }[];
      expect(runs.map((x) => [x.method, x.status, x.backend, x.backend_package])).toEqual([
        ['imp', 'finished', 'webgpu', '@tensorflow/tfjs-backend-webgpu'],
        ['colt', 'finished', 'webgpu', '@tensorflow/tfjs-backend-webgpu'],
      ]);
      for (const x of runs) expect(JSON.parse(x.backend_adapter)).toMatchObject({ name: 'SwiftShader Device (Subzero)', software: true, limits: { maxStorageBufferBindingSize: expect.any(Number) } });
      expect(db.prepare('SELECT count(*) FROM tickets').pluck().get()).toBe(6);
      expect(db.prepare('SELECT count(*) FROM rounds').pluck().get()).toBe(6);
    } finally {
      db.close();
    }
  });

  // A software adapter computes in the host's memory: ResNet-18's training step at batch 4096 needs ~115 GB.
  it.skipIf(totalmem() > 100e9)('refuses a run too large for the adapter before it starts, naming the field, and leaves nothing in the library', async () => {
    const home = tempHome();
    const library = path.join(home, 'lab.sqlite');
    const r = await colt(['run', '--preset', 'quick', '--backend', 'webgpu', '--library', library, '--set', 'arch=resnet18', '--set', 'training.batchSize=4096'], { COLT_HOME: home, ...swiftshaderEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /config field 'training\.batchSize': a resnet18 training step at batch 4096 needs about [\d.]+ GB, more than this machine's [\d.]+ GB of memory, which the software adapter SwiftShader Device \(Subzero\) \(software\) uses; the largest batch that fits is \d+/,
    );
    expect(existsSync(library)).toBe(false);
  });

  it('fails clearly without an adapter, before the library is touched', async () => {
    const home = tempHome();
    const library = path.join(home, 'lab.sqlite');
    const r = await colt(['run', '--preset', 'quick', '--backend', 'webgpu', '--library', library], { COLT_HOME: home, ...swiftshaderEnv(), VK_ICD_FILENAMES: path.join(home, 'no-such-icd.json') });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/backend 'webgpu' is not available: @tensorflow\/tfjs-backend-webgpu: found no usable adapter: no Vulkan driver: VK_ICD_FILENAMES=.*no-such-icd\.json names no existing file/);
    expect(r.stderr).toMatch(/SwiftShader is a software Vulkan driver: VK_ICD_FILENAMES=\/usr\/lib\/chromium\/vk_swiftshader_icd\.json/);
    expect(existsSync(library)).toBe(false);
  });
});
