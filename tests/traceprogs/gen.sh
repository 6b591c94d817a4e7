#!/usr/bin/env bash
# Builds traceprogs with every installed Go toolchain and writes traces for every scenario and
# GOMAXPROCS 1/2/4 into OUTDIR as <scenario>-go1.NN-p<P>.trace. Used by the differential tests.
#   gen.sh OUTDIR [VERSIONS...]   (default versions: 1.19 1.21 1.22 1.23)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: gen.sh OUTDIR [VERSIONS...]}
shift || true
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(1.19 1.21 1.22 1.23)
mkdir -p "$out"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOCACHE="${GOCACHE:-$out/.gocache}"
for v in "${versions[@]}"; do
  gobin=/usr/lib/go-$v/bin/go
  [ -x "$gobin" ] || { echo "gen.sh: missing $gobin" >&2; exit 1; }
  bin="$out/traceprogs-go$v"
  (cd "$here" && "$gobin" build -o "$bin" .)
  for s in $("$bin" -list); do
    [ "$s" = heavy ] && continue
    for p in 1 2 4; do
      GOMAXPROCS=$p "$bin" -scenario "$s" -out "$out/$s-go$v-p$p.trace"
    done
  done
done
