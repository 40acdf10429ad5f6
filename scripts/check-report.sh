#!/usr/bin/env bash
# Opens report.html in a real browser (headless Chromium) at desktop (1400 px) and phone (420 px)
# width, for the straw model and for the straw model with every design, track, tier and band name
# made very long, and fails if any chart text lies outside its chart, legend entries overlap or
# leave their chart, or the page overflows sideways (scripts/report-check.js).
# Installs chromium (Debian package) when missing. Usage: bash scripts/check-report.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-deps.sh
if ! command -v chromium >/dev/null 2>&1; then
  echo "Installing chromium (headless browser for the report check) ..." >&2
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
swift build -c release --product apmrisk >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Long names: the straw model's designs, tracks, tiers and bands renamed at several times their length.
sed -e 's/name: Straw model, benchmarks follow fee changes/name: "Straw model for the technical-design subcommittee, with benchmarks that follow every Medicaid fee schedule change"/' \
    -e 's/name: Straw model, benchmarks frozen at baseline fees/name: "Straw model for the technical-design subcommittee, with benchmarks frozen at the baseline fee schedule throughout"/' \
    -e 's/name: Track \([0-9]\) \(.*\)$/name: "Track \1 of the statewide primary care payment model: \2, as proposed by the advisory group"/' \
    -e 's/name: Small practices, regional accountability/name: "Small independent practices reconciled together as one region (regional accountability)"/' \
    -e 's/"under 1,000"/"practices with fewer than one thousand attributed members"/g' \
    -e 's/"20,000+"/"health systems with twenty thousand or more attributed members"/g' \
    Models/straw-model.yaml > "$work/long-names.yaml"

.build/release/apmrisk run Models/straw-model.yaml --trials 100 --output "$work/straw" --quiet
.build/release/apmrisk run "$work/long-names.yaml" --trials 100 --output "$work/long-names" --quiet

failed=0
for run in straw long-names; do
  awk -v js="scripts/report-check.js" '/<\/body>/ { print "<script>"; while ((getline line < js) > 0) print line; print "</script>" } { print }' \
    "$work/$run/report.html" > "$work/$run/checked.html"
  for width in 1400 420; do
    result=$(chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="$width,1000" \
               --virtual-time-budget=5000 --dump-dom "file://$work/$run/checked.html" 2>/dev/null \
             | sed -n '/<pre id="report-check">/,/<\/pre>/p' | sed -e 's/<[^>]*>//g')
    charts=$(printf '%s\n' "$result" | sed -n 's/^charts \([0-9]*\)$/\1/p')
    problems=$(printf '%s\n' "$result" | grep -v '^charts ' | grep -v '^$' || true)
    if [ -z "$charts" ]; then
      echo "report check: $run at $width px: the browser did not run the check" >&2; failed=1
    elif [ "$charts" -eq 0 ]; then
      echo "report check: $run at $width px: no charts found" >&2; failed=1
    elif [ -n "$problems" ]; then
      echo "report check: $run at $width px:" >&2; printf '  %s\n' "$problems" >&2; failed=1
    else
      echo "report check: $run at $width px: $charts charts, every text and legend entry inside its chart, no sideways overflow"
    fi
  done
done
exit $failed
