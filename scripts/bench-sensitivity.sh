#!/usr/bin/env bash
# Benchmark (issue 14): a 10-swing tornado of design terms on the default model against one plain
# run of the same trials. Design terms are settled as extra designs on the run's own world, so the
# tornado should cost little more than the run. Usage: bash scripts/bench-sensitivity.sh [TRIALS]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-deps.sh
swift build -c release --product apmrisk >/dev/null
trials="${1:-500}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
seconds() { local start end; start=$(date +%s.%N); "$@" >/dev/null; end=$(date +%s.%N); echo "$end - $start" | bc; }
plain=$(seconds .build/release/apmrisk run Models/default.yaml --trials "$trials" --threads 2 --quiet --output "$work/plain")
swings=()
for d in 1 2 3 4; do
  swings+=(--vary "designs[$d].reconciliation.minimum_loss_rate=0.01..0.03" --vary "designs[$d].reconciliation.loss_cap.benchmark=0.02..0.06")
done
swings+=(--vary "designs[1].reconciliation.upside_rate=0.3..0.7" --vary "designs[4].reconciliation.upside_rate=0.3..0.7")
tornado=$(seconds .build/release/apmrisk sensitivity Models/default.yaml "${swings[@]}" --trials "$trials" --threads 2 --quiet --output "$work/tornado")
printf 'Default model, %s trials, 2 threads: plain run %.1f s; 10-swing design-term tornado (20 extra designs, one world) %.1f s; ratio %.2f (goal <= 2)\n' \
  "$trials" "$plain" "$tornado" "$(echo "$tornado / $plain" | bc -l)"
