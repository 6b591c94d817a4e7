#!/usr/bin/env bash
# Collects the suites of realworld/MANIFEST.json into one store (install them first with
# scripts/install-realworld.sh). Extra arguments go to `schedcast collect` (e.g. --runs 3).
# FAMILIES=REGEX collects only the entries whose family matches (grep -E).
#   scripts/collect-realworld.sh SCHEDCAST_BIN OUT.db [collect flags...]
set -euo pipefail
bin=$1 out=$2
shift 2
manifest=$(dirname "$0")/../realworld/MANIFEST.json
export GOTOOLCHAIN=local
status=0
# Fields separated by ASCII 0x1f: a tab separator would let `read` collapse an empty field.
while IFS=$'\x1f' read -r family dir run skip gopath; do
  [[ -n ${FAMILIES:-} ]] && ! grep -qE "$FAMILIES" <<<"$family" && continue
  args=()
  [[ -n $gopath ]] && args+=(--gopath "$gopath")
  [[ -n $run ]] && args+=(--run "$run")
  [[ -n $skip ]] && args+=(--skip "$skip")
  "$bin" collect "$dir" --store "$out" "${args[@]}" "$@" || status=$?
done < <(python3 -c '
import json, sys
for p in json.load(open(sys.argv[1]))["packages"]:
    print("\x1f".join([p["family"], p["dir"], p["run"], p["skip"], p.get("gopath", "")]))' "$manifest")
exit $status
