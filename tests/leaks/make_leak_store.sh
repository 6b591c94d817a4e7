#!/usr/bin/env bash
# Test fixture: collects the leak test programs (tests/leaks/progs) with the oldest and newest
# installed Go (both trace formats, both dump dialects) into a fresh store.
#   make_leak_store.sh SCHEDCAST_BIN SOURCE_DIR OUT.db
set -euo pipefail
bin=$1 src=$2 out=$3
rm -f "$out" "$out-wal" "$out-shm"
mkdir -p "$(dirname "$out")"
export GOTOOLCHAIN=local
exec "$bin" collect "$src/tests/leaks/progs" --store "$out" --runs 3 --gomaxprocs 2 --go 1.19,1.23 \
  --timeout 2s --seed 5 --progress lines
