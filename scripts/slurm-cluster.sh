#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for the tests and for trying sweeps without a real
# cluster: munged with its own key, slurmctld and slurmd, every file under one folder.
#
#   eval "$(scripts/slurm-cluster.sh start [DIR])"   start it (or find it running); prints the exports
#   scripts/slurm-cluster.sh env [DIR]               print the exports again
#   scripts/slurm-cluster.sh stop [DIR]              stop the daemons (the folder stays for its logs)
#
# DIR defaults to $COLT_SLURM_DIR, else ${TMPDIR:-/tmp}/colt-slurm. Needs Debian's slurm-wlm and
# munge, and root (slurmd starts jobs as their user). Only the export lines go to stdout.
set -euo pipefail

cmd="${1:-}"
dir="${2:-${COLT_SLURM_DIR:-${TMPDIR:-/tmp}/colt-slurm}}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
conf="$dir/etc/slurm.conf"
sock="$dir/munge/munge.socket.2"

say() { echo "slurm-cluster: $*" >&2; }

print_env() {
  echo "export SLURM_CONF='$conf'"
  echo "export COLT_SLURM_DIR='$dir'"
}

alive() {
  local pidfile="$1"
  [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

# A TCP port nobody listens on, chosen by the OS.
free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'
}

node_idle() {
  local state
  state="$(SLURM_CONF="$conf" sinfo --noheader --nodes="$host" --format=%T 2>/dev/null | head -n1 || true)"
  [ "$state" = "idle" ] || [ "$state" = "mixed" ] || [ "$state" = "allocated" ]
}

stop() {
  local what pidfile pid
  for what in slurmd slurmctld munged; do
    pidfile="$dir/run/$what.pid"
    if alive "$pidfile"; then
      pid="$(cat "$pidfile")"
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      say "stopped $what ($pid)"
    fi
    rm -f "$pidfile"
  done
}

start() {
  command -v slurmctld >/dev/null && command -v munged >/dev/null || {
    say "slurm-wlm and munge are not installed (apt-get install slurm-wlm munge)"
    exit 1
  }
  host="$(hostname -s)"
  if alive "$dir/run/slurmctld.pid" && alive "$dir/run/slurmd.pid" && alive "$dir/run/munged.pid" && node_idle; then
    say "already running in $dir"
    print_env
    return
  fi
  stop
  mkdir -p "$dir"/{etc,munge,run,log,state,spool}
  chmod 700 "$dir/munge"

  # munged: its own key and socket, so it never touches (or needs) the system's.
  if [ ! -s "$dir/munge/munge.key" ]; then
    dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
    chmod 400 "$dir/munge/munge.key"
  fi
  munged --force --key-file="$dir/munge/munge.key" --socket="$sock" --pid-file="$dir/run/munged.pid" \
    --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munged.seed"

  # The node as slurmd sees it (CPUs, sockets, cores, memory), so the cluster offers what the machine has.
  local node_line
  node_line="$(slurmd -C | head -n1)"
  local user
  user="$(id -un)"
  # The daemons talk over loopback (the addresses in brackets and NodeAddr), so the cluster works
  # where the hostname does not resolve.
  cat >"$conf" <<EOF
ClusterName=colt-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
AuthInfo=socket=$sock
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2
MpiDefault=none
ReturnToService=2
JobRequeue=1
MinJobAge=600
KillWait=5
InactiveLimit=0
$node_line NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
  export SLURM_CONF="$conf"
  slurmctld -i
  slurmd
  for _ in $(seq 1 150); do
    if node_idle; then
      say "one-node cluster up: $host, $(echo "$node_line" | grep -o 'CPUs=[0-9]*'), config $conf"
      print_env
      return
    fi
    sleep 0.2
  done
  say "the node did not become idle within 30 s; logs in $dir/log"
  SLURM_CONF="$conf" sinfo >&2 || true
  tail -n 20 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2 || true
  exit 1
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  env) print_env ;;
  *)
    echo "usage: $0 start|stop|env [DIR]" >&2
    exit 2
    ;;
esac
