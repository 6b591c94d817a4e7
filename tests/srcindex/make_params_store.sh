#!/usr/bin/env bash
# Test fixture: the source index's parameter fixture (tools/srcindex/testdata/params: channels,
# wait groups and locks passed through parameters) collected with its source index under Go 1.23,
# GOMAXPROCS 1 and 2, for the program-fact tests (tests/srcindex/params_test.cc).
#   make_params_store.sh SCHEDCAST_BIN SOURCE_DIR OUT.db
set -euo pipefail
bin=$1 src=$2 out=$3
rm -f "$out" "$out-wal" "$out-shm"
mkdir -p "$(dirname "$out")"
export GOTOOLCHAIN=local
exec "$bin" collect "$src/tools/srcindex/testdata/params" --store "$out" --runs 6 --gomaxprocs 1,2 \
  --go 1.23 --timeout 3s --seed 7 --progress lines
