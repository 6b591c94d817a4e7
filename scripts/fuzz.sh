#!/usr/bin/env bash
# Fuzz campaign: runs each libFuzzer target (fuzz/*.cc) for a given time, one after another, from its
# seed corpus in fuzz/corpus/<corpus>/ (copied into BUILD/corpus/<target>/, which keeps what the run
# adds), niced. Prints one line per target: seconds, executions, exec/s, corpus size, crashes.
# A crash leaves its input in BUILD/crashes/<target>/ and makes the script exit 1; each becomes a
# regression test.
#   scripts/fuzz.sh [SECONDS_PER_TARGET=60] [BUILD_DIR] [TARGET...]
#   FUZZ_MODE=asan (default) | fast     FUZZ_RUNS=N (stop a target after N executions; default: time only)
# asan: BUILD_DIR defaults to build-fuzz, configured with clang, -DSCHEDCAST_FUZZ=ON
#   -DSCHEDCAST_SANITIZE=ON (ASan+UBSan), as CI's 60 s step (scripts/test.sh) builds it.
# fast: BUILD_DIR defaults to build-fuzz-fast, configured with clang, -DSCHEDCAST_FUZZ=ON, UBSan
#   (-fsanitize=undefined, no recovery), no ASan and no comparison tracing
#   (-fno-sanitize-coverage=trace-cmp; edge coverage stays): the campaign mode, several times more
#   executions per second (docs/BENCHMARKS.md, "Fuzz campaign"), for the ≥ 10 M executions per
#   target. libFuzzer still catches crashes, aborts (every target's own checks), UB, timeouts and
#   out-of-memory; out-of-bounds accesses that do not crash are left to the ASan mode: run it on the
#   campaign's corpus (copy BUILD_DIR/corpus/<target>/ into build-fuzz/corpus/<target>/).
# Both without libtorch (the model loader is fuzzed on the other kinds; neural's loader refuses cleanly).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
mode=${FUZZ_MODE:-asan}
case "$mode" in
  asan) build=${2:-$root/build-fuzz}; flags=(-DSCHEDCAST_SANITIZE=ON) ;;
  fast) build=${2:-$root/build-fuzz-fast}
        flags=(-DSCHEDCAST_SANITIZE=OFF "-DCMAKE_CXX_FLAGS=-fsanitize=undefined -fno-sanitize-recover=undefined -fno-sanitize-coverage=trace-cmp"
               "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=undefined") ;;
  *) echo "fuzz.sh: FUZZ_MODE is asan or fast, not '$mode'" >&2; exit 2 ;;
esac
runs=()
[ -n "${FUZZ_RUNS:-}" ] && runs=(-runs="$FUZZ_RUNS")
shift 2 2>/dev/null || shift $#
# target:corpus-dir:max_len
all=(trace_v1_fuzz:trace_v1:65536 trace_v2_fuzz:trace_v2:65536 trace_fuzz:trace_v1,trace_v2:65536
     endstate_fuzz:endstate:16384 manifest_fuzz:manifest:16384 jsonl_fuzz:jsonl:16384 model_fuzz:model:65536)
want=("$@")
selected=()
for t in "${all[@]}"; do
  if [ ${#want[@]} -eq 0 ] || printf '%s\n' "${want[@]}" | grep -qx "${t%%:*}"; then selected+=("$t"); fi
done
[ ${#selected[@]} -gt 0 ] || { echo "fuzz.sh: no such target: ${want[*]}" >&2; exit 2; }

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
    -DCMAKE_CXX_COMPILER=clang++ -DSCHEDCAST_FUZZ=ON "${flags[@]}" "${launcher[@]}" -DSCHEDCAST_TESTS=OFF \
    -DSCHEDCAST_BENCH=OFF -DSCHEDCAST_TORCH=OFF >/dev/null || exit 1
fi
targets=()
for t in "${selected[@]}"; do targets+=("${t%%:*}"); done
nice ninja -C "$build" "${targets[@]}" >/dev/null || { echo "fuzz.sh: build failed" >&2; exit 1; }

crashed=0
printf '%-14s %7s %12s %9s %7s %8s\n' target seconds executions exec/s corpus crashes
for t in "${selected[@]}"; do
  IFS=: read -r name seeds maxlen <<<"$t"
  corpus=$build/corpus/$name
  crashes=$build/crashes/$name
  mkdir -p "$corpus" "$crashes"
  for s in ${seeds//,/ }; do cp -n "$root/fuzz/corpus/$s"/* "$corpus"/ 2>/dev/null || true; done
  log=$build/fuzz-$name.log
  nice -n 10 "$build/fuzz/$name" -max_total_time="$secs" -max_len="$maxlen" -rss_limit_mb=2048 -timeout=10 \
    "${runs[@]}" -print_final_stats=1 -artifact_prefix="$crashes/" "$corpus" >"$log" 2>&1
  rc=$?
  execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
  took=$(grep -o "Done [0-9]* runs in [0-9]* second" "$log" | awk '{print $5}')
  ncrash=$(find "$crashes" -type f | wc -l)
  [ $rc -ne 0 ] && [ "$ncrash" -eq 0 ] && ncrash="rc=$rc"
  printf '%-14s %7s %12s %9s %7s %8s\n' "$name" "${took:-$secs}" "${execs:-?}" \
    "$(awk -v e="${execs:-0}" -v s="${took:-$secs}" 'BEGIN{printf "%d", (s > 0 ? e / s : 0)}')" \
    "$(find "$corpus" -type f | wc -l)" "$ncrash"
  if [ $rc -ne 0 ] || [ "$ncrash" != 0 ]; then crashed=1; tail -30 "$log" >&2; fi
done
exit $crashed
