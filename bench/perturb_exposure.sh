#!/usr/bin/env bash
# Perturbation exposure on rare leaks (issue 19): does `collect --perturb` expose more rare leak bugs
# within 20 runs than plain runs, without new false proofs?  Input: bench/rareleaks (its own Go
# module and manifest).  Three phases, each collected into its own store under WORKDIR (a store
# that exists is reused, so a rerun only reports; delete WORKDIR to measure afresh):
#   1. calibration, plain, run-plan seed 101: 100 runs x GOMAXPROCS 1,2,4 of every bug program.
#      A bug program is "rare" when its calibrated rate (schedcast any finding) is <= 10 %.
#      A program never seen in calibration is kept only if it manifests at all in an existence
#      check: 10 runs x 1,2,4 per perturbation mode with seed 999 (never used in the measurement).
#   2. measurement with fresh seeds: plain with run-plan seeds 201,202,203; --perturb 301,302,303
#      (paired with run-plan seeds 201..203) in each mode runtime, source, both; 7 runs x
#      GOMAXPROCS 1,2,4 = 21 runs per program and run set, all 20 programs (bugs and fixed versions).
#   3. report: per program and arm, runs detected / 21 and the first-detection run per method;
#      rare leak bugs exposed within 20 runs per arm (mean, min-max over the 3 seeds); false proofs
#      on the correct programs; proofs contradicted by the goroutineleak profile or goleak.
# Usage: bench/perturb_exposure.sh SCHEDCAST_BINARY WORKDIR [GO_VERSION (default 1.27)]
# Env: JOBS (default 2) parallel runs.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 SCHEDCAST_BINARY WORKDIR [GO_VERSION]" >&2; exit 2; }
B=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
W=$2
GOV=${3:-1.27}
mkdir -p "$W"
W=$(cd "$W" && pwd)
here=$(cd "$(dirname "$0")/.." && pwd)
suite=$here/bench/rareleaks
manifest=$suite/MANIFEST.json
export GOTOOLCHAIN=local
common=(--go "$GOV" --timeout 1500ms -j "${JOBS:-2}" --progress lines --goleak --leak-profile)

# collect STORE ARGS...: collect rare/ into STORE unless it is already there.
collect() {
  local store=$1; shift
  if [ -s "$store" ]; then echo "reusing $store" >&2; return; fi
  (cd "$suite" && "$B" collect rare --store "$store.tmp" "${common[@]}" "$@" >"$store.log" 2>&1) \
    || { echo "collect failed, see $store.log" >&2; rm -f "$store.tmp"; exit 1; }
  mv "$store.tmp" "$store"
  tail -1 "$store.log" >&2
}
# compare STORE [ARGS...]: the per-program comparison as JSON (exit 1 = a contradiction: kept).
compare() {
  local store=$1; shift
  local rc=0
  "$B" leaks --store "$store" --compare --manifest "$manifest" --json "$@" >"$store.json" 2>/dev/null || rc=$?
  [ $rc -le 1 ] || { echo "leaks --compare failed on $store (exit $rc)" >&2; exit 1; }
}

bugs=$(python3 -c 'import json,sys; print("|".join(t["name"] for t in json.load(open(sys.argv[1]))["tests"] if t["bug"]!="none"))' "$manifest")

# 1. calibration and existence check
collect "$W/calib.db" --runs 100 --gomaxprocs 1,2,4 --seed 101 --run "^($bugs)\$"
compare "$W/calib.db"
for m in runtime source both; do
  collect "$W/exist_$m.db" --runs 10 --gomaxprocs 1,2,4 --seed 101 --run "^($bugs)\$" --perturb 999 --perturb-mode "$m"
  compare "$W/exist_$m.db" --perturb-mode "$m"
done

# 2. measurement
for i in 1 2 3; do
  collect "$W/plain_$i.db" --runs 7 --gomaxprocs 1,2,4 --seed "20$i"
  compare "$W/plain_$i.db"
  for m in runtime source both; do
    collect "$W/${m}_$i.db" --runs 7 --gomaxprocs 1,2,4 --seed "20$i" --perturb "30$i" --perturb-mode "$m"
    compare "$W/${m}_$i.db" --perturb-mode "$m"
  done
done

# 3. report
python3 "$here/bench/perturb_exposure_report.py" "$W" "$manifest"
