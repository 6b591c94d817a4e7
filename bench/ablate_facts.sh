#!/usr/bin/env bash
# Ablation of the program facts (docs/BENCHMARKS.md): one structured model per fact group, one with
# none and one with all, trained on the same dataset (KL, temperature on validation) and evaluated
# together on the test split.
#   [FACTS="none all"] [EPOCHS=8] bench/ablate_facts.sh SCHEDCAST STORE OUT
# STORE must hold source indexes (collected by this schedcast; `schedcast collect` on an old store
# with the same plan adds them without running anything).
set -euo pipefail
bin=$1 store=$2 out=$3
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
"$bin" dataset build --store "$store" --out "$out/ds" --manifest "$root/corpus/MANIFEST.json"
models=()
for facts in ${FACTS:-none next partner loop create all}; do
  "$bin" train --data "$out/ds" --model structured --facts "$facts" --epochs "${EPOCHS:-8}" --temperature --out "$out/structured-$facts.json"
  models+=(--model "$out/structured-$facts.json")
done
"$bin" eval --data "$out/ds" --split test --bootstrap 0 "${models[@]}" --json "$out/eval.json"
