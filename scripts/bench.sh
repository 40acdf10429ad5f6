#!/usr/bin/env bash
# Benchmark: member-years per second of apmrisk's member-level world on the numpy peer's model
# (1 and 2 threads), the numpy peer in the same run, and the ratio. Extra arguments go to
# apmrisk-bench (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-deps.sh
swift build -c release --product apmrisk
swift build -c release --product apmrisk-bench
peer="../shared/bench/numpy_member_sim.py"
if python3 -c "import numpy" 2>/dev/null && [ -f "$peer" ]; then
  .build/release/apmrisk-bench --peer "$peer" "$@"
else
  echo "(numpy or $peer not found: timing apmrisk alone)"
  .build/release/apmrisk-bench --no-peer "$@"
fi
