#!/usr/bin/env bash
# A real single-node Slurm for Plateau's sweep tests and CI (Debian 12, run as root, no systemd,
# no cgroups: containers rarely allow them). Idempotent: a running, idle cluster is left as it is.
# Usage: bash scripts/slurm/start-test-cluster.sh     (then `npm test`; stop-test-cluster.sh undoes it)
set -euo pipefail

STATE=${PLATEAU_SLURM_STATE:-/var/tmp/plateau-slurm}
CONF=/etc/slurm/slurm.conf

if [ "$(id -u)" != 0 ]; then echo "start-test-cluster: run as root (it starts munged, slurmctld and slurmd)" >&2; exit 1; fi

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null
fi

# Already up with an idle or busy node: nothing to do (a second CI step or a developer rerun).
if sinfo -h -o '%T' 2>/dev/null | grep -Eq '^(idle|mixed|allocated)'; then
  echo "start-test-cluster: already running"; sinfo; exit 0
fi

# munge: the key authenticates slurmctld <-> slurmd <-> clients.
mkdir -p /etc/munge /run/munge /var/lib/munge /var/log/munge
if [ ! -s /etc/munge/munge.key ]; then
  if command -v mungekey >/dev/null; then mungekey --create --keyfile=/etc/munge/munge.key --force; else dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none; fi
fi
chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge
chmod 0700 /etc/munge; chmod 0400 /etc/munge/munge.key; chmod 0755 /run/munge
if ! munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
  runuser -u munge -- /usr/sbin/munged --force
  for _ in $(seq 50); do munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
fi

# The node as slurmd itself sees it (real CPUs and memory), under the short hostname.
HOST=$(hostname -s)
NODE_LINE=$(slurmd -C | head -n1 | sed "s/^NodeName=[^ ]*/NodeName=$HOST/")
mkdir -p "$STATE/ctld" "$STATE/d" /var/log/slurm /run/slurm /etc/slurm
cat > "$CONF" <<CONFEOF
# Written by plateau scripts/slurm/start-test-cluster.sh: a single-node test cluster.
ClusterName=plateau-test
SlurmctldHost=$HOST
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/d
SlurmctldPidFile=/run/slurm/slurmctld.pid
SlurmdPidFile=/run/slurm/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ReturnToService=2
# Finished jobs stay visible to scontrol for an hour: without accounting that is the only record.
MinJobAge=3600
KillWait=5
InactiveLimit=0
$NODE_LINE State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONFEOF

pgrep -x slurmctld >/dev/null || slurmctld
pgrep -x slurmd >/dev/null || slurmd

for _ in $(seq 60); do
  state=$(sinfo -h -n "$HOST" -o '%T' 2>/dev/null || true)
  case "$state" in
    idle|mixed|allocated) echo "start-test-cluster: node $HOST $state"; sinfo; exit 0 ;;
    down*|drain*) scontrol update NodeName="$HOST" State=RESUME 2>/dev/null || true ;;
  esac
  sleep 0.5
done
echo "start-test-cluster: node $HOST did not become idle (state: ${state:-none}); logs in /var/log/slurm" >&2
tail -n 20 /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log >&2 || true
exit 1
