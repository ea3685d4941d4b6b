import { spawnSync } from 'node:child_process';

/** Whether a Slurm cluster answers here, and if not, why (for the skip message or the CI failure). */
export interface ClusterCheck {
  readonly reachable: boolean;
  readonly why: string;
  /** .ci/run starts a cluster and sets COLT_TEST_SLURM=1: then an unreachable one is a failure, not a skip. */
  readonly expected: boolean;
}

/** Asks `sinfo` whether a node is up (idle, mixed or allocated) in the cluster $SLURM_CONF names. */
export function checkCluster(): ClusterCheck {
  const expected = process.env.COLT_TEST_SLURM === '1';
  const r = spawnSync('sinfo', ['--noheader', '--format=%T'], { encoding: 'utf8', timeout: 10_000 });
  const code = (r.error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return { reachable: false, expected, why: 'sinfo is not installed (apt-get install slurm-wlm munge)' };
  if (r.error) return { reachable: false, expected, why: `sinfo did not answer (${code ?? r.error.message}; SLURM_CONF=${process.env.SLURM_CONF ?? 'unset'})` };
  if (r.status !== 0) return { reachable: false, expected, why: `sinfo failed: ${(r.stderr || r.stdout).trim().split('\n')[0]}` };
  const states = r.stdout.split('\n').map((s) => s.trim()).filter(Boolean);
  if (!states.some((s) => /^(idle|mixed|allocated|alloc|mix)/.test(s))) return { reachable: false, expected, why: `no node is up (sinfo: ${states.join(', ') || 'no nodes'})` };
  return { reachable: true, expected, why: `nodes: ${states.join(', ')}` };
}

/** How to get a cluster on a developer machine. */
export const START_HINT = 'start the one-node test cluster with: eval "$(sudo scripts/slurm-cluster.sh start)"';
