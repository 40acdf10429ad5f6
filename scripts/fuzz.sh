#!/usr/bin/env bash
# Fuzzes the scenario and roster loaders with libFuzzer + AddressSanitizer.
#   scripts/fuzz.sh [RUNS] [MAX_LEN]    (defaults: 1,000,000 executions, inputs up to 1 MiB)
# The seed corpus is Models/*.yaml and the test fixtures (first byte 0 = scenario, 1 = roster,
# 2 = a recipe for Sources/FuzzScenario's structure-aware mode, which plants alias chains, alias
# bombs, deep nesting, tags and odd numbers in Tests/Fixtures/small.yaml); Fuzz/yaml.dict gives
# the mutator YAML's anchors, aliases, tags and flow syntax and the scenario's keys;
# new interesting inputs go to .build-fuzz/corpus, and any crashing input to Fuzz/crashes/ —
# keep such files under Tests/Fixtures/fuzz-regressions/ so the test suite replays them.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-deps.sh
runs="${1:-1000000}"
max_len="${2:-1048576}"
export APMRISK_FUZZ_BASE="$PWD/Tests/Fixtures/small.yaml"
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
# Structure-aware recipes: one per hostile kind and line, so every kind is in the corpus at once.
for kind in 0 1 2 3 4 5 6 7; do
  for line in 0 3 9 20; do
    printf "\\x02\\x00\\x$(printf %02x $kind)\\x09\\x04\\x$(printf %02x $line)" > "$seeds/h$i"; i=$((i + 1))
  done
done
bin=$(find .build-fuzz -type f -name FuzzScenario -perm -u+x | head -n 1)
"$bin" -runs="$runs" -max_len="$max_len" -len_control=100 -dict=Fuzz/yaml.dict -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 -artifact_prefix=Fuzz/crashes/ .build-fuzz/corpus "$seeds"
