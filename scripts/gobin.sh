#!/usr/bin/env bash
# Prints the path of a `go` binary of the requested Go version and exits 0, or says why not and
# exits 1.  Used by tests/traceprogs/gen.sh, install-deps.sh and the corpus checks.
#   gobin.sh 1.NN[.P]          resolve (fetching through the module proxy if need be)
#   gobin.sh --no-fetch 1.NN   resolve only what is installed
#   gobin.sh --list            print every installed version it can find (1.NN, one a line)
# Looks, in order, at Debian's /usr/lib/go-1.NN, the go on PATH and /usr/local/go (if their
# version matches), the module cache's golang.org/toolchain@v0.0.1-go1.NN.P (highest patch), and
# finally fetches go1.NN.P with GOTOOLCHAIN (P from the table below when only 1.NN is given).
set -euo pipefail

# Patch releases fetched when only a minor version is asked for (the ones this project tested).
declare -A default_patch=([1.24]=1.24.13 [1.25]=1.25.9 [1.26]=1.26.8 [1.27]=1.27.3)

modcache() {
  local g
  for g in "$(command -v go 2>/dev/null || true)" /usr/local/go/bin/go; do
    [ -x "$g" ] && { GOTOOLCHAIN=local "$g" env GOMODCACHE 2>/dev/null && return; }
  done
  echo "${GOPATH:-$HOME/go}/pkg/mod"
}

version_of() {  # prints 1.NN.P of a go binary
  GOTOOLCHAIN=local "$1" env GOVERSION 2>/dev/null | sed -n 's/^go\([0-9.]*\).*/\1/p'
}

matches() {  # matches WANT HAVE: 1.26 matches 1.26.8; 1.26.8 matches only itself
  [ "$1" = "$2" ] || [[ "$2" == "$1".* ]]
}

candidates() {  # every installed go binary, one a line
  local d
  for d in /usr/lib/go-1.*/bin/go; do [ -x "$d" ] && echo "$d"; done
  command -v go 2>/dev/null || true
  [ -x /usr/local/go/bin/go ] && echo /usr/local/go/bin/go
  for d in "$(modcache)"/golang.org/toolchain@v0.0.1-go1.*.linux-amd64/bin/go; do [ -x "$d" ] && echo "$d"; done
  true
}

resolve() {  # resolve WANT -> path of the highest matching patch release, or nothing
  local want=$1 g v
  if [[ "$want" =~ ^1\.[0-9]+$ ]] && [ -x "/usr/lib/go-$want/bin/go" ]; then echo "/usr/lib/go-$want/bin/go"; return; fi
  while read -r g; do
    v=$(version_of "$g")
    if [ -n "$v" ] && matches "$want" "$v"; then echo "$v $g"; fi
  done < <(candidates) | sort -V -k1,1 | tail -1 | cut -d' ' -f2-
}

fetch=1
case "${1:-}" in
  --list)
    candidates | while read -r g; do v=$(version_of "$g"); [ -n "$v" ] && echo "${v%.*}" | sed 's/^\(1\.[0-9]*\).*/\1/'; done | sort -uV
    exit 0 ;;
  --no-fetch) fetch=0; shift ;;
esac
want=${1:?usage: gobin.sh [--no-fetch] 1.NN[.P] | --list}
want=${want#go}
got=$(resolve "$want")
if [ -n "$got" ]; then echo "$got"; exit 0; fi
if [ "$fetch" = 1 ]; then
  full=$want
  [[ "$want" =~ ^1\.[0-9]+$ ]] && full=${default_patch[$want]:-}
  if [ -n "$full" ]; then
    # Any installed go >= 1.21 can fetch a toolchain (Debian 12's /usr/bin/go is 1.19: skipped).
    for host in "$(command -v go 2>/dev/null || true)" /usr/local/go/bin/go /usr/lib/go-1.23/bin/go /usr/lib/go-1.22/bin/go /usr/lib/go-1.21/bin/go; do
      [ -x "$host" ] || continue
      hv=$(version_of "$host"); hm=${hv#1.}; hm=${hm%%.*}
      [ -n "$hm" ] && [ "$hm" -ge 21 ] 2>/dev/null || continue
      if GOTOOLCHAIN=go$full timeout 300 "$host" version >/dev/null 2>&1; then
        got=$(resolve "$full")
        [ -n "$got" ] && { echo "$got"; exit 0; }
      fi
      break
    done
  fi
fi
why=""
[ "$fetch" = 1 ] && why=" and it could not be fetched through the module proxy"
echo "gobin.sh: no Go $want installed$why" >&2
exit 1
