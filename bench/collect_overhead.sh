#!/usr/bin/env bash
# Benchmark of the collector (see docs/BENCHMARKS.md):
#  1. tracing overhead: the same shimmed test binary (built by `schedcast collect`) run bare and run
#     traced (runtime/trace to a file + watchdog + end state), interleaved, REPS processes each, in
#     the same run; reports mean wall ms per process and the ratio traced/bare (goal <= 1.3x), for
#     a scheduler-heavy test (TestWorkerPool) and a tiny one (TestTiny), GOMAXPROCS=2.
#  2. throughput: `schedcast collect corpus/ --jobs 2` into a fresh store (RUNS runs per program,
#     GOMAXPROCS 1,2, --timeout 3s): runs/s of the run phase (builds excluded) and total wall time.
#   bench/collect_overhead.sh [BUILD_DIR=build] [REPS=20] [RUNS=2] [GO=1.23]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
reps=${2:-20}
runs=${3:-2}
gov=${4:-1.23}
bin=$build/src/cli/schedcast
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Build the shimmed test binary by collecting once, keeping the collector's workspace.
mkdir -p "$work/tmp"
TMPDIR="$work/tmp" SCHEDCAST_KEEP_WORK=1 "$bin" collect "$root/bench/collect_overhead_go" --store "$work/build.db" \
  --runs 1 --gomaxprocs 2 --go "$gov" --timeout 30s --jobs 1 --progress lines 2>"$work/build.log" ||
  { cat "$work/build.log" >&2; exit 1; }
testbin=$(find "$work/tmp" -name pkg.test -type f | head -1)
[ -x "$testbin" ] || { echo "no test binary built" >&2; exit 1; }
pkgdir=$(find "$work/tmp" -name overhead_test.go -printf '%h\n' | head -1)

now_ns() { date +%s%N; }
# run_once MODE TEST: one process; MODE=traced sets the shim's variables, bare does not.
run_once() {
  if [ "$1" = traced ]; then
    (cd "$pkgdir" && GOMAXPROCS=2 SCHEDCAST_TRACE="$work/t.trace" SCHEDCAST_END="$work/t.end" \
      SCHEDCAST_DEADLINE_MS=30000 "$testbin" -test.run "^$2\$" -test.count=1 -test.v -test.timeout=0 >/dev/null)
  else
    (cd "$pkgdir" && GOMAXPROCS=2 "$testbin" -test.run "^$2\$" -test.count=1 -test.v -test.timeout=0 >/dev/null)
  fi
}

printf '%-16s %6s %12s %12s %8s %12s\n' test reps bare_ms traced_ms ratio trace_KiB
for test in TestWorkerPool TestTiny; do
  run_once bare "$test"; run_once traced "$test"  # warm the page cache
  bare=0; traced=0
  for _ in $(seq "$reps"); do
    t0=$(now_ns); run_once bare "$test"; t1=$(now_ns); run_once traced "$test"; t2=$(now_ns)
    bare=$((bare + t1 - t0)); traced=$((traced + t2 - t1))
  done
  kib=$(( $(stat -c %s "$work/t.trace") / 1024 ))
  awk -v t="$test" -v n="$reps" -v b="$bare" -v tr="$traced" -v k="$kib" 'BEGIN{
    printf "%-16s %6d %12.1f %12.1f %7.2fx %12d\n", t, n, b/n/1e6, tr/n/1e6, tr/b, k }'
done

# Corpus throughput with 2 jobs.
if [ -d "$root/corpus" ]; then
  t0=$(now_ns)
  "$bin" collect "$root/corpus" --store "$work/corpus.db" --runs "$runs" --gomaxprocs 1,2 --go "$gov" \
    --timeout 3s --jobs 2 --progress lines 2>"$work/corpus.log" || { cat "$work/corpus.log" >&2; exit 1; }
  t1=$(now_ns)
  done_line=$(grep 'schedcast: done:' "$work/corpus.log")
  rate=$(echo "$done_line" | sed -n 's/.*  \([0-9.]*\) runs\/s.*/\1/p')
  total=$(echo "$done_line" | sed -n 's/.*runs [0-9]*\/\([0-9]*\).*/\1/p')
  outcomes=$(grep 'schedcast: stored' "$work/corpus.log" | sed 's/.*already there);//; s/; builds.*//')
  awk -v r="$rate" -v n="$total" -v w="$((t1 - t0))" -v o="$outcomes" 'BEGIN{
    printf "corpus: %d runs with --jobs 2: %.1f runs/s (run phase), %.1f s wall incl. discovery+builds;%s\n", n, r, w/1e9, o }'
fi
