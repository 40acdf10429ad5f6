#!/usr/bin/env bash
# Submits a sharded apmrisk run to Slurm: a job array of SHARDS shards, then a merge that starts
# only if every shard succeeded. Prints both job ids.
#
#   deploy/slurm/submit.sh [--wait] [-- EXTRA_SBATCH_OPTIONS...]
#
#   --wait   stay until the merge has finished; exit 0 only if it completed, non-zero (with the
#            failed jobs and their log files) otherwise. WAIT_TIMEOUT (seconds, default none)
#            bounds the wait.
#   options after -- go to both sbatch calls, e.g. -- --partition=long --account=proj42
#
# Environment (defaults in brackets); relative paths are resolved here, so the jobs do not depend
# on where they start:
#   APMRISK   apmrisk binary, on a file system the compute nodes see [apmrisk on PATH, else .build/release/apmrisk]
#   SCENARIO  scenario file [Models/default.yaml]
#   TRIALS    trials of the whole run [2000]
#   SHARDS    number of shards S = array size [4]
#   SEED      seed for every shard [the scenario's]
#   RUN_NAME  names the folders below [scenario name + date and time]
#   PARTS     shared folder for the part folders [Results/RUN_NAME.parts]
#   RUN_DIR   merged run folder, must not exist [Results/RUN_NAME]
#   LOGS      job logs [Results/RUN_NAME.logs]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

wait_for_merge=false
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --wait) wait_for_merge=true; shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "submit.sh: unknown argument '$1' (see --help)" >&2; exit 64 ;;
  esac
done

APMRISK=${APMRISK:-$(command -v apmrisk || echo .build/release/apmrisk)}
SCENARIO=${SCENARIO:-Models/default.yaml}
TRIALS=${TRIALS:-2000}
SHARDS=${SHARDS:-4}
RUN_NAME=${RUN_NAME:-$(basename "$SCENARIO" .yaml)-$(date +%Y%m%d-%H%M%S)}
PARTS=${PARTS:-Results/$RUN_NAME.parts}
RUN_DIR=${RUN_DIR:-Results/$RUN_NAME}
LOGS=${LOGS:-Results/$RUN_NAME.logs}

# Fail here, in seconds, rather than in every array task after it waited in the queue.
case "$SHARDS" in ''|*[!0-9]*|0) echo "submit.sh: SHARDS must be a positive integer (got '$SHARDS')" >&2; exit 64 ;; esac
case "$TRIALS" in ''|*[!0-9]*|0) echo "submit.sh: TRIALS must be a positive integer (got '$TRIALS')" >&2; exit 64 ;; esac
[ -f "$SCENARIO" ] || { echo "submit.sh: scenario '$SCENARIO' not found" >&2; exit 66; }
[ -x "$APMRISK" ] || { echo "submit.sh: apmrisk binary '$APMRISK' not found or not executable (set APMRISK)" >&2; exit 66; }
[ ! -e "$RUN_DIR" ] || { echo "submit.sh: RUN_DIR '$RUN_DIR' already exists; the merge would refuse it" >&2; exit 73; }

# Absolute paths: a relative one would be read against each job's working folder.
abs() { realpath -m -- "$1"; }
APMRISK=$(abs "$APMRISK"); SCENARIO=$(abs "$SCENARIO"); PARTS=$(abs "$PARTS")
RUN_DIR=$(abs "$RUN_DIR"); LOGS=$(abs "$LOGS")
# Slurm does not create the folder of --output; a job whose log folder is missing fails silently.
mkdir -p "$LOGS" "$PARTS"

export APMRISK SCENARIO TRIALS SHARDS PARTS RUN_DIR
if [ -n "${SEED:-}" ]; then export SEED; fi

show() { printf '+'; printf ' %q' "$@"; printf '\n'; }

# --parsable prints "jobid" or "jobid;cluster"; keep the id.
shards_cmd=(sbatch --parsable --array="0-$((SHARDS - 1))" --output="$LOGS/shards-%A_%a.log"
            --export=ALL "${extra[@]}" "$here/shards.sbatch")
