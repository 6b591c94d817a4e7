#!/usr/bin/env bash
# Test fixture: a few leak test programs (tests/leaks/progs) collected with goleak's check and the
# goroutineleak profile on the same runs (Go 1.26, GOEXPERIMENT=goroutineleakprofile), twice:
# plain runs, then perturbed runs (--perturb 7), then source-perturbed runs (--perturb 7
# --perturb-mode source: delays injected before the synchronising statements) into the same store.
#   make_compare_store.sh SCHEDCAST_BIN SOURCE_DIR OUT.db
set -euo pipefail
bin=$1 src=$2 out=$3
rm -f "$out" "$out-wal" "$out-shm"
mkdir -p "$(dirname "$out")"
export GOTOOLCHAIN=local
tests='^(TestOrphanSend|TestLockOrderCycle|TestCorrectPipeline|TestTestGoroutineStuck|TestSelectNoCases)$'
common=(collect "$src/tests/leaks/progs" --store "$out" --runs 2 --gomaxprocs 2 --go 1.26 --timeout 2s
        --seed 5 --progress lines --run "$tests" --goleak --leak-profile)
"$bin" "${common[@]}"
"$bin" "${common[@]}" --perturb 7 --perturb-mode runtime
exec "$bin" "${common[@]}" --perturb 7 --perturb-mode source
