import { describe, expect, it } from 'vitest';
import { gridPoints, mergeAxes, parseGridFlag, parseSlurmOptions, pointLabel, splitShellWords, splitSweepSection } from '../../../main/contract/sweep-config.js';

describe('--grid values', () => {
  it('reads numbers, strings and JSON values as --set does, splitting only on top-level commas', () => {
    expect(parseGridFlag('pruning.rate=0.1,0.2')).toEqual({ path: 'pruning.rate', values: [0.1, 0.2] });
    expect(parseGridFlag('training.duration=3ep,500it')).toEqual({ path: 'training.duration', values: ['3ep', '500it'] });
    expect(parseGridFlag('methods=["imp","colt"],["colt"]')).toEqual({ path: 'methods', values: [['imp', 'colt'], ['colt']] });
    expect(parseGridFlag('colt.partitioning={"classMap":[0,1,0]},"random"')).toEqual({ path: 'colt.partitioning', values: [{ classMap: [0, 1, 0] }, 'random'] });
    expect(parseGridFlag('name="a,b",c')).toEqual({ path: 'name', values: ['a,b', 'c'] });
  });

  it('names the flag when the value is malformed', () => {
    expect(() => parseGridFlag('pruning.rate')).toThrow(/--grid 'pruning.rate': expected path=v1,v2/);
    expect(() => parseGridFlag('pruning..rate=1')).toThrow(/not a config field path/);
    expect(() => parseGridFlag('pruning.rate=0.1,,0.2')).toThrow(/an empty value/);
    expect(() => parseGridFlag('pruning.rate=0.1,')).toThrow(/an empty value/);
  });
});

describe('a config file sweep section', () => {
  it('is taken out of the config; its grid becomes the axes', () => {
    const { base, axes, hasSection } = splitSweepSection({ arch: 'conv2', sweep: { grid: { 'pruning.rate': [0.1, 0.2], 'colt.partitions': [2, 3] } } });
    expect(base).toEqual({ arch: 'conv2' });
    expect(hasSection).toBe(true);
    expect(axes).toEqual([
      { path: 'pruning.rate', values: [0.1, 0.2] },
      { path: 'colt.partitions', values: [2, 3] },
    ]);
    expect(splitSweepSection({ arch: 'conv2' })).toEqual({ base: { arch: 'conv2' }, axes: [], hasSection: false });
  });

  it('refuses a malformed section naming the field', () => {
    expect(() => splitSweepSection({ sweep: { grid: { 'pruning.rate': [] } } })).toThrow(/config field 'sweep.grid.pruning.rate'/);
    expect(() => splitSweepSection({ sweep: { grid: {}, axes: 1 } })).toThrow(/config field 'sweep'.*axes/);
    expect(() => splitSweepSection({ sweep: [1] })).toThrow(/config field 'sweep'/);
  });

  it('lets --grid replace an axis of the file, as --set replaces a field', () => {
    const merged = mergeAxes([{ path: 'a', values: [1] }, { path: 'b', values: [2] }], [{ path: 'a', values: [3, 4] }]);
    expect(merged).toEqual([
      { path: 'a', values: [3, 4] },
      { path: 'b', values: [2] },
    ]);
  });
});

describe('grid points', () => {
  it('are the cross product, first axis slowest', () => {
    const points = gridPoints([
      { path: 'pruning.rate', values: [0.1, 0.2] },
      { path: 'colt.partitions', values: [2, 3, 4] },
    ]);
    expect(points.map(pointLabel)).toEqual([
      'pruning.rate=0.1, colt.partitions=2',
      'pruning.rate=0.1, colt.partitions=3',
      'pruning.rate=0.1, colt.partitions=4',
      'pruning.rate=0.2, colt.partitions=2',
      'pruning.rate=0.2, colt.partitions=3',
      'pruning.rate=0.2, colt.partitions=4',
    ]);
    expect(gridPoints([])).toEqual([[]]);
  });

  it('refuses a grid beyond 10,000 points, saying how it multiplies', () => {
    const axis = (path: string) => ({ path, values: Array.from({ length: 101 }, (_, i) => i) });
    expect(() => gridPoints([axis('a'), axis('b')])).toThrow(/10201 points \(a: 101 × b: 101\); at most 10000/);
  });
});

describe('Slurm options', () => {
  it('split --slurm-extra as a shell would', () => {
    expect(splitShellWords('--account=lab  --qos="short run" --comment=it\\ is')).toEqual(['--account=lab', '--qos=short run', '--comment=it is']);
    expect(() => splitShellWords('--qos="short')).toThrow(/unclosed " quote/);
  });

  it('validate, naming the flag at fault', () => {
    expect(parseSlurmOptions({ partition: 'gpu', gpusPerTask: 'a100:1', time: '1-12:00', extra: ['--account=lab'] })).toMatchObject({ partition: 'gpu', requeue: false, retries: 2, prelude: [] });
    expect(() => parseSlurmOptions({ time: 'soon' })).toThrow(/--slurm-time: expected a Slurm time/);
    expect(() => parseSlurmOptions({ partition: 'gpu; rm -rf /' })).toThrow(/--slurm-partition/);
    expect(() => parseSlurmOptions({ gpusPerTask: '0' })).toThrow(/--slurm-gpus-per-task/);
    expect(() => parseSlurmOptions({ extra: ['account=lab'] })).toThrow(/--slurm-extra: expected sbatch options/);
    expect(() => parseSlurmOptions({ prelude: ['module load x\nrm -rf /'] })).toThrow(/--slurm-prelude: a prelude line may not contain a line break/);
    expect(() => parseSlurmOptions({ retries: -1 })).toThrow(/--retries/);
  });
});
