#!/usr/bin/env bash
# The test command (README): installs dependencies, builds, runs every test, then runs the unit tests
# once more under AddressSanitizer+UndefinedBehaviorSanitizer and fuzzes the trace parser with libFuzzer.
#   scripts/test.sh            full run (CI)
#   FUZZ_SECONDS=10 scripts/test.sh    shorter fuzzing
#   SKIP_SANITIZE=1 scripts/test.sh    only the normal build
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }
deps_s=$SECONDS

jobs=$(nproc)
fuzz_seconds=${FUZZ_SECONDS:-60}
passed=0 failed=0
summary=() timing=()

# run_ctest NAME BUILD_DIR [CTEST_ARGS...]: runs ctest, adds its counts to the totals.
run_ctest() {
  local name=$1 dir=$2 log t0=$SECONDS
  shift 2
  log=$(mktemp)
  (cd "$dir" && ctest --output-on-failure -j "$jobs" --timeout 1200 "$@") 2>&1 | tee "$log"
  timing+=("$name ctest $((SECONDS - t0)) s")
  local line p f
  line=$(grep -E "tests passed, [0-9]+ tests failed out of [0-9]+" "$log" | tail -1)
  if [ -z "$line" ]; then failed=$((failed + 1)); summary+=("$name: ctest did not finish"); return; fi
  total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
  f=$(sed -E 's/.* ([0-9]+) tests failed.*/\1/' <<<"$line")
  p=$((total - f))
  passed=$((passed + p)); failed=$((failed + f))
  summary+=("$name: $p passed, $f failed")
  rm -f "$log"
}

# build NAME DIR TARGET CMAKE_ARGS...: configure + build TARGET ("all" for everything); a failure
# counts as one failed test.
build() {
  local name=$1 dir=$2 target=$3 t0=$SECONDS; shift 3
  if ! { cmake -S "$root" -B "$dir" -G Ninja "${launcher[@]}" "${linker[@]}" "$@" >/dev/null && ninja -C "$dir" -j "$jobs" "$target"; }; then
    failed=$((failed + 1)); summary+=("$name: build failed"); return 1
  fi
  timing+=("$name build $((SECONDS - t0)) s")
}

# ccache (installed by install-deps) makes a second run on the same machine rebuild only what changed,
# also from another clone: paths are hashed relative to the clone (CCACHE_BASEDIR) and the working
# directory is left out of the hash (debug info then names the first clone's paths; tests do not care).
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
fi

# lld (installed by install-deps) links the ~60 test executables and their debug info several times
# faster than ld.bfd (33 links: 10.8 s -> 4.0 s); linker flags are not in ccache's hash, so a cached build
# stays cached. -z keep-text-section-prefix keeps the static initialisers together in .text.startup as
# ld.bfd does: without it they are spread over the whole text and start-up touches all of it (schedcast's
# start-up RSS 6.9 MB with ld.bfd, 9.0 MB with plain lld, 7.1 MB with the flag).
linker=()
if command -v ld.lld >/dev/null; then
  lld="-fuse-ld=lld -Wl,-z,keep-text-section-prefix"
  linker=("-DCMAKE_EXE_LINKER_FLAGS=$lld" "-DCMAKE_SHARED_LINKER_FLAGS=$lld" "-DCMAKE_MODULE_LINKER_FLAGS=$lld")
fi

export GOTOOLCHAIN=local
if build release build all -DCMAKE_BUILD_TYPE=RelWithDebInfo; then run_ctest release build; fi

if [ -z "${SKIP_SANITIZE:-}" ]; then
  # The sanitizer tree is built without libtorch (SCHEDCAST_TORCH=OFF, so it tests the neural stub): the
  # distribution's libtorch is not sanitizer-instrumented (ASan cannot check inside it, and LeakSanitizer,
  # detect_leaks=1, may flag its process-lifetime allocations), and neural training in a Debug+ASan build
  # would be far slower than the test budget. The release tree above runs the real neural tests.
  # -O1 -g1: ASan's recommended optimisation level (stacks stay exact with frame pointers) and line tables
  # only; the tests run ~3x faster than at -O0 and the objects are far smaller to compile and link.
  if build asan build-asan all -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1" "-DCMAKE_C_FLAGS_DEBUG=-O1 -g1" \
      -DSCHEDCAST_SANITIZE=ON -DSCHEDCAST_BENCH=OFF \
      -DSCHEDCAST_TORCH=OFF -DSCHEDCAST_TRACE_DIR="$root/build/testtraces" \
      -DSCHEDCAST_CORPUS_DB="$root/build/testdata/corpus.db" -DSCHEDCAST_LEAK_DB="$root/build/testdata/leaks.db"; then
    # The sanitizer pass leaves out the end-to-end CLI pipelines (the main job, eval end to end, the real-eval
    # report, `llm predict` → eval, the LLM recipe scripts): under ASan they took ~15 of its ~37 test minutes,
    # and each stage they chain is run under ASan by its own tests (collect, dataset, model, eval
    # scoring/rollouts, report, the llm client against the fake server in llm_unit_test).
    # The release tree above runs them all.
    # The Go test traces and the collected corpus and leak stores are the release tree's (made once):
    # -FA keeps ctest from re-running their setup (gen_traces, collect_corpus_store, collect_leak_store).
    # The collector itself still runs under ASan in collect_e2e_test; the dataset fixture is rebuilt.
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 run_ctest asan+ubsan build-asan \
      -FA "^(traces|corpus_store|leak_store)$" \
      -E "^(gen_traces|collect_corpus_store|collect_leak_store|corpus_all_go|corpus_manifest_up_to_date|mkmanifest_go_tests|MainJob|EvalE2E|LlmPredictE2E|LlmRecipe|make_real_eval|report_chromium_real_eval)"
  fi
  if build fuzz build-fuzz trace_fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
      -DSCHEDCAST_FUZZ=ON -DSCHEDCAST_SANITIZE=ON -DSCHEDCAST_TESTS=OFF -DSCHEDCAST_BENCH=OFF; then
    corpus=build-fuzz/corpus
    mkdir -p "$corpus"
    cp build/testtraces/*.trace "$corpus"/ 2>/dev/null || true
    if build-fuzz/fuzz/trace_fuzz -max_total_time="$fuzz_seconds" -max_len=65536 -rss_limit_mb=2048 \
         -timeout=10 -print_final_stats=1 "$corpus" > build-fuzz/fuzz.log 2>&1; then
      passed=$((passed + 1)); summary+=("fuzz: ${fuzz_seconds}s, no crash ($(grep -E 'stat::number_of_executed_units' build-fuzz/fuzz.log | awk '{print $2}') inputs)")
    else
      failed=$((failed + 1)); summary+=("fuzz: crash, see build-fuzz/fuzz.log"); tail -40 build-fuzz/fuzz.log
    fi
  fi
fi

echo "---- schedcast test summary ----"
echo "time: install-deps ${deps_s} s; $(IFS=';'; echo "${timing[*]}" | sed 's/;/; /g'); whole run $SECONDS s"
printf '%s\n' "${summary[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
