#!/usr/bin/env bash
# Brings up a one-node Slurm cluster on this machine and checks that a sharded apmrisk run
# (deploy/slurm/submit.sh: job array + dependent merge) gives byte-identical results to one plain
# `apmrisk run` of the same scenario, trials and seed.
#
#   scripts/slurm-local.sh                # set up (or reuse) the cluster, run, compare
#   scripts/slurm-local.sh --setup-only   # only set up (or check) the cluster
#
# Environment (defaults in brackets):
#   APMRISK   apmrisk binary [.build/release/apmrisk]; this script builds nothing
#   SCENARIO  [Models/default.yaml]   TRIALS [2000]   SHARDS [4]   SEED [the scenario's]
#   WORK      scratch folder for parts, results and logs [a new folder under $TMPDIR or /tmp]
#
# Meant for a root shell in a container or throwaway VM without systemd: the daemons are started
# directly and run as root. Safe to run again: daemons already up are reused, and restarted only
# if the generated slurm.conf changed. The cluster is left running.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

setup_only=false
case "${1:-}" in
  --setup-only) setup_only=true ;;
  "") ;;
  *) echo "usage: $0 [--setup-only]" >&2; exit 64 ;;
esac

# Every command that changes something is echoed before it runs, so the output is a transcript.
run() { printf '+'; printf ' %q' "$@"; printf '\n'; "$@"; }
say() { printf '\n== %s\n' "$*"; }

SLURM_CONF=/etc/slurm/slurm.conf
HOST=$(hostname -s)

# A daemon is up if its pid file names a live process of that name (a stale file's pid may have
# been reused by something else since).
pid_alive() {  # $1 = pid file, $2 = process name
  local pid
  pid=$(cat "$1" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ]
}

install_packages() {
  if command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v munged >/dev/null \
     && command -v sbatch >/dev/null; then
    echo "slurm-wlm and munge are installed"
    return
  fi
  [ "$(id -u)" -eq 0 ] || { echo "slurm-local.sh: installing Slurm needs root" >&2; exit 77; }
  # Exit 77 ("cannot host a cluster here", as for a missing root) when the packages cannot be had.
  run apt-get update -qq || exit 77
  run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge || exit 77
}

start_munge() {
  # munged insists that its key and folders belong to the user it runs as (munge, from the
  # Debian package) and are not readable by others.
  if [ ! -s /etc/munge/munge.key ]; then
    if command -v mungekey >/dev/null; then run mungekey --create --keyfile=/etc/munge/munge.key
    else run dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none; fi
  fi
  if [ "$(stat -c '%U %a' /etc/munge/munge.key)" != "munge 400" ]; then
    run chown munge:munge /etc/munge/munge.key
    run chmod 0400 /etc/munge/munge.key
  fi
  install -d -o munge -g munge -m 0755 /run/munge
  install -d -o munge -g munge -m 0700 /var/lib/munge /var/log/munge
  if pid_alive /run/munge/munged.pid munged && munge -n </dev/null | unmunge >/dev/null 2>&1; then
    echo "munged is running (pid $(cat /run/munge/munged.pid))"
    return
  fi
  # --force: a munged that was killed leaves its socket behind, and munged refuses to start then.
  run runuser -u munge -- munged --force
  for _ in $(seq 50); do munge -n </dev/null | unmunge >/dev/null 2>&1 && return; sleep 0.2; done
  echo "slurm-local.sh: munged did not come up (see /var/log/munge/munged.log)" >&2
  exit 77
}

write_conf() {
  # The node line from slurmd -C: CPUs, sockets, cores and RealMemory as slurmd will measure them.
  # A RealMemory larger than what slurmd finds would drain the node ("Low RealMemory").
  local node
  node=$(slurmd -C | head -n1)
  local conf
  conf=$(cat <<CONF
# Written by scripts/slurm-local.sh: a one-node test cluster, not a production setup.
ClusterName=apmrisk-local
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
MpiDefault=none
# Slurm mails job events through MailProg; there is no mailer here, and slurmctld logs an error without one.
MailProg=/bin/true
# No systemd and no writable cgroup hierarchy in a container: track processes by parent pid and
# do no CPU binding. (proctrack/cgroup and task/cgroup would make slurmd fail at start.)
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
# Cores and memory are both consumable, so jobs share the node by --cpus-per-task and --mem.
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
# Without a default, a job that asks no --mem would be given the whole node's memory and run alone.
DefMemPerCPU=1024
# A node that was down (e.g. the daemons were restarted) returns by itself once it registers.
ReturnToService=2
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
SlurmctldTimeout=30
SlurmdTimeout=60
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF
)
  mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
  if [ -f "$SLURM_CONF" ] && [ "$(cat "$SLURM_CONF")" = "$conf" ]; then
    echo "$SLURM_CONF is up to date"
    return 1
  fi
  echo "+ writing $SLURM_CONF"
  printf '%s\n' "$conf" >"$SLURM_CONF"
  sed 's/^/    /' "$SLURM_CONF"
  return 0
}

