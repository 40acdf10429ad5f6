#!/usr/bin/env bash
# Runs the whole test suite in release mode: the Monte Carlo tests draw millions of members, and
# debug builds make Swift-native sampling code 13-70x slower (../shared/TOOLCHAIN.md).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-deps.sh
# -enable-testing lets tests reach the engine's internal types (@testable import) in release mode.
swift build -c release --build-tests -Xswiftc -enable-testing
swift test -c release --skip-build -Xswiftc -enable-testing
# The report in a real browser: charts' text inside the charts, no sideways overflow, at desktop
# and phone width, with the straw model's names and with very long ones (installs chromium).
bash scripts/check-report.sh
