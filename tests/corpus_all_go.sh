#!/usr/bin/env bash
# The corpus must build, vet and compile its tests under every supported Go toolchain that is
# installed (1.19, 1.21-1.27; found by scripts/gobin.sh --no-fetch). Fails naming the version.
# Without CORPUS_DIR it also builds, vets and compiles the tests of the rare-leak benchmark suite
# (bench/rareleaks, its own module) with the default go only.
#   tests/corpus_all_go.sh [CORPUS_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
corpus=${1:-$here/corpus}
export GOTOOLCHAIN=local GOWORK=off GOFLAGS=-mod=mod
export GOCACHE=${GOCACHE:-${TMPDIR:-/tmp}/schedcast-corpus-gocache}
installed=$("$here/scripts/gobin.sh" --list)
checked=()
for v in 1.19 1.21 1.22 1.23 1.24 1.25 1.26 1.27; do
  grep -qx "$v" <<<"$installed" || continue
  go=$("$here/scripts/gobin.sh" --no-fetch "$v")
  (cd "$corpus" && "$go" build ./... && "$go" vet ./... && "$go" test -count=1 -run '^$' ./... >/dev/null) \
    || { echo "corpus_all_go: the corpus fails under go $v ($go)" >&2; exit 1; }
  checked+=("$v")
done
[ ${#checked[@]} -ge 4 ] || { echo "corpus_all_go: only ${checked[*]} installed" >&2; exit 1; }
if [ $# -eq 0 ]; then
  (cd "$here/bench/rareleaks" && go build ./... && go vet ./... && go test -count=1 -run '^$' ./... >/dev/null) \
    || { echo "corpus_all_go: bench/rareleaks fails under $(go env GOVERSION)" >&2; exit 1; }
  checked+=("(bench/rareleaks: $(go env GOVERSION))")
fi
echo "corpus_all_go: corpus builds, vets and compiles its tests under go ${checked[*]}"
