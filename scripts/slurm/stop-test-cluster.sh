#!/usr/bin/env bash
# Stops what start-test-cluster.sh started (slurmd, slurmctld, munged) by their pid files; idempotent.
set -uo pipefail
STATE=${PLATEAU_SLURM_STATE:-/var/tmp/plateau-slurm}
stop() { # $1 pid file, $2 name
  [ -s "$1" ] || return 0
  local pid; pid=$(cat "$1")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  rm -f "$1"; echo "stop-test-cluster: $2 stopped"
}
stop /run/slurm/slurmd.pid slurmd
stop /run/slurm/slurmctld.pid slurmctld
stop /run/munge/munged.pid munged
# Job state from the tests goes too, so the next start is clean.
rm -rf "$STATE"
exit 0
