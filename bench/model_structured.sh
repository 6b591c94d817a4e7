#!/usr/bin/env bash
# Benchmark of the structured model (issue 5 goals: training on the corpus training split < 2 min on
# 2 cores; one prediction < 50 us on one core). Times `schedcast train --model structured` (wall, peak
# RSS) on DATA, then runs bench/model_predict.cc: one prediction of the trained model beside the
# uniform anchor in the same process (ratio printed), pinned to one core.
#   bench/model_structured.sh [BUILD_DIR=build] [DATA=<dataset dir: dataset build --manifest corpus/MANIFEST.json>]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
data=${2:?usage: bench/model_structured.sh BUILD_DIR DATASET_DIR}
bin=$build/src/cli/schedcast
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "data: $data ($(wc -l <"$data/train.jsonl") train, $(wc -l <"$data/validation.jsonl") validation examples)"
for obj in kl ce; do
  /usr/bin/time -f "%e %M" -o "$work/time" "$bin" train --data "$data" --model structured --objective "$obj" \
    --out "$work/structured-$obj.json" 2>"$work/train.log" >/dev/null
  read -r t m <"$work/time"
  epochs=$(grep -c '^epoch' "$work/train.log")
  printf 'train structured/%s: %.2f s wall (load + %d epochs), peak RSS %.0f MB\n' "$obj" "$t" "$epochs" "$(echo "$m/1024" | bc -l)"
done
SCHEDCAST_DATA=$data SCHEDCAST_MODEL=$work/structured-kl.json taskset -c 0 "$build/bench/model_predict_bench" \
  --benchmark_min_time=1 --benchmark_format=console 2>&1 | tee "$work/bench.txt" | grep -E 'BM_|Benchmark'
awk '$1 == "BM_UniformPredict" {u=$2} $1 == "BM_ModelPredict" {s=$2} END {if (u > 0) printf "structured / uniform prediction time: %.1fx\n", s/u}' "$work/bench.txt"
