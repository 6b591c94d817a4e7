#!/usr/bin/env bash
# Benchmark of the neural (libtorch) model against structured, in the same run (issue 5: neural training
# time reported, CPU; CUDA where a GPU is available). For each objective (kl, ce) trains `structured` and
# `neural` on DATA with `schedcast train` (wall time and peak RSS by /usr/bin/time; neural/structured
# ratio), then evaluates the four models on the test split with `schedcast model eval`.
#   bench/model_neural.sh [BUILD_DIR=build] DATASET_DIR [extra `train --model neural` flags, e.g. --device cuda]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
data=${2:?usage: bench/model_neural.sh BUILD_DIR DATASET_DIR [neural train flags]}
shift 2
bin=$build/src/cli/schedcast
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "data: $data ($(wc -l <"$data/train.jsonl") train, $(wc -l <"$data/validation.jsonl") validation," \
  "$(wc -l <"$data/test.jsonl") test examples); cores: $(nproc); neural flags: ${*:-(defaults)}"
declare -A secs
for obj in kl ce; do
  for model in structured neural; do
    extra=()
    [ "$model" = neural ] && extra=("$@")
    /usr/bin/time -f "%e %M" -o "$work/time" "$bin" train --data "$data" --model "$model" --objective "$obj" \
      --out "$work/$model-$obj.json" "${extra[@]}" 2>"$work/train-$model-$obj.log" >/dev/null ||
      { cat "$work/train-$model-$obj.log" >&2; exit 1; }
    read -r t m <"$work/time"
    secs[$model-$obj]=$t
    epochs=$(grep -c '^epoch' "$work/train-$model-$obj.log" || true)
    printf 'train %-10s %s: %7.2f s wall (load + %d epochs), peak RSS %.0f MB, file %d KB\n' "$model" "$obj" "$t" \
      "$epochs" "$(echo "$m/1024" | bc -l)" "$(( $(stat -c %s "$work/$model-$obj.json") / 1024 ))"
  done
  printf 'neural / structured training time (%s): %.1fx\n' "$obj" "$(echo "${secs[neural-$obj]}/${secs[structured-$obj]}" | bc -l)"
done
grep -h '^neural:' "$work/train-neural-kl.log" || true
for model in structured neural; do
  for obj in kl ce; do
    "$bin" model eval "$work/$model-$obj.json" --data "$data" --split test | sed "s|$work/||"
  done
done
