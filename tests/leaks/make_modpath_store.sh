#!/usr/bin/env bash
# Test fixture: the same leaking tests (tests/leaks/modpath) under three layouts, collected with the
# oldest and newest installed Go into one fresh store:
#   dotless/  module app                 (a module path without a dot, as applications often have)
#   dotted/   module modpath.test/app
#   nomod/    no go.mod at all (a lone directory; the collector gives it a temporary module)
#   gopath/src/gp.test/app/  a GOPATH package (collect --gopath: built with GO111MODULE=off)
# The module and GOPATH layouts also vendor a dependency (vendor/dep.test/lib); the directory
# without go.mod leaves out the test that imports it.
#   make_modpath_store.sh SCHEDCAST_BIN SOURCE_DIR OUT.db
set -euo pipefail
bin=$1 src=$2 out=$3
rm -f "$out" "$out-wal" "$out-shm"
mkdir -p "$(dirname "$out")"
work="$(dirname "$out")/modpath-src"
rm -rf "$work"
mkdir -p "$work"
for layout in dotless dotted; do
  cp -r "$src/tests/leaks/modpath" "$work/$layout"
done
printf 'module app\n\ngo 1.19\n\nrequire dep.test/lib v1.0.0\n' >"$work/dotless/go.mod"
printf 'module modpath.test/app\n\ngo 1.19\n\nrequire dep.test/lib v1.0.0\n' >"$work/dotted/go.mod"
mkdir -p "$work/nomod" "$work/gopath/src/gp.test"
cp -r "$src/tests/leaks/modpath" "$work/gopath/src/gp.test/app"
rm -f "$work/gopath/src/gp.test/app/vendor/modules.txt"  # GOPATH mode reads vendor/ without it
cp "$src/tests/leaks/modpath/app_test.go" "$work/nomod/"
export GOTOOLCHAIN=local
exec "$bin" collect "$work/dotless" "$work/dotted" "$work/nomod" "$work/gopath/src/gp.test/app" \
  --gopath "$work/gopath" --store "$out" --runs 3 --gomaxprocs 2 \
  --go 1.19,1.23 --timeout 2s --seed 5 --progress lines
