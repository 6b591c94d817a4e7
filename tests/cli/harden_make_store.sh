#!/usr/bin/env bash
# Collects tests/cli/harden_progs/basic (Go 1.23, GOMAXPROCS 2, 2 runs) into OUT.db for the
# hardening tests (tests/cli/harden_*_test.cc).   harden_make_store.sh SCHEDCAST SRCDIR OUT.db
set -euo pipefail
bin=${1:?usage: harden_make_store.sh SCHEDCAST SRCDIR OUT.db}
src=${2:?}
out=${3:?}
mkdir -p "$(dirname "$out")"
rm -f "$out" "$out-wal" "$out-shm"
export GOTOOLCHAIN=local
"$bin" collect "$src/tests/cli/harden_progs/basic" --store "$out" --runs 2 --go 1.23 --gomaxprocs 2 \
  --timeout 5s --jobs 2 --progress lines
