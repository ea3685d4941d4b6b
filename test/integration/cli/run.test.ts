import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS, methodSummarySchema } from '../../../main/contract/api.js';
import { roundRecordSchema } from '../../../main/contract/run-events.js';
import { colt, tempHome } from '../../helpers/cli.js';
import { workTimeout } from '../../helpers/work-timeout.js';

const tiny = ['--set', 'training.duration=40it', '--set', 'stop.maxRounds=1', '--set', 'data.trainLimit=1200', '--set', 'data.testLimit=300'];

// Each test runs a whole short experiment (three runs of two 40-iteration rounds) in a CLI process.
describe('colt run', { timeout: workTimeout(1, 30_000) }, () => {
  it('trains one run at a time with --concurrency 1: the rounds of one run end before the next run starts', async () => {
    const r = await colt(['run', '--preset', 'quick', '--json', '--concurrency', '1', '--set', 'methods=["imp","random"]', ...tiny], { COLT_HOME: tempHome() });
    expect(r.code, r.stderr).toBe(0);
    const order = r.lines.filter((l) => l.type === 'round').map((l) => `${String(l.method)}${String(l.round)}`);
    expect(order).toEqual(['imp0', 'imp1', 'random0', 'random1']);
  });

  it('prints a start line, one JSON line per finished round of each method, and a summary', async () => {
    const r = await colt(['run', '--preset', 'quick', '--json', ...tiny], { COLT_HOME: tempHome() });
    expect(r.code, r.stderr).toBe(0);
    const types = r.lines.map((l) => l.type);
    expect(types[0]).toBe('start');
    expect(types[types.length - 1]).toBe('summary');
    const rounds = r.lines.filter((l) => l.type === 'round');
    // Runs go in parallel jobs: their rounds may interleave, but each run's stay in round order.
    expect(rounds).toHaveLength(6);
    for (const method of ['imp', 'colt', 'random']) {
      expect(rounds.filter((l) => l.method === method).map((l) => l.round)).toEqual([0, 1]);
    }
    for (const l of rounds) {
      expect(l.sparsity).toBeGreaterThanOrEqual(0);
      expect(l.sparsity).toBeLessThan(1);
      expect(typeof l.testAccuracy).toBe('number');
      expect(l.seed).toBe(0);
    }
    expect(rounds.find((l) => l.method === 'colt' && l.round === 1)?.overlap).toBeGreaterThan(0);
    // The start line is experiments.create's answer with the backend; each round line is a run.roundDone record.
    const start = r.lines[0];
    expect(start.backend).toBe('wasm');
    const created = COMMANDS['experiments.create'].output.parse(start);
    expect(created.dataset.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(created.dataset).toMatchObject({ name: 'fashion-mnist-sample', train: 12000, test: 2000, classes: 10, inputShape: [28, 28, 1] });
    for (const l of rounds) roundRecordSchema.parse(l);
    // The summary's figures are experiments.get's.
    expect(() => methodSummarySchema.parse((r.lines.at(-1)?.methods as Record<string, unknown>).colt)).not.toThrow();
  });

  it('takes --seeds and a --config file', async () => {
    const home = tempHome();
    const file = path.join(home, 'exp.json');
    writeFileSync(
      file,
      JSON.stringify({ arch: 'lenet-300-100', dataset: 'fashion-mnist-sample', methods: ['imp'], training: { duration: '20it' }, data: { trainLimit: 600, testLimit: 200 }, stop: { maxRounds: 0 } }),
    );
    const r = await colt(['run', '--config', file, '--seeds', '3,4', '--json'], { COLT_HOME: home });
    expect(r.code, r.stderr).toBe(0);
    expect(
      r.lines
        .filter((l) => l.type === 'round')
        .map((l) => l.seed)
        .sort(),
    ).toEqual([3, 4]);
  });

  it.each([
    [['run', '--preset', 'quick', '--set', 'training.batchSize=-5'], /config field 'training.batchSize'/],
    [['run', '--preset', 'quick', '--set', 'pruning.rtae=0.2'], /config field 'pruning'.*rtae/],
    [['run', '--preset', 'nope'], /unknown preset 'nope'; known: .*quick/],
    [['run', '--config', '/no/such/file.json'], /--config \/no\/such\/file.json: cannot read the file/],
    [['run', '--preset', 'quick', '--seeds', '1,x'], /--seeds '1,x'/],
    [['run', '--preset', 'quick', '--backend', 'tpu'], /--backend 'tpu'/],
    [['run', '--preset', 'quick', '--backend', 'tensorflow'], /tensorflow/],
    [['run', '--preset', 'lth-conv2-cifar10'], /dataset 'cifar10' is not registered.*colt data add cifar10/],
    [['run', '--preset', 'quick', '--set', 'stop.targetSparsity=0.9999', '--set', 'stop.sparsityOver=all'], /stop.targetSparsity.*cannot be reached/],
    [['run'], /exactly one of --preset NAME or --config FILE/],
    [['run', '--bogus'], /bogus/],
    [['run', '--preset', 'quick', '--concurrency', '0'], /--concurrency '0': expected a positive integer/],
  ])('fails with one line naming what is wrong: %j', async (args, message) => {
    const r = await colt(args, { COLT_HOME: tempHome() });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
  });

  it.each([
    [['--set', 'pruning.pruneFrom=best'], 'pruning.pruneFrom'],
    [['--set', 'arch=vgg16'], 'arch'],
    [['--set', 'rewind=100000it'], 'rewind'],
    [['--set', 'colt.partitioning={"classMap":[0,0,0,0,0,0,0,0,0,0]}'], 'colt.partitioning'],
  ])('refuses a config the data or its methods rule out before anything is written, exit 2: %j', async (sets, field) => {
    const home = tempHome();
    const r = await colt(['run', '--preset', 'quick', ...sets], { COLT_HOME: home });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`config field '${field}'`);
    expect(existsSync(path.join(home, 'library.sqlite'))).toBe(false);
  });

  it('refuses a config file that is not JSON, naming the file', async () => {
    const home = tempHome();
    const file = path.join(home, 'bad.json');
    writeFileSync(file, '{"arch": ');
    const r = await colt(['run', '--config', file], { COLT_HOME: home });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--config ${file}: not valid JSON`);
  });
});

describe('colt presets and colt data', () => {
  it('lists every preset with a valid config', async () => {
    const r = await colt(['presets', '--json']);
    expect(r.code).toBe(0);
    expect(r.lines.map((l) => l.name).sort()).toEqual(
      [
        'authors-fc1-fashion-mnist',
        'lth-conv2-cifar10',
        'lth-conv4-cifar10',
        'lth-conv6-cifar10',
        'lth-lenet-mnist',
        'paper-conv3-cifar10',
        'paper-resnet18-cifar10',
        'paper-resnet18-cifar100',
        'paper-resnet18-tinyimagenet',
        'quick',
        'transfer-cifar100-to-cifar10',
      ].sort(),
    );
  });

  it('registers a dataset folder and lists it', async () => {
    const home = tempHome();
    const dir = path.join(home, 'fm');
    mkdirSync(dir);
    // The bundled sample is a real IDX folder: register a copy of its path under a new name.
    const sample = path.resolve('resources/data/fashion-mnist-sample');
    const add = await colt(['data', 'add', 'my-fashion', sample], { COLT_HOME: home });
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/my-fashion: 12000 train \/ 2000 test images of 28x28x1, 10 classes/);
    const list = await colt(['data', 'list', '--json'], { COLT_HOME: home });
    expect(list.lines.find((l) => l.name === 'my-fashion')).toMatchObject({ format: 'idx', present: true });
    // datasets.get's output: the same facts, and the class names.
    const show = await colt(['data', 'show', 'my-fashion', '--json'], { COLT_HOME: home });
    expect(show.code, show.stderr).toBe(0);
    expect(show.lines[0]).toMatchObject({ name: 'my-fashion', train: 12000, test: 2000, inputShape: [28, 28, 1], classes: 10, checksum: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(show.lines[0]?.classNames).toHaveLength(10);
    const bad = await colt(['data', 'add', 'empty', dir], { COLT_HOME: home });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(dir);
  });
});
