#!/usr/bin/env bash
# Benchmark: `schedcast trace dump` against Go's own debug dump on the same >= 1M-event traces, in the
# same run (ratios are what count). Generates the traces with tests/traceprogs (scenario heavy) for
# go1.19 (old format) and go1.23 (new format), then measures wall time and peak RSS of each dump
# (output to /dev/null) with /usr/bin/time, best of REPS runs.
#   bench/trace_dump.sh [BUILD_DIR=build] [ROUNDS=100000] [REPS=3]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
rounds=${2:-100000}
reps=${3:-3}
bin=$build/src/cli/schedcast
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GOTOOLCHAIN=local GOCACHE=$work/gocache

# measure CMD...: prints "seconds maxrss_kb" of the best (fastest) of $reps runs.
measure() {
  local best_t="" best_m=""
  for _ in $(seq "$reps"); do
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; return 1; }
    read -r t m <"$work/time"
    if [ -z "$best_t" ] || awk "BEGIN{exit !($t < $best_t)}"; then best_t=$t; best_m=$m; fi
  done
  echo "$best_t $best_m"
}

printf '%-8s %10s %12s %10s %12s %12s %10s %10s\n' version events go_s go_rss_MB ours_s ours_rss_MB speedup rss_ratio
for v in 1.19 1.23; do
  gobin=/usr/lib/go-$v/bin/go
  (cd "$root/tests/traceprogs" && "$gobin" build -o "$work/traceprogs-$v" .)
  GOMAXPROCS=2 "$work/traceprogs-$v" -scenario heavy -n "$rounds" -out "$work/heavy-$v.trace"
  flag=-d; [ "$v" = 1.23 ] && flag=-d=1
  events=$("$bin" trace stats --json "$work/heavy-$v.trace" | sed -n 's/.*"events": \([0-9]*\).*/\1/p')
  read -r go_t go_m < <(measure "$gobin" tool trace $flag "$work/heavy-$v.trace")
  read -r our_t our_m < <(measure "$bin" trace dump "$work/heavy-$v.trace")
  awk -v v="go$v" -v e="$events" -v gt="$go_t" -v gm="$go_m" -v ot="$our_t" -v om="$our_m" 'BEGIN{
    printf "%-8s %10d %12.2f %10.1f %12.2f %12.1f %9.1fx %9.2fx\n", v, e, gt, gm/1024, ot, om/1024, gt/ot, om/gm }'
done
echo "(speedup = go_s/ours_s, i.e. events/s ratio; rss_ratio = ours/go peak RSS; best of $reps)"
