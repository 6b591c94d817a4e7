#!/usr/bin/env bash
# Builds traceprogs with every installed Go toolchain and writes traces for every scenario and
# GOMAXPROCS 1/2/4 into OUTDIR as <scenario>-go1.NN-p<P>.trace. Used by the differential tests.
#   gen.sh OUTDIR [VERSIONS...]
# Default versions: every one of 1.19 1.21-1.27 that scripts/gobin.sh finds installed (Debian's
# /usr/lib/go-1.NN, the go on PATH, /usr/local/go, toolchains in the module cache); named
# versions are fetched through the module proxy when missing. OUTDIR/versions lists the versions
# written, one a line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
gobin=$here/../../scripts/gobin.sh
out=${1:?usage: gen.sh OUTDIR [VERSIONS...]}
shift || true
versions=("$@")
if [ ${#versions[@]} -eq 0 ]; then
  installed=$("$gobin" --list)
  for v in 1.19 1.21 1.22 1.23 1.24 1.25 1.26 1.27; do
    grep -qx "$v" <<<"$installed" && versions+=("$v")
  done
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out"/*.godump  # Go's dumps of the previous traces, cached by the differential test
# Go's build cache: $GOCACHE, else Go's default one (~/.cache/go-build, shared by every clone and build
# tree on the machine: with it warm the eight builds take ~5 s instead of ~60 s), else one in OUTDIR
# (no HOME). The cache is safe for concurrent use.
export GOTOOLCHAIN=local GOFLAGS=-mod=mod
if [ -z "${GOCACHE:-}" ]; then
  GOCACHE=$("$("$gobin" 1.19 2>/dev/null || command -v go)" env GOCACHE 2>/dev/null || true)
  case "$GOCACHE" in /*) ;; *) GOCACHE=$out/.gocache ;; esac
fi
export GOCACHE
: > "$out/versions"
for v in "${versions[@]}"; do
  go=$("$gobin" "$v") || { echo "gen.sh: no Go $v" >&2; exit 1; }
  bin="$out/traceprogs-go$v"
  (cd "$here" && "$go" build -o "$bin" .)
  for s in $("$bin" -list); do
    [ "$s" = heavy ] && continue
    for p in 1 2 4; do
      GOMAXPROCS=$p "$bin" -scenario "$s" -out "$out/$s-go$v-p$p.trace"
    done
  done
  echo "$v" >> "$out/versions"
done
