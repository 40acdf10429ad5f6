#!/usr/bin/env bash
# Validation cost of hostile input: time and peak memory of `apmrisk validate` on generated files
# of 1×, 2× and 4× a size (validation must stay linear in the file and in its problems), and
# peak memory of the largest inputs the loaders refuse.
#   scripts/bench-validation.sh [BASE_ITEMS]    (default 20,000 items in the 1× file; 4× stays under
#   the 100,000-practice limit, so the roster set measures reading rows, not the early refusal)
# Prints one line per file: seconds, peak resident MB, and for the scaling sets the ratio of
# seconds to the 1× file's (linear: about 2 and 4).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-deps.sh
need=""
[ -x /usr/bin/time ] || need="time"
command -v bc >/dev/null || need="$need bc"
[ -z "$need" ] || { apt-get update -qq && apt-get install -y -qq $need >/dev/null; }
swift build -c release --product apmrisk >/dev/null
bin=.build/release/apmrisk
base="${1:-20000}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Seconds and peak resident MB of one validate (exit 64 expected: these files are all bad).
measure() {
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -o "$work/time" -f '%M' "$bin" validate "$1" >/dev/null 2>"$work/err" || true
  end=$(date +%s.%N)
  echo "$(echo "$end - $start" | bc) $(( $(tail -n 1 "$work/time") / 1024 ))"
}

# Many problems: N empty designs (one problem each) after a valid scenario.
empty_designs() { { sed '/^designs:/,$d' Tests/Fixtures/small.yaml; echo "designs:"; seq 1 "$1" | sed 's/.*/  - /'; } > "$2"; }
# Many keys: N unknown keys, each named in a problem.
unknown_keys() { { cat Tests/Fixtures/small.yaml; seq 1 "$1" | sed 's/^/unknown_key_/; s/$/: 1/'; } > "$2"; }
# Many roster rows, each with an unknown region.
roster_rows() {
  sed 's|^practices:|practices: {roster: roster.csv}\nold_practices:|' Tests/Fixtures/small.yaml > "$2"
  { echo "id,members,region"; seq 1 "$1" | sed 's/^/P/; s/$/,500,nowhere/'; } > "$(dirname "$2")/roster.csv"
}

printf '%-34s %12s %9s %10s %8s\n' "file" "size (MB)" "seconds" "peak (MB)" "ratio"
for kind in empty_designs unknown_keys roster_rows; do
  first=""
  for scale in 1 2 4; do
    dir="$work/$kind-$scale"; mkdir -p "$dir"
    file="$dir/scenario.yaml"
    "$kind" $((base * scale)) "$file"
    size=$(du -cm "$dir" | tail -n 1 | cut -f 1)
    read -r seconds peak < <(measure "$file")
    [ -z "$first" ] && first=$seconds
    printf '%-34s %12s %9.2f %10s %8.2f\n' "$kind ×$scale ($((base * scale)) items)" "$size" "$seconds" "$peak" \
      "$(echo "$seconds / $first" | bc -l)"
  done
done

echo
echo "Largest refused inputs:"
big="$work/over-size-limit.yaml"
{ cat Tests/Fixtures/small.yaml; seq 1 2300000 | sed 's/.*/# padding past the 64 MiB limit/'; } > "$big"
many="$work/13-million-empty-items.yaml"      # 62 MiB: under the size limit, over the value limit
empty_designs 13000000 "$many"
most="$work/999-thousand-empty-items.yaml"    # just under the value limit: the most a tree is built for
empty_designs 999000 "$most"
for file in Tests/Fixtures/bad/130-alias-chain-deep.yaml Tests/Fixtures/bad/131-alias-bomb-as-key.yaml \
            Tests/Fixtures/bad/132-alias-bomb-value.yaml Tests/Fixtures/bad/142-generated-practices-too-many.yaml \
            Tests/Fixtures/bad/146-deep-nesting.yaml "$big" "$many" "$most"; do
  read -r seconds peak < <(measure "$file")
  # The first problem, without the file name it starts with.
  problem=$(sed -n 2p "$work/err" | sed 's/^ *[^ ]*: //' | cut -c 1-90)
  printf '%-40s %6.2f s %6s MB   %s\n' "$(basename "$file")" "$seconds" "$peak" "$problem"
done
