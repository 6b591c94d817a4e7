#!/usr/bin/env bash
# Plumbing check of the recipe with a tiny randomly initialised Qwen2 (no weights needed): export the
# prompts of a dataset, LoRA-train with the KL loss, predict the test split, score it with eval, and
# check that the training KL fell. Needs torch, transformers, peft, tokenizers (a GPU is optional).
#   run_tiny.sh SCHEDCAST_BIN DATASET_DIR OUT_DIR [PYTHON]
# Environment: LIMIT (prompts used per split, 0 = all; default 0), MAXLEN (tokens kept; default 1024),
# EPOCHS (default 3).
set -euo pipefail
bin=$1 data=$2 out=$3 py=${4:-python3}
limit=${LIMIT:-0} maxlen=${MAXLEN:-1024} epochs=${EPOCHS:-3}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
for split in train validation test; do
  "$bin" dataset export --data "$data" --split "$split" --format prompt --out "$out/$split.jsonl"
done
"$py" "$here/train.py" --tiny --train "$out/train.jsonl" --validation "$out/validation.jsonl" --out "$out/run" \
  --loss kl --epochs "$epochs" --lr 2e-3 --batch-size 8 --grad-accum 1 --max-length "$maxlen" --lora-r 8 --lora-alpha 16 \
  --limit "$limit"
"$py" "$here/predict.py" --run "$out/run" --data "$out/test.jsonl" --out "$out/preds.jsonl" --max-length "$maxlen" \
  --limit "$limit"
"$bin" eval --data "$data" --predictions "$out/preds.jsonl" --name tiny-qwen2-kl --bootstrap 0 --json "$out/eval.json"
"$py" - "$out/run/train_log.json" <<'PY'
import json, sys
log = json.load(open(sys.argv[1]))
steps = [s["kl"] for s in log["steps"]]
k = max(1, len(steps) // 10)
first, last = sum(steps[:k]) / k, sum(steps[-k:]) / k
print(f"train KL: first {k} steps {first:.4f}, last {k} steps {last:.4f}")
sys.exit(0 if last < first else 1)
PY
