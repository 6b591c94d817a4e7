#!/usr/bin/env bash
# Benchmark: `schedcast trace dump` against Go's own debug dump on the same >= 1M-event traces, in the
# same run (ratios are what count). Two trace shapes, each written by the Go version under test:
#   heavy      tests/traceprogs -scenario heavy -n ROUNDS (4 pairs of goroutines, channel round trips)
#   chanpairs  bench/chanpairs -rounds CHAN_ROUNDS (the same shape from a standalone generator, sized so a
#              new-format trace is one generation of ~1.9 M events: the v2 reader's worst case for memory)
# both at GOMAXPROCS=2, for go1.19 (old format), go1.23 and go1.26 (new format). Measures wall time and
# peak RSS of each dump (output to /dev/null) with /usr/bin/time, best of REPS runs, Go and schedcast
# alternating.
#   bench/trace_dump.sh [BUILD_DIR=build] [ROUNDS=100000] [REPS=3] [CHAN_ROUNDS=80000] [VERSIONS="1.19 1.23 1.26"]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
rounds=${2:-100000}
reps=${3:-3}
chan_rounds=${4:-80000}
versions=${5:-1.19 1.23 1.26}
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

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-10s %-8s %10s %6s %9s %10s %9s %11s %9s %9s\n' shape version events gens go_s go_rss_MB ours_s ours_rss_MB speedup rss_ratio
for v in $versions; do
  gobin=$("$root/scripts/gobin.sh" "$v")
  minor=${v#1.}
  flag=-d; [ "$minor" -ge 22 ] && flag=-d=1; [ "$minor" -ge 24 ] && flag=-d=parsed
  (cd "$root/tests/traceprogs" && "$gobin" build -o "$work/traceprogs-$v" .)
  (cd "$root/bench/chanpairs" && "$gobin" build -o "$work/chanpairs-$v" .)
  GOMAXPROCS=2 "$work/traceprogs-$v" -scenario heavy -n "$rounds" -out "$work/heavy-$v.trace"
  GOMAXPROCS=2 "$work/chanpairs-$v" -rounds "$chan_rounds" -out "$work/chanpairs-$v.trace"
  for shape in heavy chanpairs; do
    tr=$work/$shape-$v.trace
    "$bin" trace stats --json "$tr" >"$work/stats.json"
    events=$(sed -n 's/.*"events": \([0-9]*\).*/\1/p' "$work/stats.json" | head -1)
    gens=$(sed -n 's/.*"generations": \([0-9]*\).*/\1/p' "$work/stats.json" | head -1)
    read -r go_t go_m < <(measure "$gobin" tool trace $flag "$tr")
    read -r our_t our_m < <(measure "$bin" trace dump "$tr")
    awk -v s="$shape" -v v="go$v" -v e="$events" -v g="${gens:-0}" -v gt="$go_t" -v gm="$go_m" -v ot="$our_t" -v om="$our_m" 'BEGIN{
      printf "%-10s %-8s %10d %6d %9.2f %10.1f %9.2f %11.1f %8.1fx %8.2fx\n", s, v, e, g, gt, gm/1024, ot, om/1024, gt/ot, om/gm }'
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "(speedup = go_s/ours_s, i.e. events/s ratio; rss_ratio = ours/go peak RSS; best of $reps; gens = generations, 0 for the old format)"
