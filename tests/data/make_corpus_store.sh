#!/usr/bin/env bash
# Test fixture: collects a slice of the bundled corpus (correct channel programs, two families of
# leak kernels, network and in-memory pipe programs, and the global deadlocks) with the oldest and newest installed Go (both trace formats) into a fresh store.
#   make_corpus_store.sh SCHEDCAST_BIN SOURCE_DIR OUT.db
set -euo pipefail
bin=$1 src=$2 out=$3
rm -f "$out" "$out-wal" "$out-shm"
mkdir -p "$(dirname "$out")"
export GOTOOLCHAIN=local
"$bin" collect "$src/corpus/chans" "$src/corpus/bugs/sendleak" "$src/corpus/bugs/selectblock" \
  --store "$out" --runs 8 --gomaxprocs 1,2 --go 1.19,1.23 --timeout 3s --seed 7 --progress lines
# Three programs (train split) whose goroutines do loopback TCP I/O, also through a package of their
# own (io facts).
"$bin" collect "$src/corpus/io/sockets" --run '^(TestConnPoolReusesIdleConns|TestMultiplexedCallsPendingMap|TestCollectorPollsQuitBetweenDeadlines)$' \
  --store "$out" --runs 4 --gomaxprocs 1,2 --go 1.19,1.23 --timeout 3s --seed 7 --progress lines
# Two programs over in-memory pipes (net.Pipe, io.Pipe; most in an external test package): reads
# and writes through interfaces that block on the pipes' channels (indirect io facts).
"$bin" collect "$src/corpus/io/mempipe" --run '^(TestQuoteDeskMultiplexedCalls|TestLogShipperStagesJoinedByCopy)$' \
  --store "$out" --runs 4 --gomaxprocs 1,2 --go 1.19,1.23 --timeout 3s --seed 7 --progress lines
# Global deadlocks end at the deadline (their traces are flushed by the shim): a few runs suffice.
"$bin" collect "$src/corpus/bugs/global" \
  --store "$out" --runs 2 --gomaxprocs 2 --go 1.19,1.23 --timeout 1s --seed 7 --progress lines
# ... except for TestLedgerReconcileInversion, whose test goroutine blocks in a lock only when its
# select picks one of two ready cases (at random) while the compactor holds the journal: 4 runs had
# none of that in one CI run; with 12 (the same plan, extended) the facts test sees it for sure.
exec "$bin" collect "$src/corpus/bugs/global" --run '^TestLedgerReconcileInversion$' \
  --store "$out" --runs 6 --gomaxprocs 2 --go 1.19,1.23 --timeout 1s --seed 7 --progress lines
