#!/usr/bin/env bash
# ctest LlmRecipeSmoke: recipes/llm-kl-finetune/run_tiny.sh with the real torch (Debian's, CPU),
# transformers, peft and tokenizers of the recipe's venv (recipes/llm-kl-finetune/setup.sh, which
# scripts/install-deps.sh runs) on the corpus dataset fixture: prompt export → a tiny randomly
# initialised Qwen2 with a byte-level BPE tokenizer trained on the train prompts → LoRA training with
# the KL loss and with CE (120 train/validation prompts, 3 epochs, the last 192 tokens of each prompt)
# → adapters saved → predictions for EVERY test example → `schedcast eval` scores both files.
# Checks: run_tiny.sh exits 0 (so the KL of the KL run fell over the steps), each adapter was saved
# and reloads, every test example has one prediction line whose probabilities cover exactly its legal
# letters and sum to 1, and eval scored both files with full coverage. Installs nothing; fails when
# the venv is missing (run setup.sh).
#   recipe_smoke.sh SCHEDCAST_BIN DATASET_DIR SOURCE_DIR VENV_PYTHON
set -euo pipefail
bin=$1 data=$2 src=$3 py=$4
if ! "$py" -c "import torch, transformers, peft, tokenizers" 2>/dev/null; then
  echo "recipe_smoke: $py cannot import torch/transformers/peft/tokenizers;" \
       "run recipes/llm-kl-finetune/setup.sh (scripts/install-deps.sh does)" >&2
  exit 1
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
start=$(date +%s)
LOSSES="kl ce" LIMIT=120 TEST_LIMIT=0 MAXLEN=192 EPOCHS=3 \
  "$src/recipes/llm-kl-finetune/run_tiny.sh" "$bin" "$data" "$out" "$py"
for run in run run-ce; do
  test -s "$out/$run/adapter/adapter_model.safetensors"
  test -s "$out/$run/adapter/adapter_config.json"
done
"$py" - "$out" <<'PY'
import json, math, sys
out = sys.argv[1]
test = [json.loads(l) for l in open(f"{out}/test.jsonl")]
key = lambda r: (r["program"], r["config"], r["run_id"], r["position"])
letters = {key(r): r["letters"] for r in test}
assert len(letters) == len(test), "duplicate test keys"
log = json.load(open(f"{out}/run/train_log.json"))
assert log["loss"] == "kl" and len(log["steps"]) >= 30, (log["loss"], len(log["steps"]))
assert all(math.isfinite(s["kl"]) and s["kl"] >= 0 for s in log["steps"])
assert json.load(open(f"{out}/run-ce/train_log.json"))["loss"] == "ce"
for name in ("preds.jsonl", "preds-ce.jsonl"):
    preds = [json.loads(l) for l in open(f"{out}/{name}")]
    assert len(preds) == len(test), (name, len(preds), len(test))
    seen = set()
    for p in preds:
        k = key(p)
        assert k in letters and k not in seen, (name, k)
        seen.add(k)
        probs = p["probs"]
        assert sorted(probs) == sorted(letters[k]), (name, k, sorted(probs), letters[k])
        assert all(0 <= v <= 1 for v in probs.values()), (name, k, probs)
        assert abs(sum(probs.values()) - 1) < 1e-4, (name, k, sum(probs.values()))
    print(f"{name}: {len(preds)} test examples, each a distribution over exactly its legal letters")
ev = json.load(open(f"{out}/eval.json"))
for name in ("tiny-qwen2-kl", "tiny-qwen2-ce"):
    row = [m for m in ev["models"] if m["name"] == name][0]
    assert row["coverage"]["covered"] == len(test), (name, row["coverage"])
    o = row["overall"]
    print(f"eval {name}: coverage {row['coverage']}, accuracy {o['accuracy']['value']:.4f}, ece {o['ece']['value']:.4f}")
PY
echo "recipe_smoke: passed in $(( $(date +%s) - start )) s"
