#!/usr/bin/env bash
# Fuzzes the scenario and roster loaders with libFuzzer + AddressSanitizer.
#   scripts/fuzz.sh [RUNS]      (default 1,000,000 executions)
# The seed corpus is Models/*.yaml and the test fixtures (first byte 0 = scenario, 1 = roster);
# new interesting inputs go to .build-fuzz/corpus, and any crashing input to Fuzz/crashes/ —
# keep such files under Tests/Fixtures/fuzz-regressions/ so the test suite replays them.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-deps.sh
runs="${1:-1000000}"
swift build -c release --sanitize=fuzzer --sanitize=address --product FuzzScenario \
  --scratch-path .build-fuzz -Xswiftc -use-ld=lld
seeds=.build-fuzz/seeds
rm -rf "$seeds"; mkdir -p "$seeds" .build-fuzz/corpus Fuzz/crashes
i=0
for f in Models/*.yaml Tests/Fixtures/*.yaml Tests/Fixtures/bad/*.yaml Fuzz/seeds/*.yaml; do
  [ -f "$f" ] || continue
  { printf '\x00'; cat "$f"; } > "$seeds/s$i"; i=$((i + 1))
done
for f in Tests/Fixtures/bad/*.csv Fuzz/seeds/*.csv; do
  [ -f "$f" ] || continue
  { printf '\x01'; cat "$f"; } > "$seeds/r$i"; i=$((i + 1))
done
bin=$(find .build-fuzz -type f -name FuzzScenario -perm -u+x | head -n 1)
"$bin" -runs="$runs" -max_len=16384 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix=Fuzz/crashes/ .build-fuzz/corpus "$seeds"
