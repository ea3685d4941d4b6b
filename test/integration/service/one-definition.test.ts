// One statistics module and one definition of cost, read through every front end of one real
// library: `colt run --json`'s summary, `colt runs show --json`, runs.get, comparisons.get and the
// report's CSV must agree on every std and sample count, and experiments.validate's estimate must
// match what the stored rounds cost (images exactly; time within 1 %) for epoch and iteration durations.
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stat } from '../../../main/analysis/stats.js';
import { selectBackend } from '../../../main/lab/backend/index.js';
import { LabService } from '../../../main/service/lab-service.js';
import { colt, tempHome } from '../../helpers/cli.js';

const home = tempHome();
/** One library per duration, so each estimate is timed by its own experiment's stored rounds. */
const libraryOf = (duration: string): string => path.join(home, `library-${duration}.sqlite`);

/** Two seeds of IMP and COLT on a slice of the bundled sample; epoch or iteration durations. */
function config(duration: string) {
  return {
    name: `one-definition-${duration}`,
    arch: 'lenet-300-100',
    dataset: 'fashion-mnist-sample',
    methods: ['imp', 'colt'],
    seeds: [0, 1],
    data: { trainLimit: 500, testLimit: 200, validationFraction: 0.1 },
    training: { duration, batchSize: 40 },
    stop: { maxRounds: 1 },
  };
}

interface Summary {
  experimentId: number;
  methods: Record<string, { finalAccuracy: { mean: number; std: number; n: number }; finalSparsity: { mean: number; std: number; n: number }; samples: number; evaluationSamples: number; totalSamples: number }>;
}

const services = new Map<string, LabService>();
const summaries = new Map<string, Summary>();

async function run(duration: string): Promise<Summary> {
  const file = path.join(home, `${duration}.json`);
  writeFileSync(file, JSON.stringify(config(duration)));
  const r = await colt(['run', '--config', file, '--json', '--backend', 'wasm', '--library', libraryOf(duration)], { COLT_HOME: home });
  expect(r.code, r.stderr).toBe(0);
  return r.lines.find((l) => l.type === 'summary') as unknown as Summary;
}

describe('one statistics module, one definition of cost', () => {
  beforeAll(async () => {
    const backend = await selectBackend('wasm');
    for (const d of ['1ep', '15it']) {
      summaries.set(d, await run(d));
      services.set(d, new LabService({ dataDir: home, libraryPath: libraryOf(d), backend, fileRoots: [home], concurrency: 2 }));
    }
    // Four small runs of two experiments, on a machine that may be busy: a generous bound, not a speed claim.
  }, 900_000);
  afterAll(async () => {
    for (const s of services.values()) await s.close();
    rmSync(home, { recursive: true, force: true });
  });

  it.each(['1ep', '15it'])('the run summary, comparisons, the report and runs show agree on std and samples (%s)', async (duration) => {
    const summary = summaries.get(duration)!;
    const service = services.get(duration)!;
    const experimentId = summary.experimentId;
    const cmp = (await service.call('comparisons.get', { experimentId })) as {
      series: { method: string; runIds: number[]; points: { round: number; testAccuracy: { mean: number; std: number; n: number }; samples: { mean: number; n: number }; samplesWithEvaluation: { mean: number; n: number } }[] }[];
    };
    const csv = ((await service.call('reports.create', { experimentId })) as { csv: string }).csv.split('\n').map((l) => l.split(','));
    for (const method of ['imp', 'colt']) {
      const m = summary.methods[method];
      const series = cmp.series.find((s) => s.method === method)!;
      const last = series.points.at(-1)!;
      // The same sample std (n − 1) and n in the CLI summary, the API and the report.
      expect(m.finalAccuracy.n).toBe(2);
      expect(last.testAccuracy).toEqual(m.finalAccuracy);
      const row = csv.find((c) => c[0] === 'series' && c[1] === method && c[2] === String(last.round) && c[4] === 'testAccuracy')!;
      expect([Number(row[5]), Number(row[6]), Number(row[7])]).toEqual([m.finalAccuracy.mean, m.finalAccuracy.std, 2]);
      // Every run's rounds, read as each front end reads them.
      let made = 0;
      let evaluated = 0;
      const perRun: number[] = [];
      for (const runId of series.runIds) {
        const got = (await service.call('runs.get', { id: runId })) as { rounds: { samples: number; evaluationSamples: number; cost: { samples: number; evaluationSamples: number; total: number; cumulative: { samples: number; evaluationSamples: number; total: number } } }[] };
        const cumulative = got.rounds.at(-1)!.cost.cumulative;
        if (runId === series.runIds[0]) {
          // The CLI's view of the same run (one per method: each is a process start).
          const shown = await colt(['runs', 'show', String(runId), '--json', '--library', libraryOf(duration)], { COLT_HOME: home });
          const cli = JSON.parse(shown.stdout) as { rounds: { cost: { cumulative: { total: number } } }[] };
          expect(cli.rounds.at(-1)!.cost.cumulative.total).toBe(cumulative.total);
        }
        for (const r of got.rounds) expect(r.cost).toMatchObject({ samples: r.samples, evaluationSamples: r.evaluationSamples, total: r.samples + r.evaluationSamples });
        made += cumulative.samples;
        evaluated += cumulative.evaluationSamples;
        perRun.push(cumulative.total);
      }
      expect({ samples: m.samples, evaluationSamples: m.evaluationSamples, totalSamples: m.totalSamples }).toEqual({ samples: made, evaluationSamples: evaluated, totalSamples: made + evaluated });
      expect(last.samplesWithEvaluation).toEqual(stat(perRun));
    }
  }, 300_000);

  it.each(['1ep', '15it'])('the estimate matches the stored rounds: images exactly, training time within 1 % (%s)', async (duration) => {
    const service = services.get(duration)!;
    const v = (await service.call('experiments.validate', { config: config(duration) })) as {
      ok: boolean;
      estimate: { samples: number; evaluationSamples: number; trainingSamples: number; runSeconds: number; seconds: number; imagesPerSecond: number; concurrency: number };
    };
    expect(v.ok).toBe(true);
    const summary = summaries.get(duration)!;
    const stored = Object.values(summary.methods);
    expect(v.estimate.samples).toBe(stored.reduce((a, m) => a + m.samples, 0));
    expect(v.estimate.evaluationSamples).toBe(stored.reduce((a, m) => a + m.evaluationSamples, 0));
    expect(v.estimate.trainingSamples).toBe(stored.reduce((a, m) => a + m.totalSamples, 0));
    // Time: the stored rounds' seconds against the images they processed at the speed the library measured.
    const runs = (await service.call('runs.list', { experimentId: summary.experimentId })) as { id: number }[];
    let seconds = 0;
    for (const r of runs) for (const x of ((await service.call('runs.get', { id: r.id })) as { rounds: { seconds: number }[] }).rounds) seconds += x.seconds;
    expect(Math.abs(v.estimate.runSeconds - seconds) / seconds).toBeLessThanOrEqual(0.01);
    expect(v.estimate.concurrency).toBe(2);
    // Four runs on two slots take at least half the one-after-another time, and no more.
    expect(v.estimate.seconds).toBeGreaterThanOrEqual(v.estimate.runSeconds / 2 - 1e-9);
    expect(v.estimate.seconds).toBeLessThanOrEqual(v.estimate.runSeconds + 1e-9);
  });
});
