// Two jobs train on the GPU at once, each in its own worker thread with its own Dawn device on
// the same adapter (SwiftShader), and the same seed gives them the same masks.
import { beforeAll, describe, expect, it } from 'vitest';

import type { PoolBackend } from '../../../main/jobs/pool.js';
import { sameCheckpoint } from '../../../main/bench/jobs-bench.js';
import { NO_SWIFTSHADER, useSwiftshader } from '../../helpers/swiftshader.js';
import { assertJobsBuilt, dataDir, recordingPool, specOf, tinyConfig } from '../jobs/helpers.js';

useSwiftshader();

const WEBGPU: PoolBackend = { name: 'webgpu', package: '@tensorflow/tfjs-backend-webgpu' };

describe.skipIf(NO_SWIFTSHADER !== undefined)(`jobs on webgpu (SwiftShader)${NO_SWIFTSHADER ? ` (skipped: ${NO_SWIFTSHADER})` : ''}`, () => {
  beforeAll(assertJobsBuilt);

  it('trains two jobs on the GPU at once, and the same seed gives both the same masks', async () => {
    const config = tinyConfig({ data: { trainLimit: 240, testLimit: 60 }, training: { duration: '8it', batchSize: 30 }, stop: { maxRounds: 1 } });
    const { pool, events, stored, eventsOf } = recordingPool({ backend: WEBGPU, concurrency: 2 });
    const dir = dataDir();
    const a = pool.submit(specOf(config, dir));
    const b = pool.submit(specOf(config, dir));
    const [oa, ob] = await Promise.all([a.done, b.done]);
    expect(oa.status, oa.error?.message).toBe('finished');
    expect(ob.status, ob.error?.message).toBe('finished');
    // Both trained while the other did: each job's first batch came before the other job ended.
    const at = (job: string, event: string, first: boolean): number => {
      const xs = events.filter((r) => r.job === job && r.e.event === event).map((r) => r.at);
      return first ? Math.min(...xs) : Math.max(...xs);
    };
    expect(at(a.id, 'run.progress', true)).toBeLessThan(at(b.id, 'run.finished', false));
    expect(at(b.id, 'run.progress', true)).toBeLessThan(at(a.id, 'run.finished', false));
    expect(eventsOf(a).filter((e) => e.event === 'run.roundDone')).toHaveLength(2);
    // Same config and seed on the same adapter: every round's mask and weights equal, to the bit.
    const ra = stored.filter((c) => oa.rounds.includes(c.record));
    const rb = stored.filter((c) => ob.rounds.includes(c.record));
    expect(ra).toHaveLength(2);
    expect(rb).toHaveLength(2);
    for (let k = 0; k < 2; k++) expect(sameCheckpoint(ra[k]!, rb[k]!), `round ${k}`).toBe(true);
    expect(ra[1]!.record.sparsity).toBe(0.2);
  });
});
