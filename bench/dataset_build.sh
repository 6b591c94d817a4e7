#!/usr/bin/env bash
# Benchmark of distributions + dataset building (issue goal: 100 programs x 200 runs in < 60 s on
# 2 cores). Collects ~100 corpus programs x RUNS runs (GOMAXPROCS=2, go1.23) into a store unless
# STORE is given, then times `schedcast dataset build` with each key kind; prints wall s, peak RSS,
# runs/s and examples.
#   bench/dataset_build.sh [BUILD_DIR=build] [RUNS=200] [STORE=<collect a fresh one>]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
runs=${2:-200}
store=${3:-}
bin=$build/src/cli/schedcast
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GOTOOLCHAIN=local
if [ -z "$store" ]; then
  store=$work/s.db
  c=$root/corpus
  "$bin" collect "$c/chans" "$c/ctxs" "$c/patterns" "$c/selects" "$c/syncs" "$c/timers" "$c/bugs/sendleak" \
    "$c/bugs/recvleak" "$c/bugs/waitgroup" --store "$store" --runs "$runs" --gomaxprocs 2 --go 1.23 \
    --timeout 2s --progress lines 2>"$work/collect.log"
fi
"$bin" runs --store "$store" | tail -1
printf '%-10s %8s %10s %10s %12s\n' key wall_s rss_MB runs/s examples
for key in prefix state window:4; do
  /usr/bin/time -f "%e %M" -o "$work/time" "$bin" dataset build --store "$store" --out "$work/ds" --key "$key" \
    --manifest "$root/corpus/MANIFEST.json" >"$work/out" 2>/dev/null
  read -r t m <"$work/time"
  nruns=$(sed -n 's/.* program configs, \([0-9]*\) runs.*/\1/p' "$work/out")
  nex=$(awk '/examples$/ {s += $2} END {print s}' "$work/out")
  awk -v k="$key" -v t="$t" -v m="$m" -v r="$nruns" -v e="$nex" 'BEGIN{printf "%-10s %8.2f %10.1f %10.0f %12d\n", k, t, m/1024, r/t, e}'
done