show "${shards_cmd[@]}"
array_id=$("${shards_cmd[@]}")
array_id=${array_id%%;*}

merge_cmd=(sbatch --parsable --dependency="afterok:$array_id" --kill-on-invalid-dep=yes
           --output="$LOGS/merge-%j.log" --export=ALL "${extra[@]}" "$here/merge.sbatch")
show "${merge_cmd[@]}"
merge_id=$("${merge_cmd[@]}")
merge_id=${merge_id%%;*}

echo "array job: $array_id ($SHARDS shards, tasks ${array_id}_0 .. ${array_id}_$((SHARDS - 1)))"
echo "merge job: $merge_id (starts after every shard succeeded)"
echo "parts:     $PARTS"
echo "run:       $RUN_DIR"
echo "logs:      $LOGS"

$wait_for_merge || exit 0

# A job's state: scontrol knows it until MinJobAge (300 s by default) after it ended; sacct
# after that, where accounting is set up. Array jobs give one line per task.
job_states() {
  local out
  if out=$(scontrol show job -o "$1" 2>/dev/null) && [ -n "$out" ]; then
    grep -o 'JobState=[A-Z_]*' <<<"$out" | cut -d= -f2
  elif out=$(sacct -n -X -P -j "$1" -o State 2>/dev/null) && [ -n "$out" ]; then
    awk '{print $1}' <<<"$out"
  else
    echo UNKNOWN
  fi
}
is_final() {
  case "$1" in
    COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|PREEMPTED|DEADLINE|BOOT_FAIL|UNKNOWN) return 0 ;;
    *) return 1 ;;
  esac
}

echo "waiting for merge job $merge_id ..."
start=$SECONDS
last=""
while :; do
  merge_state=$(job_states "$merge_id" | head -n1)
  is_final "$merge_state" && break
  # squeue -r lists the array's tasks that are still queued or running one by one; the rest ended.
  active=$(squeue -h -r -j "$array_id" -o %T 2>/dev/null || true)
  running=$(grep -c '^RUNNING$' <<<"$active" || true)
  pending=$(grep -c '^PENDING$' <<<"$active" || true)
  queued=$(grep -c . <<<"$active" || true)
  progress="shards: $((SHARDS - queued)) ended, $running running, $pending pending; merge: $merge_state"
  if [ "$progress" != "$last" ]; then echo "  $progress"; last=$progress; fi
  if [ -n "${WAIT_TIMEOUT:-}" ] && [ $((SECONDS - start)) -ge "$WAIT_TIMEOUT" ]; then
    echo "submit.sh: gave up waiting after ${WAIT_TIMEOUT}s; the jobs are still queued (scancel $array_id $merge_id to stop them)" >&2
    exit 124
  fi
  sleep 3
done

if [ "$merge_state" = COMPLETED ]; then
  echo "merge job $merge_id COMPLETED: $RUN_DIR"
  exit 0
fi

echo "merge job $merge_id ended $merge_state" >&2
scontrol show job -o "$merge_id" 2>/dev/null | grep -o 'Reason=[^ ]*\|ExitCode=[^ ]*' | sed 's/^/  /' >&2 || true
# Name the shards that did not complete: that is usually why the merge was cancelled.
scontrol show job -o "$array_id" 2>/dev/null | while read -r line; do
  state=$(grep -o 'JobState=[A-Z_]*' <<<"$line" | cut -d= -f2)
  task=$(grep -o 'ArrayTaskId=[0-9]*' <<<"$line" | cut -d= -f2)
  if [ "$state" != COMPLETED ]; then
    echo "  shard task ${array_id}_$task: $state, log $LOGS/shards-${array_id}_$task.log" >&2
    tail -n 5 "$LOGS/shards-${array_id}_$task.log" 2>/dev/null | sed 's/^/    | /' >&2 || true
  fi
done
if [ -f "$LOGS/merge-$merge_id.log" ]; then
  echo "  merge log $LOGS/merge-$merge_id.log:" >&2
  tail -n 10 "$LOGS/merge-$merge_id.log" | sed 's/^/    | /' >&2
fi
exit 1
