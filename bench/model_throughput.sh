#!/usr/bin/env bash
# Prediction throughput on one core (issue 21 item 14 goals: neural >= 20,000 examples/s, structured
# < 50 us per example). Trains `structured` and `neural` (default network: embed 32, GRU 64, context
# 24; one short epoch, since only the network's size matters here) on DATA, then runs
# bench/model_predict.cc for each model pinned to one core (taskset -c 0, OMP_NUM_THREADS=1): the
# uniform anchor, one example per call (Predict) and batches of 32/256/1024 (PredictBatch, as eval
# does), all in the same process; prints examples/s and the batched / one-at-a-time ratio.
#   bench/model_throughput.sh [BUILD_DIR=build] DATASET_DIR [MIN_TIME_S=1]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
data=${2:?usage: bench/model_throughput.sh BUILD_DIR DATASET_DIR [MIN_TIME_S]}
min_time=${3:-1}
bin=$build/src/cli/schedcast
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "data: $data ($(wc -l <"$data/test.jsonl") test examples; the first 2000 are cycled); load: $(cut -d' ' -f1-3 /proc/loadavg)"
"$bin" train --data "$data" --model structured --objective kl --out "$work/structured.json" >/dev/null 2>&1
"$bin" train --data "$data" --model neural --objective kl --epochs 1 --epoch-examples 2000 --threads 1 --device cpu \
  --out "$work/neural.json" >/dev/null 2>"$work/train.log" || { cat "$work/train.log" >&2; exit 1; }
for model in structured neural; do
  echo "== $model"
  SCHEDCAST_DATA=$data SCHEDCAST_MODEL=$work/$model.json OMP_NUM_THREADS=1 taskset -c 0 \
    "$build/bench/model_predict_bench" --benchmark_min_time="$min_time" --benchmark_format=csv \
    >"$work/$model.csv" 2>/dev/null
  # csv: name,iterations,real_time,cpu_time,time_unit,bytes_per_second,items_per_second,label,...
  awk -F, '/^"BM_/ {gsub(/"/, "", $1); r[$1] = $7; printf "  %-26s %12.0f examples/s  %8.2f us/example\n", $1, $7, 1e6 / $7}
           END {o = r["BM_ModelPredict"]; if (o > 0) for (k in r) if (k ~ /Batch/) printf "  %s / one at a time: %.1fx\n", k, r[k] / o}' \
    "$work/$model.csv"
done
