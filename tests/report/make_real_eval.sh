#!/usr/bin/env bash
# Test fixture: real `schedcast eval` output on the corpus test dataset — freq, ngram and structured
# (KL and CE) trained with the CLI, evaluated with rollouts from the corpus store — for the report's
# Chromium test to render (report_chromium_real_eval).
#   make_real_eval.sh SCHEDCAST_BIN DATASET_DIR STORE.db OUT_DIR
set -euo pipefail
bin=$1 data=$2 store=$3 out=$4
rm -rf "$out"
mkdir -p "$out"
"$bin" train --data "$data" --model freq --objective kl --out "$out/freq-kl.json"
"$bin" train --data "$data" --model structured --objective kl --epochs 3 --out "$out/structured-kl.json"
"$bin" train --data "$data" --model structured --objective ce --epochs 3 --out "$out/structured-ce.json"
exec "$bin" eval --data "$data" --model "$out/freq-kl.json" --model "$out/structured-kl.json" \
  --model "$out/structured-ce.json" --store "$store" --rollout-starts 20 --rollout-samples 16 \
  --every-step --protocol paper --bootstrap 200 --json "$out/eval.json" --report "$out/report"
