#!/usr/bin/env bash
# Runs the test suite under AddressSanitizer and ThreadSanitizer (release builds, each in its own
# scratch folder). UBSan is not supported by this Swift toolchain on Linux.
#   scripts/sanitize.sh [address|thread] [swift test options, e.g. --filter FastPath]   (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-deps.sh
# XCTest's runtime leaks a few allocations of its own at exit (TOOLCHAIN.md): suppress only those.
export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0"
export TSAN_OPTIONS="halt_on_error=1"
for sanitizer in ${1:-address thread}; do
  echo "== $sanitizer sanitizer"
  swift build -c release --build-tests --sanitize="$sanitizer" --scratch-path ".build-$sanitizer" -Xswiftc -use-ld=lld -Xswiftc -enable-testing
  swift test -c release --skip-build --sanitize="$sanitizer" --scratch-path ".build-$sanitizer" -Xswiftc -enable-testing "${@:2}"
done
