#!/usr/bin/env bash
# One short GPU check of the recipe, for a session that is lent a device machine (which reaches
# neither PyPI nor a model hub). Two modes:
#   device_check.sh prepare SCHEDCAST_BIN DATASET_DIR   (here, on the build machine)
#       exports a small prompt subset of each split into recipes/llm-kl-finetune/.device/ (~few MB,
#       git-ignored) for the device run to carry.
#   device_check.sh run [OUT_DIR]                        (on the device machine; OUT_DIR default $OUT)
#       1. reports the GPU, torch, transformers and peft (a python that has them: $PYTHON, the
#          recipe's .venv, or python3);
#       2. the tiny random Qwen2 on CUDA: train.py --tiny --loss kl (bf16), predict.py; checks that
#          the training KL fell; times both;
#       3. the 7B: if $MODEL (default Qwen/Qwen2.5-Coder-7B: a local directory or a name already in
#          the HF cache, since no hub is reachable) loads, a short LoRA run (r=16, bf16, gradient
#          checkpointing, batch 1, 3072 tokens) on $N7B train prompts with the KL loss, its peak CUDA
#          memory (train_log.json peak_cuda_memory_gb), and predict.py on the test subset.
#       Everything lands in OUT_DIR (logs, train_log.json, predictions, summary.txt).
# Call from a session with the device tool, e.g.:
#   run(command="bash recipes/llm-kl-finetune/device_check.sh run", carry=["recipes/llm-kl-finetune/.device"],
#       timeout_s=540)
# Environment: PYTHON, MODEL, N7B (default 64), TINY_TIMEOUT (s, default 150), BIG_TIMEOUT (s, default 330).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dev=$here/.device
mode=${1:-}
if [ "$mode" = prepare ]; then
  bin=$2 data=$3
  mkdir -p "$dev"
  for split in train validation test; do
    "$bin" dataset export --data "$data" --split "$split" --format prompt --out "$dev/$split.all.jsonl" || exit 1
  done
  # Every 40th train prompt, every 10th validation prompt, every 25th test prompt: spread over programs.
  awk 'NR % 40 == 1' "$dev/train.all.jsonl" > "$dev/train.jsonl"
  awk 'NR % 10 == 1' "$dev/validation.all.jsonl" > "$dev/validation.jsonl"
  awk 'NR % 25 == 1' "$dev/test.all.jsonl" > "$dev/test.jsonl"
  rm -f "$dev"/*.all.jsonl
  # The pinned wheels (~25 MB, for CPython 3.11 on x86_64), for a device python that has a CUDA torch
  # but not transformers/peft: no PyPI there.
  "${PIP_PYTHON:-$here/.venv/bin/python}" -m pip download --quiet --disable-pip-version-check --no-deps \
    --only-binary=:all: -d "$dev/wheels" -r "$here/requirements-cpu.lock" || exit 1
  wc -l "$dev"/*.jsonl
  du -sh "$dev"
  exit 0
fi
[ "$mode" = run ] || { echo "usage: $0 prepare SCHEDCAST_BIN DATASET_DIR | $0 run [OUT_DIR]" >&2; exit 2; }
out=${2:-${OUT:-/tmp/device_check}}
mkdir -p "$out"
[ -s "$dev/train.jsonl" ] || { echo "no $dev/train.jsonl: run '$0 prepare' first and carry .device" | tee "$out/summary.txt"; exit 2; }
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
py=
for cand in "${PYTHON:-}" "$here/.venv/bin/python" python3; do
  [ -n "$cand" ] && "$cand" -c "import torch, transformers, peft" 2>/dev/null && { py=$cand; break; }
done
if [ -z "$py" ] && [ -d "$dev/wheels" ] && python3 -c "import torch; assert torch.cuda.is_available()" 2>/dev/null; then
  # A CUDA torch without transformers/peft: install the carried wheels next to it (no index).
  python3 -m pip install --quiet --no-index --no-deps --target "$out/pylib" "$dev"/wheels/*.whl > "$out/pip.log" 2>&1 &&
    export PYTHONPATH=$out/pylib${PYTHONPATH:+:$PYTHONPATH} && py=python3
fi
py=${py:-python3}
summary=$out/summary.txt
{
  echo "== device_check $(date -u +%FT%TZ)"
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>&1 | head -4
  "$py" -c "import torch, transformers, peft; print('torch', torch.__version__, 'cuda', torch.version.cuda, 'available', torch.cuda.is_available()); print('transformers', transformers.__version__, 'peft', peft.__version__)" 2>&1
} | tee "$summary"
"$py" -c "import torch, transformers, peft, tokenizers; assert torch.cuda.is_available()" 2>/dev/null || {
  echo "no python with CUDA torch + transformers + peft + tokenizers here: nothing run" | tee -a "$summary"; exit 3; }
step() {  # name timeout cmd...
  local name=$1 t=$2; shift 2
  local s=$(date +%s)
  timeout "$t" "$@" > "$out/$name.log" 2>&1
  local rc=$?
  echo "$name: exit $rc in $(( $(date +%s) - s )) s" | tee -a "$summary"
  return $rc
}
kl_fell() {
  "$py" - "$1" <<'PY' 2>&1 | tee -a "$summary"
import json, sys
log = json.load(open(sys.argv[1]))
kl = [s["kl"] for s in log["steps"]]
k = max(1, len(kl) // 10)
first, last = sum(kl[:k]) / k, sum(kl[-k:]) / k
print(f"  {len(kl)} steps, KL first {first:.4f} last {last:.4f} ({'fell' if last < first else 'DID NOT FALL'}); "
      f"peak {log.get('peak_cuda_memory_gb', float('nan')):.2f} GiB; {log.get('train_seconds', 0):.0f} s")
sys.exit(0 if last < first else 1)
PY
}
# 2. The tiny model on CUDA.
if step tiny-train "${TINY_TIMEOUT:-150}" "$py" "$here/train.py" --tiny --train "$dev/train.jsonl" \
     --validation "$dev/validation.jsonl" --out "$out/tiny" --loss kl --epochs 3 --lr 2e-3 --batch-size 8 \
     --grad-accum 1 --max-length 1024 --lora-r 8 --lora-alpha 16 --dtype bf16; then
  kl_fell "$out/tiny/train_log.json"
  step tiny-predict 60 "$py" "$here/predict.py" --run "$out/tiny" --data "$dev/test.jsonl" --out "$out/tiny-preds.jsonl" \
    --max-length 1024 --dtype bf16
fi
# 3. The 7B, if its weights are on this machine.
model=${MODEL:-Qwen/Qwen2.5-Coder-7B}
if "$py" -c "import sys; from transformers import AutoConfig; AutoConfig.from_pretrained(sys.argv[1])" "$model" 2>/dev/null; then
  if step big-train "${BIG_TIMEOUT:-330}" "$py" "$here/train.py" --model "$model" --train "$dev/train.jsonl" \
       --out "$out/big" --loss kl --epochs 1 --lr 1e-4 --batch-size 1 --grad-accum 8 --max-length 3072 \
       --lora-r 16 --lora-alpha 32 --gradient-checkpointing --dtype bf16 --limit "${N7B:-64}"; then
    kl_fell "$out/big/train_log.json"
    step big-predict 120 "$py" "$here/predict.py" --run "$out/big" --data "$dev/test.jsonl" --out "$out/big-preds.jsonl" \
      --max-length 3072 --dtype bf16 --batch-size 4 --limit 100
  fi
else
  echo "7B: $model is not on this machine (no hub is reachable from it): not run" | tee -a "$summary"
fi
cat "$summary"
