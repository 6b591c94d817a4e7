#!/usr/bin/env bash
# Plumbing check of the recipe with a tiny randomly initialised Qwen2 (no weights are downloaded):
# export the prompts of a dataset, LoRA-train with each loss of LOSSES, predict the test split with
# each adapter, score all prediction files with one `schedcast eval`, and check that the training KL
# of the KL run fell. Needs torch, transformers, peft, tokenizers (setup.sh makes a CPU venv); a GPU
# is optional. Exit status: non-zero when a step fails or the KL did not fall.
#   run_tiny.sh SCHEDCAST_BIN DATASET_DIR OUT_DIR [PYTHON]
# Environment: LOSSES (default "kl ce"), LIMIT (prompts used from train and validation, 0 = all;
# default 0), TEST_LIMIT (prompts predicted from test, 0 = all; default LIMIT), MAXLEN (tokens kept;
# default 1024), EPOCHS (default 3).
# Output in OUT_DIR: {train,validation,test}.jsonl, run/ (the KL run: tiny-base/, adapter/,
# train_log.json, run.json), preds.jsonl (its predictions), run-ce/ and preds-ce.jsonl for CE, eval.json
# (models tiny-qwen2-kl and tiny-qwen2-ce).
set -euo pipefail
bin=$1 data=$2 out=$3 py=${4:-python3}
limit=${LIMIT:-0} test_limit=${TEST_LIMIT:-${LIMIT:-0}} maxlen=${MAXLEN:-1024} epochs=${EPOCHS:-3}
losses=${LOSSES:-kl ce}
here=$(cd "$(dirname "$0")" && pwd)
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
case " $losses " in *" kl "*) ;; *) echo "run_tiny.sh: LOSSES must include kl (got '$losses')" >&2; exit 2 ;; esac
mkdir -p "$out"
for split in train validation test; do
  "$bin" dataset export --data "$data" --split "$split" --format prompt --out "$out/$split.jsonl"
done
eval_args=()
for loss in $losses; do
  run=$out/run preds=$out/preds.jsonl
  if [ "$loss" != kl ]; then run=$out/run-$loss preds=$out/preds-$loss.jsonl; fi
  "$py" "$here/train.py" --tiny --train "$out/train.jsonl" --validation "$out/validation.jsonl" --out "$run" \
    --loss "$loss" --epochs "$epochs" --lr 2e-3 --batch-size 8 --grad-accum 1 --max-length "$maxlen" \
    --lora-r 8 --lora-alpha 16 --limit "$limit"
  "$py" "$here/predict.py" --run "$run" --data "$out/test.jsonl" --out "$preds" --max-length "$maxlen" \
    --limit "$test_limit"
  eval_args+=(--predictions "$preds" --name "tiny-qwen2-$loss")
done
"$bin" eval --data "$data" "${eval_args[@]}" --bootstrap 0 --json "$out/eval.json"
"$py" - "$out/run/train_log.json" <<'PY'
import json, sys
log = json.load(open(sys.argv[1]))
steps = [s["kl"] for s in log["steps"]]
k = max(1, len(steps) // 10)
first, last = sum(steps[:k]) / k, sum(steps[-k:]) / k
print(f"train KL (--loss kl): first {k} steps {first:.4f}, last {k} steps {last:.4f}")
sys.exit(0 if last < first else 1)
PY