stop_daemon() {  # $1 = pid file, $2 = name; ends only the daemon that this pid file names
  if pid_alive "$1" "$2"; then
    run kill "$(cat "$1")"
    for _ in $(seq 50); do pid_alive "$1" "$2" || return 0; sleep 0.2; done
  fi
}

start_slurm() {
  local changed=$1
  if [ "$changed" = yes ]; then
    stop_daemon /run/slurmd.pid slurmd
    stop_daemon /run/slurmctld.pid slurmctld
  fi
  if pid_alive /run/slurmctld.pid slurmctld; then echo "slurmctld is running (pid $(cat /run/slurmctld.pid))"
  else run slurmctld; fi
  for _ in $(seq 50); do scontrol ping 2>/dev/null | grep -q UP && break; sleep 0.2; done
  if pid_alive /run/slurmd.pid slurmd; then echo "slurmd is running (pid $(cat /run/slurmd.pid))"
  else run slurmd; fi
}

wait_for_idle() {
  local state
  for _ in $(seq 60); do
    state=$(sinfo -h -n "$HOST" -o '%T' 2>/dev/null | head -n1)
    case "$state" in
      idle|mixed|allocated|completing) run sinfo; return 0 ;;
      drain*|down*)
        # Left over from an earlier life of the cluster (say, a node line that changed).
        run scontrol update NodeName="$HOST" State=RESUME || true ;;
    esac
    sleep 1
  done
  echo "slurm-local.sh: node $HOST is not idle (state '$state'); see /var/log/slurm/slurmd.log and slurmctld.log" >&2
  sinfo -R >&2 || true
  exit 77
}

setup_cluster() {
  say "Slurm: one-node cluster on $HOST"
  install_packages
  start_munge
  local changed=no
  if write_conf; then changed=yes; fi
  start_slurm "$changed"
  wait_for_idle
}

compare_runs() {  # $1 = merged run folder, $2 = single run folder; prints per file, returns 1 on any difference
  local merged=$1 single=$2 differ=0 f
  while IFS= read -r f; do
    if [ "$(basename "$f")" = provenance.json ]; then
      echo "  skipped      $f (records when and how the folder was made)"
    elif [ ! -f "$merged/$f" ]; then
      echo "  MISSING      $f (only in the single run)"; differ=1
    elif [ ! -f "$single/$f" ]; then
      echo "  EXTRA        $f (only in the merged run)"; differ=1
    elif cmp -s "$merged/$f" "$single/$f"; then
      echo "  identical    $f"
    else
      echo "  DIFFERENT    $f: $(cmp "$merged/$f" "$single/$f" 2>&1 | head -n1)"; differ=1
    fi
  done < <( { (cd "$merged" && find . -type f); (cd "$single" && find . -type f); } | sed 's|^\./||' | sort -u)
  return $differ
}

setup_cluster
if $setup_only; then exit 0; fi

APMRISK=${APMRISK:-.build/release/apmrisk}
if [ ! -x "$APMRISK" ]; then
  echo "slurm-local.sh: no apmrisk binary at '$APMRISK'. Build it first:" >&2
  echo "  source scripts/ensure-deps.sh && swift build -c release" >&2
  echo "(or set APMRISK to a binary)" >&2
  exit 66
fi
APMRISK=$(realpath "$APMRISK")
SCENARIO=${SCENARIO:-Models/default.yaml}
TRIALS=${TRIALS:-2000}
SHARDS=${SHARDS:-4}
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/apmrisk-slurm.XXXXXX")}
mkdir -p "$WORK"
WORK=$(realpath "$WORK")
seed_args=()
if [ -n "${SEED:-}" ]; then seed_args=(--seed "$SEED"); fi

say "Sharded run on Slurm: $SHARDS shards of $TRIALS trials of $SCENARIO, in $WORK"
run env APMRISK="$APMRISK" SCENARIO="$SCENARIO" TRIALS="$TRIALS" SHARDS="$SHARDS" ${SEED:+SEED="$SEED"} \
  PARTS="$WORK/parts" RUN_DIR="$WORK/merged" LOGS="$WORK/logs" \
  deploy/slurm/submit.sh --wait

say "The same run in one piece"
run "$APMRISK" run "$SCENARIO" --trials "$TRIALS" "${seed_args[@]}" --output "$WORK/single" --quiet

say "Comparing $WORK/merged with $WORK/single, file by file"
if compare_runs "$WORK/merged" "$WORK/single"; then
  echo "byte-identical: yes"
else
  echo "byte-identical: no"
  exit 1
fi
