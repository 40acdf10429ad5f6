#!/usr/bin/env bash
# Builds apmrisk (release) and runs the default model; extra arguments go to `apmrisk run`,
# e.g. scripts/run-default.sh --trials 200 --threads 2
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-deps.sh
swift build -c release --product apmrisk
.build/release/apmrisk run Models/default.yaml "$@"
